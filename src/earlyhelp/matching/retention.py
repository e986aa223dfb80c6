"""Partner data that leads to nobody is not kept: the processing register's data matching entry promises that
partner records which do not lead to support are deleted a year after they arrive (`KEEP_UNLINKED`).

A record a person linked to someone stays with that person's records (and goes with them under the retention
rules); a record with a possible match still waiting for review stays until it is decided. `manage.py
matching_retention` runs this; schedule it nightly beside the retention sweep.
"""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import SuggestionStatus

from .models import MatchCandidate, SourceRecord

KEEP_UNLINKED = datetime.timedelta(days=365)


def unlinked_received_by(day: datetime.date):
    """Partner records nobody linked, in files received on or before `day`, with no possible match waiting for
    review (the retention rule PARTNER+1 measures its period from `day`: `retention_classes`)."""
    waiting = MatchCandidate.objects.filter(record=OuterRef("pk"), suggestion__status=SuggestionStatus.PENDING)
    return SourceRecord.objects.filter(person__isnull=True, batch__received_on__lte=day).exclude(Exists(waiting))


def expired_unlinked_records(today: datetime.date):
    return unlinked_received_by(today - KEEP_UNLINKED)


@transaction.atomic
def delete_expired_unlinked_records(today: datetime.date) -> int:
    """Delete partner records nobody linked that arrived more than a year before `today`; returns how many."""
    expired = expired_unlinked_records(today)
    batches = sorted(set(expired.values_list("batch_id", flat=True)))
    deleted = expired.delete()[1].get(SourceRecord._meta.label, 0)  # not counting their candidates
    if deleted:
        audit.record(actor=None, action=Action.CHANGE, event="source_records.expire", purpose=Purpose.DATA_MATCHING,
                     metadata={"records": deleted, "batches": batches})
    return deleted
