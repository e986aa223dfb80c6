"""Partner files as a record class for the retention rules (P4).

The register promises partner data that does not lead to support is deleted 1 year after it arrives (PARTNER+1):
the rule is data the DPO keeps in retention, and the retention sweep proposes the records it makes due for a person
to approve, like every other disposal. A record a person linked to someone stays with that person's records; a
record with a possible match still waiting for review stays until it is decided (`retention.unlinked_received_by`).
Import batches hold counts and references only, and stay.
"""

from django.db import transaction

from earlyhelp.records.record_classes import DeclaredClass

from .models import DatasetType, MatchCandidate, SourceRecord
from .retention import unlinked_received_by


def due(cutoff):
    return unlinked_received_by(cutoff).order_by("pk")


def links(ids):
    """The people a record might be (its candidates): a legal hold on one of them keeps the record."""
    found = {pk: (set(), set()) for pk in ids}
    for record_id, person_id in MatchCandidate.objects.filter(record_id__in=ids).values_list("record_id", "person_id"):
        found[record_id][0].add(person_id)
    return found


# Partner files from children's social care are social care data whoever they are about: a hold on the class of
# records "known to children's social care" (`retention.models.HoldCriterion.KNOWN_TO_CSC`; retention is beside
# matching, so its value is written here) keeps them even when they matched nobody (P20, the IICSA instruction).
SOCIAL_CARE_DATASETS = {DatasetType.CSC_INVOLVEMENT}
KNOWN_TO_CSC = "known_to_csc"


def criteria(ids):
    social_care = set(SourceRecord.objects.filter(pk__in=list(ids), batch__dataset_type__in=SOCIAL_CARE_DATASETS)
                      .values_list("pk", flat=True))
    return {pk: {KNOWN_TO_CSC} for pk in social_care}


@transaction.atomic
def dispose(ids, *, by, reason) -> dict:
    return {label: count for label, count in SourceRecord.objects.filter(pk__in=list(ids)).delete()[1].items()
            if count}


RECORD_CLASSES = [
    DeclaredClass(record_class="partner_files", model="matching.SourceRecord", trigger="file_received", due=due,
                  links=links, dispose=dispose, criteria=criteria),
]
