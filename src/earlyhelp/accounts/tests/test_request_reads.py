"""What every signed-in request reads before its view, as prepared SQL (`accounts.sessions`): the session, the user and
the authenticator that verified the session mean exactly what Django's and django-otp's own reads meant (P23)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from earlyhelp.accounts import sessions
from earlyhelp.testing.signin import second_factor_device

pytestmark = pytest.mark.promise("P23")

DASHBOARD = "/"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
    return client


def test_a_current_session_is_read_and_an_expired_one_is_not(world):
    client = _signed_in(world.lead)
    key = client.session.session_key
    assert sessions.SessionStore(key).load()  # the signed-in session's data
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    expired = sessions.SessionStore(key)
    assert expired.load() == {} and expired.session_key is None  # starts afresh, as Django's store does
    assert client.get(DASHBOARD).status_code == 302  # signed out


def test_a_session_key_that_names_no_session_reads_nothing(world):
    store = sessions.SessionStore("x" * 32)
    assert store.load() == {} and store.session_key is None


def test_a_deactivated_user_is_signed_out_at_their_next_request(world):
    client = _signed_in(world.lead)
    world.lead.is_active = False
    world.lead.save(update_fields=["is_active"])
    assert sessions.UserBackend().get_user(world.lead.pk) is None
    assert client.get(DASHBOARD).status_code == 302


def test_the_user_is_read_whole(world):
    user = sessions.UserBackend().get_user(world.lead.pk)
    assert (user.pk, user.username, user.role, user.team_id) == (world.lead.pk, world.lead.username, world.lead.role,
                                                                 world.lead.team_id)
    assert sessions.UserBackend().get_user("not a number") is None
    assert sessions.UserBackend().get_user(10**9) is None


def test_the_authenticator_that_verified_a_session_is_read_by_its_persistent_id(world):
    device = second_factor_device(world.lead)
    assert sessions.device(device.persistent_id) == device
    recovery = StaticDevice.objects.create(user=world.lead, name="Recovery codes", confirmed=True)
    assert sessions.device(recovery.persistent_id) == recovery
    group = Group.objects.create(name="Not an authenticator")
    for wrong in ("", "otp_totp.totpdevice", "otp_totp.totpdevice/abc", "nope.nope/1",
                  f"auth.group/{group.pk}", f"otp_totp.totpdevice/{10**9}"):
        assert sessions.device(wrong) is None, wrong


def test_a_session_whose_authenticator_was_removed_is_no_longer_verified(world):
    client = _signed_in(world.lead)
    assert client.session[DEVICE_ID_SESSION_KEY]
    second_factor_device(world.lead).delete()
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == reverse("account:enrol")
