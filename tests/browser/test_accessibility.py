"""Every page pattern, as every role that can open it, checked with axe-core in a real browser (WCAG 2.2 AA).

One small world, one browser, one browser context per role (signed in by a verified session, as
`client.force_login` makes it: the browser journeys enter real codes). Each page the access policy lets a role open is
checked with axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, and the "region" rule: all content in landmarks) and, at 320
CSS pixels wide, must not scroll sideways (WCAG 1.4.10 reflow). A page the role may not open answers 404; the 404
page itself is checked once. The pages are listed in `accessibility_pages.py`.

The browser reaches the application in this process, through Django's test client (`InProcessSite`): each page is
rendered once, by the same request the scan uses to learn whether the role may open it, inside the test's
transaction (nothing to flush afterwards), and the static files come from the static file finders. The keyboard
journey, which saves a form, runs against the live server like the other browser journeys.
"""

import contextvars
import importlib
import mimetypes
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from earlyhelp.testing.names import name_suffix
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import Episode
from earlyhelp.matching.models import ImportBatch, LinkageRun, MatchCandidate
from earlyhelp.organisations.models import Role, User
from earlyhelp.people.models import Household
from earlyhelp.privacy.governance import services as registers
from earlyhelp.privacy.governance.models import DataSharingAgreement
from earlyhelp.privacy.models import DatasetDisclosure, PrivacyNotice, ProcessingPurpose, RecipientType, Suggestion
from earlyhelp.programme.models import DatasetNeedRule, Descriptor, FrameworkVersion, HeadlineLabel
from earlyhelp.retention.models import DisposalBatch, LegalHold, RetentionRule
from earlyhelp.retention.services import sweep
from earlyhelp.rights.services import subject_access
from earlyhelp.supporting_families.models import Claim, ClaimBatch
from earlyhelp.testing.everywhere import seed_person_everywhere
from earlyhelp.testing.world import build_world, make_family, make_panel, make_user

from .accessibility_pages import NOT_SCANNED, NOT_SCANNED_NAMESPACES, PAGES, PUBLIC_SIGNED_OUT
from .conftest import Unavailable
from .scan_records import more_records, session_steps

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "rules": {"region": {"enabled": True}},
               "resultTypes": ["violations"]}

# Violations that are GOV.UK Frontend's own choices, with the upstream issue that discusses them: (axe rule, a CSS
# selector the element matches) -> upstream issue. Anything else fails the scan.
UPSTREAM_EXCEPTIONS: dict[tuple[str, str], str] = {
    # Radios that reveal a conditional question: GOV.UK Frontend's script sets aria-expanded on the radio, which the
    # ARIA spec does not allow on a radio; GOV.UK keeps it because screen readers announce it (tested with users).
    ("aria-allowed-attr", ".govuk-radios__input[aria-controls][aria-expanded]"):
        "https://github.com/alphagov/govuk-frontend/issues/979",
}

# The user of each role in the scan's world (testing/world.py).
ROLE_USERS = {
    Role.FRONT_DOOR: "front_door", Role.LEAD_PRACTITIONER: "lead", Role.TEAM_MANAGER: "manager",
    Role.PARTNER_PROFESSIONAL: "partner", Role.DATA_TEAM: "data_team", Role.DPO: "dpo", Role.SYSTEM_ADMIN: "admin",
}
# Practitioners added to the north team; typing "Kings" matches four of them.
TEAM_NAMES = [("Kingsley", "Adams"), ("Robin", "Kings"), ("Alex", "Kingston"), ("Jo", "Kingsford"),
              *[(given, family) for given in ("Ash", "Bo", "Cam", "Dee") for family in ("Baker", "Carter", "Dale",
                                                                                       "Evans", "Ford")]]
KINGS = "Jo Kingsford"
# Table-heavy pages, also checked with axe at 320 px wide (every page is checked for sideways scrolling there).
ALSO_CHECKED_NARROW = {"web:family", "web:dashboard", "web:register", "rights:list", "matching:queue"}
DESKTOP, NARROW = {"width": 1280, "height": 900}, {"width": 320, "height": 640}


