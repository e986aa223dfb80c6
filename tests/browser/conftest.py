"""Fixtures for the user-journey tests: Debian's chromium driven by Playwright against `live_server`.

Run them with `make test` (which installs chromium if needed) or
`.venv/bin/python -m pytest -q tests/browser`.
"""

import os
from pathlib import Path

import pytest

from earlyhelp.testing.reference_data import load_reference_data

CHROMIUM = os.environ.get("EARLYHELP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
HOW_TO_FIX = (f"Debian's chromium is needed at {CHROMIUM} for the browser tests. Install it with "
              "`apt-get install -y chromium` (as root) or run `make test`, which does it for you. "
              "(`playwright install` does not work on these machines.)")
SHOTS = Path(os.environ.get("EARLYHELP_SHOTS_DIR", "/tmp/earlyhelp-shots"))


class Unavailable:
    """Stands in for the browser when chromium cannot run: the test FAILS (never skips) as soon as it
    uses the page, with a message that says how to fix it."""

    def __init__(self, reason):
        self.reason = reason

    def __getattr__(self, name):
        pytest.fail(self.reason, pytrace=False)


@pytest.fixture(scope="module")
def browser():
    """One headless chromium per test module (or an `Unavailable` saying why there is none).

    Module scope, not session: Playwright's sync API keeps an asyncio event loop running in this thread
    while it is open, which would break later tests that call asyncio.run(). For the same reason Django
    refuses ORM calls here unless DJANGO_ALLOW_ASYNC_UNSAFE is set; it is set only while the browser is
    open (the test code touches the database only between browser steps, never concurrently).
    """
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        yield Unavailable(HOW_TO_FIX)
        return
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            try:
                chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            except Exception as error:
                yield Unavailable(f"chromium would not start: {error}\n{HOW_TO_FIX}")
                return
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, reference_data):
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    if isinstance(browser, Unavailable):
        yield browser
        return
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # JavaScript exceptions and console errors (a content security policy violation, a missing
    # script or stylesheet); tests assert these stay empty.
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(f"console: {message.text} ({message.location.get('url')})")
            if message.type == "error" else None)
    yield page
    context.close()


def _load_reference_data():
    """Put back the rows the data migrations insert: a transactional test's flush removes them, so before and after
    each browser test."""
    load_reference_data()


RESEED = pytest.StashKey[bool]()


@pytest.fixture
def reference_data(request, transactional_db):
    _load_reference_data()
    request.node.stash[RESEED] = True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a browser test's teardown (which flushes the database), put the reference data back, so
    tests that run later in the session find what the migrations inserted."""
    try:
        return (yield)
    finally:
        # With no next item the session is over and the test database is already gone.
        if nextitem is not None and item.stash.get(RESEED, False):
            from pytest_django.plugin import blocking_manager_key

            with item.config.stash[blocking_manager_key].unblock():
                _load_reference_data()


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def choose_from_long_list(page, label, option, *, exact=False):
    """Pick from a long list (organisations, practitioners), which the page makes an accessible autocomplete: type
    the name, then choose it from the options shown."""
    # The enhanced text box, not the <select> it replaces (also a combobox) before the script has run.
    field = page.get_by_role("combobox", name=label, exact=exact).and_(page.locator("input"))
    field.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
