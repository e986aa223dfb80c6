"""Sign-in hardening applied to every request (P23)."""

import datetime

from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_otp.middleware import OTPMiddleware

from earlyhelp.ui.http_methods import FORM_PAGE_METHODS

from . import services, sessions
from .models import UserSession

# The application uses these methods and no others: TRACE, PUT, PATCH, DELETE, OPTIONS, CONNECT are refused (405)
# before any view runs, so no view can answer them by accident (`TRACE /` once answered with the dashboard).
# A second line: every view of ours also declares its own methods (`earlyhelp.ui.http_methods`), which refuses POST
# to a page that only shows and GET to an action; this catches what declares nothing of its own (the Django admin,
# its sign-in redirect, a view added before its declaration).
ALLOWED_METHODS = FORM_PAGE_METHODS

# What a session signed in with a password but not yet a second factor may reach: the second-factor pages, signing
# out, the published privacy notice. The API (a JSON answer, not a page) refuses such a session in its own
# authentication (`api.auth.BrowserSession`); bearer tokens are machine credentials with no second factor.
UNVERIFIED_ALLOWED = {"account:verify", "account:enrol", "web:sign-out", "web:sign-in",
                      "web:privacy-notice", "web:privacy-notice-version", "web:privacy-notice-pdf",
                      "account:password-set"}
API_NAMESPACE = "api"
# The public pages (`earlyhelp.online`): open to anyone, signed in or not, so a session half-way through signing in
# is not sent to its second factor either. Each of them guards itself (`online.protection`: size and rate limits).
PUBLIC_NAMESPACE = "online"

LAST_SEEN_PRECISION = datetime.timedelta(minutes=1)
LAST_SEEN_SESSION_KEY = "earlyhelp_tracked_last_seen"


class AllowedMethodsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class NoStoreMiddleware:
    """No page or API answer of the application may be kept by a browser or a proxy: a shared council PC must not
    show a family after sign-out (static files are served before this, by WhiteNoise, and may be cached)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):  # a view that already forbids storing is left alone
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response


class SecondFactorDeviceMiddleware(OTPMiddleware):
    """django-otp's middleware (`request.user.is_verified()`), reading the session's authenticator as prepared SQL
    (`accounts.sessions`): every signed-in request reads it."""

    def _device_from_persistent_id(self, persistent_id: str):
        return sessions.device(self._normalize_persistent_id(persistent_id))


class SecondFactorMiddleware:
    """A session signed in with a password alone is sent to enrol (first sign-in) or to enter a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        if view_name in UNVERIFIED_ALLOWED or (match and {API_NAMESPACE, PUBLIC_NAMESPACE} & set(match.namespaces)):
            return None
        return redirect("account:verify" if services.has_second_factor(user) else "account:enrol")


class SessionTrackingMiddleware:
    """Keeps a signed-in session's "last seen" time (to the minute) for the sessions page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            now = timezone.now()
            last = request.session.get(LAST_SEEN_SESSION_KEY)
            if last is None or now.timestamp() - last > LAST_SEEN_PRECISION.total_seconds():
                request.session[LAST_SEEN_SESSION_KEY] = now.timestamp()
                # Bookkeeping, not a change to anyone's data: a single-column update, not audited.
                tracked = UserSession.objects.filter(session_key=request.session.session_key, ended_at__isnull=True)
                tracked.update(last_seen_at=now)
                if request.META.get("HTTP_USER_AGENT"):
                    tracked.filter(device_summary="").update(
                        device_summary=services.device_summary(request.META["HTTP_USER_AGENT"])[:80])
        return self.get_response(request)
