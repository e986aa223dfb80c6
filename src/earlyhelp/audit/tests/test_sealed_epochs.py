"""Audit events past their retention period are pruned in sealed epochs (P4); held events survive (P20); any
other deletion or alteration is still caught (P23).

Run on SQLite and PostgreSQL: the database trigger that allows only sealed, unheld deletions exists on PostgreSQL.
"""

import datetime
import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from earlyhelp.audit import appends, chain, services
from earlyhelp.audit.models import Action, AuditEvent, EpochHeldEvent, Purpose, SealedEpoch

from .tampering import raw_tampering, verify_answer

pytestmark = [pytest.mark.promise("P4"), pytest.mark.django_db]

NOW = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0))
OLD = NOW - datetime.timedelta(days=7 * 365)
BEFORE = NOW - datetime.timedelta(days=6 * 365)
HELD_FAMILY = 2


def _event(when, household_id=None):
    with mock.patch("django.utils.timezone.now", return_value=when.astimezone(datetime.UTC)):
        return services.record(actor=None, action=Action.VIEW, event="test.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                               objects=[("people.household", household_id or 0)], household_id=household_id)


def _trail():
    """Five old events (the second about the held family), then three recent ones."""
    old = [_event(OLD + datetime.timedelta(minutes=i), household_id=HELD_FAMILY if i == 1 else 10 + i)
           for i in range(5)]
    recent = [_event(NOW - datetime.timedelta(days=3 - i), household_id=20 + i) for i in range(3)]
    return old, recent


def _prune(held=(HELD_FAMILY,), *, before=BEFORE, now=NOW):
    with mock.patch("django.utils.timezone.now", return_value=now.astimezone(datetime.UTC)):
        return services.prune_epoch(before=before, actor=None, held_household_ids=held)


def test_pruning_an_epoch_leaves_the_chain_verifiable_and_writes_a_signed_checkpoint():
    old, recent = _trail()
    epoch = _prune()
    assert (epoch.cut_sequence, epoch.cut_hash, epoch.pruned, epoch.held) == (
        old[-1].sequence, old[-1].hash, 4, 1)
    assert set(AuditEvent.objects.values_list("sequence", flat=True)) == {
        old[1].sequence, *(e.sequence for e in recent), epoch.checkpoint_sequence}
    checkpoint = AuditEvent.objects.get(sequence=epoch.checkpoint_sequence)
    assert checkpoint.event == chain.CHECKPOINT_EVENT
    assert checkpoint.metadata["cut_sequence"] == old[-1].sequence
    assert checkpoint.metadata["cut_hash"] == old[-1].hash
    assert checkpoint.metadata["pruned"] == 4
    assert checkpoint.metadata["held"] == [[old[1].sequence, old[1].hash]]
    assert chain.checkpoint_signed(checkpoint.metadata, appends.chain_key())
    assert services.verify_chain() == (5, None)  # the held event, three recent ones and the checkpoint
    assert verify_answer() is None


def test_nothing_due_seals_nothing():
    _event(NOW)
    assert _prune() is None
    assert not SealedEpoch.objects.exists()


def test_an_event_on_the_boundary_is_kept_and_one_just_before_it_is_pruned():
    before = _event(BEFORE - datetime.timedelta(microseconds=1))
    on = _event(BEFORE)
    epoch = _prune(held=())
    assert epoch.cut_sequence == before.sequence
    assert not AuditEvent.objects.filter(sequence=before.sequence).exists()
    assert AuditEvent.objects.filter(sequence=on.sequence).exists()
    assert services.verify_chain()[1] is None


@pytest.mark.promise("P20")
def test_held_events_survive_pruning_and_verify_and_go_in_a_later_epoch_once_the_hold_is_lifted():
    old, recent = _trail()
    _prune()
    assert AuditEvent.objects.filter(sequence=old[1].sequence, hash=old[1].hash).exists()
    later = [_event(NOW + datetime.timedelta(days=1 + i)) for i in range(2)]
    # Later on: the hold is lifted (no family held), and the recent events are due too.
    second = _prune((), before=NOW + datetime.timedelta(days=10), now=NOW + datetime.timedelta(days=11))
    assert second.held == 0
    assert not AuditEvent.objects.filter(sequence=old[1].sequence).exists()
    assert not AuditEvent.objects.filter(sequence__in=[e.sequence for e in later]).exists()
    assert services.verify_chain() == (1, None)  # only the newest checkpoint is left
    assert verify_answer() is None


def test_application_still_cannot_delete_or_change_events_or_epochs():
    _trail()
    epoch = _prune()
    event = AuditEvent.objects.first()
    for attempt in (event.delete, lambda: AuditEvent.objects.all().delete(), epoch.delete, epoch.save,
                    lambda: SealedEpoch.objects.update(pruned=0), lambda: EpochHeldEvent.objects.all().delete()):
        with pytest.raises(PermissionError):
            attempt()


# --- Anything else is caught --------------------------------------------------------------------------------

@pytest.mark.promise("P23")
def test_deleting_an_event_above_the_cut_is_caught():
    old, recent = _trail()
    _prune()
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [recent[1].sequence])
    assert f"events #{recent[1].sequence} to #{recent[1].sequence} are missing" in verify_answer()


def test_deleting_the_first_event_after_the_cut_is_caught():
    old, recent = _trail()
    _prune()
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [recent[0].sequence])
    assert f"events #{recent[0].sequence} to #{recent[0].sequence} are missing" in verify_answer()


