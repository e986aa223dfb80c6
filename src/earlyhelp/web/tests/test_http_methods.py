"""Every view declares the HTTP methods it answers, and refuses any other with 405 before anything else runs (P23).

`DECLARED` below is the test's own statement of what each page answers, by URL name. The test walks the whole URL
map (`get_resolver()`, the admin aside) and, for every view, sends ONE method outside its declared set, as an
anonymous visitor and as a signed-in (second-factor-verified) user, with the global allow-list middleware taken
out, so that only the view's own declaration can refuse it. The 405 must come first (no sign-in redirect, no audit
event, no database read for a visitor) and its `Allow` header must be exactly the declared set.

A new view fails here until it is decorated (`earlyhelp.ui.http_methods`) AND listed in `DECLARED`: that listing is
the reviewer's cue to ask "should this page really accept POST?". The django-ninja API declares its methods per
route; it is checked against its own OpenAPI document.
"""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, converters, get_resolver, path, reverse

from earlyhelp.accounts.middleware import AllowedMethodsMiddleware
from earlyhelp.audit.models import AuditEvent
from earlyhelp.organisations.models import Organisation, OrganisationType, Role
from earlyhelp.testing.world import make_user
from earlyhelp.ui.http_methods import require_export, require_form_page, require_POST, require_safe
from earlyhelp.web.converters import RecordIdConverter

pytestmark = pytest.mark.promise("P23")

SAFE = frozenset({"GET", "HEAD"})  # a page that only shows something (or a public download)
EXPORT = frozenset({"GET"})  # an audited export: a HEAD request must not make the file nor record an export
FORM = frozenset({"GET", "HEAD", "POST"})  # a page with a form: GET shows it, POST submits it
POST = frozenset({"POST"})  # an action behind a button, never a page

# One method outside each kind: what the view must refuse.
PROBE = {SAFE: "POST", EXPORT: "HEAD", FORM: "PUT", POST: "GET"}

SKIPPED_PREFIXES = ("admin/", "api/")  # the Django admin is not ours; the API is checked on its own below

