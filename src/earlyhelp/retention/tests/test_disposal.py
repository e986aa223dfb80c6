"""A named person approves each batch with a reason; disposal checks the holds again, calls the disposal engine,
and leaves a certificate that names nobody (P4, P13, P20)."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import Channel, ConsentAtReferral, ContactSource
from earlyhelp.people.models import Household, Person
from earlyhelp.privacy.models import SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.retention.models import (
    BatchStatus,
    CandidateStatus,
    DisposalBatch,
    DisposalCertificate,
    HoldKind,
    HoldScope,
    RuleAction,
)
from earlyhelp.retention.services import disposal, erasure, holds, rules, sweep

from .conftest import CASE_DUE

pytestmark = [pytest.mark.promise("P4"), pytest.mark.django_db]

REASON = "Checked against the retention schedule: no reason to keep these records"


@pytest.fixture
def engine(monkeypatch):
    """The real disposal engine (retention.services.erasure), with the calls it receives recorded."""
    calls = []
    for name in ("dispose_households", "anonymise_households"):
        real = getattr(erasure, name)

        def spy(household_ids, *, by, reason, _real=real, _name=name):
            calls.append({"function": _name, "ids": sorted(household_ids), "by": by, "reason": reason})
            return _real(household_ids, by=by, reason=reason)

        monkeypatch.setattr(erasure, name, spy)
    return calls


def _swept(world, closed_family, count=2):
    families = [closed_family(f"Disposefamily{chr(65 + i)}") for i in range(count)]
    sweep.run_sweep(today=CASE_DUE)
    return families, DisposalBatch.objects.get(rule_code="CASE+6")


def _approved(world, batch):
    return disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason=REASON)


def test_approval_is_a_human_decision_with_a_reason_and_disposes_of_nothing(world, loaded, closed_family, engine):
    families, batch = _swept(world, closed_family)
    with pytest.raises(ValidationError) as raised:
        disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason="  ")
    assert raised.value.message_dict == {"reason": ["Enter the reason for your decision"]}
    batch = _approved(world, batch)
    assert (batch.status, batch.approved_by) == (BatchStatus.APPROVED, world.dpo)
    suggestion = batch.decision()
    assert (suggestion.status, suggestion.decided_by, suggestion.reason) == (SuggestionStatus.ACCEPTED, world.dpo, REASON)
    assert AuditEvent.objects.filter(event="suggestion.accepted", object_ids=[suggestion.pk]).exists()
    assert engine == [] and Household.objects.filter(pk__in=[f["household"].pk for f in families]).count() == 2


def test_disposal_destroys_the_families_and_issues_a_certificate_that_names_nobody(world, loaded, closed_family,
                                                                                   engine):
    families, batch = _swept(world, closed_family)
    ids = sorted(f["household"].pk for f in families)
    people = [p.pk for f in families for p in f["members"]]
    certificate = disposal.dispose_batch(by=world.dpo, batch=_approved(world, batch), today=CASE_DUE)
    assert engine == [{"function": "dispose_households", "ids": ids, "by": world.dpo,
                       "reason": f"Retention rule CASE+6, disposal batch {batch.reference}"}]
    assert not Household.objects.filter(pk__in=ids).exists() and not Person.objects.filter(pk__in=people).exists()
    batch.refresh_from_db()
    assert (batch.status, batch.families_disposed, batch.disposed_by) == (BatchStatus.DISPOSED, 2, world.dpo)
    assert list(batch.candidates.values_list("status", "household")) == [(CandidateStatus.DISPOSED, None)] * 2
    assert (certificate.families, certificate.rule_code, certificate.record_class, certificate.approved_by) == (
        2, "CASE+6", "family_case_records", world.dpo)
    assert certificate.records["people.Household"] == 2 and certificate.total_records > 20
    text = json.dumps(certificate.records) + repr(
        [getattr(certificate, f.attname) for f in DisposalCertificate._meta.concrete_fields])
    for trace in ("Disposefamily", "Alex", *(f["household"].reference for f in families)):
        assert trace not in text
    assert not [f for f in DisposalCertificate._meta.concrete_fields
                if f.is_relation and f.related_model in (Household, Person)]
    event = AuditEvent.objects.get(event="disposal_batch.disposed")
    assert event.purpose == "early_help_casework" and event.metadata["families"] == 2
    assert set(event.metadata) == {"rule", "families", "held", "no_longer_due", "records", "certificate_id"}


@pytest.mark.promise("P20")
def test_a_hold_placed_after_approval_still_blocks_disposal(world, loaded, closed_family, engine):
    (held, free), batch = _swept(world, closed_family)
    batch = _approved(world, batch)
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.PERSON, reason="Inquiry request",
                            person_id=held["members"][2].pk)
    certificate = disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    assert engine[0]["ids"] == [free["household"].pk]
    assert Household.objects.filter(pk=held["household"].pk).exists()
    assert Person.objects.filter(pk__in=[p.pk for p in held["members"]]).count() == 4
    kept = batch.candidates.get(household=held["household"])
    assert (kept.status, kept.hold) == (CandidateStatus.HELD_AT_DISPOSAL, hold)
    batch.refresh_from_db()
    assert (batch.families_disposed, batch.families_held_at_disposal) == (1, 1)
    assert (certificate.families, certificate.families_held) == (1, 1)


@pytest.mark.promise("P20")
def test_when_every_family_is_held_at_disposal_nothing_is_disposed_and_no_certificate_issued(
        world, loaded, closed_family, engine):
    families, batch = _swept(world, closed_family, count=1)
    batch = _approved(world, batch)
    holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="Claim",
                     household_reference=families[0]["household"].reference)
    assert disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE) is None
    assert engine == [] and Household.objects.filter(pk=families[0]["household"].pk).exists()
    assert not DisposalCertificate.objects.exists()


def test_a_family_that_came_back_for_help_is_kept(world, loaded, closed_family, engine):
    (back, gone), batch = _swept(world, closed_family)
    batch = _approved(world, batch)
    casework.record_contact(by=world.front_door, household=back["household"], subject=back["members"][2],
                            team=world.north, channel=Channel.PHONE, source=ContactSource.SCHOOL, reason="New concern",
                            consent_at_referral=ConsentAtReferral.GIVEN)
    disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    assert engine[0]["ids"] == [gone["household"].pk]
    assert batch.candidates.get(household=back["household"]).status == CandidateStatus.NO_LONGER_DUE


@pytest.mark.parametrize(("prepare", "message"), [
    ("nothing", "has not been approved"),
    ("reject", "was rejected"),
    ("dispose", "already been destroyed"),
])
def test_disposal_needs_an_approved_batch_and_happens_once(world, loaded, closed_family, engine, prepare, message):
    families, batch = _swept(world, closed_family, count=1)
    if prepare == "reject":
        disposal.decide_batch(by=world.dpo, batch=batch, approve=False, reason="Keep for now")
    elif prepare == "dispose":
        disposal.dispose_batch(by=world.dpo, batch=_approved(world, batch), today=CASE_DUE)
    calls = len(engine)
    with pytest.raises(ValidationError, match=message):
        disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    assert len(engine) == calls
    if prepare != "dispose":
        assert Household.objects.filter(pk=families[0]["household"].pk).exists()


def test_a_batch_is_approved_once(world, loaded, closed_family):
    _, batch = _swept(world, closed_family, count=1)
    _approved(world, batch)
    with pytest.raises(ValidationError, match="already been approved"):
        _approved(world, batch)
    with pytest.raises(ValidationError, match="already been approved"):
        disposal.decide_batch(by=world.dpo, batch=batch, approve=False, reason="Changed my mind")
    assert AuditEvent.objects.filter(event="disposal_batch.approve").count() == 1


def test_only_the_dpo_decides_and_disposes(world, loaded, closed_family, engine):
    _, batch = _swept(world, closed_family, count=1)
    for user in (world.manager, world.lead, world.admin):
        with pytest.raises(PermissionDenied):
            disposal.decide_batch(by=user, batch=batch, approve=True, reason=REASON)
        with pytest.raises(PermissionDenied):  # nor through the decisions service itself
            decisions.decide(by=user, suggestion_id=batch.decision().pk, accept=True, reason=REASON)
    _approved(world, batch)
    with pytest.raises(PermissionDenied):
        disposal.dispose_batch(by=world.manager, batch=batch, today=CASE_DUE)
    assert engine == []


def test_accepting_through_the_decisions_service_approves_the_batch(world, loaded, closed_family):
    _, batch = _swept(world, closed_family, count=1)
    decisions.decide(by=world.dpo, suggestion_id=batch.decision().pk, accept=True, reason=REASON)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (BatchStatus.APPROVED, world.dpo)


def test_a_rule_changed_after_the_sweep_stops_approval_and_disposal(world, loaded, closed_family, engine):
    _, batch = _swept(world, closed_family, count=1)
    rules.save_rule(by=world.dpo, rule=loaded["CASE+6"], is_active=False, reason="Moving to DOB+25")
    with pytest.raises(ValidationError, match="has changed or been switched off"):
        _approved(world, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PENDING and batch.decision().status == SuggestionStatus.PENDING


def test_an_engine_failure_leaves_everything_as_it_was(world, loaded, closed_family, monkeypatch):
    families, batch = _swept(world, closed_family, count=1)
    batch = _approved(world, batch)

    def broken(household_ids, *, by, reason):
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "dispose_households", broken)
    with pytest.raises(RuntimeError):
        disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED and batch.disposed_at is None
    assert list(batch.candidates.values_list("status", "household")) == [
        (CandidateStatus.PROPOSED, families[0]["household"].pk)]
    assert not DisposalCertificate.objects.exists()


def test_anonymising_keeps_the_family_and_it_is_not_proposed_again(world, loaded, closed_family, engine):
    rule = rules.save_rule(by=world.dpo, rule=loaded["CASE+6"], action=RuleAction.ANONYMISE,
                           reason="Keep anonymised records for statistics")
    families, batch = _swept(world, closed_family, count=1)
    certificate = disposal.dispose_batch(by=world.dpo, batch=_approved(world, batch), today=CASE_DUE)
    assert engine[0]["function"] == "anonymise_households"
    household = families[0]["household"]
    assert Household.objects.filter(pk=household.pk).exists()
    assert not Person.objects.filter(pk=families[0]["members"][0].pk, given_name="Alex").exists()
    assert batch.candidates.get().status == CandidateStatus.ANONYMISED and certificate.action == RuleAction.ANONYMISE
    again = sweep.run_sweep(today=CASE_DUE + datetime.timedelta(days=30))
    entry = next(e for e in again.report["rules"] if e["rule"] == rule.code)
    assert (entry["due"], entry["recently_decided"], entry["proposed"]) == (1, 1, 0)


def test_a_review_rule_is_done_once_approved_and_never_disposes(world, loaded, closed_family, engine):
    rules.save_rule(by=world.dpo, rule=loaded["CASE+6"], action=RuleAction.REVIEW, reason="Review first")
    _, batch = _swept(world, closed_family, count=1)
    batch = _approved(world, batch)
    assert batch.status == BatchStatus.REVIEWED and batch.candidates.get().status == CandidateStatus.REVIEWED
    with pytest.raises(ValidationError, match="for review only"):
        disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    assert engine == []
