"""Sending an acknowledgement to someone who used an online form, and recording what was sent.

`send_acknowledgement(to=..., kind=..., reference=...)` is called inside the service that stores the submission:
it writes the record of the message (queued) in that transaction and sends the message once the transaction has
committed (`transaction.on_commit`), through Django's e-mail framework (GOV.UK Notify in production, the console or
a file in the demo, memory in tests: `settings.EMAIL_BACKEND`). The message holds the reference and fixed text
only, nothing else about anyone. Whatever the backend does, the submission is kept: a failure is recorded on the
row (the error's class name, never its text, which may quote the address) and audited.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action

from . import acknowledgements
from .models import Outcome, SentMessage

logger = logging.getLogger(__name__)


def send_acknowledgement(*, to: str, kind: str, reference: str) -> SentMessage | None:
    """Acknowledge a submission by e-mail once the caller's transaction commits. No address, no message."""
    to = (to or "").strip()
    if not to:
        return None
    acknowledgement = acknowledgements.get(kind)
    validate_email(to)  # the form has checked it; a caller that did not gets a ValidationError, nothing is written
    with transaction.atomic():
        message = SentMessage.objects.create(kind=kind, template=acknowledgement.template, reference=reference,
                                             to_address=to, queued_at=timezone.now())
        audit.record_public(event="message.queue", purpose=acknowledgement.purpose, objects=[message],
                            metadata={"kind": kind})
    transaction.on_commit(partial(deliver, message_id=message.pk), robust=True)
    return message


def _render(acknowledgement, reference: str) -> str:
    return render_to_string(acknowledgement.template, {
        "reference": reference, "council_name": settings.EARLYHELP_COUNCIL_NAME})


def deliver(*, message_id: int) -> SentMessage:
    """Send a queued message and record the outcome. Never raises because the backend failed."""
    message = SentMessage.objects.get(pk=message_id)
    acknowledgement = acknowledgements.get(message.kind)
    failure = ""
    try:
        EmailMessage(subject=acknowledgement.subject, body=_render(acknowledgement, message.reference),
                     to=[message.to_address]).send(fail_silently=False)
    except Exception as error:  # any backend failure: the submission stays, the failure is recorded
        failure = type(error).__name__[:100]
        logger.warning("Acknowledgement %s could not be sent: %s", message.pk, failure)
    with transaction.atomic():
        message.outcome = Outcome.FAILED if failure else Outcome.SENT
        message.failure, message.attempted_at = failure, timezone.now()
        message.save(update_fields=["outcome", "failure", "attempted_at"])
        audit.record_public(event="message.send", action=Action.CHANGE, purpose=acknowledgement.purpose,
                            objects=[message], metadata={"kind": message.kind, "outcome": message.outcome})
    return message


@transaction.atomic
def forget(*, references) -> int:
    """Delete the messages acknowledging these references: their submission's personal data is being disposed
    of (called inside that disposal's transaction). Returns how many went."""
    return SentMessage.objects.filter(reference__in=list(references)).delete()[0]