DECLARED = {
    # --- earlyhelp.web.urls: sign-in, dashboard, people, access, privacy, casework ---
    "web:sign-in": FORM,
    "web:privacy-notice": SAFE,
    "web:privacy-notice-version": SAFE,
    "web:privacy-notice-pdf": SAFE,
    "web:sign-out": POST,
    "web:dashboard": SAFE,
    "web:families": SAFE,
    "web:reviews": SAFE,
    "web:actions": SAFE,
    "web:contacts": SAFE,
    "web:overdue-reviews": SAFE,
    "web:access-log-lookup": FORM,
    "web:search": FORM,  # search terms travel by POST, never in the URL
    "web:person": SAFE,
    "web:emergency-access": FORM,
    "web:emergency-reviews": FORM,
    "web:partner-access-reviews": FORM,
    "web:contact-new": FORM,
    "web:contact-new-person": FORM,
    "web:contact-details": FORM,
    "web:contact": FORM,
    "web:family": SAFE,
    "web:family-viewers": SAFE,
    "web:family-chronology": SAFE,
    "web:family-access": FORM,
    "web:consent-new": FORM,
    "web:disclosure-new": FORM,
    "web:consent-withdraw": FORM,
    "web:consent-withdrawals": FORM,
    "web:register": SAFE,
    "web:register-purpose-new": FORM,
    "web:register-publish": FORM,
    "web:register-consent-rules": FORM,
    "web:register-purpose": SAFE,
    "web:register-purpose-edit": FORM,
    "web:register-recipients": SAFE,
    "web:register-recipient-new": FORM,
    "web:register-recipient": SAFE,
    "web:register-recipient-edit": FORM,
    "web:panels": SAFE,
    "web:panel-new": FORM,
    "web:panel": SAFE,
    "web:panel-edit": FORM,
    "web:breaches": SAFE,
    "web:breach-new": FORM,
    "web:breach": SAFE,
    "web:breach-edit": FORM,
    "web:breach-report": FORM,
    "web:breach-close": POST,
    "web:dpias": SAFE,
    "web:dpia-new": FORM,
    "web:dpia": SAFE,
    "web:dpia-edit": FORM,
    "web:agreements": SAFE,
    "web:agreement-new": FORM,
    "web:agreement": SAFE,
    "web:agreement-edit": FORM,
    "web:hosting-reviews": SAFE,
    "web:hosting-review-new": FORM,
    "web:sar-build": POST,
    "web:sar-build-progress": SAFE,
    "web:sar-build-cancel": POST,
    "web:jobs": SAFE,
    "web:sar-pack": FORM,
    "web:sar-pack-mention": POST,
    "web:sar-pack-release": FORM,
    "web:sar-pack-download": EXPORT,
    "web:member-new": FORM,
    "web:allocate": FORM,
    "web:taf-new": FORM,
    "web:referral-out-new": FORM,
    "web:panel-pack-new": FORM,
    "web:family-information": SAFE,
    "web:suggestion-decide": FORM,
    "web:taf-end": FORM,  # GET asks "are you sure?", POST removes
    "web:taf-sections": FORM,
    "web:assessment-start": FORM,
    "web:assessment-edit": FORM,
    "web:assessment-decide": FORM,
    "web:action-new": FORM,
    "web:action-update": FORM,
    "web:review-record": FORM,
    "web:note-new": FORM,
    "web:document-new": FORM,
    "web:document": EXPORT,
    "web:needs": SAFE,
    "web:need-new": FORM,
    "web:need-withdraw": FORM,
    "web:closure-request": FORM,
    "web:closure-decide": FORM,
    "web:step-up": FORM,
    # --- earlyhelp.online: the public pages (no sign-in) ---
    "online:start": SAFE,
    "online:who": FORM,
    "online:resume": FORM,
    "online:question": FORM,
    "online:check": FORM,
    "online:sent": SAFE,
    "online:other-help": SAFE,
    "online:accessibility": SAFE,
    "online:rights-start": SAFE,  # the public rights forms (subject access, correction, consent, complaint)
    "online:rights-question": FORM,
    "online:rights-check": FORM,
    "online:rights-sent": SAFE,
    # --- earlyhelp.online: the front door's queue of requests made online (signed in) ---
    "online_requests:list": SAFE,
    "online_requests:detail": FORM,  # POST searches, and records the request as a contact
    # --- earlyhelp.accounts ---
    "account:verify": FORM,
    "account:enrol": FORM,
    "account:sessions": SAFE,
    "account:session-end": POST,
    "account:password-set": FORM,
    # --- earlyhelp.rights ---
    "rights:dashboard": SAFE,
    "rights:list": SAFE,  # its filters are a GET form
    "rights:new": FORM,
    "rights:new-for-person": FORM,
    "rights:new-without-record": FORM,
    "rights:detail": SAFE,
    "rights:identity": FORM,
    "rights:match": FORM,  # the DPO's search for the person a request from the online form is about
    "rights:match-person": POST,
    "rights:start": POST,
    "rights:pause": FORM,
    "rights:resume": FORM,
    "rights:extend": FORM,
    "rights:decide": FORM,
    "rights:acknowledge": FORM,
    "rights:correct": FORM,
    "rights:dispute": FORM,
    "rights:notification": FORM,
    "rights:lift-restriction": FORM,
    # --- earlyhelp.retention ---
    "retention:home": SAFE,
    "retention:rules": SAFE,
    "retention:rule-new": FORM,
    "retention:rule-edit": FORM,
    "retention:holds": SAFE,
    "retention:hold-new": FORM,
    "retention:hold-lift": FORM,
    "retention:sweeps": FORM,  # POST starts a sweep
    "retention:sweep": SAFE,
    "retention:sweep-cancel": POST,
    "retention:batches": SAFE,
    "retention:batch": SAFE,
    "retention:batch-decide": POST,
    "retention:batch-dispose": FORM,
    "retention:certificates": SAFE,
    "retention:certificate": SAFE,
    "retention:certificate-pdf": EXPORT,
    # --- earlyhelp.matching ---
    "matching:home": SAFE,
    "matching:batches": SAFE,
    "matching:batch-new": FORM,
    "matching:batch-template": SAFE,
    "matching:batch": SAFE,
    "matching:batch-cancel": POST,
    "matching:runs": FORM,  # POST starts a linkage run
    "matching:run": SAFE,
    "matching:run-cancel": POST,
    "matching:queue": SAFE,
    "matching:candidate": FORM,
    "matching:needs": SAFE,
    "matching:need-decide": FORM,
    "matching:unmatched": SAFE,
    "matching:new-person": FORM,
    # --- earlyhelp.supporting_families (programme/) ---
    "programme:home": SAFE,
    "programme:framework": SAFE,
    "programme:framework-version": SAFE,
    "programme:framework-make-current": FORM,
    "programme:framework-descriptor-new": FORM,
    "programme:framework-label": FORM,
    "programme:framework-descriptor": FORM,
    "programme:framework-descriptor-deactivate": FORM,
    "programme:framework-dataset-rules": SAFE,
    "programme:framework-dataset-rule-new": FORM,
    "programme:framework-dataset-rule": FORM,
    "programme:framework-rules": FORM,
    "programme:shortlist": FORM,  # POST screens the families
    "programme:shortlist-decide": FORM,
    "programme:families": SAFE,
    "programme:sustainment": SAFE,
    "programme:sustainment-check": FORM,
    "programme:claim-batches": SAFE,
    "programme:claim-batch-new": FORM,
    "programme:claim-batch": SAFE,
    "programme:claim-batch-submit": FORM,
    "programme:claim-decide": FORM,
    "programme:claim-evidence": EXPORT,
    # --- earlyhelp.reporting ---
    "reporting:home": SAFE,
    "reporting:returns": SAFE,
    "reporting:return-quarterly-new": FORM,
    "reporting:return-progress-new": FORM,
    "reporting:return": SAFE,
    "reporting:return-download": EXPORT,
    "reporting:nis-transfers": SAFE,
    "reporting:nis-new": FORM,
    "reporting:nis-transfer": SAFE,
    "reporting:nis-manifest": SAFE,
    "reporting:nis-download": POST,  # a one-time download: a button, never a link a browser might prefetch
    "reporting:research-projects": SAFE,
    "reporting:research-project-new": FORM,
    "reporting:research-project": SAFE,
    "reporting:research-project-columns": POST,
    "reporting:research-project-end": FORM,
    "reporting:research-extract-new": FORM,
    "reporting:research-extract": SAFE,
    "reporting:research-extract-manifest": SAFE,
    "reporting:research-extract-download": POST,
    "reporting:annex-a": FORM,
    "reporting:performance": SAFE,  # its period is a GET form
    "reporting:performance-download": EXPORT,
}

