"""Idle and absolute session time-outs (both configurable in settings)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

SIGNED_IN_AT = "earlyhelp_signed_in_at"
LAST_SEEN_AT = "earlyhelp_last_seen_at"
LAST_SEEN_GRANULARITY_SECONDS = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = request.session.get(LAST_SEEN_AT, now)
            idle = now - last_seen_at > settings.SESSION_IDLE_TIMEOUT_SECONDS
            expired = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or expired:
                audit.record(actor=user, action=Action.SESSION_EXPIRED, event="session.expired",
                             purpose=Purpose.SYSTEM_SECURITY, metadata={"reason": "idle" if idle else "absolute"})
                logout(request)
                messages.info(request, "You have been signed out because your session timed out.")
            elif now - last_seen_at > LAST_SEEN_GRANULARITY_SECONDS or LAST_SEEN_AT not in request.session:
                # Saving the session on every request costs a write; a minute's precision is enough.
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)
