"""The public rights forms, walked by a visitor who is not signed in, in a real browser against the live server:
every page they reach is checked with axe-core (WCAG 2.2 AA) and for reflow at 320 px, with the checks of
`test_accessibility.py`: the start page, each question, questions with errors, "Check your answers" and the
confirmation. The visitor moves with the keyboard only, and finishes with JavaScript on and with it off."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import override_settings
from django.urls import reverse

from earlyhelp.rights.models import Channel, RightsRequest

from .conftest import Unavailable
from .test_accessibility import Scan, check

pytestmark = pytest.mark.browser


def _press(page, control):
    """Move to a link or button and press Enter, as a keyboard user does, and wait for the next page."""
    control.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _continue(page):
    _press(page, page.get_by_role("button", name="Continue"))


@pytest.mark.parametrize("javascript", [True, False])
def test_a_visitor_asks_for_a_correction_for_someone_else_and_every_page_passes_axe(browser, page, live_server,
                                                                                   javascript):
    if isinstance(browser, Unavailable):
        browser.goto  # fails with how to install chromium
    axe_script = Axe().axe_script
    scan = Scan(pages={}, records={}, clients={})
    with override_settings(EARLYHELP_DEMO_MODE=True):
        if not javascript:
            context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                          viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.errors = []

        def scanned(label):
            """axe needs JavaScript in the page: with it off, the visitor only has to get through."""
            if javascript:
                check(scan, page, axe_script, label)

        page.goto(reverse("online:rights-start"))
        scanned("online:rights-start signed out")
        _press(page, page.get_by_role("link", name="Ask us to correct information we hold"))
        scanned("who")
        _continue(page)  # nothing chosen
        page.locator(".govuk-error-summary").wait_for()
        scanned("who, with an error")
        page.get_by_label("Someone else").check()
        _continue(page)
        scanned("connection")
        page.get_by_label("How are you connected to the person the request is about?").fill("Their grandparent")
        _continue(page)
        page.get_by_label("What is the full name of the person the request is about?").fill("Jo Quillfeather")
        _continue(page)
        scanned("their date of birth")
        page.locator('[name="subject_date_of_birth_day"]').fill("31")
        page.locator('[name="subject_date_of_birth_month"]').fill("2")
        page.locator('[name="subject_date_of_birth_year"]').fill("2015")
        _continue(page)
        page.locator(".govuk-error-summary").wait_for()
        scanned("their date of birth, impossible")
        page.locator('[name="subject_date_of_birth_day"]').fill("27")
        _continue(page)
        page.get_by_label("What is your full name?").fill("Robin Quillfeather")
        _continue(page)
        scanned("contact")
        page.get_by_label("Email address").fill("robin@example.com")
        _continue(page)
        scanned("details")
        page.get_by_label("What is wrong, and what should it say?").fill("My grandchild's school is wrong.")
        _continue(page)
        scanned("check your answers")
        _press(page, page.get_by_role("button", name="Send request"))
        scanned("request sent")
        request = RightsRequest.objects.get()
        assert page.get_by_text(request.reference).count() == 1
        assert (request.channel, request.kind, request.subject_name) == (Channel.WEB, "rectification",
                                                                         "Jo Quillfeather")
        assert not page.errors, page.errors
        if not javascript:
            page.context.close()
    assert not scan.violations and not scan.wide, "\n".join([*scan.violations, *scan.wide])
