"""Data protection requests as a record class for the retention rules (`records.record_classes`; P4).

The register promises requests are kept for 2 years after they are closed (RIGHTS+2), so that a complaint to the
ICO can be answered. Disposal removes the personal data: every personal-data column of the request is blanked, its
links to people are emptied, and its subject access packs (the snapshots, with their redaction reviews) and clock
pauses and notifications are deleted, and so are the e-mails that acknowledged it (`messaging`), which hold the
address the requester typed. The row stays, holding its reference, kind, dates and outcome only, because
an erasure's tombstone (`privacy.Tombstone`) and any dispute or restriction on the person's record (which go with
that record) still point at it.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from earlyhelp.messaging import services as messaging
from earlyhelp.privacy.models import SubjectAccessPack
from earlyhelp.records.inventory import is_personal_column
from earlyhelp.records.record_classes import DeclaredClass

from .models import CLOSED_STATUSES, RightsRequest

STILL_PERSONAL = (Q(subject__isnull=False) | Q(requester_person__isnull=False) | ~Q(requester_name="")
                  | ~Q(details="") | Q(Exists(SubjectAccessPack.objects.filter(request=OuterRef("pk")))))


def due(cutoff):
    """Closed requests (completed or refused) closed on or before `cutoff` that still hold personal data."""
    return (RightsRequest.objects.filter(status__in=CLOSED_STATUSES, completed_on__lte=cutoff)
            .filter(STILL_PERSONAL).order_by("pk"))


def links(ids):
    return {pk: ({p for p in (subject, requester) if p}, set())
            for pk, subject, requester in RightsRequest.objects.filter(pk__in=ids)
            .values_list("pk", "subject_id", "requester_person_id")}


def _blank(field):
    if field.null:
        return None
    if field.get_internal_type() == "JSONField":
        return field.get_default()
    return ""


@transaction.atomic
def dispose(ids, *, by, reason) -> dict:
    """Remove the personal data of these requests (see the module's docstring); returns counts per model."""
    requests = RightsRequest.objects.filter(pk__in=list(ids))
    counts = {}
    packs = SubjectAccessPack.objects.filter(request__in=requests)
    for label, count in packs.delete()[1].items():
        counts[label] = counts.get(label, 0) + count
    for relation in ("pauses", "notifications", "pack_builds"):
        model = RightsRequest._meta.get_field(relation).related_model
        deleted = model.objects.filter(request__in=requests).delete()[1]
        for label, count in deleted.items():
            counts[label] = counts.get(label, 0) + count
    sent = messaging.forget(references=requests.values_list("reference", flat=True))
    if sent:
        counts["messaging.SentMessage"] = sent
    blanks = {field.name: _blank(field) for field in RightsRequest._meta.concrete_fields if is_personal_column(field)}
    blanks.update(subject=None, requester_person=None)
    # update() skips history (the model keeps none) and save(): nothing personal is written back.
    counts[RightsRequest._meta.label] = requests.update(**blanks)
    return {label: count for label, count in counts.items() if count}


RECORD_CLASSES = [
    DeclaredClass(record_class="rights_requests", model="rights.RightsRequest", trigger="request_closed", due=due,
                  links=links, dispose=dispose),
]
