"""Ask for early help in a real browser (issue 15): a visitor who is not signed in, with the keyboard alone and no
JavaScript, sends a request that the front door then finds in its queue and records as a contact (P22); every
public page, its error states and the parent's permission step (P24) pass axe as an anonymous visitor."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from earlyhelp.casework.models import Channel, Contact
from earlyhelp.online.models import HelpRequest, RequestStatus
from earlyhelp.testing import world as test_world

from .conftest import Unavailable
from .test_accessibility import axe_violations, scrolls_sideways_at_320
from .test_journey import fill_date, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.promise("P22", "P24", "P23")]


def _visitor(browser, live_server, *, javascript=True):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB",
                                  timezone_id="Europe/London", java_script_enabled=javascript)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    return page


def _focused_is(page, locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, limit=60):
    """Press Tab until `locator` has the focus, as a keyboard user does (fails if it is never reached)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_is(page, locator):
            return
    pytest.fail(f"Tab never reached {locator}")


def key_fill(page, label, text, *, exact=False):
    tab_to(page, page.get_by_label(label, exact=exact))
    page.keyboard.type(text)


def key_choose(page, option):
    """A radio or checkbox, reached with Tab (a radio group is one Tab stop: arrow keys move within it)."""
    target = page.get_by_label(option, exact=True)
    for _ in range(60):
        page.keyboard.press("Tab")
        if _focused_is(page, target):
            break
        if page.evaluate("document.activeElement.type === 'radio'"):
            for _ in range(6):
                if _focused_is(page, target):
                    break
                page.keyboard.press("ArrowDown")
            if _focused_is(page, target):
                break
    assert _focused_is(page, target), option
    page.keyboard.press("Space")
    expect(target).to_be_checked()


def key_press_button(page, name):
    tab_to(page, page.get_by_role("button", name=name))
    page.keyboard.press("Enter")


def key_continue(page, heading):
    key_press_button(page, "Continue")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(heading))


