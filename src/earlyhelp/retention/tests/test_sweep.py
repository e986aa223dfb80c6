"""The sweep lists the families each rule makes due, leaves out held ones, and proposes each family once (P4, P20)."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework.models import Transition, TransitionKind
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.retention.models import (
    BatchStatus,
    CandidateStatus,
    DisposalBatch,
    DisposalCandidate,
    HoldCriterion,
    HoldKind,
    HoldScope,
    SweepRun,
    SweepStatus,
)
from earlyhelp.retention.services import disposal, holds, sweep
from earlyhelp.retention.services import rules as rule_service

from .conftest import CASE_DUE

pytestmark = [pytest.mark.promise("P4"), pytest.mark.django_db]


def _batch(code):
    return DisposalBatch.objects.get(rule_code=code)


@pytest.mark.promise("P13")
def test_the_sweep_builds_a_batch_per_rule_with_a_dry_run_and_a_suggestion(world, loaded, closed_family,
                                                                          contact_only_family):
    first, second = closed_family("Firstclosed"), closed_family("Secondclosed")
    contact_only = contact_only_family()
    run = sweep.run_sweep(today=CASE_DUE)
    assert (run.status, run.total, run.processed, run.as_of) == (SweepStatus.FINISHED, 3, 3, CASE_DUE)
    assert run.started_at <= run.finished_at
    case, contacts = _batch("CASE+6"), _batch("CONTACT+6")
    assert set(case.candidates.values_list("household_id", flat=True)) == {first["household"].pk,
                                                                           second["household"].pk}
    assert list(contacts.candidates.values_list("household_id", flat=True)) == [contact_only["household"].pk]
    assert case.status == BatchStatus.PENDING and case.families_proposed == 2 and case.sweep == run
    # The dry run counts what disposal would reach, table by table, and nothing else.
    models = case.dry_run["models"]
    assert models["people.Household"] == 2 and models["people.Person"] == 8 and models["casework.Episode"] == 2
    assert models["casework.Contact"] == 2 and models["people.Identifier"] == 8
    assert case.dry_run["families"] == 2 and case.dry_run["people"] == 8
    assert sum(case.dry_run["sections"].values()) == sum(models.values())
    text = json.dumps(case.dry_run) + json.dumps(run.report)
    for name in ("Firstclosed", "Alex", "SW1A", "Test Street"):
        assert name not in text
    for pk in (first["household"].pk, second["household"].pk):
        assert f'"{pk}"' not in json.dumps(run.report)
    # A person decides on each batch (P13): the suggestion is waiting, with the rule in words.
    suggestion = case.decision()
    assert (suggestion.kind, suggestion.key, suggestion.status) == (
        SuggestionKind.RETENTION, f"disposal-batch:{case.pk}", SuggestionStatus.PENDING)
    assert suggestion.household_id is None and "CASE+6: 2 families are due" in suggestion.rule
    report = {entry["rule"]: entry for entry in run.report["rules"]}
    assert report["CASE+6"] | {} == {"rule": "CASE+6", "record_class": "family_case_records", "action": "destroy",
                                     "due": 2, "held": 0, "held_by_kind": {}, "already_proposed": 0,
                                     "recently_decided": 0, "proposed": 2, "batch": case.reference}
    assert AuditEvent.objects.filter(event="retention_sweep.run").get().metadata["proposed"] == 3
    assert AuditEvent.objects.filter(event="disposal_batch.propose").count() == 2


def test_nothing_is_due_before_the_period_ends(world, loaded, closed_family):
    closed_family()
    run = sweep.run_sweep(today=CASE_DUE - datetime.timedelta(days=1))
    assert run.total == 0 and not DisposalBatch.objects.exists()
    assert run.report["totals"]["due"] == 0


@pytest.mark.promise("P20")
def test_held_families_are_listed_as_held_with_counts_and_never_proposed(world, loaded, closed_family):
    held, free = closed_family("Heldclosed"), closed_family("Freeclosed")
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="Claim",
                            household_reference=held["household"].reference)
    run = sweep.run_sweep(today=CASE_DUE)
    entry = next(e for e in run.report["rules"] if e["rule"] == "CASE+6")
    assert (entry["due"], entry["held"], entry["proposed"], entry["held_by_kind"]) == (2, 1, 1, {"litigation": 1})
    batch = _batch("CASE+6")
    assert batch.families_proposed == 1 and batch.families_held_at_sweep == 1
    held_row = batch.candidates.get(household=held["household"])
    assert (held_row.status, held_row.hold) == (CandidateStatus.HELD, hold)
    assert batch.candidates.get(household=free["household"]).status == CandidateStatus.PROPOSED
    assert batch.dry_run["families"] == 1  # the held family is not in what disposal would reach


@pytest.mark.promise("P20")
def test_when_every_family_due_is_held_there_is_nothing_to_decide(world, loaded, closed_family):
    family = closed_family()

    Transition.objects.create(episode=family["episode"], kind=TransitionKind.STEP_UP, occurred_on=family[
        "episode"].closed_on, reason="Strategy discussion", decided_by=world.manager)
    holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.CRITERION, criterion=HoldCriterion.STEPPED_UP,
                     reason="Goddard letter")
    run = sweep.run_sweep(today=CASE_DUE)
    entry = next(e for e in run.report["rules"] if e["rule"] == "CASE+6")
    assert (entry["held"], entry["proposed"], entry["batch"], entry["held_by_kind"]) == (1, 0, None, {"iicsa": 1})
    assert not DisposalBatch.objects.exists() and not DisposalCandidate.objects.exists()


def test_the_sweep_is_idempotent(world, loaded, closed_family):
    closed_family()
    sweep.run_sweep(today=CASE_DUE)
    again = sweep.run_sweep(today=CASE_DUE + datetime.timedelta(days=1))
    entry = next(e for e in again.report["rules"] if e["rule"] == "CASE+6")
    assert (entry["due"], entry["already_proposed"], entry["proposed"], entry["batch"]) == (1, 1, 0, None)
    assert DisposalBatch.objects.count() == 1 and DisposalCandidate.objects.count() == 1
    assert Suggestion.objects.filter(kind=SuggestionKind.RETENTION).count() == 1


def test_a_family_due_under_two_rules_is_proposed_once(world, loaded, closed_family):
    family = closed_family()
    rule_service.save_rule(by=world.dpo, rule=loaded["DOB+25"], is_active=True, reason="Both schedules for a test")
    run = sweep.run_sweep(today=datetime.date(2045, 1, 1))
    entries = {e["rule"]: e for e in run.report["rules"]}
    assert entries["CASE+6"]["proposed"] + entries["DOB+25"]["proposed"] == 1
    assert entries["CASE+6"]["already_proposed"] + entries["DOB+25"]["already_proposed"] == 1
    assert DisposalCandidate.objects.filter(household=family["household"]).count() == 1


def test_a_rejected_family_is_not_proposed_again_within_the_year(world, loaded, closed_family):
    closed_family()
    sweep.run_sweep(today=CASE_DUE)
    disposal.decide_batch(by=world.dpo, batch=_batch("CASE+6"), approve=False, reason="Claim expected: keep for now")
    again = sweep.run_sweep(today=CASE_DUE + datetime.timedelta(days=7))
    entry = next(e for e in again.report["rules"] if e["rule"] == "CASE+6")
    assert (entry["recently_decided"], entry["proposed"]) == (1, 0)
    # A year after the decision it is proposed again.
    DisposalBatch.objects.update(decided_at=timezone.now() - datetime.timedelta(days=366))
    later = sweep.run_sweep(today=CASE_DUE + datetime.timedelta(days=400))
    assert next(e for e in later.report["rules"] if e["rule"] == "CASE+6")["proposed"] == 1


def test_the_scheduled_task_runs_the_sweep_and_records_its_progress(world, loaded, closed_family):
    closed_family()
    run = sweep.start_sweep(today=CASE_DUE)  # tests run tasks at once (ImmediateBackend)
    assert run.status == SweepStatus.FINISHED and run.task_result_id
    assert run.requested_by is None and run.processed == run.total == 1
    assert AuditEvent.objects.filter(event="retention_sweep.queue").exists()


def test_the_command_queues_or_runs_the_sweep(world, loaded):
    out = io.StringIO()
    call_command("retention_sweep", stdout=out)
    assert SweepRun.objects.count() == 1 and "finished" in out.getvalue()
    out = io.StringIO()
    call_command("retention_sweep", now=True, stdout=out)
    assert SweepRun.objects.count() == 2 and "CASE+6: 0 due" in out.getvalue()


def test_only_one_sweep_at_a_time_and_a_dead_one_is_given_up(world, loaded):
    stuck = SweepRun.objects.create(as_of=CASE_DUE, status=SweepStatus.RUNNING)
    with pytest.raises(ValidationError, match="already waiting or running"):
        sweep.run_sweep(today=CASE_DUE)
    SweepRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=2))
    run = sweep.run_sweep(today=CASE_DUE)
    stuck.refresh_from_db()
    assert (stuck.status, stuck.failure, run.status) == (SweepStatus.FAILED, "Interrupted", SweepStatus.FINISHED)


def test_a_failed_sweep_leaves_nothing_to_approve(world, loaded, closed_family, monkeypatch):
    closed_family()

    def broken(*args, **kwargs):
        raise RuntimeError("Family Closedfamily broke")  # a message that must not reach the run or the audit

    monkeypatch.setattr(holds, "holds_on", broken)
    with pytest.raises(RuntimeError):
        sweep.run_sweep(today=CASE_DUE)
    run = SweepRun.objects.get()
    assert (run.status, run.failure) == (SweepStatus.FAILED, "RuntimeError")
    assert not DisposalBatch.objects.exists() and not DisposalCandidate.objects.exists()
    assert "Closedfamily" not in json.dumps(AuditEvent.objects.get(event="retention_sweep.fail").metadata)


def test_only_the_dpo_or_the_schedule_runs_a_sweep(world, loaded):
    for user in (world.lead, world.manager, world.admin):
        with pytest.raises(PermissionDenied):
            sweep.start_sweep(by=user)
        with pytest.raises(PermissionDenied):
            sweep.run_sweep(by=user)
    assert not SweepRun.objects.exists()


@pytest.mark.promise("P13")
def test_a_batch_rejected_through_the_decisions_service_is_rejected_here_too(world, loaded, closed_family):
    closed_family()
    sweep.run_sweep(today=CASE_DUE)
    batch = _batch("CASE+6")
    decisions.decide(by=world.dpo, suggestion_id=batch.decision().pk, accept=False, reason="Keep: claim expected")
    again = sweep.run_sweep(today=CASE_DUE)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED and batch.decided_at is not None
    assert next(e for e in again.report["rules"] if e["rule"] == "CASE+6")["recently_decided"] == 1
    with pytest.raises(ValidationError, match="was rejected"):
        disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason="Approve after all")


@pytest.mark.django_db(transaction=True)
def test_the_sweep_runs_outside_a_transaction_as_the_nightly_command_runs_it(world, loaded, closed_family):
    """Between rules the sweep checks it was not cancelled, outside any transaction: PostgreSQL refuses a row lock
    there, so the check locks only inside one (found by retention/tests/test_crypto_shredding.py)."""
    closed_family("Nightlyfamily")
    run = sweep.run_sweep(today=CASE_DUE)
    assert run.status == SweepStatus.FINISHED and run.report["totals"]["proposed"] == 1
