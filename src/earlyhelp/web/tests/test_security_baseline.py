"""Security baseline (P23): hashing, lockout, session time-outs, headers, CSP, DEBUG."""

import importlib
import os
import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from earlyhelp import settings_test
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.testing.world import PASSWORD
from earlyhelp.web import middleware

pytestmark = pytest.mark.promise("P23")


def test_production_settings_hash_passwords_with_argon2_and_keep_debug_off(monkeypatch):
    assert settings_test.PRODUCTION_PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    monkeypatch.setenv("EARLYHELP_ENV", "production")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("EARLYHELP_MASTER_KEY", "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=")
    import earlyhelp.settings as production

    reloaded = importlib.reload(production)
    try:
        assert reloaded.DEBUG is False
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
    finally:
        monkeypatch.setenv("EARLYHELP_ENV", "test")
        importlib.reload(production)


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("EARLYHELP_ENV", "production")
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    from django.core.exceptions import ImproperlyConfigured

    import earlyhelp.settings as production

    try:
        with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
            importlib.reload(production)
    finally:
        monkeypatch.setenv("EARLYHELP_ENV", "test")
        importlib.reload(production)


def test_argon2_hashes_a_real_password(db, world):
    with override_settings(PASSWORD_HASHERS=settings_test.PRODUCTION_PASSWORD_HASHERS):
        world.lead.set_password("a-long-passphrase-for-testing")
        assert world.lead.password.startswith("argon2$")


def test_repeated_failed_sign_ins_lock_the_account(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("web:sign-in"), {"username": world.lead.username, "password": "wrong"})
    response = client.post(reverse("web:sign-in"), {"username": world.lead.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Your account is locked" in response.content
    assert "_auth_user_id" not in client.session


def test_idle_session_times_out_and_is_audited(client, world):
    client.force_login(world.lead)
    assert client.get(reverse("web:dashboard")).status_code == 200
    session = client.session
    session[middleware.LAST_SEEN_AT] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and reverse("web:sign-in") in response["Location"]
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED, actor=world.lead,
                                     metadata__reason="idle").exists()


def test_absolute_session_limit_applies_even_when_active(client, world):
    client.force_login(world.lead)
    client.get(reverse("web:dashboard"))
    session = client.session
    session[middleware.SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 5
    session.save()
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_security_headers_and_content_security_policy(client, world):
    client.force_login(world.lead)
    response = client.get(reverse("web:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    signed_in = Client().post(reverse("web:sign-in"), {"username": world.lead.username, "password": PASSWORD})
    session_cookie = signed_in.cookies["sessionid"]
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Lax"


def test_csrf_is_enforced_on_forms(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.front_door)
    assert strict.post(reverse("web:search"), {"family_name": "X", "given_name": "Y"}).status_code == 403


def test_sign_out_needs_a_post(client, world):
    client.force_login(world.lead)
    assert client.get(reverse("web:sign-out")).status_code == 405


def test_debug_is_off_by_default():
    assert os.environ.get("EARLYHELP_ENV") != "development"
    assert settings.DEBUG is False


@pytest.mark.parametrize("who, shows_search, shows_new_contact", [
    ("front_door", True, True), ("lead", True, True), ("manager", True, True),
    ("partner", False, False), ("data_team", False, False), ("dpo", False, False), ("admin", False, False),
])
def test_navigation_offers_only_what_the_role_can_use(client, world, who, shows_search, shows_new_contact):
    client.force_login(world.users[who])
    page = client.get(reverse("web:dashboard")).content.decode()
    assert (f'href="{reverse("web:search")}"' in page) is shows_search
    assert (f'href="{reverse("web:contact-new")}"' in page) is shows_new_contact
    assert client.get(reverse("web:search")).status_code == (200 if shows_search else 404)


def test_the_demo_shows_the_service_page_for_a_missing_family_and_still_serves_static_files(monkeypatch, client,
                                                                                            world):
    """`make demo`'s settings: a refused or missing record gets the service's own page, never Django's debug page
    with the URL map (issue 14); static files are served without DEBUG (WhiteNoise)."""
    import earlyhelp.settings as project_settings

    monkeypatch.setenv("EARLYHELP_ENV", "development")
    monkeypatch.setenv("EARLYHELP_DEMO_MODE", "1")
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    try:
        demo_debug = importlib.reload(project_settings).DEBUG
    finally:
        monkeypatch.setenv("EARLYHELP_ENV", "test")
        monkeypatch.delenv("EARLYHELP_DEMO_MODE")
        importlib.reload(project_settings)
    client.force_login(world.lead)
    with override_settings(DEBUG=demo_debug):
        missing = client.get(reverse("web:family", args=[10**17]))
        script = client.get("/static/earlyhelp/init.js")
    page = missing.content.decode()
    assert missing.status_code == 404
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page and "URLconf" not in page
    assert script.status_code == 200
