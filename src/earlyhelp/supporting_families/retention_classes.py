"""Supporting Families returns and claims as a record class for the retention rules (P4).

The register promises returns and the evidence for each claim are kept for 6 years after they are sent (CLAIM+6),
so that government auditors can check them. A claim is also what stops a family being claimed for twice, so these
records are never destroyed by the sweep: the rule is a review (a person looks at the batches that are due and
decides what happens, outside this service). Each family's claims go with the family's records under CASE+6.
"""

import datetime

from django.utils import timezone

from earlyhelp.records.record_classes import DeclaredClass

from .models import ClaimBatch


def _day_after(day):
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def due(cutoff):
    """Claim batches sent on or before `cutoff`."""
    return ClaimBatch.objects.filter(submitted_at__lt=_day_after(cutoff)).order_by("pk")


def links(ids):
    found = {pk: (set(), set()) for pk in ids}
    for pk, household_id in ClaimBatch.objects.filter(pk__in=ids).values_list("pk", "claims__household_id"):
        if household_id:
            found[pk][1].add(household_id)
    return found


RECORD_CLASSES = [
    DeclaredClass(record_class="programme_claims", model="supporting_families.ClaimBatch", trigger="return_sent",
                  due=due, links=links, dispose=None),
]
