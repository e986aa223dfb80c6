"""Deciding a rights request, with reasons: what each kind can be answered with, the standard answers, and the
decision's effect in the same transaction (UK GDPR Articles 15 to 22, P19, P25).

An approved erasure calls the erasure engine (`erasure`), an approved restriction starts one (`restriction`), and
corrections, erasures and restrictions list who must be told (`notifications`, Article 19).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import restrictions
from earlyhelp.audit.models import Action
from earlyhelp.privacy.models import ConsentStatus

from .. import messages
from ..models import OPEN_STATUSES, Outcome, RequestKind, RequestStatus, RightsRequest
from ._common import locked, raise_errors, record_event, require_handler, today
from .erasure import erase_subject
from .notifications import list_notifications
from .restriction import start_restriction

# What each kind of request can be answered with.
OUTCOMES = {
    RequestKind.ACCESS: [Outcome.COMPLIED, Outcome.PARTLY, Outcome.REFUSED],
    RequestKind.RECTIFICATION: [Outcome.COMPLIED, Outcome.PARTLY, Outcome.DISPUTED, Outcome.REFUSED],
    RequestKind.ERASURE: [Outcome.COMPLIED, Outcome.REFUSED_PUBLIC_TASK, Outcome.REFUSED],
    RequestKind.RESTRICTION: [Outcome.COMPLIED, Outcome.REFUSED],
    RequestKind.OBJECTION: [Outcome.OBJECTION_UPHELD, Outcome.COMPELLING_GROUNDS, Outcome.REFUSED_PUBLIC_TASK,
                            Outcome.REFUSED],
    RequestKind.PORTABILITY: [Outcome.NOT_APPLICABLE],
    RequestKind.CONSENT_WITHDRAWAL: [Outcome.COMPLIED],
    RequestKind.COMPLAINT: [Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD],
    RequestKind.AUTOMATED_DECISION: [Outcome.NOT_APPLICABLE],
}
# Outcomes that close the request as refused. Every one needs a recorded reason.
REFUSALS = {Outcome.REFUSED, Outcome.REFUSED_PUBLIC_TASK, Outcome.COMPELLING_GROUNDS, Outcome.DISPUTED}
# Outcomes whose reasons may be left out: the request was done as asked.
REASON_OPTIONAL = {Outcome.COMPLIED, Outcome.OBJECTION_UPHELD, Outcome.NOT_APPLICABLE}
# Outcomes that are answered by a stated text the requester is given.
ANSWERED = {Outcome.NOT_APPLICABLE, Outcome.UPHELD, Outcome.PARTLY_UPHELD, Outcome.NOT_UPHELD}
# After these, everyone the family's information was disclosed to is told (UK GDPR Article 19).
ARTICLE_19 = {(RequestKind.RECTIFICATION, Outcome.COMPLIED), (RequestKind.RECTIFICATION, Outcome.PARTLY),
              (RequestKind.ERASURE, Outcome.COMPLIED), (RequestKind.RESTRICTION, Outcome.COMPLIED)}

PORTABILITY_ANSWER = (
    "You asked us to move your information to another organisation. The right to data portability (UK GDPR "
    "Article 20) applies only to information processed with your consent or under a contract, by automated "
    "means. We hold your family's early help information to carry out our public tasks (UK GDPR Article "
    "6(1)(e)), so the right does not apply to it. You can still ask for a copy of the information we hold "
    "about you (a subject access request), free of charge, and we will send it to you."
)
AUTOMATED_DECISION_ANSWER = (
    "You asked us to review a decision made without a person. We do not make decisions about you or your "
    "family by automated means: the system may suggest something, but a member of staff always decides, and "
    "the decision is recorded with their name and reasons. If you disagree with a decision a person made, "
    "tell us and we will look at it again."
)
ICO_TEXT = (
    "If you are still unhappy, you can complain to the Information Commissioner's Office (ICO), Wycliffe House, "
    "Water Lane, Wilmslow, Cheshire SK9 5AF, telephone 0303 123 1113, ico.org.uk/make-a-complaint."
)
STANDARD_ANSWERS = {RequestKind.PORTABILITY: PORTABILITY_ANSWER,
                    RequestKind.AUTOMATED_DECISION: AUTOMATED_DECISION_ANSWER,
                    RequestKind.COMPLAINT: ICO_TEXT}


def standard_answer(kind: str) -> str:
    return STANDARD_ANSWERS.get(kind, "")


def _decision_errors(request, outcome, reason, response_text):
    errors = {}
    if outcome not in OUTCOMES.get(request.kind, []):
        errors["outcome"] = "Choose a decision from the list"
        return errors
    if request.status == RequestStatus.AWAITING_ID and outcome != Outcome.REFUSED:
        errors["outcome"] = ("Until proof of identity or authority arrives the request can only be refused: record "
                             "the proof first")
    if outcome in REFUSALS and not reason.strip():
        errors["reason"] = "Enter the reasons for refusing: they are given to the requester"
    elif outcome not in REASON_OPTIONAL and not reason.strip():
        errors["reason"] = messages.ENTER_DECISION_REASONS
    elif request.kind == RequestKind.RESTRICTION and outcome == Outcome.COMPLIED and not reason.strip():
        errors["reason"] = "Enter why use of the record is restricted"
    if outcome in ANSWERED and not response_text.strip():
        errors["response_text"] = "Enter the answer given to the requester"
    kind, subject_missing = request.kind, request.subject_id is None
    if kind == RequestKind.RECTIFICATION and outcome in (Outcome.COMPLIED, Outcome.PARTLY) \
            and not request.corrected_fields:
        errors["outcome"] = "Make the corrections first: none has been recorded under this request"
    if kind == RequestKind.RECTIFICATION and outcome == Outcome.DISPUTED and not request.disputes.exists():
        errors["outcome"] = "Record what the person disputes and their statement first"
    if kind in (RequestKind.ERASURE, RequestKind.RESTRICTION) and outcome == Outcome.COMPLIED:
        if subject_missing:
            errors["outcome"] = messages.NO_RECORD_OF_PERSON
        elif kind == RequestKind.RESTRICTION and restrictions.person_is_restricted(request.subject_id):
            errors["outcome"] = "Use of this person's record is already restricted"
    if kind == RequestKind.CONSENT_WITHDRAWAL and request.consent_id is not None:
        if request.consent.status != ConsentStatus.WITHDRAWN:
            errors["outcome"] = ("The withdrawal of consent has not been processed yet: complete it on the consent "
                                 "withdrawals page first")
    return errors


@transaction.atomic
def decide(*, by, request, outcome: str, reason: str = "", response_text: str = "", documents=()) -> RightsRequest:
    """Decide a request, with reasons; the decision's effect happens in the same transaction:

    - an approved erasure removes the person through the erasure engine (`erase_subject`; the request remains,
      scrubbed, as the record);
    - an approved restriction starts a `ProcessingRestriction` on the person's record;
    - corrections, erasures and restrictions list everyone the family's information was disclosed to, so
      each can be told (Article 19);
    - a complaint's answer always tells the complainant they can go on to the ICO (P25).
    """
    require_handler(by)
    request = locked(request)
    if request.status == RequestStatus.AWAITING_CLARIFICATION:
        raise ValidationError(messages.CLOCK_PAUSED)
    if request.status not in OPEN_STATUSES:
        raise ValidationError(messages.ALREADY_DECIDED)
    raise_errors(_decision_errors(request, outcome, reason, response_text))

    response_text = response_text.strip()
    if request.kind == RequestKind.COMPLAINT and "Information Commissioner" not in response_text:
        response_text = f"{response_text}\n\n{ICO_TEXT}".strip()
    request.outcome, request.outcome_reason, request.response_text = outcome, reason.strip(), response_text
    request.decided_by, request.decided_at, request.completed_on = by, timezone.now(), today()
    request.status = RequestStatus.REFUSED if outcome in REFUSALS else RequestStatus.COMPLETED
    request.handled_by = request.handled_by or by
    request.save()

    effects = {}
    if (request.kind, outcome) in ARTICLE_19:
        effects["notification_ids"] = [n.pk for n in list_notifications(request, request.subject_id)]
    if request.kind == RequestKind.RESTRICTION and outcome == Outcome.COMPLIED:
        effects["restriction_id"] = start_restriction(by=by, request=request, reason=reason).pk
    record_event(by, Action.CHANGE, "rights_request.decide", request, outcome=outcome, **effects)
    if request.kind == RequestKind.ERASURE and outcome == Outcome.COMPLIED:
        erase_subject(by=by, request=request, documents=documents)
    return request
