"""Fixtures for the user-journey tests: Debian's chromium driven by Playwright against `live_server`.

Run them with `make test` (which installs chromium if needed) or
`.venv/bin/python -m pytest -q tests/browser`.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a thread with a
# running loop unless told it is safe (the test code only touches the database between browser steps).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
HOW_TO_FIX = (f"Debian's chromium is needed at {CHROMIUM} for the browser tests. Install it with "
              "`apt-get install -y chromium` (as root) or run `make test`, which does it for you. "
              "(`playwright install` does not work on these machines.)")
SHOTS = Path(os.environ.get("EARLYHELP_SHOTS_DIR", "/tmp/earlyhelp-shots"))


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session. Missing chromium is a failure, never a skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        pytest.fail(HOW_TO_FIX, pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the dev dependencies include playwright
        pytest.fail(f"The Python package playwright is missing ({error}); run `make install`.", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Exception as error:
            pytest.fail(f"chromium would not start: {error}\n{HOW_TO_FIX}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, reference_data):
    """A fresh browser context (no cookies) on the live server; `page.base` is the server's URL."""
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
    """Rows the data migrations insert (the headline areas). A transactional test flushes the database
    afterwards, which removes them, so put them back before and after each browser test."""
    from django.apps import apps

    migration = importlib.import_module("earlyhelp.programme.migrations.0002_headline_areas")
    migration.load(apps, None)


@pytest.fixture
def reference_data(transactional_db):
    _load_reference_data()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a browser test's teardown (which flushes the database), put the reference data back, so
    tests that run later in the session find what the migrations inserted."""
    try:
        return (yield)
    finally:
        # With no next item the session is over and the test database is already gone.
        if nextitem is not None and "transactional_db" in getattr(item, "fixturenames", ()):
            from pytest_django.plugin import blocking_manager_key

            with item.config.stash[blocking_manager_key].unblock():
                _load_reference_data()


@pytest.fixture
def shots():
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
