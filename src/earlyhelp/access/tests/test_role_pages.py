"""The access matrix for pages and endpoints that follow a role, not a family (P2, P18, P19, P20).

Register, rights, retention, data matching, the access log and the oversight lists are each for some roles
only; everyone else gets the same audited "Page not found" as for a missing record. The expected result of
every cell is written out here, independently of the permission table in `access.policy.roles`, so a change
to the table that widens (or narrows) access fails this test.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.privacy.models import ProcessingPurpose, RecipientType
from earlyhelp.retention import presets
from earlyhelp.testing.world import make_panel

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P2", "P18")]

FRONT_DOOR, LEAD, MANAGER, PARTNER = "front_door", "lead", "manager", "partner"
DATA, DPO, ADMIN = "data_team", "dpo", "admin"
EVERYONE = [FRONT_DOOR, LEAD, MANAGER, PARTNER, DATA, DPO, ADMIN]

# Supporting Families pages (the outcomes framework, the shortlist and sustainment checks).
PROGRAMME_EXPECTED = {
    "programme:home": {DATA},
    "programme:framework": {DATA},
    "programme:framework-dataset-rules": {DATA},
    "programme:framework-dataset-rule-new": {DATA},
    "programme:framework-rules": {DATA},
    "programme:shortlist": {DATA},
    "programme:families": {DATA},
    "programme:sustainment": {DATA},
}

# Supporting Families claims.
CLAIMS_EXPECTED = {
    "programme:claim-batches": {DATA},
    "programme:claim-batch-new": {DATA},
}

# The National Impact Study transfer and research extracts.
RESEARCH_EXPECTED = {
    "reporting:nis-transfers": {DATA},
    "reporting:nis-new": {DATA},
    "reporting:research-projects": {DATA},
    "reporting:research-project-new": {DATA},
}

# Returns, the Ofsted list and performance reports.
RETURNS_EXPECTED = {
    "reporting:home": {DATA},
    "reporting:annex-a": {DATA},
    "reporting:returns": {DATA},
    "reporting:return-quarterly-new": {DATA},
    "reporting:return-progress-new": {DATA},
    "reporting:performance": {DATA, MANAGER},
    "reporting:performance-download": {DATA},
}

# Multi-agency panels (P26): kept by team managers and the system administrator.
PANELS_EXPECTED = {
    "web:panels": {MANAGER, ADMIN},
    "web:panel-new": {MANAGER, ADMIN},
}

# The register's recipient types (P21): read with the register, kept by the DPO.
RECIPIENTS_EXPECTED = {
    "web:register-recipients": {DPO, ADMIN},
    "web:register-recipient-new": {DPO},
}

# The council's rule on consent to support (P6), kept by the DPO in the register area.
CONSENT_RULES_EXPECTED = {
    "web:register-consent-rules": {DPO},
}

# The DPO's registers beside the processing register: breaches, DPIAs, data-sharing agreements. The DPO keeps
# them; a system administrator may read them (as the processing register).
REGISTERS_EXPECTED = {
    "web:breaches": {DPO, ADMIN},
    "web:hosting-reviews": {DPO, ADMIN},
    "web:hosting-review-new": {DPO},
    "web:breach-new": {DPO},
    "web:dpias": {DPO, ADMIN},
    "web:dpia-new": {DPO},
    "web:agreements": {DPO, ADMIN},
    "web:agreement-new": {DPO},
}

# Sign-in and sessions (P23): everyone sees and ends their own sessions.
ACCOUNT_EXPECTED = {
    "account:sessions": set(EVERYONE),
}

# url name -> who gets 200 (everyone else: 404, audited).
EXPECTED = {
    **PROGRAMME_EXPECTED, **CLAIMS_EXPECTED, **RESEARCH_EXPECTED, **RETURNS_EXPECTED, **PANELS_EXPECTED,
    **RECIPIENTS_EXPECTED, **CONSENT_RULES_EXPECTED, **REGISTERS_EXPECTED, **ACCOUNT_EXPECTED,
    "web:dashboard": set(EVERYONE),
    "web:access-log-lookup": {DPO},
    "web:emergency-reviews": {DPO, MANAGER},
    "web:partner-access-reviews": {MANAGER},
    # The casework lists (issue 14): reviews and actions for casework roles, contacts for those who see them.
    "web:reviews": {LEAD, MANAGER, PARTNER},
    "web:overdue-reviews": {LEAD, MANAGER, PARTNER},
    "web:actions": {LEAD, MANAGER, PARTNER},
    "web:contacts": {FRONT_DOOR, LEAD, MANAGER},
    # Requests made online (issue 15): the roles that see contacts.
    "online_requests:list": {FRONT_DOOR, LEAD, MANAGER},
    "web:consent-withdrawals": {DPO, MANAGER},
    "web:register": {DPO, ADMIN},
    "web:register-purpose": {DPO, ADMIN},
    "web:register-purpose-new": {DPO},
    "web:register-purpose-edit": {DPO},
    "web:search": {FRONT_DOOR, LEAD, MANAGER},
    "web:contact-new": {FRONT_DOOR, LEAD, MANAGER},
    "web:contact-new-person": {FRONT_DOOR, LEAD, MANAGER},
    "rights:dashboard": {DPO},
    "rights:list": {DPO},
    "rights:new": {DPO},
    "rights:new-without-record": {DPO},
    "retention:home": {DPO},
    "retention:rules": {DPO},
    "retention:rule-new": {DPO},
    "retention:rule-edit": {DPO},
    "retention:holds": {DPO},
    "retention:hold-new": {DPO},
    "retention:sweeps": {DPO},
    "web:jobs": {DATA, DPO},
    "retention:batches": {DPO},
    "retention:certificates": {DPO},
    "matching:home": {DATA},
    "matching:batches": {DATA},
    "matching:batch-new": {DATA},
    "matching:runs": {DATA},
    "matching:queue": {DATA},
    "matching:unmatched": {DATA},
    "matching:needs": {DATA},
}

# A new person's details are asked only after a search: an allowed user without one is sent to search first.
ALLOWED_STATUS = {"web:contact-new-person": 302}

# Pages of one record (a request, a pack, a batch, a run, a candidate...) or an action on one, besides those in
# RECORD_EXPECTED (below). Their role check is the same as their list's; their record-level and state rules are
# tested with the record, in the app's tests named here.
RECORD_PAGES = {
    "online_requests:detail": "online/tests/test_front_door.py",
    "web:register-publish": "privacy/tests/test_register_page.py",
    "web:sar-build": "rights (subject access) tests", "web:sar-pack": "rights (subject access) tests",
    "web:sar-pack-release": "rights (subject access) tests",
    "web:sar-pack-download": "rights (subject access) tests",
    # Deciding on a mention of the requester in another family's record (issue 13).
    "web:sar-pack-mention": "rights/tests/test_subject_access_completeness.py",
    "web:emergency-access": "access/tests/test_emergency_access.py",
    "web:contact-details": "casework/tests/test_intake_flow.py", "web:contact": "test_access_matrix.py",
    "web:person": "test_access_matrix.py",
    "rights:new-for-person": "rights/tests/test_pages.py",
    **{f"rights:{name}": "rights/tests/test_pages.py" for name in [
        "identity", "start", "pause", "resume", "extend", "decide", "correct", "dispute", "notification",
        "lift-restriction"]},
    **{f"retention:{name}": "retention/tests/test_pages.py" for name in [
        "hold-lift", "sweep", "batch-decide", "batch-dispose", "certificate", "certificate-pdf"]},
    **{f"matching:{name}": "matching/tests/test_pages.py" for name in ["candidate", "new-person", "need-decide"]},
    # Supporting Families record pages (framework, shortlist, sustainment).
    **{f"programme:{name}": "supporting_families/tests" for name in [
        "framework-version", "framework-make-current", "framework-descriptor-new", "framework-label",
        "framework-descriptor", "framework-descriptor-deactivate", "framework-dataset-rule", "shortlist-decide",
        "sustainment-check"]},
    # Claim record pages.
    **{f"programme:{name}": "supporting_families/tests/test_claims_pages.py" for name in [
        "claim-batch", "claim-batch-submit", "claim-decide", "claim-evidence"]},
    # Research and National Impact Study record pages.
    **{f"reporting:{name}": "reporting/tests" for name in [
        "nis-transfer", "nis-manifest", "nis-download", "research-project", "research-project-columns",
        "research-project-end", "research-extract-new", "research-extract", "research-extract-manifest",
        "research-extract-download"]},
    # The DPO's registers: record pages (their role matrix is in the registers' own test).
    **{f"web:{name}": "privacy/tests/test_dpo_registers.py" for name in [
        "breach", "breach-edit", "breach-report", "breach-close", "dpia", "dpia-edit", "agreement",
        "agreement-edit"]},
    "rights:acknowledge": "rights/tests/test_complaint_acknowledgement.py",
    # Naming the person a request from the online form is about (issue 15).
    "rights:match": "rights/tests/test_online_requests.py",
    "rights:match-person": "rights/tests/test_online_requests.py",
    "web:sar-build-progress": "rights/tests/test_subject_access_builds.py",
    # Cancelling a background job: each kind's door is its progress page's (web/tests/test_jobs.py).
    **{name: "web/tests/test_jobs.py" for name in [
        "matching:batch-cancel", "matching:run-cancel", "retention:sweep-cancel", "web:sar-build-cancel"]},
    "matching:batch-template": "matching/tests/test_pages.py",
    # The lists of families, one per relationship: who has which list is tested with the lists.
    "web:families": "casework/tests/test_lists.py",
    # Ending a session: one's own, or anyone's for an administrator (accounts/tests/test_admin_and_sessions.py).
    "account:session-end": "accounts/tests/test_admin_and_sessions.py",
    # Returns and performance record pages.
    **{f"reporting:{name}": "reporting/tests/test_returns_pages.py" for name in ["return", "return-download"]},
}
# Open to anyone, signed in or not: the published privacy notice and signing in and out.
PUBLIC_PAGES = {"web:sign-in", "web:sign-out", "web:privacy-notice", "web:privacy-notice-version",
                "web:privacy-notice-pdf",
                # The steps of signing in: the second factor and setting a password from a one-time link (P23).
                "account:verify", "account:enrol", "account:password-set",
                # The public online services (earlyhelp.online, issue 15): every page of that namespace, for anyone.
                *(f"online:{name}" for name in ["start", "who", "resume", "question", "check", "sent", "other-help",
                                                "accessibility", "rights-start", "rights-question", "rights-check",
                                                "rights-sent"])}


def _url_names(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _url_names(entry, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, str(entry.pattern)


def test_every_page_that_is_not_a_familys_is_in_a_matrix():
    pages = {name for name, pattern in _url_names() if name.split(":")[0] in {"web", "rights", "retention",
                                                                                "matching", "programme",
                                                                                "reporting", "account", "online",
                                                                                "online_requests"}
             and "household_id" not in pattern}
    missing = pages - set(EXPECTED) - set(RECORD_EXPECTED) - set(RECORD_PAGES) - PUBLIC_PAGES
    assert not missing, f"add these pages to the role matrix: {sorted(missing)}"


@pytest.fixture
def urls(world):
    purpose = ProcessingPurpose.objects.order_by("pk").first()
    assert purpose is not None, "the processing register comes from a data migration"
    rule = presets.load_presets(record=False)[0]
    ids = {"web:register-purpose": [purpose.pk], "web:register-purpose-edit": [purpose.pk],
           "retention:rule-edit": [rule.pk]}
    return {name: reverse(name, args=ids.get(name, [])) for name in EXPECTED}


@pytest.mark.parametrize("who", EVERYONE)
def test_each_role_gets_exactly_the_role_pages_it_should(client, world, urls, who):
    user = world.users[who]
    client.force_login(user)
    outcomes = {name: client.get(url).status_code for name, url in urls.items()}
    assert outcomes == {name: ALLOWED_STATUS.get(name, 200) if who in allowed else 404
                        for name, allowed in EXPECTED.items()}
    refused = [name for name, allowed in EXPECTED.items() if who not in allowed]
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=user).count() >= len(refused)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_roles_that_record_contacts_may_refer_through_the_api(client, world, who):
    client.force_login(world.users[who])
    referral = {"person_id": 2**40, "team_id": world.north.pk, "channel": "email", "source": "school",
                "reason": "Worried about attendance", "consent_at_referral": "given"}
    response = client.post("/api/referrals", referral, content_type="application/json")
    # A role that may record contacts is told the person is unknown; any other is refused before the ids are
    # looked up.
    assert response.status_code == (422 if who in {FRONT_DOOR, LEAD, MANAGER} else 403)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_roles_that_search_may_search_through_the_api(client, world, who):
    client.force_login(world.users[who])
    response = client.post("/api/people/search", {"family_name": "Testfamily", "given_name": "Alex"},
                           content_type="application/json")
    assert response.status_code == (200 if who in {FRONT_DOOR, LEAD, MANAGER} else 403)


DASHBOARD_LINKS = {
    "web:consent-withdrawals": {DPO, MANAGER},
    "web:emergency-reviews": {DPO, MANAGER},
    "web:partner-access-reviews": {MANAGER},
    "web:access-log-lookup": {DPO},
    "web:register": {DPO},
    "web:panels": {MANAGER, ADMIN},
    "matching:home": {DATA},
    "programme:home": {DATA},
    "reporting:home": {DATA},
    "reporting:performance": {DATA, MANAGER},
    "rights:dashboard": {DPO},
    "retention:home": {DPO},
    "web:search": {FRONT_DOOR, LEAD, MANAGER},
    "web:contact-new": {FRONT_DOOR, LEAD, MANAGER},
    "online_requests:list": {FRONT_DOOR, LEAD, MANAGER},
}


@pytest.mark.parametrize("who", EVERYONE)
def test_the_dashboard_and_navigation_offer_each_role_only_its_pages(client, world, who):
    client.force_login(world.users[who])
    page = client.get(reverse("web:dashboard")).content.decode()
    offered = {name for name in DASHBOARD_LINKS if f'href="{reverse(name)}"' in page}
    assert offered == {name for name, allowed in DASHBOARD_LINKS.items() if who in allowed}


# A record's own page, for a record of each kind: the same roles as its list, everyone else an audited 404.
RECORD_EXPECTED = {
    "rights:detail": {DPO},
    "retention:batch": {DPO},
    "matching:batch": {DATA},
    "matching:run": {DATA},
    # A panel and a recipient type (P26, P21).
    "web:panel": {MANAGER, ADMIN},
    "web:panel-edit": {MANAGER, ADMIN},
    "web:register-recipient": {DPO, ADMIN},
    "web:register-recipient-edit": {DPO},
}


def test_each_role_gets_exactly_the_record_pages_it_should(client, world):
    from earlyhelp.retention.models import DisposalBatch
    from earlyhelp.testing.everywhere import seed_person_everywhere

    seeded = seed_person_everywhere(world)
    record = seeded["subject"].partner_records.get()
    urls = {"rights:detail": reverse("rights:detail", args=[seeded["request"].pk]),
            "retention:batch": reverse("retention:batch", args=[DisposalBatch.objects.get().pk]),
            "matching:batch": reverse("matching:batch", args=[record.batch_id]),
            "matching:run": reverse("matching:run", args=[record.candidates.first().run_id])}
    panel = make_panel(world, [world.school, world.health])
    fire = RecipientType.objects.get(code="fire_and_rescue")
    urls |= {"web:panel": reverse("web:panel", args=[panel.pk]),
             "web:panel-edit": reverse("web:panel-edit", args=[panel.pk]),
             "web:register-recipient": reverse("web:register-recipient", args=[fire.pk]),
             "web:register-recipient-edit": reverse("web:register-recipient-edit", args=[fire.pk])}
    assert set(urls) == set(RECORD_EXPECTED)
    for who in EVERYONE:
        client.force_login(world.users[who])
        outcomes = {name: client.get(url).status_code for name, url in urls.items()}
        assert outcomes == {name: 200 if who in allowed else 404 for name, allowed in RECORD_EXPECTED.items()}, who