def test_a_request_sent_online_with_the_keyboard_alone_reaches_the_front_doors_queue(browser, live_server,
                                                                                     reference_data):
    if isinstance(browser, Unavailable):
        browser.goto  # fails with how to install chromium
    world = test_world.build_world()
    family = test_world.make_family(world, family_name="Keyfamily", with_episode=False)
    visitor = _visitor(browser, live_server, javascript=False)  # the whole service works without JavaScript
    visitor.goto("/ask/", timeout=60_000)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Ask for early help")
    tab_to(visitor, visitor.get_by_role("button", name="Start now"))
    visitor.keyboard.press("Enter")
    key_choose(visitor, "I work with a family and want to ask for support for them")
    key_continue(visitor, "About you")
    key_fill(visitor, "Your full name", "Kim Teacher")
    key_fill(visitor, "Organisation", "Hillside Primary School")
    key_fill(visitor, "Your role", "Designated safeguarding lead")
    key_continue(visitor, "Your work contact details")
    key_fill(visitor, "Work email address", "kim@school.example")
    key_fill(visitor, "Work telephone number", "01632 960001")
    key_continue(visitor, "Who is the child or young person")
    key_fill(visitor, "First name", "Jamie")
    key_fill(visitor, "Last name", "Keyfamily")
    key_continue(visitor, "What is their date of birth")
    key_fill(visitor, "Day", "6")
    key_fill(visitor, "Month", "5")
    key_fill(visitor, "Year", "2014")
    key_continue(visitor, "What is the family's postcode")
    key_fill(visitor, "What is the family's postcode?", "SW1A 1AA")
    key_continue(visitor, "What the family knows")
    key_choose(visitor, "Yes, they know and they agree")
    key_continue(visitor, "Why are you asking for early help")
    key_fill(visitor, "Why are you asking for early help?", "Jamie has missed many school days.")
    key_continue(visitor, "Check your answers")
    expect(visitor.locator(".govuk-summary-list")).to_contain_text("Hillside Primary School")
    key_press_button(visitor, "Send request")
    expect(visitor.locator(".govuk-panel__title")).to_have_text("Request sent")
    reference = visitor.locator(".govuk-panel__body strong").inner_text()
    assert not visitor.errors, visitor.errors
    visitor.context.close()
    sent = HelpRequest.objects.get(reference=reference)
    assert sent.status == RequestStatus.SUBMITTED

    # The front door officer finds it in the queue of requests made online and records it about the right child.
    officer = _visitor(browser, live_server)
    sign_in(officer, "front_door")
    officer.get_by_role("link", name="Online requests").click()
    row = officer.locator("main table tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("Web")
    row.get_by_role("link", name=reference).click()
    expect(officer.locator(".govuk-summary-list")).to_contain_text("Jamie")
    expect(officer.get_by_label("Family name")).to_have_value("Keyfamily")  # the search starts from what was given
    officer.get_by_role("button", name="Search").click()
    officer.get_by_label("Who made the request?").select_option(label="School or college")
    officer.get_by_role("button", name=re.compile("Record as a contact about Jamie Keyfamily")).click()
    # No team chosen: the error, and the people found are still there to pick from.
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Select the team to send the contact to")
    officer.get_by_label("Team to send it to").select_option(label="North Early Help")
    officer.get_by_role("button", name=re.compile("Record as a contact about Jamie Keyfamily")).click()
    expect(officer.locator(".govuk-notification-banner--success")).to_contain_text("Request recorded as a contact")
    contact = Contact.objects.get(subject=family["members"][2])
    assert contact.channel == Channel.WEB and contact.received_at == sent.submitted_at
    assert not officer.errors, officer.errors
    officer.context.close()


def test_every_public_page_passes_axe_as_an_anonymous_visitor(browser, live_server, reference_data):
    if isinstance(browser, Unavailable):
        browser.goto  # fails with how to install chromium
    axe_script, problems, checked = Axe().axe_script, [], []
    page = _visitor(browser, live_server)

    def scan(label):
        problems.extend(f"{label}: {rule} at {target}: {summary}"
                        for rule, target, summary in axe_violations(page, axe_script))
        wide = scrolls_sideways_at_320(page)
        if wide:
            problems.append(f"{label}: {wide}px too wide at 320px")
        checked.append(label)

    for path in ("/ask/", "/ask/continue/", "/ask/other-help/", "/accessibility/"):
        page.goto(path, timeout=60_000)
        scan(path)
    page.goto("/ask/")
    page.get_by_role("button", name="Start now").click()
    scan("who")
    page.get_by_role("button", name="Continue").click()
    scan("who, with an error")
    page.get_by_label("I want to ask for help for myself or my family").check()
    page.get_by_role("button", name="Continue").click()
    scan("name")
    page.get_by_role("button", name="Continue").click()
    scan("name, with errors")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Testfamily")
    page.get_by_role("button", name="Continue").click()
    scan("date of birth")
    fill_date(page, "What is your date of birth?", datetime.date(2015, 2, 31 - 3))
    page.get_by_label("Day").fill("31")
    page.get_by_role("button", name="Continue").click()
    scan("date of birth, impossible")
    today = timezone.localdate()
    fill_date(page, "What is your date of birth?", today.replace(year=today.year - 10, day=min(today.day, 28)))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your parent's or guardian's permission")
    scan("parent or guardian (P24)")
    page.get_by_role("button", name="Continue").click()
    scan("parent or guardian, with errors")
    page.get_by_label("Parent's or guardian's full name").fill("Pat Testfamily")
    page.get_by_label("How are they related to you?").fill("Mum")
    page.get_by_label("Their telephone number").fill("07700 900123")
    page.get_by_label(re.compile("I am this young person's parent or guardian")).check()
    page.get_by_role("button", name="Continue").click()
    scan("postcode")
    page.get_by_label("What is your postcode?").fill("ZE1 2AB")
    page.get_by_role("button", name="Continue").click()
    scan("contact details")
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Continue").click()
    scan("contact details, with an error")
    page.get_by_label("Email address").fill("robin@example.com")
    page.get_by_role("button", name="Continue").click()
    scan("reason")
    page.get_by_label("What would you like help with?").fill("Help with my brother at home.")
    page.get_by_role("button", name="Continue").click()
    scan("check your answers")
    page.get_by_role("button", name="Send request").click()
    scan("request sent")
    # The professional's pages.
    page.goto("/ask/who/")
    page.get_by_label("I work with a family and want to ask for support for them").check()
    page.get_by_role("button", name="Continue").click()
    for label, fields in [
        ("your details", {"Your full name": "Kim Teacher", "Organisation": "Hillside", "Your role": "DSL"}),
        ("your contact details", {"Work email address": "kim@school.example", "Work telephone number": "01632 960001"}),
        ("family member name", {"First name": "Jamie", "Last name": "Testfamily"}),
    ]:
        scan(label)
        for field, value in fields.items():
            page.get_by_label(field).fill(value)
        page.get_by_role("button", name="Continue").click()
    scan("family member date of birth")
    fill_date(page, "What is their date of birth?", datetime.date(2014, 5, 6))
    page.get_by_role("button", name="Continue").click()
    scan("family postcode")
    page.get_by_label("What is the family's postcode?").fill("ZE1 2AB")
    page.get_by_role("button", name="Continue").click()
    scan("family agreement")
    page.get_by_role("button", name="Continue").click()
    scan("family agreement, with an error")
    page.get_by_label("They know, but they do not agree").check()
    page.get_by_role("button", name="Continue").click()
    scan("reason for asking")
    assert not page.errors, page.errors
    page.context.close()
    print(f"axe: {len(checked)} public pages and states checked as an anonymous visitor")
    assert not problems, "\n".join(problems)
