"""Signing in, in tests, with the second factor every staff account needs (P23).

Most tests are about something else, and sign in with `client.force_login(user)`. The test suite (the root
conftest) makes that give a *verified* session: the user gets a confirmed TOTP device (created once) and the session
is marked verified with it, exactly as `django_otp.login` does after a right code. Tests of the second factor itself
use `password_only_login` (a session signed in with a password alone) and enter real codes (`current_code`).
"""

from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_DEVICE_NAME = "Test authenticator"
_original_force_login = ClientMixin.force_login


def second_factor_device(user) -> TOTPDevice:
    """The user's confirmed authenticator (created if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TEST_DEVICE_NAME, confirmed=True)


def current_code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    """The code the user's authenticator app shows now (computed from the device's key, as the app does)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


def password_only_login(client, user, backend=None):
    """Signed in with a password but no second factor yet (what the sign-in page leaves)."""
    _original_force_login(client, user, backend)


def verified_force_login(client, user, backend=None):
    _original_force_login(client, user, backend)
    device = second_factor_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def install():
    """Make `Client.force_login` sign in with a verified second factor; returns the undo."""
    ClientMixin.force_login = verified_force_login

    def undo():
        ClientMixin.force_login = _original_force_login

    return undo
