"""User journeys through the real pages in a real browser (Debian's chromium, driven by Playwright).

Journey 1 is the issue's "contact → allocate → assess → plan → review → close", each step done through
the UI by the role that does it in a council. Journey 2 checks what partners can and cannot see.
"""

import base64
import datetime
import random
import re
import time

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.audit.services import verify_chain
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import Contact, Episode, EpisodeStatus
from earlyhelp.people import identifiers
from earlyhelp.people.models import Household, Person
from earlyhelp.testing import world as test_world

from .conftest import choose_from_long_list

pytestmark = pytest.mark.browser


# --- Helpers: what a person does with the pages ---------------------------------------------------

def authenticator_code(key: bytes, *, after_step: int = -1) -> tuple[str, int]:
    """What the person's authenticator app shows: the TOTP code for now, computed from the key as the app does.
    A code is accepted once (django-otp refuses a replay), so a second sign-in in the same 30 seconds uses the next
    step (django-otp accepts one step of clock drift) and, if that too is used, waits for the clock."""
    while True:
        now = TOTP(key).t()
        step = max(now, after_step + 1)
        if step <= now + 1:
            totp = TOTP(key)
            totp.time = step * totp.step + 1
            return f"{totp.token():06d}", step
        time.sleep(1)


def enter_second_factor(page, username):
    """After the password: enrol at the first sign-in (the QR code's setup key, read from the page), or enter the
    code the authenticator app shows now. Every browser sign-in uses a real code (P23)."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Set up your authenticator app|Enter your code"))
    if heading.inner_text() == "Set up your authenticator app":
        expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
        page.get_by_text("I cannot scan the QR code").click()
        key = base64.b32decode(page.locator("#setup-key").inner_text().replace(" ", ""))
        code, _ = authenticator_code(key)
        page.get_by_label("Code from your authenticator app").fill(code)
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Your authenticator app is set up")).to_be_visible()
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="I have kept my recovery codes").click()
    else:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        code, _ = authenticator_code(device.bin_key, after_step=device.last_t)
        page.get_by_label("Code from your authenticator app").fill(code)
        page.get_by_role("button", name="Continue").click()


def sign_in(page, username):
    # The live server's first request imports the URL configuration's heavy libraries: on a busy machine that alone
    # can pass the 10-second default.
    page.goto("/sign-in/", timeout=60_000)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(test_world.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    enter_second_factor(page, username)
    expect(page.get_by_role("heading", name="My dashboard", level=1)).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def fill_date(page, group_name, date):
    """Fill a GOV.UK date input (Day, Month, Year boxes) inside the fieldset named `group_name`."""
    group = page.get_by_role("group", name=re.compile(rf"^{re.escape(group_name)}"))
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))


def success_banner(page, text):
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(text)


def open_list(page, name):
    """Follow the dashboard's link to one of the user's lists ("My families (3)"); the list's table."""
    page.get_by_role("link", name=re.compile(rf"^{re.escape(name)} \(\d+\)")).click()
    return page.locator("main table")


def summary_value(page, key):
    """The value cell of a GOV.UK summary list row."""
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=re.compile(rf"^\s*{re.escape(key)}\s*$")))
    return row.locator(".govuk-summary-list__value").first


# --- Journey 1: contact → allocate → assess → plan → review → close -------------------------------