def url_names(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_names(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name


def test_every_page_pattern_is_scanned_or_says_why_not():
    names = {name for name in url_names() if name.split(":")[0] not in NOT_SCANNED_NAMESPACES}
    assert not set(PAGES) & set(NOT_SCANNED), "a page is either scanned or not"
    unlisted = names - set(PAGES) - set(NOT_SCANNED)
    assert not unlisted, ("add these pages to PAGES in tests/browser/accessibility_pages.py (or to NOT_SCANNED, "
                          f"saying why): {sorted(unlisted)}")
    stale = (set(PAGES) | set(NOT_SCANNED)) - names
    assert not stale, f"these URL names no longer exist: {sorted(stale)}"
    assert set(ROLE_USERS) == set(Role), "every role is scanned"


# --- The scan's world ------------------------------------------------------------------------------------------

def build_records(world) -> dict:
    """The records whose pages are scanned, by the names `PAGES` uses. Families at each stage of an episode, so
    each stage's pages open: `seeded` has every kind of record (stepped up, so closed); `live` is open, allocated,
    with a partner on the team and a draft assessment; `unassessed` has none; `submitted` awaits approval;
    `approved` has a plan, a review due and a suggestion; `closing` asks to close."""
    seeded = seed_person_everywhere(world)
    lead, manager = world.lead, world.manager
    # A team as big as a real one, with names that start alike: the allocation list is long (an autocomplete).
    for number, (given, family_name) in enumerate(TEAM_NAMES):
        make_user(f"practitioner_{number}", Role.LEAD_PRACTITIONER, world.council, world.north,
                  first_name=given, last_name=family_name)
    findings = {"HEALTH": {"strengths": "Sleeps well", "needs": "Sleep", "score": 2}}

    def family(seed, stage):
        made = make_family(world, family_name=f"Scanfamily{name_suffix(seed)}", seed=seed, lead=lead,
                           taf=[world.partner])
        episode = made["episode"]
        if stage == "unassessed":
            return made
        assessment = casework.start_assessment(by=lead, episode=episode, reason="Attendance")
        if stage == "live":
            return made
        casework.record_assessment(by=lead, assessment=assessment, findings=findings, voice_of_child="Fine",
                                   analysis="Going well")
        casework.submit_assessment(by=lead, assessment=assessment)
        if stage == "submitted":
            return made
        casework.decide_assessment(by=manager, assessment=assessment, approve=True, comment="Agreed")
        if stage == "closing":
            casework.request_closure(by=lead, episode=episode, reason="outcomes_met", summary="Going well",
                                     feedback_declined=True)
        return made

    live, approved = family(101, "live"), family(102, "approved")
    episode = approved["episode"]
    action = casework.add_plan_action(by=lead, episode=episode, area_code="HEALTH", need="Sleep", action="Routine",
                                      owner=lead, intended_outcome="Sleeps",
                                      due_date=timezone.localdate() + timezone.timedelta(days=30))
    now = timezone.now()
    breach = registers.save_breach(
        by=world.dpo, title="Case summary e-mailed to the wrong school", found_at=now - timezone.timedelta(hours=5),
        found_by="Team manager", how_found="The school phoned", aware_at=now - timezone.timedelta(hours=4),
        description="A case summary went to the wrong inbox", data_categories=["names"], special_category=False,
        people_affected=4, records_affected=1)
    dpia = registers.save_dpia(by=world.dpo, title="Data matching", description="Linking partner records",
                               purposes=[ProcessingPurpose.objects.get(code="data_matching")],
                               risks="A wrong match", mitigations="A person decides every match",
                               review_on=timezone.localdate() + timezone.timedelta(days=365))
    sweep_run = sweep.start_sweep(by=world.dpo)
    pack = subject_access.build_pack(by=world.dpo, request=seeded["request"])
    unassessed = family(103, "unassessed")["household"].pk
    records = {
        "seeded": seeded["household"].pk, "live": live["household"].pk, "approved": approved["household"].pk,
        "unassessed": unassessed, "submitted": family(104, "submitted")["household"].pk,
        "closing": family(105, "closing")["household"].pk,
        "unassessed_episode": Household.objects.get(pk=unassessed).episodes.get().pk,
        "live_consent": live["consent"].pk,
        "live_taf_member": live["episode"].taf_members.get().pk,
        "action": action.pk, "review": episode.reviews.order_by("pk").first().pk,
        "suggestion": Suggestion.objects.filter(household_id=approved["household"].pk).order_by("pk").first().pk,
        "need": seeded["household"].needs.order_by("pk").first().pk,
        "person": seeded["subject"].pk, "contact": seeded["household"].contacts.order_by("pk").first().pk,
        "notice_version": PrivacyNotice.objects.order_by("pk").first().version,
        "panel": make_panel(world, [world.school, world.health]).pk,
        "purpose": ProcessingPurpose.objects.order_by("pk").first().pk,
        "recipient": RecipientType.objects.order_by("pk").first().pk,
        "breach": breach.pk, "dpia": dpia.pk, "pack": pack.pk,
        "agreement": DataSharingAgreement.objects.order_by("pk").first().pk,
        "rights_request": seeded["request"].pk,
        "retention_rule": RetentionRule.objects.order_by("pk").first().pk,
        "hold": LegalHold.objects.order_by("pk").first().pk, "sweep": sweep_run.pk,
        "disposal_batch": DisposalBatch.objects.order_by("pk").first().pk,
        "import_batch": ImportBatch.objects.order_by("pk").first().pk,
        "linkage_run": LinkageRun.objects.order_by("pk").first().pk,
        "candidate": MatchCandidate.objects.order_by("pk").first().pk,
        "framework_version": FrameworkVersion.objects.order_by("pk").first().pk,
        "label": HeadlineLabel.objects.order_by("pk").first().pk,
        "descriptor": Descriptor.objects.order_by("pk").first().pk,
        "dataset_rule": DatasetNeedRule.objects.order_by("pk").first().pk,
        "claim_batch": ClaimBatch.objects.order_by("pk").first().pk, "claim": Claim.objects.order_by("pk").first().pk,
        "transfer": DatasetDisclosure.objects.order_by("pk").first().pk,
        "team_families": "team",
    }
    return records


@dataclass
class Scan:
    pages: dict  # url name -> URL
    records: dict  # record name -> id (build_records)
    clients: dict  # Role -> a test client signed in as the role's user (None: signed out)
    opened: dict = field(default_factory=dict)  # url name -> roles that opened it
    violations: list = field(default_factory=list)
    wide: list = field(default_factory=list)  # pages that scroll sideways at 320 px
    not_pages: list = field(default_factory=list)  # GETs that answer neither a page nor 404
    seconds: dict = field(default_factory=lambda: {"render": 0.0, "browser": 0.0, "axe": 0.0, "reflow": 0.0})


class _TodaysModels:
    """Today's models for a data migration's `load`; the model it carried rows over from (since removed) has none."""

    class _Retired:
        class objects:  # noqa: N801 (a manager's name)
            @staticmethod
            def select_related(*fields):
                return []

    def get_model(self, app_label, model_name):
        try:
            return apps.get_model(app_label, model_name)
        except LookupError:
            return self._Retired


def build_scan() -> Scan:
    """The scan's world, in the test's transaction: reference data, the world, its records, a client per role."""
    # Rows the data migrations insert, which an earlier live-server test's flush removed (put back idempotently).
    for name in ("earlyhelp.programme.migrations.0002_headline_areas",
                 "earlyhelp.privacy.migrations.0002_demo_register_and_first_notice",
                 "earlyhelp.privacy.migrations.0014_seed_recipient_types"):
        importlib.import_module(name).load(apps, None)
    importlib.import_module("earlyhelp.programme.migrations.0005_load_framework").load(_TodaysModels(), None)
    world = build_world()
    records = build_records(world)
    records |= more_records(world, records)
    pages = {name: reverse(name, args=[records[arg] if isinstance(arg, str) else arg for arg in args])
             for name, args in PAGES.items()}
    clients = {}
    for role, key in ROLE_USERS.items():
        client = clients[role] = Client()
        client.force_login(world.users[key])
        # A search first, as a new contact needs (`access.search_first`); refused (404) for roles that cannot.
        client.post(reverse("web:search"), {"family_name": "Quenby", "given_name": "Zebedee"})
    role_of = {key: role for role, key in ROLE_USERS.items()}
    for key, name, args, data in session_steps(records):  # after that search: a later search replaces its results
        clients[role_of[key]].post(reverse(name, args=args), data)
    return Scan(pages=pages, records=records, clients=clients)


# --- The browser, served in this process ---------------------------------------------------------------------

ORIGIN = "http://testserver"
TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".js": "text/javascript", ".css": "text/css",
         ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}


class InProcessSite:
    """Answers every request the browser makes to ORIGIN: static files from the finders, everything else through a
    Django test client (so the session, the middleware, the security headers and the content security policy are the
    application's own). A response the scan has already rendered (to learn the page's status) is served as it is."""

    def __init__(self, client: Client, scan: Scan):
        self.client, self.scan, self.rendered = client, scan, {}
        # Playwright calls `handle` in a greenlet of its own, which has its own context variables, and so (asgiref's
        # Local) its own database connection, outside the test's transaction: requests run in the test's context.
        self.context = contextvars.copy_context()

    def render(self, method: str, path: str, body: bytes | None = None, content_type: str = ""):
        started = time.monotonic()
        if method == "GET":
            response = self.context.run(self.client.get, path)
        else:
            response = self.context.run(self.client.generic, method, path, data=body or b"", content_type=content_type)
        self.scan.seconds["render"] += time.monotonic() - started
        return response

    def handle(self, route, request):
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        if not request.url.startswith(ORIGIN):
            return route.abort()  # nothing leaves the machine
        if url.path.startswith(settings.STATIC_URL):
            found = finders.find(url.path.removeprefix(settings.STATIC_URL))
            if not found:
                return route.fulfill(status=404, body="")
            suffix = Path(found).suffix
            return route.fulfill(status=200, body=Path(found).read_bytes(),
                                 content_type=TYPES.get(suffix) or mimetypes.guess_type(found)[0] or "text/plain")
        response = self.rendered.pop(path, None) if request.method == "GET" else None
        if response is None:
            response = self.render(request.method, path, request.post_data_buffer,
                                   request.headers.get("content-type", ""))
        headers = {name: value for name, value in response.headers.items() if name.lower() != "content-length"}
        route.fulfill(status=response.status_code, headers=headers, body=response.content)


def new_role_page(browser, site: InProcessSite):
    context = browser.new_context(base_url=ORIGIN, viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(30_000)
    context.route("**/*", site.handle)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: page.errors.append(f"console: {message.text} ({message.location.get('url')})")
            if message.type == "error" and message.location.get("url") != page.url else None)
    return page


def axe_violations(page, axe_script):
    """axe-core's violations on the page as it is now, less the listed upstream exceptions."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_script)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            upstream = [selector for rule, selector in UPSTREAM_EXCEPTIONS if rule == violation["id"]]
            if upstream and len(node["target"]) == 1 and page.evaluate(
                    "([target, selectors]) => selectors.some(s => document.querySelector(target).matches(s))",
                    [target, upstream]):
                continue
            found.append((violation["id"], target, node["failureSummary"].splitlines()[-1].strip()))
    return found


def scrolls_sideways_at_320(page) -> int:
    """How far past 320 CSS pixels the page is, when the window is 320 pixels wide (0: it reflows)."""
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    return max(0, width - NARROW["width"])


def check(scan, page, axe_script, label, *, narrow_axe=False):
    """axe at 1280 px (and at 320 px too if `narrow_axe`), and no sideways scrolling at 320 px."""
    if page.locator('select[data-module="eh-autocomplete"]').count():
        page.locator(".autocomplete__wrapper").first.wait_for()  # checked as people use it: enhanced
    started = time.monotonic()
    for rule, target, summary in axe_violations(page, axe_script):
        scan.violations.append(f"{label}: {rule} at {target}: {summary}")
    scan.seconds["axe"] += time.monotonic() - started
    started = time.monotonic()
    if narrow_axe:
        page.set_viewport_size(NARROW)
        for rule, target, summary in axe_violations(page, axe_script):
            scan.violations.append(f"{label} at 320px: {rule} at {target}: {summary}")
        page.set_viewport_size(DESKTOP)
    overflow = scrolls_sideways_at_320(page)
    if overflow:
        scan.wide.append(f"{label}: {overflow}px too wide at 320px")
    scan.seconds["reflow"] += time.monotonic() - started


def test_every_page_pattern_as_every_role_that_can_open_it(browser, db):
    if isinstance(browser, Unavailable):
        browser.goto  # fails with how to install chromium
    axe_script, started = Axe().axe_script, time.monotonic()
    scan = build_scan()
    checked = 0
    with override_settings(EARLYHELP_DEMO_MODE=True):  # the phase banner is on every page, and is checked with it
        for role, client in scan.clients.items():
            site = InProcessSite(client, scan)
            page = new_role_page(browser, site)
            for name, url in scan.pages.items():
                # Most pages are not this role's (404, or sent elsewhere): the browser loads only those it may open.
                response = site.render("GET", url)
                if response.status_code in (302, 404):
                    continue
                if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                    scan.not_pages.append(f"{name} as {role.label}: {response.status_code}")
                    continue
                site.rendered[url] = response
                loading = time.monotonic()
                page.goto(url)
                scan.seconds["browser"] += time.monotonic() - loading
                check(scan, page, axe_script, f"{name} as {role.label}", narrow_axe=name in ALSO_CHECKED_NARROW)
                scan.opened.setdefault(name, set()).add(role)
                checked += 1
            assert not page.errors, page.errors
            page.context.close()
        # Signed out: the public pages, and the 404 page (the same for every refusal and every missing record).
        page = new_role_page(browser, InProcessSite(Client(), scan))
        for name in PUBLIC_SIGNED_OUT:
            assert page.goto(scan.pages[name]).status == 200
            check(scan, page, axe_script, f"{name} signed out")
            scan.opened.setdefault(name, set()).add(None)
            checked += 1
        assert page.goto("/no-such-page/").status == 404
        check(scan, page, axe_script, "the 404 page")
        page.context.close()
        # A form sent with errors: the error summary, and each field's error message.
        page = new_role_page(browser, InProcessSite(scan.clients[Role.DPO], scan))
        page.goto(scan.pages["web:breach-new"])
        page.locator("main form").get_by_role("button").last.click()
        page.locator(".govuk-error-summary").wait_for()
        check(scan, page, axe_script, "a form with errors (web:breach-new)")
        checked += 2
        page.context.close()
    seconds = ", ".join(f"{part} {value:.1f}s" for part, value in scan.seconds.items())
    print(f"axe: {checked + 1} pages checked ({len(scan.opened)} patterns) in {time.monotonic() - started:.1f}s "
          f"({seconds})")
    never = sorted(set(scan.pages) - set(scan.opened))
    problems = [*scan.not_pages, *scan.violations, *scan.wide]
    if never:
        problems.append(f"no role could open these pages in the scan's world (fix their records in PAGES): {never}")
    assert not problems, "\n".join(problems)


def test_a_long_list_is_an_autocomplete_a_keyboard_user_can_pick_from(page, live_server):
    """The manager allocates a lead practitioner from a team of 24 with the keyboard alone: skip to the main content,
    Tab to the field, type "Kings", arrow down to the right one, Enter; the one picked is the one saved."""
    if isinstance(page, Unavailable):
        page.goto  # fails with how to install chromium
    world = build_world()
    for number, (given, family_name) in enumerate(TEAM_NAMES):
        make_user(f"practitioner_{number}", Role.LEAD_PRACTITIONER, world.council, world.north,
                  first_name=given, last_name=family_name)
    family = make_family(world, family_name="Keyboard", seed=103, lead=world.lead)
    client = Client()
    client.force_login(world.manager)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(reverse("web:allocate", args=[family["household"].pk]))
    field = page.get_by_role("combobox", name="Lead practitioner")
    field.wait_for(timeout=90_000)  # the autocomplete's script loads after the page (slow on a busy machine)
    page.keyboard.press("Tab")  # the first Tab reaches the skip link, which moves focus to the main content
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    for _ in range(20):  # on through the form to the field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_practitioner":
            break
    expect(field).to_be_focused()
    page.keyboard.type("Kings")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(4)
    names = options.all_inner_texts()
    assert all("kings" in name.lower() for name in names), names
    for _ in names:  # down the list to the one wanted
        page.keyboard.press("ArrowDown")
        if page.evaluate("document.activeElement.textContent.trim()") == KINGS:
            break
    page.keyboard.press("Enter")
    expect(field).to_have_value(KINGS)
    for _ in range(10):  # on to the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Allocate":
            break
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Lead practitioner allocated")
    assert not page.errors, page.errors  # no script error, nothing the content security policy refused
    chosen = User.objects.get(first_name="Jo", last_name="Kingsford")
    assert Episode.objects.get(pk=family["episode"].pk).lead_practitioner == chosen
