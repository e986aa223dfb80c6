"""What every public (unauthenticated) page of the online services goes through (issue 15, P23).

`public_page` for a page that only shows something; `public_form_page` for a page with a form. A POST is refused
before the view runs, so nothing of it is stored:

- with 413 when its body is larger than `EARLYHELP_PUBLIC_MAX_BODY_BYTES`;
- with 429 when the client has sent more than `EARLYHELP_PUBLIC_RATE` public POSTs (django-ratelimit, counted per
  client address as the audit trail and the sign-in lockout see it, in the `RATELIMIT_USE_CACHE` cache, which must
  be shared by every server process: see README, "Public pages").

CSRF, the security headers and the content security policy are the rest of the application's (settings), and the
sign-in middleware lets the `online` namespace through (`accounts.middleware.PUBLIC_NAMESPACES`).
"""

import functools

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from earlyhelp.audit.client_address import client_ip
from earlyhelp.ui.http_methods import require_form_page, require_safe

RATE_GROUP = "earlyhelp.online.post"


def _client(group, request) -> str:
    return client_ip(request) or "unknown"


def too_many_requests(request):
    return render(request, "online/too_many_requests.html", status=429)


def too_large(request):
    return render(request, "online/too_large.html", status=413)


def _body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.EARLYHELP_PUBLIC_MAX_BODY_BYTES


def _limited(request) -> bool:
    rate = settings.EARLYHELP_PUBLIC_RATE
    if not rate:
        return False
    return is_ratelimited(request, group=RATE_GROUP, key=_client, rate=rate, method="POST", increment=True)


def _guarded(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            if _body_too_large(request):
                return too_large(request)
            if _limited(request):
                return too_many_requests(request)
        return view(request, *args, **kwargs)

    wrapped.earlyhelp_public = True
    return wrapped


def public_page(view):
    """A public page that only shows something (GET, HEAD)."""
    return require_safe(_guarded(view))


def public_form_page(view):
    """A public page with a form (GET shows it, POST submits it): every POST is size-checked and rate-limited."""
    return require_form_page(_guarded(view))
