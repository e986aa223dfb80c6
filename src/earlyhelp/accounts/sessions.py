"""What every signed-in request reads before its view runs: its session, its user and the authenticator that verified
it. Each is read as SQL compiled once (`records.prepared`) and planned once per connection, instead of being built
through the ORM on every request; what is read, and what a missing or expired row means, are Django's and
django-otp's own.
"""

import datetime

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp.models import Device

from earlyhelp.organisations.models import User
from earlyhelp.records.prepared import Prepared

_SESSION = Prepared(lambda *, session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now),
                    session_key=str, now=datetime.datetime)
_USER = Prepared(lambda *, pk: User._default_manager.filter(pk=pk), pk=int)
_DEVICES: dict[str, Prepared] = {}  # one per kind of authenticator (TOTP, recovery codes)


class SessionStore(DatabaseSessionStore):
    """Django's database sessions (settings.SESSION_ENGINE = "earlyhelp.accounts.sessions")."""

    def _get_session_from_db(self):
        found = _SESSION.run("session", session_key=self.session_key, now=timezone.now())
        if not found:
            self._session_key = None  # as Django's: a missing or expired session starts afresh
            return None
        return found[0]


class UserBackend(ModelBackend):
    """Django's model backend (passwords, permissions), with the signed-in user read as prepared SQL."""

    def get_user(self, user_id):
        try:
            found = _USER.run("user", pk=int(user_id))
        except (TypeError, ValueError):
            return None
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


def device(persistent_id: str):
    """The authenticator a session was verified with (django-otp's `Device.from_persistent_id`), or None."""
    try:
        label, device_id = persistent_id.rsplit("/", 1)
        model = apps.get_model(*label.split("."))
        device_id = int(device_id)
    except (ValueError, LookupError, TypeError):
        return None
    if not issubclass(model, Device):
        return None
    prepared = _DEVICES.get(label)
    if prepared is None:
        prepared = _DEVICES[label] = Prepared(lambda *, pk: model.objects.filter(pk=pk), pk=int)
    found = prepared.run(label, pk=device_id)
    return found[0] if found else None
