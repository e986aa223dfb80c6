"""Sign-in and session hardening (P23): spray throttling, trusted proxies, no-store, allowed methods."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from earlyhelp.audit.client_address import client_ip
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.testing.world import PASSWORD, make_user

pytestmark = pytest.mark.promise("P23")


def post_sign_in(username, password, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("web:sign-in"), {"username": username, "password": password}, **extra)


# --- Password spray ------------------------------------------------------------------------------------------

@override_settings(EARLYHELP_SIGN_IN_ADDRESS_LIMIT=6, AXES_FAILURE_LIMIT=5)
def test_a_spray_over_many_accounts_from_one_address_is_stopped(world):
    spray_from = "203.0.113.7"
    for n in range(6):  # one wrong password each for six usernames: axes (per username and address) never trips
        assert post_sign_in(f"user{n}", "Spring2026!", spray_from).status_code == 200
    refused = post_sign_in(world.lead.username, PASSWORD, spray_from)  # even a right password
    assert refused.status_code == 429
    assert "too many failed attempts to sign in from your network" in refused.content.decode()
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, event="session.sign_in_throttled",
                                     actor=world.lead).exists()
    # Nobody else is held up: the same person from their own address signs in.
    assert post_sign_in(world.lead.username, PASSWORD, "198.51.100.20").status_code == 302


@override_settings(EARLYHELP_SIGN_IN_ACCOUNT_LIMIT=6, AXES_FAILURE_LIMIT=5)
def test_a_spray_at_one_account_from_many_addresses_is_stopped(world):
    for n in range(6):
        assert post_sign_in(world.lead.username, "Spring2026!", f"203.0.113.{n + 1}").status_code == 200
    refused = post_sign_in(world.lead.username, PASSWORD, "198.51.100.20")
    assert refused.status_code == 429 and "to this account" in refused.content.decode()
    assert post_sign_in(world.manager.username, PASSWORD, "203.0.113.1").status_code == 302


def test_the_spray_counts_store_no_typed_username(world):
    from earlyhelp.accounts.models import SignInFailure

    post_sign_in("someone.elses.name", "x", "203.0.113.9")
    failure = SignInFailure.objects.get()
    assert "someone" not in failure.account_key and failure.source_ip == "203.0.113.9"


# --- Trusted proxies -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("proxies, peer, forwarded, expected", [
    ([], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # no proxy configured: the header is ignored
    (["10.0.0.0/8"], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # the peer is not our proxy: ignored
    (["10.0.0.1"], "10.0.0.1", "198.51.100.1", "198.51.100.1"),  # our proxy says who it talked to
    (["10.0.0.0/8"], "10.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.2", "198.51.100.1"),  # right-most untrusted
    (["10.0.0.0/8"], "10.0.0.1", "", "10.0.0.1"),
    (["10.0.0.0/8"], "10.0.0.1", "not-an-address, 198.51.100.1", "198.51.100.1"),
    (["10.0.0.0/8"], "10.0.0.1", "198.51.100.1, junk", "10.0.0.1"),
    (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::9, 2a00:1450::1", "2a00:1450::1"),
])
def test_the_client_address_believes_x_forwarded_for_only_from_a_trusted_proxy(proxies, peer, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(EARLYHELP_TRUSTED_PROXIES=proxies):
        assert client_ip(request) == expected


def test_a_spoofed_forwarded_header_changes_neither_the_audited_address_nor_whom_it_locks_out(world):
    victim_address, attacker_address = "198.51.100.20", "203.0.113.66"
    for _ in range(6):
        post_sign_in(world.lead.username, "wrong", attacker_address, forwarded=victim_address)
    failed = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).last()
    assert failed.source_ip == attacker_address
    # The attacker locked only themselves: the practitioner signs in from their own address.
    assert post_sign_in(world.lead.username, PASSWORD, victim_address).status_code == 302
    assert post_sign_in(world.lead.username, PASSWORD, attacker_address).status_code == 429


@override_settings(EARLYHELP_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_audit_trail_and_the_lockout_use_the_real_client(world):
    proxy, practitioner, attacker = "10.0.0.1", "198.51.100.20", "203.0.113.66"
    assert post_sign_in(world.lead.username, PASSWORD, proxy, forwarded=practitioner).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SIGN_IN).last().source_ip == practitioner
    for _ in range(6):  # the attacker's wrong passwords arrive through the same proxy
        post_sign_in(world.lead.username, "wrong", proxy, forwarded=f"{practitioner}, {attacker}")
    assert AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).last().source_ip == attacker
    assert post_sign_in(world.lead.username, PASSWORD, proxy, forwarded=practitioner).status_code == 302
    assert post_sign_in(world.lead.username, PASSWORD, proxy, forwarded=attacker).status_code == 429


# --- Caching -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/search/", "/account/sessions/", "/admin/", "/api/families/999999"])
def test_signed_in_pages_and_api_answers_are_never_stored(client, world, path):
    client.force_login(world.admin if path == "/admin/" else world.lead)
    response = client.get(path)
    assert response.status_code in {200, 404}
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


# --- Methods ---------------------------------------------------------------------------------------------------

def _all_paths(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _all_paths(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(pattern: str) -> str:
    import re

    path = re.sub(r"<(?:[a-z]+:)?([a-z_0-9]+)>", lambda m: "1", pattern)
    path = path.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "1", path)
    return "/" + path


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT"])
def test_no_page_or_endpoint_answers_a_method_it_does_not_use(client, world, method):
    client.force_login(world.admin)
    paths = sorted({_concrete(p) for p in _all_paths()})
    assert len(paths) > 90
    answered = {path: client.generic(method, path).status_code for path in paths}
    assert {path: status for path, status in answered.items() if status != 405} == {}


def test_trace_of_the_dashboard_does_not_show_it(client, world):
    client.force_login(world.lead)
    response = client.generic("TRACE", "/")
    assert response.status_code == 405 and b"My dashboard" not in response.content
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


def test_a_new_user_without_a_second_factor_is_sent_to_enrol_not_to_a_page(world):
    newcomer = make_user("newcomer", world.lead.role, world.council, world.north)
    from earlyhelp.testing.signin import password_only_login

    client = Client()
    password_only_login(client, newcomer)
    assert client.get("/")["Location"] == reverse("account:enrol")
