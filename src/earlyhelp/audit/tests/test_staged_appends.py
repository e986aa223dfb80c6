"""Writers that find the chain's lock taken stage their events and chain them together once they have committed
(`audit.appends`): every event of a finished call is in the chain, and nothing but what the application staged, once,
ever enters it (P23).

The lock can be held by another connection only on PostgreSQL; there the first two tests hold it from a thread of
their own. SQLite's IMMEDIATE transactions serialise writers, so nothing is staged there; the chaining of staged rows,
and every check it makes, runs on both databases."""

import contextlib
import datetime
import threading
import time
import uuid
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.audit import appends, chain, services
from earlyhelp.audit.models import Action, AuditEvent, Purpose, StagedAuditEvent

from .tampering import verify_answer

pytestmark = pytest.mark.promise("P23.4")


def _content(household_id=1, event="test.staged", occurred_at=None):
    return {"occurred_at": occurred_at or timezone.now(), "actor_id": None, "action": Action.CREATE, "event": event,
            "object_type": "people.household", "object_ids": [household_id], "household_id": household_id,
            "purpose": Purpose.EARLY_HELP_CASEWORK, "source_ip": "192.0.2.10", "route": "households:detail",
            "metadata": {"count": household_id}}


def _staged(content):
    """Stage an event as a writer that found the chain held does; its token."""
    token = uuid.uuid4()
    appends._stage(content, token)
    return token


def _record(household_id, event="test.staged"):
    return services.record(actor=None, action=Action.CREATE, event=event, purpose=Purpose.EARLY_HELP_CASEWORK,
                           objects=[("people.household", household_id)], household_id=household_id)


def _refusals():
    return list(AuditEvent.objects.filter(event=appends.REFUSED_EVENT).values_list("metadata", flat=True))


@contextlib.contextmanager
def _chain_held_elsewhere():
    """Hold the chain's lock from another connection (a long transaction in another worker) until the block ends."""
    held, release, problems = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                appends.lock()
                held.set()
                release.wait(timeout=30)
        except Exception as error:  # reported below
            problems.append(repr(error))
        finally:
            held.set()
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        holder.join(timeout=30)
    assert problems == []


def _until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_finds_the_chain_held_stages_its_event_and_returns_once_it_is_chained():
    _record(1)
    if connection.vendor != "postgresql":
        # IMMEDIATE transactions serialise SQLite's writers: an append never finds the chain held, so never stages.
        assert _record(2).sequence == 2
        assert not StagedAuditEvent.objects.exists()
        return
    finished, returned = threading.Event(), []

    def write():
        try:
            returned.append(_record(2))
        finally:
            finished.set()
            connection.close()

    with _chain_held_elsewhere():
        writer = threading.Thread(target=write)
        writer.start()
        _until(StagedAuditEvent.objects.exists)  # committed with the writer's transaction...
        time.sleep(0.2)
        assert not finished.is_set()  # ...but the call has not returned: its event is not chained yet
        assert AuditEvent.objects.count() == 1
    writer.join(timeout=30)
    assert returned == [None]  # staged, not appended directly
    staged = AuditEvent.objects.get(sequence=2)
    assert (staged.household_id, staged.event, staged.route) == (2, "test.staged", "")
    assert staged.staged_as is not None
    assert not StagedAuditEvent.objects.exists()
    assert services.verify_chain() == (2, None)
    # A writer that leads holds only its transactions' locks: nothing is left held by its connection afterwards (a
    # pooler may hand its next transaction to another server connection).
    content = _content(household_id=3)
    appends._chain_after_commit(content, _staged(content))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
        assert cursor.fetchone()[0] == 0
    assert AuditEvent.objects.get(sequence=3).household_id == 3


@pytest.mark.django_db(transaction=True)
def test_a_staged_event_rolls_back_with_the_change_that_wrote_it():
    _record(1)
    if connection.vendor != "postgresql":
        with pytest.raises(RuntimeError), transaction.atomic():
            _record(2)
            raise RuntimeError("the change fails after its event was written")
        assert AuditEvent.objects.count() == 1
        return
    with _chain_held_elsewhere():
        with pytest.raises(RuntimeError), transaction.atomic():
            assert _record(2) is None  # staged
            assert StagedAuditEvent.objects.count() == 1
            raise RuntimeError("the change fails after its event was staged")
        assert not StagedAuditEvent.objects.exists()
    assert AuditEvent.objects.count() == 1
    assert services.verify_chain() == (1, None)


@pytest.mark.django_db
def test_one_writer_chains_every_staged_event_in_one_round_after_the_head():
    _record(1)
    contents = [_content(household_id=n) for n in (2, 3, 4)]
    tokens = [_staged(content) for content in contents]
    with CaptureQueriesContext(connection) as queries:
        appends._chain_after_commit(contents[1], tokens[1])  # the second writer gets the lock first
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "audit_auditevent"' in q["sql"]]
    assert len(inserts) == 1 and inserts[0].startswith("3 times: ")  # one batch, in the round's one transaction
    chained = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "household_id", "staged_as"))
    assert chained == [(1, 1, None), (2, 2, tokens[0]), (3, 3, tokens[1]), (4, 4, tokens[2])]
    assert not StagedAuditEvent.objects.exists()
    for content, token in zip(contents[::2], tokens[::2], strict=True):
        with CaptureQueriesContext(connection) as queries:
            appends._chain_after_commit(content, token)  # the other two find theirs chained
        assert not any("INSERT" in q["sql"] for q in queries.captured_queries)
    assert AuditEvent.objects.count() == 4
    assert services.verify_chain() == (4, None)
    assert verify_answer() is None