@pytest.mark.promise("P22", "P23")
def test_contact_to_closure_journey(page, shots):
    world = test_world.build_world()
    today = timezone.localdate()
    family_name, given_name, dob = "Quennell", "Imogen", datetime.date(2016, 6, 12)
    nhs = identifiers.make_nhs_number(random.Random(1))
    wrong_nhs = nhs[:9] + str((int(nhs[9]) + 1) % 10)

    # 1. The front door officer searches first, finds nobody, creates the person and records the contact.
    sign_in(page, "front_door")
    page.get_by_role("link", name="New contact", exact=True).click()
    expect(page.get_by_role("heading", name="Who is the contact about?")).to_be_visible()
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Given name").fill(given_name)
    fill_date(page, "Date of birth", dob)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="No possible matches")).to_be_visible()
    page.get_by_role("link", name="None of these: create a new record").click()

    expect(page.get_by_role("heading", name="Create a new record")).to_be_visible()
    page.get_by_label("Given name", exact=True).fill(given_name)
    page.get_by_label("Family name", exact=True).fill(family_name)
    fill_date(page, "Date of birth", dob)
    page.get_by_role("group", name=re.compile("^Gender")).get_by_label("Female").check()
    page.get_by_label("Address line 1").fill("14 Larch Road")
    page.get_by_label("Town or city").fill("Testtown")
    page.get_by_label("Postcode").fill("TE1 4ST")
    households_before = Household.objects.count()

    page.get_by_label("NHS number").fill(wrong_nhs)  # wrong check digit first
    page.get_by_role("button", name="Create record and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name=re.compile("check digit"))).to_be_visible()
    expect(page.locator("#id_identifier_nhs-error")).to_contain_text("check digit")
    expect(page).to_have_title(re.compile("^Error: "))
    assert not Person.objects.filter(family_name=family_name).exists()
    assert Household.objects.count() == households_before

    expect(page.get_by_label("Given name", exact=True)).to_have_value(given_name)  # the rest was kept
    page.get_by_label("NHS number").fill(nhs)
    page.get_by_role("button", name="Create record and continue").click()

    expect(page.get_by_role("heading", name="Record the contact")).to_be_visible()
    expect(page.get_by_text(f"Contact about {given_name} {family_name}")).to_be_visible()
    page.get_by_role("group", name=re.compile("^How did the contact reach us")).get_by_label("Telephone").check()
    page.get_by_label("Who made the contact?").select_option(label="School or college")
    page.get_by_label("Reason for the contact").fill("School reports attendance below 80% this term.")
    page.get_by_role("group", name=re.compile("^Does the family agree")).get_by_label(
        "The family has agreed to the referral").check()
    page.get_by_label("Team to send it to").select_option(label="North Early Help")
    page.get_by_role("button", name="Record contact").click()
    success_banner(page, "Contact recorded and sent to the team.")
    expect(summary_value(page, "Status")).to_have_text("Awaiting a decision")
    expect(summary_value(page, "Team")).to_have_text("North Early Help")

    person = Person.objects.get(family_name=family_name)
    assert person.identifiers.get().value == nhs
    contact = Contact.objects.get(subject=person)
    household = contact.household
    family_link = f"{family_name} family"  # lists name the family as the access policy allows
    sign_out(page)

    # 2. The team manager decides to open an episode and allocates a lead practitioner.
    sign_in(page, "manager_north")
    page.screenshot(path=str(shots / "dashboard-manager.png"), full_page=True)
    open_list(page, "Contacts awaiting a decision").get_by_role("link", name=f"{given_name} {family_name}").click()
    expect(summary_value(page, "About")).to_have_text(f"{given_name} {family_name}")
    page.get_by_label("Early help episode opened").check()
    page.get_by_role("button", name="Save decision").click()
    success_banner(page, "Decision recorded.")
    expect(page.get_by_role("heading", name=f"{family_name} family", level=1)).to_be_visible()
    expect(page.get_by_text("The next thing to do is to allocate a lead practitioner")).to_be_visible()
    expect(summary_value(page, "Lead practitioner")).to_contain_text("Not allocated")
    page.get_by_role("link", name="Allocate a lead practitioner").click()
    choose_from_long_list(page, "Lead practitioner", str(world.lead))
    page.get_by_role("button", name="Allocate").click()
    success_banner(page, "Lead practitioner allocated.")
    expect(summary_value(page, "Lead practitioner")).to_contain_text(str(world.lead))
    sign_out(page)

    # 3. The lead practitioner assesses the family and submits the assessment.
    sign_in(page, "lead_north")
    open_list(page, "My families").get_by_role("link", name=family_link).click()
    page.get_by_role("link", name="Start the assessment").click()
    page.get_by_label("Reason for the assessment").fill("Attendance and low mood at school.")
    page.get_by_role("button", name="Start assessment").click()
    expect(page.get_by_role("heading", name="Early Help Assessment", level=1)).to_be_visible()
    education = page.get_by_role("group", name="Getting a good education", exact=True)
    education.get_by_label("This area applies to the family").check()
    education.get_by_label("Strengths").fill("Imogen enjoys reading and art.")
    education.get_by_label("Needs").fill("Attendance is 78% this term.")
    education.get_by_role("group", name=re.compile("^Score")).get_by_label("2", exact=True).check()
    housing = page.get_by_role("group", name="Secure housing", exact=True)
    expect(housing.get_by_label("Does not apply: record nothing")).not_to_be_checked()  # nobody chose for them
    expect(housing.get_by_label("Strengths")).to_be_hidden()  # revealed only when the area applies
    page.get_by_label("Analysis").fill("Attendance is the main concern; the family wants help with mornings.")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose whether secure housing applies to this family")
    for not_applicable in page.locator("input[value=no][name$='-applies']:not([name='EDUCATION-applies'])").all():
        not_applicable.check()
    page.get_by_role("button", name="Submit for approval").click()
    success_banner(page, "Assessment submitted for approval.")
    expect(page.locator("#assessment ~ p .govuk-tag").first).to_have_text("Awaiting manager approval")
    findings = page.get_by_role("table", name="Headline areas")
    expect(findings).to_contain_text("Attendance is 78% this term.")
    expect(findings).not_to_contain_text("Secure housing")  # "Does not apply" records nothing
    sign_out(page)

    # 4. The manager approves the assessment.
    sign_in(page, "manager_north")
    approvals = open_list(page, "Waiting for your approval")
    expect(approvals).to_contain_text("Assessment awaiting approval")
    approvals.get_by_role("link", name=family_link).click()
    page.get_by_role("link", name="Approve or return the assessment").click()
    # The manager sees what they approve: the findings by area and the analysis.
    expect(page.locator("main")).to_contain_text("Attendance is 78% this term.")
    expect(page.locator("main")).to_contain_text("the family wants help with mornings")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    success_banner(page, "Assessment approved.")
    expect(page.get_by_text(f"approved by {world.manager}")).to_be_visible()
    sign_out(page)

    # 5. The lead adds a plan action and a partner to the Team Around the Family.
    sign_in(page, "lead_north")
    open_list(page, "My families").get_by_role("link", name=family_link).click()
    page.get_by_role("link", name="Add an action to the plan").click()
    page.get_by_label("Headline area").select_option(label="Getting a good education")
    page.get_by_label("Need", exact=True).fill("Imogen misses the start of the school day.")
    page.get_by_label("Action", exact=True).fill("Morning routine support twice a week.")
    choose_from_long_list(page, "Who is responsible", str(world.lead))
    page.get_by_label("Intended outcome").fill("Attendance above 95%.")
    fill_date(page, "Due date", today + datetime.timedelta(days=42))
    page.get_by_role("button", name="Add action").click()
    success_banner(page, "Action added to the plan.")
    expect(page.locator("#plan ~ .eh-table-container table").first).to_contain_text("Morning routine support twice a week.")

    # Inviting the school shares the family's information: the family's consent comes first.
    page.get_by_role("link", name="Add someone to the Team Around the Family").click()
    choose_from_long_list(page, "Practitioner", f"{world.partner} – {world.school.name}", exact=True)
    page.get_by_role("button", name="Add to the team").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("consent does not cover sharing with school")
    page.get_by_role("link", name="Back to the family").click()
    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Whose information is this consent about?").select_option(index=1)
    page.get_by_label("Who gave consent?").select_option(index=1)
    page.get_by_label("They agree to early help support").check()
    page.get_by_role("group", name="Who may we share information").get_by_label("School or college").check()
    page.get_by_label("Signed consent form").check()
    page.get_by_label("Where the signed form is kept").fill("Scanned to the family's file")
    fill_date(page, "Date consent was given", today)
    page.get_by_role("button", name="Record consent").click()
    page.get_by_role("link", name="Add someone to the Team Around the Family").click()
    # partner_school and partner_health are both "Partner Tester": the organisation tells them apart.
    choose_from_long_list(page, "Practitioner", f"{world.partner} – {world.school.name}", exact=True)
    # P8: the school sees the minimum and what it needs for its part: the plan, not the assessment or notes.
    expect(page.get_by_text("They will always see who is in the family")).to_be_visible()
    page.get_by_label("Family plan").check()
    page.get_by_role("button", name="Add to the team").click()
    success_banner(page, "Added to the Team Around the Family.")
    expect(page.get_by_text(f"{world.partner} – {world.school.name}")).to_be_visible()
    expect(page.get_by_text("Sees: Household members, Episode and lead practitioner, Family plan")).to_be_visible()

    # 6. The lead records the review that is due.
    reviews = page.locator("#reviews ~ .eh-table-container table").first
    reviews.get_by_role("link", name=re.compile("^Record")).click()
    expect(page.get_by_role("heading", name="Record a review")).to_be_visible()
    fill_date(page, "Date of the review", today)
    page.get_by_label("Summary of the review").fill("Attendance up to 93%; mornings are calmer.")
    page.get_by_role("button", name="Record review").click()
    success_banner(page, "Review recorded.")
    expect(reviews).to_contain_text("Attendance up to 93%; mornings are calmer.")

    # 7. The lead asks to close; the manager approves the closure.
    page.get_by_role("link", name="Close the episode").click()
    page.get_by_label("Outcomes met").check()
    page.get_by_label("Closure summary").fill("Attendance is above 95% and the family feels confident.")
    page.get_by_label("The family's feedback on the support they received").fill("The mornings help made a difference.")
    # The plan's action is still open: closing before it is done needs a reason.
    page.get_by_label("Why should the episode close before these actions are done?").fill(
        "The family will keep the morning routine going themselves.")
    page.get_by_role("button", name="Send for approval").click()
    success_banner(page, "Closure sent to your manager for approval.")
    expect(summary_value(page, "Status")).to_have_text("Closure awaiting approval")
    sign_out(page)

    sign_in(page, "manager_north")
    approvals = open_list(page, "Waiting for your approval")
    expect(approvals).to_contain_text("Closure awaiting approval")
    approvals.get_by_role("link", name=family_link).click()
    page.get_by_role("link", name="Approve or return the closure").click()
    expect(page.get_by_role("table", name="Plan actions still open")).to_contain_text("Morning routine support")
    expect(page.locator("main")).to_contain_text("The family will keep the morning routine going themselves.")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Save decision").click()
    success_banner(page, "Episode closed.")
    expect(summary_value(page, "Status")).to_have_text("Closed")
    expect(summary_value(page, "Closure reason")).to_have_text("Outcomes met")
    expect(page.get_by_role("link", name="Close the episode")).to_have_count(0)
    page.screenshot(path=str(shots / "family-closed.png"), full_page=True)
    assert page.errors == [], page.errors  # no JavaScript errors on any page

    episode = Episode.objects.get(household=household)
    assert episode.status == EpisodeStatus.CLOSED
    assert episode.closure_reason == "outcomes_met"
    assert episode.closed_by == world.manager
    checked, first_break = verify_chain()
    assert checked > 0 and first_break is None, first_break


# --- Journey 2: partners see only what they should -------------------------------------------------

@pytest.mark.promise("P18", "P2")
def test_partner_sees_only_families_they_are_on(page, shots):
    world = test_world.build_world()
    family = test_world.make_family(world, lead=world.lead, taf=[world.partner],
                                    taf_sections=["assessment", "plan", "notes"])
    household = family["household"]
    assessment = casework.start_assessment(by=world.lead, episode=family["episode"], reason="Health worries")
    casework.record_assessment(
        by=world.lead, assessment=assessment, voice_of_child="", analysis="",
        findings={"HEALTH": {"strengths": "Registered with a GP", "needs": "Parent's depression is untreated",
                             "score": 2},
                  "EDUCATION": {"strengths": "Good friendships", "needs": "Late most mornings", "score": 3}})
    casework.add_plan_action(by=world.lead, episode=family["episode"], area_code="HEALTH",
                             need="Parent's depression needs treatment", action="GP appointment with support",
                             owner=world.lead, intended_outcome="Treatment started",
                             due_date=timezone.localdate() + datetime.timedelta(days=14))
    casework.add_case_note(by=world.lead, episode=family["episode"], text="Disclosed a hospital admission",
                           is_sensitive=True)

    # A partner who is not on the Team Around the Family gets "Page not found", and the refusal is audited.
    sign_in(page, "partner_health")
    expect(page.get_by_text("You are not on any family's Team Around the Family")).to_be_visible()
    response = page.goto(f"/families/{household.pk}/")
    assert response.status == 404
    assert all("404" in error for error in page.errors), page.errors  # only the expected refusal
    page.errors.clear()
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(household.reference)
    assert AuditEvent.objects.filter(action=Action.DENIED, household_id=household.pk,
                                     actor=world.other_partner).exists()
    sign_out(page)

    # A partner on the Team Around the Family sees the family, with sensitive areas only as a marker.
    sign_in(page, "partner_school")
    open_list(page, "Families whose Team Around the Family you are on").get_by_role(
        "link", name="Testfamily family").click()
    expect(page.get_by_role("heading", name="Testfamily family", level=1)).to_be_visible()
    expect(page.get_by_text("shown only as a marker")).to_be_visible()
    findings = page.get_by_role("table", name="Headline areas")
    health = findings.get_by_role("row").filter(has_text="Improved mental and physical health")
    expect(health).to_contain_text("restricted")
    expect(findings).to_contain_text("Late most mornings")  # an ordinary area is shown in full
    expect(page.locator("#plan ~ .eh-table-container table").first).to_contain_text(
        "Improved mental and physical health: recorded – restricted")
    expect(page.get_by_text("Sensitive note – restricted")).to_be_visible()
    for secret in ("depression", "GP appointment", "Treatment started", "hospital admission"):
        expect(page.locator("main")).not_to_contain_text(secret)
    expect(page.locator("main")).not_to_contain_text("Registered with a GP")
    # P8: the reviews were not shared with the school, and the page says so.
    expect(page.locator("main")).to_contain_text("the lead practitioner has not shared the reviews with you")
    page.screenshot(path=str(shots / "family-partner.png"), full_page=True)
    assert page.errors == [], page.errors
    checked, first_break = verify_chain()
    assert first_break is None, first_break