# A sample value for each kind of path converter, to build a URL for every pattern.
SAMPLES = {RecordIdConverter: "1", converters.IntConverter: "1", converters.StringConverter: "x",
           converters.SlugConverter: "x", converters.PathConverter: "x",
           converters.UUIDConverter: "00000000-0000-0000-0000-000000000001"}


def routes(urlconf=None, resolver=None, prefix="", namespace=""):
    """Every view in the URL map outside `SKIPPED_PREFIXES`, as (name, URL built with sample arguments); a pattern
    that cannot be named or built is yielded with a `None` URL and the reason instead of a name."""
    resolver = resolver or get_resolver(urlconf)
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from routes(urlconf, entry, route, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern):
            if not entry.name:
                yield f"unnamed pattern {route!r}", None
                continue
            name = namespace + entry.name
            params = {**_converters(resolver), **_converters(entry)}
            unknown = {key: type(c).__name__ for key, c in params.items() if type(c) not in SAMPLES}
            if unknown:
                yield f"{name}: no sample value for converters {unknown} (add one to SAMPLES)", None
                continue
            yield name, reverse(name, urlconf=urlconf, kwargs={key: SAMPLES[type(c)] for key, c in params.items()})


def _converters(entry):
    return getattr(entry.pattern, "converters", {})


def refusal_problems(client, found_routes, declared) -> list[str]:
    """What is wrong with the views' method declarations, one line each (an empty list when all is well)."""
    problems = []
    names = set()
    for name, url in found_routes:
        if url is None:
            problems.append(name)
            continue
        names.add(name)
        allowed = declared.get(name)
        if allowed is None:
            problems.append(f"{name}: not in DECLARED. Decorate the view (earlyhelp.ui.http_methods) and list it")
            continue
        method = PROBE[allowed]
        response = client.generic(method, url)
        if response.status_code != 405:
            problems.append(f"{name}: {method} answered {response.status_code}, not 405")
        elif set(response["Allow"].replace(" ", "").split(",")) != allowed:
            problems.append(f"{name}: allows {response['Allow']}, DECLARED says {', '.join(sorted(allowed))}")
    problems += [f"{name}: in DECLARED but not in the URL map" for name in sorted(set(declared) - names)]
    return problems


ALLOW_LIST = f"{AllowedMethodsMiddleware.__module__}.{AllowedMethodsMiddleware.__qualname__}"


def without_allow_list():
    """The global middleware would refuse PUT for every view alike: take it out, so the views must refuse alone."""
    assert ALLOW_LIST in settings.MIDDLEWARE
    return override_settings(MIDDLEWARE=[entry for entry in settings.MIDDLEWARE if entry != ALLOW_LIST])


@pytest.fixture
def signed_in(db):
    council = Organisation.objects.create(name="Method Test Council", type=OrganisationType.LOCAL_AUTHORITY)
    client = Client()
    client.force_login(make_user("method_tester", Role.SYSTEM_ADMIN, council, is_staff=True, is_superuser=True))
    return client


