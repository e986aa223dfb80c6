"""A rights request made through the public online form (P5, P19, P25; issue 15).

Nobody on the staff records it (`recorded_by` is empty, which only a request through the online form may be), and
nobody is signed in: the requester is not matched to a record here or anywhere automatically. The data protection
officer finds the person the request is about and checks who sent it (`intake.record_identity`) before anything is
disclosed or done.

The statutory clock starts on the day it arrives (the day in the council's time zone, `settings.TIME_ZONE`) and
keeps running while the DPO checks identity: a request made online is never answered later than one made by
letter. A withdrawal of consent is a request in the register too: the requester cannot say which consent record
it is, so the DPO matches it and withdraws the consent on its page, as for a letter.

The requester is told their reference by e-mail if they gave an address (`messaging`), after the request is stored.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.messaging import services as messaging

from .. import deadlines, messages
from ..models import Channel, IdentityCheck, RequesterRelationship, RequestKind, RequestStatus, RightsRequest
from ._common import PURPOSE, raise_errors
from .intake import requester_errors, save_with_reference

ONLINE_KINDS = (RequestKind.ACCESS, RequestKind.RECTIFICATION, RequestKind.CONSENT_WITHDRAWAL, RequestKind.COMPLAINT)
ACKNOWLEDGEMENT = "rights_request"
TEXT_LIMIT = 5000  # what the requester writes about their request

_LABELS = {"requester_name": "Your full name", "requester_relationship_detail": "How you are connected",
           "requester_address": "Postal address", "requester_email": "Email address",
           "requester_phone": "Telephone number", "subject_name": "Their full name", "details": "Your request"}


def _length_errors(values: dict) -> dict:
    errors = {}
    for name, value in values.items():
        field = RightsRequest._meta.get_field(name)
        limit = getattr(field, "max_length", None) or TEXT_LIMIT
        if len(value) > limit:
            errors[name] = messages.TOO_LONG.format(label=_LABELS[name], limit=limit)
    return errors


@transaction.atomic
def receive_online_request(*, kind: str, requester_name: str, requester_relationship: str,
                           requester_relationship_detail: str = "", requester_email: str = "",
                           requester_phone: str = "", requester_address: str = "", subject_name: str = "",
                           subject_date_of_birth: datetime.date | None = None, details: str = "",
                           received_at: datetime.datetime | None = None) -> RightsRequest:
    """Store a request from the online form with its reference, its clock started on the day it arrived and the
    identity step waiting for the DPO; then acknowledge it by e-mail once stored. Bad input raises a
    ValidationError naming the field, and nothing is written."""
    received_on = timezone.localdate(received_at or timezone.now())
    text = {"requester_name": requester_name, "requester_relationship_detail": requester_relationship_detail,
            "requester_address": requester_address, "requester_email": requester_email,
            "requester_phone": requester_phone, "subject_name": subject_name, "details": details}
    text = {name: value.strip() for name, value in text.items()}
    errors = {}
    if kind not in ONLINE_KINDS:
        errors["kind"] = messages.CHOOSE_ONLINE_KIND
    elif messages.ENTER_ONLINE_DETAILS[kind] and not text["details"]:
        errors["details"] = messages.ENTER_ONLINE_DETAILS[kind]
    errors.update(requester_errors(requester_relationship=requester_relationship,
                                   words=messages.ONLINE_REQUESTER_WORDS, **{
                                       name: text[name] for name in (
                                           "requester_name", "requester_relationship_detail", "requester_address",
                                           "requester_email", "requester_phone")}))
    myself = requester_relationship == RequesterRelationship.SELF
    if not myself and not text["subject_name"]:
        errors["subject_name"] = messages.ENTER_SUBJECT_NAME
    if subject_date_of_birth is not None and subject_date_of_birth > received_on:
        errors["subject_date_of_birth"] = messages.SUBJECT_BORN_IN_FUTURE
    errors.update({name: error for name, error in _length_errors(text).items() if name not in errors})
    raise_errors(errors)

    if myself:
        text["subject_name"] = text["requester_name"]
    request = RightsRequest(
        kind=kind, received_on=received_on, recorded_by=None, channel=Channel.WEB,
        status=RequestStatus.AWAITING_ID, identity_check=IdentityCheck.NOT_YET,
        requester_relationship=requester_relationship, subject_date_of_birth=subject_date_of_birth,
        clock_started_on=received_on, due_on=deadlines.due_date(received_on), **text)
    save_with_reference(request)
    audit.record_public(event="rights_request.online", purpose=PURPOSE, objects=[request],
                        metadata={"kind": kind, "status": request.status, "channel": Channel.WEB,
                                  "requester_relationship": requester_relationship})
    if text["requester_email"]:
        messaging.send_acknowledgement(to=text["requester_email"], kind=ACKNOWLEDGEMENT, reference=request.reference)
    return request
