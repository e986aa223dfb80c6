"""The question flow of "Ask for early help": which pages each route asks, in order, and when it is complete.

A page is answered when every field of its form has a stored answer (an optional one is stored blank). The next page
is always the first one not answered, so the same rule walks a new request forward, brings a changed answer back to
"Check your answers", and asks a page that has become needed (a parent's permission after a date of birth under the
permission age, P24).
"""

import dataclasses
import datetime

from django.utils import timezone

from earlyhelp.ui.forms import format_date

from . import forms
from .models import DEFAULT_PERMISSION_AGE, HelpLine, PermissionAge, Route


@dataclasses.dataclass(frozen=True)
class Step:
    slug: str
    form: type
    title: str
    lead: str = ""
    label: str = ""  # the summary list's name for the page's answers

    def fields(self) -> list[str]:
        return list(self.form.base_fields)


NAME_SELF = Step("name", forms.NameForm, "What is your name?", label="Name")
DOB_SELF = Step("date-of-birth", forms.DateOfBirthForm, "What is your date of birth?", label="Date of birth")
GUARDIAN = Step("parent-or-guardian", forms.GuardianForm, "Your parent's or guardian's permission",
                lead="You need a parent's or guardian's permission to ask for early help online. Ask them to fill in "
                     "this page with you.", label="Parent or guardian")
POSTCODE_SELF = Step("postcode", forms.PostcodeForm, "What is your postcode?", label="Postcode")
CONTACT_SELF = Step("contact-details", forms.ContactDetailsForm, "How can we contact you?",
                    lead="Give a telephone number, an email address or both.", label="Contact details")
REASON_SELF = Step("reason", forms.ReasonForm, "What would you like help with?", label="What you would like help with")

PROFESSIONAL = Step("your-details", forms.ProfessionalForm, "About you", label="Your details")
PROFESSIONAL_CONTACT = Step("your-contact-details", forms.ProfessionalContactForm, "Your work contact details",
                            label="Your contact details")
NAME_FAMILY = Step("family-member-name", forms.NameForm, "Who is the child or young person you are worried about?",
                   lead="If you are worried about more than one child in the family, give the eldest's name and tell "
                        "us about the others in the reason.", label="Child or young person")
DOB_FAMILY = Step("family-member-date-of-birth", forms.FamilyMemberDateOfBirthForm,
                  "What is their date of birth?", label="Date of birth")
POSTCODE_FAMILY = Step("family-postcode", forms.PostcodeForm, "What is the family's postcode?", label="Postcode")
AGREEMENT = Step("family-agreement", forms.FamilyAgreementForm, "What the family knows", label="What the family knows")
REASON_FAMILY = Step("reason-for-asking", forms.ProfessionalReasonForm, "Why are you asking for early help?",
                     label="Reason for asking")

ROUTES = {
    Route.SELF: [NAME_SELF, DOB_SELF, GUARDIAN, POSTCODE_SELF, CONTACT_SELF, REASON_SELF],
    Route.PROFESSIONAL: [PROFESSIONAL, PROFESSIONAL_CONTACT, NAME_FAMILY, DOB_FAMILY, POSTCODE_FAMILY, AGREEMENT,
                         REASON_FAMILY],
}
STEPS = {step.slug: step for steps in ROUTES.values() for step in steps}


# --- P24: a parent's or guardian's permission under the council's age ----------------------------------------------

def permission_age() -> int:
    row = PermissionAge.objects.order_by("pk").first()
    return row.age if row else DEFAULT_PERMISSION_AGE


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years on `day`. Someone born on 29 February is a year older on 1 March in a year without one."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def needs_permission(answers: dict, route: str, day: datetime.date | None = None) -> bool:
    """A young person asking for themselves, younger than the permission age today."""
    if route != Route.SELF or not answers.get("date_of_birth"):
        return False
    born = datetime.date.fromisoformat(answers["date_of_birth"])
    return age_on(born, day or timezone.localdate()) < permission_age()


def help_lines():
    return HelpLine.objects.filter(active=True)


# --- The flow -------------------------------------------------------------------------------------------------------

def steps_for(route: str, answers: dict) -> list[Step]:
    asked = ROUTES[route]
    if not needs_permission(answers, route):
        asked = [step for step in asked if step is not GUARDIAN]
    return asked


def is_answered(step: Step, answers: dict) -> bool:
    if not all(name in answers for name in step.fields()):
        return False
    return step is not GUARDIAN or answers.get("guardian_permission") is True


def next_step(route: str, answers: dict) -> Step | None:
    """The first page not answered; None when every page is (then: check your answers)."""
    return next((step for step in steps_for(route, answers) if not is_answered(step, answers)), None)


def previous_step(route: str, answers: dict, step: Step) -> Step | None:
    asked = steps_for(route, answers)
    index = asked.index(step) if step in asked else 0
    return asked[index - 1] if index > 0 else None


def no_longer_asked(route: str, answers: dict) -> tuple[str, ...]:
    """Answers to pages the flow no longer asks (P1: a parent's details once the date of birth says 13 or over)."""
    asked = {name for step in steps_for(route, answers) for name in step.fields()}
    return tuple(name for step in ROUTES[route] for name in step.fields() if name not in asked and name in answers)


def is_complete(route: str, answers: dict) -> bool:
    return next_step(route, answers) is None


def stored(value):
    """A cleaned answer as JSON keeps it."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def initial(step: Step, answers: dict) -> dict:
    values = {}
    for name in step.fields():
        if name in answers:
            value = answers[name]
            if name == "date_of_birth" and value:
                value = datetime.date.fromisoformat(value)
            values[name] = value
    return values


def answer_rows(route: str, answers: dict) -> list[dict]:
    """The answers page by page, as "Check your answers" and the front door show them: {label, values, slug}."""
    rows = []
    for step in steps_for(route, answers):
        values = []
        for name in step.fields():
            value = answers.get(name)
            if name == "date_of_birth" and value:
                value = format_date(datetime.date.fromisoformat(value))
            elif name == "consent_at_referral":
                value = dict(forms.AGREEMENT_CHOICES).get(value, "")
            elif name == "guardian_permission":
                value = "Permission given by the parent or guardian" if value else ""
            if value:
                values.append(str(value))
        rows.append({"label": step.label or step.title, "values": values, "slug": step.slug})
    return rows