@pytest.mark.django_db
def test_a_staged_row_written_without_the_chain_key_is_refused_and_the_refusal_chained():
    genuine = _staged(_content(household_id=2))
    forged, content = uuid.uuid4(), _content(household_id=3, event="test.forged")
    StagedAuditEvent.objects.create(token=forged, seal=chain.seal_staged(content, forged, b"a guessed key"), **content)
    assert appends.chain_waiting() == 1
    assert list(AuditEvent.objects.exclude(event=appends.REFUSED_EVENT).values_list("staged_as", flat=True)) == [
        genuine]
    assert not AuditEvent.objects.filter(event="test.forged").exists()
    assert _refusals() == [{"reason": appends.FORGED, "staged_as": str(forged)}]
    refusal = AuditEvent.objects.get(event=appends.REFUSED_EVENT)
    assert (refusal.action, refusal.purpose, refusal.household_id) == (Action.DENIED, Purpose.SYSTEM_SECURITY, None)
    assert not StagedAuditEvent.objects.exists()
    assert services.verify_chain() == (2, None)


@pytest.mark.django_db
def test_a_staged_row_altered_before_it_was_chained_is_refused_and_its_writer_chains_what_it_staged():
    content = _content(household_id=2)
    token = _staged(content)
    StagedAuditEvent.objects.filter(token=token).update(household_id=99, object_ids=[99])
    appends._chain_after_commit(content, token)
    assert _refusals() == [{"reason": appends.FORGED, "staged_as": str(token)}]
    kept = AuditEvent.objects.get(staged_as=token)
    assert (kept.household_id, kept.object_ids) == (2, [2])
    assert not AuditEvent.objects.filter(household_id=99).exists()
    assert services.verify_chain() == (2, None)


@pytest.mark.django_db
def test_a_staged_row_removed_before_it_was_chained_is_chained_by_its_writer():
    content = _content(household_id=2)
    token = _staged(content)
    StagedAuditEvent.objects.filter(token=token).delete()
    appends._chain_after_commit(content, token)
    assert AuditEvent.objects.get(staged_as=token).household_id == 2
    assert services.verify_chain() == (1, None)


@pytest.mark.django_db
def test_a_replayed_staged_row_is_refused():
    content = _content(household_id=2)
    token = _staged(content)
    row = StagedAuditEvent.objects.values().get(token=token)
    appends.chain_waiting()
    StagedAuditEvent.objects.create(**{**row, "id": None})  # the same sealed row, written again
    assert appends.chain_waiting() == 0
    assert AuditEvent.objects.filter(household_id=2).count() == 1
    assert _refusals() == [{"reason": appends.REPLAYED, "staged_as": str(token)}]
    assert services.verify_chain() == (2, None)


@pytest.mark.django_db
def test_a_staged_row_older_than_the_newest_sealed_epoch_is_refused():
    """A sealed row kept aside (from a backup, say) and written back once the epoch it belonged to has been pruned:
    its chained twin is gone, so only its age shows it for a replay."""
    now = timezone.now()
    long_ago = now - datetime.timedelta(days=7 * 365)
    with mock.patch("django.utils.timezone.now", return_value=long_ago):
        _record(1)
    assert services.prune_epoch(before=now - datetime.timedelta(days=6 * 365), actor=None) is not None
    token, content = uuid.uuid4(), _content(household_id=2, occurred_at=long_ago)
    StagedAuditEvent.objects.create(token=token, seal=chain.seal_staged(content, token, appends.chain_key()),
                                    **content)
    assert appends.chain_waiting() == 0
    assert _refusals() == [{"reason": appends.BEFORE_SEALED_EPOCH, "staged_as": str(token)}]
    assert not AuditEvent.objects.filter(household_id=2).exists()
    assert services.verify_chain()[1] is None


@pytest.mark.django_db
def test_events_staged_by_a_writer_that_stopped_are_chained_by_the_next_append():
    _record(1)
    token = _staged(_content(household_id=2))  # its writer stopped before chaining it
    event = _record(3)
    assert event.sequence == 3
    assert AuditEvent.objects.get(sequence=2).staged_as == token
    assert not StagedAuditEvent.objects.exists()
    assert services.verify_chain() == (3, None)


@pytest.mark.django_db
def test_verification_reports_staged_events_left_waiting_and_the_scheduled_anchor_chains_them(settings, tmp_path):
    settings.EARLYHELP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    _record(1)
    _staged(_content(household_id=2, occurred_at=timezone.now() - datetime.timedelta(minutes=16)))
    _staged(_content(household_id=3, occurred_at=timezone.now() - datetime.timedelta(minutes=14)))
    assert appends.waiting_too_long() == 1
    assert "1 audit event has waited more than 15 minutes to be chained" in verify_answer()
    call_command("anchor_audit_chain")
    assert not StagedAuditEvent.objects.exists()
    assert [e.household_id for e in AuditEvent.objects.filter(sequence__gt=1)] == [2, 3]
    assert verify_answer() is None
