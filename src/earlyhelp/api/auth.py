"""Who is calling: a bearer token (partner systems, scripts) or a signed-in browser session.

* `Authorization: Bearer eh_...` is looked up by its SHA-256 hash (`ApiToken.hash`); a revoked
  token or an inactive user is refused. When an `Authorization` header is sent, it alone decides:
  a wrong token is a 401 even if the browser also carries a session cookie.
* A Django session (the web interface's sign-in) works for the same endpoints, once verified with the second
  factor (`earlyhelp.accounts`); a password-only session is refused like no session (401). Bearer tokens are
  machine credentials: issued one at a time by an administrator, shown once, stored only as a hash, revocable,
  and refused once their user is disabled; they carry no second factor, so issue them to service accounts only. A session is an
  ambient credential, so unsafe methods need Django's CSRF token as well (403 without it); bearer
  tokens are not sent automatically by browsers and need none.

Neither decides what the caller may see: that is `earlyhelp.access.policy`.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from earlyhelp.access.models import ApiToken

TOKEN_PREFIX = "eh_"
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        request.user = api_token.user  # so everything downstream sees one user, however they came
        return api_token.user


class BrowserSession(APIKeyCookie):
    """The web interface's session, with CSRF enforced for unsafe methods once signed in."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)  # checked below, only for a signed-in session

    def authenticate(self, request: HttpRequest, key):
        if "HTTP_AUTHORIZATION" in request.META:
            return None  # header credentials were offered: they alone decide
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(user, "is_verified", lambda: False)():
            return None  # signed in with a password but no second factor yet: not signed in for the API (P23)
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the CSRF token with requests made in a browser session")
        return user


bearer_token = BearerToken()
browser_session = BrowserSession()
