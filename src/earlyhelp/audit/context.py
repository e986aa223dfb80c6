"""Per-request context for audit events: who is acting, from where, through which route."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    source_ip: str | None = None
    route: str = ""


_current = contextvars.ContextVar("earlyhelp_audit_request", default=RequestContext())


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext):
    return _current.set(ctx)


def reset(token):
    _current.reset(token)