@pytest.mark.promise("P20")
def test_deleting_a_held_event_is_caught():
    old, recent = _trail()
    _prune()
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [old[1].sequence])
    assert "held event below the sealed cut" in verify_answer() and "missing" in verify_answer()


@pytest.mark.promise("P20")
def test_altering_a_held_event_is_caught():
    old, recent = _trail()
    _prune()
    with raw_tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET household_id = 999 WHERE sequence = %s", [old[1].sequence])
    assert "altered" in verify_answer()


def test_deleting_the_checkpoint_is_caught():
    _trail()
    epoch = _prune()
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [epoch.checkpoint_sequence])
    assert verify_answer() is not None


def test_deleting_the_checkpoint_and_its_epoch_is_caught():
    _trail()
    epoch = _prune()
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_epochheldevent WHERE epoch_id = %s", [epoch.pk])
        cursor.execute("DELETE FROM audit_sealedepoch WHERE id = %s", [epoch.pk])
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [epoch.checkpoint_sequence])
    assert "missing" in verify_answer()


@pytest.mark.promise("P23")
def test_altering_the_checkpoint_is_caught():
    old, recent = _trail()
    epoch = _prune()
    checkpoint = AuditEvent.objects.get(sequence=epoch.checkpoint_sequence)
    forged = {**checkpoint.metadata, "held": []}
    with raw_tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET metadata = %s WHERE sequence = %s",
                       [json.dumps(forged), epoch.checkpoint_sequence])
    assert "signature" in verify_answer()


def test_a_forged_epoch_that_would_let_the_database_delete_more_is_caught():
    old, recent = _trail()
    epoch = _prune()
    with raw_tampering() as cursor:
        cursor.execute(
            "INSERT INTO audit_sealedepoch (sealed_at, before, first_sequence, cut_sequence, cut_hash, pruned, held, "
            "checkpoint_sequence, signature) VALUES (%s, %s, 1, %s, %s, 1, 0, %s, %s)",
            [NOW, NOW, recent[0].sequence, recent[0].hash, epoch.checkpoint_sequence + 100, "0" * 64])
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [recent[0].sequence])
    assert "no matching sealed epoch" in verify_answer()


def test_an_event_below_the_cut_that_was_not_pruned_is_reported():
    old, recent = _trail()
    epoch = _prune()
    with raw_tampering() as cursor:  # put a pruned event back (or: a deletion that never happened)
        cursor.execute(
            "INSERT INTO audit_auditevent (sequence, occurred_at, action, event, object_type, object_ids, purpose, "
            "route, metadata, previous_hash, hash) VALUES (%s, %s, 'view', 'test.view', '', '[]', 'x', '', '{}', "
            "%s, %s)", [old[0].sequence, OLD, chain.GENESIS_HASH, "a" * 64])
    assert "was not held" in verify_answer()
    assert epoch.cut_sequence >= old[0].sequence


def test_deleting_an_event_from_the_middle_without_an_epoch_is_still_caught():
    events = [_event(NOW + datetime.timedelta(minutes=i)) for i in range(4)]
    with raw_tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE sequence = %s", [events[1].sequence])
    assert "missing" in verify_answer()


# --- The database itself (PostgreSQL) ---------------------------------------------------------------------------

def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.promise("P20")
def test_postgresql_refuses_every_deletion_but_sealed_unheld_ones():
    old, recent = _trail()
    if connection.vendor != "postgresql":
        # SQLite (development only) has no trigger: the verification above catches raw deletions there.
        assert services.verify_chain()[1] is None
        return
    # Before any epoch: nothing can be deleted.
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent WHERE sequence = %s", [old[0].sequence])
    epoch = _prune()  # the service's deletion passes the trigger
    assert epoch.pruned == 4
    for sequence in (old[1].sequence, recent[0].sequence, epoch.checkpoint_sequence):  # held, above the cut, checkpoint
        with pytest.raises(DatabaseError, match="append-only"):
            _raw("DELETE FROM audit_auditevent WHERE sequence = %s", [sequence])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditevent SET purpose = 'x' WHERE sequence = %s", [old[1].sequence])
    for table in ("audit_sealedepoch", "audit_epochheldevent"):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(f"DELETE FROM {table}", [])  # noqa: S608 (fixed table names)
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(f"UPDATE {table} SET id = id", [])  # noqa: S608
    assert services.verify_chain()[1] is None


def test_an_epoch_prunes_no_further_than_what_was_approved():
    old, recent = _trail()
    due = services.due_for_pruning(before=BEFORE, held_household_ids=[HELD_FAMILY])
    assert due == {"events": 4, "held": 1, "cut": old[-1].sequence}
    epoch = services.prune_epoch(before=NOW, actor=None, held_household_ids=[HELD_FAMILY],
                                 through_sequence=old[2].sequence)
    assert epoch.cut_sequence == old[2].sequence and epoch.pruned == 2
    assert AuditEvent.objects.filter(sequence__in=[old[3].sequence, old[4].sequence]).count() == 2
    assert services.verify_chain()[1] is None


def test_a_head_recorded_before_pruning_still_matches_once_its_event_is_pruned():
    old, recent = _trail()
    before_pruning = f"{old[2].sequence}:{old[2].hash}"  # a head printed when old[2] was the newest event
    _prune()
    call_command("verify_audit_chain", checkpoint=before_pruning, stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not contain checkpoint"):
        call_command("verify_audit_chain", checkpoint=f"{recent[-1].sequence + 50}:{'a' * 64}",
                     stdout=io.StringIO())