def test_every_view_refuses_an_undeclared_method_before_anything_runs(db, signed_in):
    found = list(routes())
    assert len(found) > 170  # the walk reached every app's URLs
    audited_before = AuditEvent.objects.count()
    with without_allow_list():
        with CaptureQueriesContext(connection) as visitor_queries:
            as_visitor = refusal_problems(Client(), found, DECLARED)
        as_user = refusal_problems(signed_in, found, DECLARED)
    assert as_visitor == []
    assert as_user == []
    assert [query["sql"] for query in visitor_queries.captured_queries] == []  # refused before any read
    assert AuditEvent.objects.count() == audited_before  # nothing ran that audits


def test_the_global_allow_list_still_refuses_trace_everywhere(db, signed_in):
    """The middleware stays as a second line, for what has no declaration of its own (the admin, redirects)."""
    for client in (Client(), signed_in):
        assert client.generic("TRACE", reverse("web:dashboard")).status_code == 405
        assert client.generic("TRACE", "/admin/").status_code == 405


# --- The check can fail ---------------------------------------------------------------------------------------------

def _page(request):
    return HttpResponse("a page")


urlpatterns = [  # a URL map for the self-test below, this module being the URLconf
    path("undecorated/", _page, name="undecorated"),
    path("safe/", require_safe(_page), name="safe"),
    path("form/", require_form_page(_page), name="form"),
    path("action/", require_POST(_page), name="action"),
    path("export/", require_export(_page), name="export"),
    path("export-declared-safe/", require_export(_page), name="export-declared-safe"),
    path("undeclared/", require_safe(_page), name="undeclared"),
    path("form-declared-safe/", require_form_page(_page), name="form-declared-safe"),
    path("action-declared-form/", require_POST(_page), name="action-declared-form"),
    path("unnamed/", require_safe(_page)),
]


@override_settings(ROOT_URLCONF=__name__)
def test_the_check_finds_a_view_without_a_declaration_or_with_the_wrong_one(db):
    declared = {"undecorated": SAFE, "safe": SAFE, "form": FORM, "action": POST, "export": EXPORT,
                "export-declared-safe": SAFE, "form-declared-safe": SAFE, "action-declared-form": FORM, "gone": SAFE}
    with without_allow_list():
        problems = refusal_problems(Client(), routes(__name__), declared)
    assert problems == [
        "undecorated: POST answered 200, not 405",
        "export-declared-safe: allows GET, DECLARED says GET, HEAD",
        "undeclared: not in DECLARED. Decorate the view (earlyhelp.ui.http_methods) and list it",
        "form-declared-safe: POST answered 200, not 405",
        "action-declared-form: allows POST, DECLARED says GET, HEAD, POST",
        "unnamed pattern 'unnamed/'",
        "gone: in DECLARED but not in the URL map",
    ]


# --- The API: django-ninja declares methods per route ---------------------------------------------------------------

def api_routes():
    """Each API path (with sample arguments) and the methods its OpenAPI document declares."""
    from earlyhelp.api.api import api

    for template, operations in api.get_openapi_schema()["paths"].items():
        yield re.sub(r"\{[a-z_]+\}", "1", template), {method.upper() for method in operations}


@pytest.mark.parametrize("visitor", [True, False], ids=["visitor", "signed-in"])
def test_every_api_route_refuses_a_method_it_does_not_declare(db, signed_in, visitor):
    client = Client() if visitor else signed_in
    found = dict(api_routes())
    assert len(found) > 15
    answered = {}
    with without_allow_list():
        for url, declared in found.items():
            method = next(m for m in ("DELETE", "PATCH", "PUT", "POST", "GET") if m not in declared)
            response = client.generic(method, url)
            answered[url] = (response.status_code, set(response.get("Allow", "").replace(" ", "").split(",")))
        # The documentation is read-only.
        for url in (reverse("api:openapi-json"), reverse("api:openapi-view")):
            response = client.post(url)
            answered[url] = (response.status_code, set(response.get("Allow", "").replace(" ", "").split(",")))
    expected = {url: (405, declared) for url, declared in found.items()}
    expected.update({reverse("api:openapi-json"): (405, SAFE), reverse("api:openapi-view"): (405, SAFE)})
    assert answered == expected


def test_every_api_route_is_in_the_openapi_document():
    """The API check above walks the OpenAPI document: no route may hide from it (`include_in_schema=False`)."""
    documented = {url for url, _ in api_routes()}
    resolver = next(entry for entry in get_resolver().url_patterns
                    if isinstance(entry, URLResolver) and entry.namespace == "api")
    served = {"/api/" + re.sub(r"<[a-z_:]+>", "1", str(entry.pattern)) for entry in resolver.url_patterns
              if entry.name not in ("openapi-json", "openapi-view", "api-root")}
    assert served == documented
