"""Partner data that leads to nobody is not kept: the processing register's data matching entry promises that
partner records which do not lead to support are deleted a year after they arrive.

The period is a retention rule the DPO keeps as data (PARTNER+1, `retention.presets`), and the nightly retention
sweep proposes the records it makes due for a person to approve, like every other disposal
(`matching.retention_classes` declares them). A record a person linked to someone stays with that person's records
(and goes with them under the retention rules); a record with a possible match still waiting for review stays until
it is decided.
"""

import datetime

from django.db.models import Exists, OuterRef

from earlyhelp.privacy.models import SuggestionStatus

from .models import MatchCandidate, SourceRecord


def unlinked_received_by(day: datetime.date):
    """Partner records nobody linked, in files received on or before `day`, with no possible match waiting for
    review (the retention rule measures its period from `day`: `retention_classes`)."""
    waiting = MatchCandidate.objects.filter(record=OuterRef("pk"), suggestion__status=SuggestionStatus.PENDING)
    return SourceRecord.objects.filter(person__isnull=True, batch__received_on__lte=day).exclude(Exists(waiting))
