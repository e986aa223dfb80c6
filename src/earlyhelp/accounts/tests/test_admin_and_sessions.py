"""Passwords by one-time link, every admin action audited, sessions a user can see and end (P23)."""

import re

import pytest
from django.contrib import admin
from django.core import mail
from django.test import Client
from django.urls import reverse

from earlyhelp.accounts.models import EndReason, UserSession
from earlyhelp.audit.admin import AuditedAdmin
from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.organisations.models import Organisation, OrganisationType, User
from earlyhelp.testing.world import PASSWORD

pytestmark = pytest.mark.promise("P23")

CHANGELIST = "admin:organisations_user_changelist"


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.admin)
    return client


# --- Passwords -----------------------------------------------------------------------------------------------

def test_the_admin_has_no_password_field_and_no_change_password_page(admin_client, world):
    change = admin_client.get(reverse("admin:organisations_user_change", args=[world.lead.pk]))
    assert change.status_code == 200
    html = change.content.decode()
    assert 'name="password"' not in html and "password1" not in html
    assert admin_client.get(f"/admin/organisations/user/{world.lead.pk}/password/").status_code == 404
    add = admin_client.get(reverse("admin:organisations_user_add")).content.decode()
    assert "password1" not in add and 'type="password"' not in add


def test_a_new_account_has_no_usable_password_until_its_user_sets_one_from_a_link(admin_client, world):
    response = admin_client.post(reverse("admin:organisations_user_add"), {
        "username": "new_starter", "first_name": "New", "last_name": "Starter", "email": "new@example.invalid",
        "role": world.lead.role, "organisation": world.council.pk, "team": world.north.pk, "job_title": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new_starter")
    assert not user.has_usable_password()
    admin_client.post(reverse(CHANGELIST), {"action": "send_password_reset_links", "_selected_action": [user.pk]})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.invalid"]
    link = re.search(r"https?://[^/]+(/account/password/\S+)", mail.outbox[0].body).group(1)
    sent = AuditEvent.objects.get(event="user.password_reset_link_sent")
    assert sent.actor_id == world.admin.pk and sent.object_ids == [user.pk] and "new" not in str(sent.metadata)

    browser = Client()
    form = browser.get(link, follow=True)
    assert form.status_code == 200
    new_password = "a-fresh-long-passphrase-9"
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert AuditEvent.objects.filter(event="user.password_set_by_link", actor=user).exists()
    # The link works once.
    assert "This link does not work" in Client().get(link, follow=True).content.decode()


def test_a_reset_link_needs_an_email_address_and_the_permission(admin_client, world):
    world.teammate.email = ""
    world.teammate.save()
    response = admin_client.post(reverse(CHANGELIST), {"action": "send_password_reset_links",
                                                        "_selected_action": [world.teammate.pk]}, follow=True)
    assert "This user has no email address" in response.content.decode() and mail.outbox == []
    from django.http import Http404

    from earlyhelp.accounts import services

    with pytest.raises(Http404):
        services.send_password_reset_link(actor=world.dpo, user=world.lead, request=None)


# --- Every admin action in the chain -------------------------------------------------------------------------

def test_every_admin_page_is_audited_or_read_only():
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, AuditedAdmin):
            continue
        request = type("Request", (), {"user": None})()
        if (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                or model_admin.has_delete_permission(request)):
            unaudited.append(model._meta.label)
    assert unaudited == []


def test_the_bulk_delete_action_is_audited_with_ids_only(admin_client, world):
    spare = [Organisation.objects.create(name=f"Spare {n}", type=OrganisationType.VOLUNTARY) for n in range(3)]
    ids = [o.pk for o in spare]
    response = admin_client.post(reverse("admin:organisations_organisation_changelist"),
                                 {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk__in=ids).exists()
    event = AuditEvent.objects.get(event="organisation.admin_bulk_delete")
    assert event.actor_id == world.admin.pk and sorted(event.object_ids) == sorted(ids)
    assert "Spare" not in str(event.metadata) and event.metadata == {"count": 3}


def test_any_other_admin_action_is_audited(admin_client, world):
    admin_client.post(reverse(CHANGELIST), {"action": "end_all_sessions", "_selected_action": [world.lead.pk]})
    event = AuditEvent.objects.get(event="user.admin_action")
    assert event.metadata == {"action": "end_all_sessions", "count": 1} and event.object_ids == [world.lead.pk]


def test_unlocking_an_account_in_the_admin_is_audited(admin_client, world):
    from axes.models import AccessAttempt

    for _ in range(5):
        Client().post(reverse("web:sign-in"), {"username": world.lead.username, "password": "wrong"})
    attempt = AccessAttempt.objects.get(username=world.lead.username)
    admin_client.post(reverse("admin:axes_accessattempt_changelist"),
                      {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.filter(event="accessattempt.admin_bulk_delete", object_ids=[attempt.pk]).exists()


def test_second_factor_devices_cannot_be_read_in_the_admin(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin_client.get("/admin/otp_static/staticdevice/").status_code == 404


# --- Sessions --------------------------------------------------------------------------------------------------

def _browser(user, agent):
    client = Client(HTTP_USER_AGENT=agent)
    client.force_login(user)
    client.get(reverse("web:dashboard"))
    return client


FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def test_a_user_sees_their_own_sessions_and_ends_one(world):
    office, laptop = _browser(world.lead, FIREFOX), _browser(world.lead, CHROME)
    _browser(world.manager, FIREFOX)
    page = laptop.get(reverse("account:sessions")).content.decode()
    assert "Firefox on Windows" in page and "Chrome on Linux" in page and page.count("<tr class=\"govuk-table__row\">") == 3
    assert "This browser" in page
    theirs = UserSession.objects.get(user=world.lead, device_summary="Firefox on Windows")
    response = laptop.post(reverse("account:session-end", args=[theirs.pk]))
    assert response.status_code == 302
    assert office.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:sign-in"))
    assert laptop.get(reverse("web:dashboard")).status_code == 200
    theirs.refresh_from_db()
    assert theirs.end_reason == EndReason.ENDED_BY_USER
    event = AuditEvent.objects.get(event="session.ended")
    assert event.object_ids == [theirs.pk] and event.metadata == {"user_id": world.lead.pk, "by": "self"}


def test_nobody_else_may_end_a_session_except_an_administrator(world):
    _browser(world.lead, FIREFOX)
    theirs = UserSession.objects.get(user=world.lead)
    other = _browser(world.manager, CHROME)
    assert other.post(reverse("account:session-end", args=[theirs.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.manager, object_ids=[theirs.pk]).exists()
    assert UserSession.objects.get(pk=theirs.pk).ended_at is None
    assert _browser(world.admin, CHROME).post(reverse("account:session-end", args=[theirs.pk])).status_code == 302
    assert UserSession.objects.get(pk=theirs.pk).end_reason == EndReason.ENDED_BY_ADMINISTRATOR


def test_an_administrator_ends_all_of_a_users_sessions(admin_client, world):
    first, second = _browser(world.lead, FIREFOX), _browser(world.lead, CHROME)
    admin_client.post(reverse(CHANGELIST), {"action": "end_all_sessions", "_selected_action": [world.lead.pk]})
    for browser in (first, second):
        assert browser.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:sign-in"))
    assert AuditEvent.objects.filter(event="session.ended_all", object_ids=[world.lead.pk],
                                     metadata__sessions=2).exists()


def test_disabling_an_account_ends_its_sessions_at_once(admin_client, world):
    browser = _browser(world.lead, FIREFOX)
    data = {"username": world.lead.username, "first_name": "Lead", "last_name": "Tester",
            "email": world.lead.email, "is_staff": "", "is_superuser": "", "is_active": "",
            "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
            "role": world.lead.role, "organisation": world.council.pk, "team": world.north.pk, "job_title": ""}
    response = admin_client.post(reverse("admin:organisations_user_change", args=[world.lead.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world.lead.refresh_from_db()
    assert not world.lead.is_active
    assert UserSession.objects.get(user=world.lead).end_reason == EndReason.ACCOUNT_DISABLED
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=UserSession.objects.get(user=world.lead).session_key).exists()
    assert browser.get(reverse("web:dashboard"))["Location"].startswith(reverse("web:sign-in"))
    assert "is_active" in AuditEvent.objects.get(event="user.admin_change", object_ids=[world.lead.pk]).metadata["fields"]
    assert AuditEvent.objects.filter(event="session.ended_all", metadata__reason="account_disabled").exists()


def test_signing_out_ends_the_tracked_session(world):
    browser = _browser(world.lead, FIREFOX)
    browser.post(reverse("web:sign-out"))
    assert UserSession.objects.get(user=world.lead).end_reason == EndReason.SIGNED_OUT


def test_a_password_sign_in_is_tracked_with_no_more_than_a_browser_summary(world):
    client = Client(HTTP_USER_AGENT=FIREFOX)
    client.post(reverse("web:sign-in"), {"username": world.lead.username, "password": PASSWORD})
    tracked = UserSession.objects.get(user=world.lead)
    assert tracked.device_summary == "Firefox on Windows"
