"""Walking "Ask for early help" with Django's test client, as a visitor's browser would (no JavaScript)."""

import datetime

from django.urls import reverse

from earlyhelp.online.models import HelpRequest


def dob(day: datetime.date, name="date_of_birth") -> dict:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def answer(client, step, data):
    return client.post(reverse("online:question", args=[step]), data)


SELF_ANSWERS = [
    ("name", {"given_name": "Robin", "family_name": "Testfamily"}),
    ("postcode", {"postcode": "ze1 2ab"}),
    ("contact-details", {"phone": "07700 900982", "email": "", "contact_note": ""}),
    ("reason", {"reason": "We are finding things hard since the baby was born."}),
]

PROFESSIONAL_ANSWERS = [
    ("your-details", {"referrer_name": "Sam Teacher", "organisation": "Testtown Primary School",
                      "role": "Designated safeguarding lead"}),
    ("your-contact-details", {"referrer_email": "sam@school.example", "referrer_phone": "01632 960001"}),
    ("family-member-name", {"given_name": "Alex", "family_name": "Testfamily"}),
    ("family-member-date-of-birth", dob(datetime.date(2016, 5, 4))),
    ("family-postcode", {"postcode": "ZE1 2AB"}),
    ("family-agreement", {"consent_at_referral": "given", "family_knows": "Mum asked me to refer them."}),
    ("reason-for-asking", {"reason": "Attendance has fallen and mum is struggling with the children's sleep."}),
]


def start(client, route) -> HelpRequest:
    response = client.post(reverse("online:who"), {"route": route})
    assert response.status_code == 302, response.content.decode()[:2000]
    return HelpRequest.objects.latest("pk")


def fill_self(client, born: datetime.date) -> HelpRequest:
    request = start(client, "self")
    assert answer(client, "name", SELF_ANSWERS[0][1]).status_code == 302
    response = answer(client, "date-of-birth", dob(born))
    if response.url == reverse("online:question", args=["parent-or-guardian"]):
        return HelpRequest.objects.get(pk=request.pk)  # stopped at the parent's permission (P24)
    for step, data in SELF_ANSWERS[1:]:
        assert answer(client, step, data).status_code == 302, step
    return HelpRequest.objects.get(pk=request.pk)


def fill_professional(client) -> HelpRequest:
    request = start(client, "professional")
    for step, data in PROFESSIONAL_ANSWERS:
        response = answer(client, step, data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    return HelpRequest.objects.get(pk=request.pk)


def send(client):
    return client.post(reverse("online:check"), {})
