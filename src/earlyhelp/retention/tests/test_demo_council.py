"""The demo council comes with the retention presets and the IICSA legal hold, and a sweep over it seven years on
proposes closed families while holding every family known to children's social care (P4, P20)."""

import datetime

import pytest
from django.utils import timezone

from earlyhelp.demo import generator
from earlyhelp.people.models import MarkerKind
from earlyhelp.retention.models import (
    CandidateStatus,
    DisposalBatch,
    DisposalCandidate,
    HoldCriterion,
    FAMILY_CLASSES,
    HoldKind,
    LegalHold,
    RecordClass,
    RetentionRule,
)
from earlyhelp.retention.services import holds, sweep

from .conftest import years_after

pytestmark = [pytest.mark.promise("P4", "P20"), pytest.mark.django_db]

TODAY = timezone.localdate()


@pytest.fixture
def council(db):
    return generator.generate_council(families=40, seed=4242, today=TODAY)


def test_the_demo_council_has_the_presets_and_one_iicsa_hold(council):
    active = set(RetentionRule.objects.filter(is_active=True).values_list("code", flat=True))
    # A rule in use for every record class the processing register names (issue 13).
    assert active == {"CASE+6", "CONTACT+6", "AUDIT+6", "RIGHTS+2", "EXTRACT+1", "PARTNER+1", "CLAIM+6"}
    assert set(RetentionRule.objects.filter(is_active=True).values_list("record_class", flat=True)) == set(
        RecordClass.values)
    assert set(RetentionRule.objects.filter(is_active=False).values_list("code", flat=True)) == {"DOB+25", "DOB+30"}
    hold = LegalHold.objects.get()
    assert (hold.kind, hold.criterion, hold.is_active) == (HoldKind.IICSA, HoldCriterion.KNOWN_TO_CSC, True)
    assert hold.placed_by.username == "dpo" and "2 July 2015" in hold.reason
    assert holds.households_covered(hold).exists()  # the demo has families stepped up to social care


def test_a_sweep_seven_years_on_proposes_closed_families_and_holds_social_care_ones(council):
    run = sweep.run_sweep(today=years_after(TODAY, 7))
    entry = next(e for e in run.report["rules"] if e["rule"] == "CASE+6")
    assert entry["due"] > 0 and entry["held"] > 0 and entry["proposed"] > 0
    assert entry["held_by_kind"] == {"iicsa": entry["held"]}
    assert run.processed == run.total == sum(e["due"] for e in run.report["rules"] if e["record_class"] in FAMILY_CLASSES)
    batch = DisposalBatch.objects.get(rule_code="CASE+6")
    proposed = DisposalCandidate.objects.filter(batch=batch, status=CandidateStatus.PROPOSED)
    held = DisposalCandidate.objects.filter(batch=batch, status=CandidateStatus.HELD)
    assert held.count() == entry["held"] and proposed.count() == entry["proposed"]
    csc = {MarkerKind.CHILD_PROTECTION, MarkerKind.LOOKED_AFTER, MarkerKind.OPEN_TO_CSC}
    for candidate in proposed.select_related("household"):
        household = candidate.household
        assert not household.memberships.filter(person__markers__kind__in=csc).exists()
        assert not household.episodes.filter(closure_reason="stepped_up").exists()
        assert not household.episodes.exclude(status="closed").exists()
    assert not sweep.run_sweep(today=years_after(TODAY, 7) + datetime.timedelta(days=1)).report["totals"]["proposed"]
