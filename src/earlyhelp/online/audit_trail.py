"""The audit event of a public submission: what kind and which record, never what was typed nor who sent it.

A member of the public has no account: the event's actor is empty, and its source address is left empty too (the
audit column holds staff devices' addresses; a visitor's address is not kept beyond the rate limit's short-lived
counter). Call it inside the service's transaction, as every service records its event.
"""

from earlyhelp.audit import context
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action


def record_public_submission(*, event: str, purpose: str, objects=(), action: str = Action.CREATE,
                             metadata: dict | None = None):
    """`event` is a stable name ("online.help_request.submit"); `metadata` holds codes only (a route, a channel),
    never an answer."""
    ctx = context.current()
    token = context.set_current(context.RequestContext(source_ip=None, route=ctx.route))
    try:
        return audit.record(actor=None, action=action, event=event, purpose=purpose, objects=objects,
                            metadata={"public": True, **(metadata or {})})
    finally:
        context.reset(token)
