"""Every staff account needs a second factor (P23): enrolment at first sign-in, codes, recovery codes, reset."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts import services
from earlyhelp.accounts.models import UserSession
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.testing.signin import current_code, password_only_login, second_factor_device
from earlyhelp.testing.world import PASSWORD

pytestmark = pytest.mark.promise("P23")


def sign_in_with_password(client, user):
    response = client.post(reverse("web:sign-in"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_first_sign_in_enrols_an_authenticator_then_shows_recovery_codes_once(world):
    client = Client()
    response = sign_in_with_password(client, world.lead)
    assert response["Location"].startswith(reverse("account:verify"))
    # Signed in with a password alone: the dashboard is not shown, enrolment is.
    assert client.get(reverse("web:dashboard"))["Location"] == reverse("account:enrol")
    assert client.get(reverse("account:verify"))["Location"] == reverse("account:enrol")
    page = client.get(reverse("account:enrol"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # the QR code is drawn here: no request leaves the browser
    device = TOTPDevice.objects.get(user=world.lead, confirmed=False)
    secret = services.manual_entry_secret(device)
    assert secret in html and len(secret.replace(" ", "")) == 32

    wrong = client.post(reverse("account:enrol"), {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert services.WRONG_CODE in wrong.content.decode()
    assert client.get(reverse("web:dashboard")).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None  # no wait between tries here
    device.save()
    done = client.post(reverse("account:enrol"), {"code": current_code(device)})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == settings.EARLYHELP_RECOVERY_CODES == len(set(codes))
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert TOTPDevice.objects.get(user=world.lead).confirmed
    assert AuditEvent.objects.filter(actor=world.lead, event="second_factor.enrolled").exists()
    # Shown once: the enrolment page now sends a verified user on, and shows no codes.
    again = client.get(reverse("account:enrol"))
    assert again.status_code == 302 and not any(code in again.content.decode() for code in codes)


def test_a_signed_in_user_with_an_authenticator_enters_a_code(world):
    device = second_factor_device(world.lead)
    client = Client()
    response = sign_in_with_password(client, world.lead)
    assert client.get(reverse("web:dashboard"))["Location"] == reverse("account:verify")
    verified = client.post(response["Location"], {"code": current_code(device)})
    assert verified.status_code == 302 and verified["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(actor=world.lead, event="session.second_factor_verified",
                                     metadata__method="app").exists()


@pytest.mark.parametrize("name", ["web:dashboard", "web:search", "web:contact-new", "account:sessions",
                                  "admin:index", "rights:dashboard", "matching:home"])
def test_every_page_refuses_a_session_without_a_second_factor(world, name):
    second_factor_device(world.admin)
    client = Client()
    password_only_login(client, world.admin)
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"] == reverse("account:verify")


def test_the_api_refuses_a_browser_session_without_a_second_factor(world):
    unverified = Client()
    password_only_login(unverified, world.front_door)
    search = {"family_name": "Testfamily", "given_name": "Alex"}
    assert unverified.post("/api/people/search", search, content_type="application/json").status_code == 401
    assert unverified.get("/api/families/999999").status_code == 401
    verified = Client()
    verified.force_login(world.front_door)
    assert verified.post("/api/people/search", search, content_type="application/json").status_code == 200


def _wrong(device):
    code = current_code(device)
    return "123456" if code != "123456" else "654321"


def _unthrottle(user):
    """django-otp makes a person wait 1, 2, 4... seconds after each wrong code; these tests do not wait."""
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def test_a_wrong_code_is_refused_specifically_audited_and_counts_toward_the_lockout(world):
    device = second_factor_device(world.lead)
    client = Client()
    sign_in_with_password(client, world.lead)
    response = client.post(reverse("account:verify"), {"code": _wrong(device)})
    assert response.status_code == 200 and services.WRONG_CODE in response.content.decode()
    event = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED, actor=world.lead).last()
    assert event.event == "session.second_factor_failed" and event.metadata["reason"] == "wrong_code"
    assert AccessAttempt.objects.get(username=world.lead.username).failures_since_start == 1
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _unthrottle(world.lead)
        response = client.post(reverse("account:verify"), {"code": _wrong(device)})
    assert response.status_code == 429
    # Locked out: the half-signed-in session has ended, and the password alone no longer signs in.
    assert "_auth_user_id" not in client.session
    again = client.post(reverse("web:sign-in"), {"username": world.lead.username, "password": PASSWORD})
    assert again.status_code == 429


def test_a_code_is_accepted_once(world):
    device = second_factor_device(world.lead)
    code = current_code(device)
    first, second = Client(), Client()
    sign_in_with_password(first, world.lead)
    assert first.post(reverse("account:verify"), {"code": code}).status_code == 302
    sign_in_with_password(second, world.lead)
    replay = second.post(reverse("account:verify"), {"code": code})
    assert replay.status_code == 200 and services.WRONG_CODE in replay.content.decode()


def test_a_recovery_code_works_once_and_a_reused_one_is_refused_specifically(world):
    device = second_factor_device(world.lead)
    codes = services._issue_recovery_codes(world.lead)
    client = Client()
    sign_in_with_password(client, world.lead)
    assert client.post(reverse("account:verify"), {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert services.recovery_codes_left(world.lead) == len(codes) - 1
    assert AuditEvent.objects.filter(actor=world.lead, event="session.second_factor_verified",
                                     metadata__method="recovery_code").exists()

    other = Client()
    sign_in_with_password(other, world.lead)
    reused = other.post(reverse("account:verify"), {"code": codes[0]})
    assert reused.status_code == 200 and services.REUSED_RECOVERY_CODE in reused.content.decode()
    assert AuditEvent.objects.filter(actor=world.lead, event="session.second_factor_failed",
                                     metadata__reason="reused_recovery_code").exists()
    wrong = other.post(reverse("account:verify"), {"code": "notacode22"})
    assert services.WRONG_RECOVERY_CODE in wrong.content.decode()
    assert AccessAttempt.objects.get(username=world.lead.username).failures_since_start == 2
    assert other.get(reverse("web:dashboard")).status_code == 302
    assert device.pk  # the authenticator is untouched by recovery codes


def test_an_administrator_resets_a_second_factor_and_the_user_enrols_again(world):
    second_factor_device(world.lead)
    services._issue_recovery_codes(world.lead)
    users_browser = Client()
    users_browser.force_login(world.lead)
    assert users_browser.get(reverse("web:dashboard")).status_code == 200
    admin = Client()
    admin.force_login(world.admin)
    response = admin.post(reverse("admin:organisations_user_changelist"),
                          {"action": "reset_second_factors", "_selected_action": [world.lead.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.lead).exists()
    assert not StaticDevice.objects.filter(user=world.lead).exists()
    event = AuditEvent.objects.get(event="user.second_factor_reset")
    assert event.actor_id == world.admin.pk and event.object_ids == [world.lead.pk]
    assert event.metadata == {"devices_removed": 2}
    # Their sessions ended; at the next sign-in they enrol again.
    assert users_browser.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:sign-in"))
    assert not UserSession.objects.filter(user=world.lead, ended_at__isnull=True).exists()
    fresh = Client()
    sign_in_with_password(fresh, world.lead)
    assert fresh.get(reverse("web:dashboard"))["Location"] == reverse("account:enrol")


@pytest.mark.parametrize("who", ["lead", "manager", "dpo", "data_team"])
def test_only_a_system_administrator_may_reset_a_second_factor(world, who):
    from django.http import Http404

    second_factor_device(world.teammate)
    with pytest.raises(Http404):
        services.reset_second_factor(actor=world.users[who], user=world.teammate)
    assert TOTPDevice.objects.filter(user=world.teammate).exists()
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.users[who],
                                     object_ids=[world.teammate.pk]).exists()


@override_settings(OTP_TOTP_THROTTLE_FACTOR=1)
def test_codes_typed_in_quick_succession_are_slowed(world):
    device = second_factor_device(world.lead)
    client = Client()
    sign_in_with_password(client, world.lead)
    client.post(reverse("account:verify"), {"code": _wrong(device)})
    response = client.post(reverse("account:verify"), {"code": current_code(device)})
    assert services.WAIT_BEFORE_RETRY in response.content.decode()


def test_the_admin_sign_in_page_sends_people_to_the_service_sign_in(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == f"{reverse('web:sign-in')}?next=/admin/"
    client = Client()
    assert client.post("/admin/login/", {"username": world.admin.username, "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" not in client.session
