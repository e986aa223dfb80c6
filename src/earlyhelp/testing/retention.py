"""Test data for the retention tables, for `earlyhelp.testing.everywhere` (one person seeded into every table that
can hold their data): a legal hold on the person, placed and lifted (so it blocks nothing), and a rejected disposal
batch listing their family."""

from django.utils import timezone

from earlyhelp.retention import presets
from earlyhelp.retention.models import (
    BatchStatus,
    DisposalBatch,
    DisposalCandidate,
    HoldKind,
    HoldScope,
    RetentionRule,
)
from earlyhelp.retention.services import holds


def seed_retention_records(world, *, household, person) -> dict:
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.PERSON, person_id=person.pk,
                            reason=f"A claim naming {person.full_name}")
    holds.lift_hold(by=world.dpo, hold=hold, reason=f"The claim naming {person.full_name} is settled")
    presets.load_presets(record=False)
    rule = RetentionRule.objects.get(code="CASE+6")
    batch = DisposalBatch.objects.create(
        rule=rule, as_of=timezone.localdate(), rule_code=rule.code, record_class=rule.record_class,
        trigger=rule.trigger, period_years=rule.period_years, action=rule.action, status=BatchStatus.REJECTED,
        decided_at=timezone.now(), families_proposed=1)
    candidate = DisposalCandidate.objects.create(batch=batch, household=household)
    return {"hold": hold, "batch": batch, "candidate": candidate}
