"""Refusals a service audits even though nothing it did is kept.

A service that refuses (consent to support missing, a recipient the family said must not see their information)
raises `Refused`: a ValidationError (the form shows its message) that carries the audit event to write. The
service's own transaction rolls back, so nothing is half-written; `audit_refusals`, put outside
`@transaction.atomic`, then records the refusal. Services call one another inside one transaction (inviting a
partner to the Team Around the Family logs a disclosure), so only the outermost decorated call records it: an
inner one would be rolled back with its caller.
"""

import functools
import threading

from django.core.exceptions import ValidationError

from . import services
from .models import Action

_depth = threading.local()


class Refused(ValidationError):
    """A refusal with the audit event that records it: `event`, `purpose`, `actor`, `household_id`, `metadata`."""

    def __init__(self, message, *, actor, event: str, purpose: str, household_id=None, objects=(), metadata=None):
        super().__init__(message)
        self.audit = {"actor": actor, "event": event, "purpose": purpose, "household_id": household_id,
                      "objects": list(objects), "metadata": metadata or {}}


def audit_refusals(function):
    """Record a `Refused` raised by `function` once its transaction has rolled back (put it above
    `@transaction.atomic`)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        _depth.value = getattr(_depth, "value", 0) + 1
        try:
            return function(*args, **kwargs)
        except Refused as refusal:
            if _depth.value == 1:
                services.record(action=Action.DENIED, **refusal.audit)
            raise
        finally:
            _depth.value -= 1

    return wrapper
