"""Appending events to the audit chain: one writer at a time, with the chain's commits shared under load.

Every event follows the one before it (the next sequence, the previous hash), so appends take the chain's lock: on
PostgreSQL an advisory lock held to the end of the writer's transaction; on SQLite, IMMEDIATE transactions (settings)
already serialise writers. An append holds the lock for four round trips (lock, head, insert, commit) and the Python
between them, so writers taking turns append at most about 900 events a second on a fast machine, and one per flush
on slower storage, however many are waiting (benchmarks/README.md, "The audit chain, staged").

A writer that finds the lock free appends directly. A writer that finds it taken stages its event instead, in its own
transaction (a change and its event still commit or roll back together). Once that transaction has committed it waits
for the writer leading now to finish, alongside every other writer waiting; if its event was not chained by then, it
leads: it chains every staged event, a round at a time, each round one transaction and one commit. Only transactions'
locks are taken, never a session's, so a pooler in transaction mode cannot split a leader from its lock. A call
returns only once its event is in the chain (unless the database fails after its commit: then the event stays staged,
durably, for the next append), so verification proves what it proved before: every event in the chain was written by
the application, once, in order, unaltered.

Until it is chained a staged row is outside the chain's protection, so it carries a seal (an HMAC under the chain key)
and a one-off token that the chained event keeps under its hash. A staged row that someone without the key wrote or
altered, one whose token is already chained (a replay), or one older than the latest sealed epoch's boundary is
refused: it never enters the chain, and its refusal does. Its writer still holds what it staged, and chains that.
Rows whose writer stopped before chaining them are chained by the next append, or by the scheduled
`anchor_audit_chain`. What this leaves open to someone who can write to the database round the application is in
docs/adr/0008-staged-audit-appends.md.
"""

import datetime
import functools
import hmac
import logging
import uuid

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from earlyhelp.planned_statements import planned_cursor

from . import chain
from .models import Action, AuditEvent, Purpose, SealedEpoch, StagedAuditEvent

logger = logging.getLogger(__name__)

# An arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends.
LOCK_KEY = 727_313_001

REFUSED_EVENT = "audit.staged_refused"
# Why a staged row was refused, as its refusal's metadata says.
FORGED = "seal_does_not_match"
REPLAYED = "already_chained"
BEFORE_SEALED_EPOCH = "older_than_the_newest_sealed_epoch"

# A staged row this long after its event occurred means its writer stopped before chaining it (`waiting_too_long`):
# longer than any transaction that records an event should stay open, and than the scheduled anchor's period.
STAGED_WAIT_LIMIT = datetime.timedelta(minutes=15)


def lock() -> None:
    """Wait for the chain's lock; it is held to the end of this transaction."""
    if connection.vendor == "postgresql":
        with planned_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _lock_if_free() -> bool:
    if connection.vendor != "postgresql":
        return True  # writers are serialised already
    with planned_cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return cursor.fetchone()[0]


def append(content: dict) -> AuditEvent | None:
    """Append an event (`content` holds its `chain.CONTENT_FIELDS`), inside the caller's transaction if there is one.

    The event if it was appended directly; None if it was staged, to be chained as soon as the caller's transaction
    commits (and with nothing chained if it rolls back)."""
    with transaction.atomic():
        if _lock_if_free():
            return _append_locked(content)
        token = uuid.uuid4()
        _stage(content, token)
        transaction.on_commit(functools.partial(_chain_after_commit, content, token))
    return None


def _append_locked(content: dict) -> AuditEvent:
    """Append with the chain's lock held: the staged events waiting first, then this one."""
    sequence, previous_hash, waiting = _head_and_waiting()
    if waiting:
        sequence, previous_hash, _ = _chain_staged(sequence, previous_hash)
    return _append(sequence, previous_hash, {**content, "staged_as": None})


def chain_waiting() -> int:
    """Chain every staged event whose writer has not (for the scheduled anchor); how many were chained."""
    return len(_lead(rounds=None, wait=True))


def waiting_too_long() -> int:
    """How many staged events have waited longer than `STAGED_WAIT_LIMIT` since they occurred."""
    return StagedAuditEvent.objects.filter(occurred_at__lt=timezone.now() - STAGED_WAIT_LIMIT).count()


def _chain_after_commit(content: dict, token: uuid.UUID) -> None:
    """Once the writer's transaction has committed: wait for the writer leading now, if any, to finish (alongside
    every other writer waiting) and return if that chained this event; otherwise lead if the lock is free, and if
    another writer took it first, wait for that one and try again."""
    try:
        chained = None
        for _ in range(LEAD_TRIES):
            if _chained_after_leader(token):
                return
            if (chained := _lead(rounds=LEADER_ROUNDS, wait=False)) is not None:
                break
        if chained is None:  # other writers took the lead first every time: wait for the lock in turn
            chained = _lead(rounds=LEADER_ROUNDS, wait=True)
        if token not in chained and not _is_chained(token):
            logger.warning("Staged audit event %s was removed or refused before it was chained: chaining it as its "
                           "writer staged it", token)
            with transaction.atomic():
                lock()
                sequence, previous_hash, _ = _head_and_waiting()
                _append(sequence, previous_hash, {**content, "staged_as": token})
    except DatabaseError:
        # The change has committed and its event is staged (durably): the next append, or the scheduled anchor,
        # chains it. The call returns without its event chained; the log says which.
        logger.exception("Could not chain staged audit event %s after its transaction committed", token)


# A writer whose event a leader has not chained tries this many times to lead (each after waiting for the leader of
# the moment) before it waits for the lock in turn: every writer woken at once tries together, and one of them wins.
LEAD_TRIES = 5
# A leader chains at most this many rounds of staged events before letting the next lead: under steady load there is
# always another round, and its own call is waiting.
LEADER_ROUNDS = 3


def _lead(*, rounds: int | None, wait: bool) -> set | None:
    """Chain what is staged, a round at a time, each round one transaction holding the chain's lock (a transaction's
    lock, so that a pooler that hands each transaction to any server connection cannot split it), until nothing is
    staged, `rounds` have run, or another writer holds the lock. The tokens chained; None if the lock was taken
    before the first round and `wait` is False."""
    chained, first = set(), True
    while rounds is None or rounds > 0:
        with transaction.atomic():
            if wait and first:
                lock()
            elif not _lock_if_free():
                return None if first else chained
            sequence, previous_hash, waiting = _head_and_waiting()
            if not waiting:
                break
            chained |= _chain_staged(sequence, previous_hash)[2]
        first, rounds = False, None if rounds is None else rounds - 1
    return chained


_IS_CHAINED = f'SELECT EXISTS (SELECT 1 FROM "{AuditEvent._meta.db_table}" WHERE "staged_as" = %s)'


def _chained_after_leader(token: uuid.UUID) -> bool:
    """In one statement on PostgreSQL (`audit_staged_chained_after_leader`, migration 0007): wait until no writer
    holds the chain's lock, then say whether this token has been chained. The wait takes the lock shared for that
    statement only, so every writer waiting wakes at once. False on SQLite, where writers never wait for one another."""
    if connection.vendor != "postgresql":
        return False
    with planned_cursor() as cursor:
        cursor.execute("SELECT audit_staged_chained_after_leader(%s, %s)", [LOCK_KEY, token])
        return bool(cursor.fetchone()[0])


_EVENTS, _STAGED = AuditEvent._meta.db_table, StagedAuditEvent._meta.db_table
_STAGED_FIELDS = [StagedAuditEvent._meta.get_field(name) for name in ("token", "seal", *chain.CONTENT_FIELDS)]
_STAGED_COLUMNS = ", ".join(connection.ops.quote_name(field.column) for field in _STAGED_FIELDS)
_STAGE = f'INSERT INTO "{_STAGED}" ({_STAGED_COLUMNS}) VALUES ({", ".join(["%s"] * len(_STAGED_FIELDS))})'
# Every staged row committed so far, taken in one statement: each is chained or refused in the same transaction.
# Whether its token is chained already is a subquery with a LIMIT, which PostgreSQL runs as one index lookup per row
# (an EXISTS there was planned as a hash of every chained token: 26 ms at 76,000 events).
_TAKE_STAGED = (f'DELETE FROM "{_STAGED}" RETURNING "id", {_STAGED_COLUMNS}, (SELECT 1 FROM "{_EVENTS}" '
                f'WHERE "{_EVENTS}"."staged_as" = "{_STAGED}"."token" LIMIT 1) IS NOT NULL')


def _stage(content: dict, token: uuid.UUID) -> None:
    values = {**content, "token": token, "seal": chain.seal_staged(content, token, chain_key())}
    with planned_cursor() as cursor:
        cursor.execute(_STAGE, [field.get_db_prep_save(values[field.name], connection) for field in _STAGED_FIELDS])


def _is_chained(token: uuid.UUID) -> bool:
    with planned_cursor() as cursor:
        cursor.execute(_IS_CHAINED, [AuditEvent._meta.get_field("staged_as").get_db_prep_value(token, connection)])
        return bool(cursor.fetchone()[0])


def _taken_rows() -> list[tuple[dict, bool]]:
    """The staged rows, deleted, oldest first: each as its fields' Python values, and whether its token is chained."""
    with planned_cursor() as cursor:
        cursor.execute(_TAKE_STAGED)
        fetched = cursor.fetchall()
    converters = [_converters(field) for field in _STAGED_FIELDS]
    rows = []
    for staged_id, *values, already in sorted(fetched, key=lambda row: row[0]):
        for position, (field, convert) in enumerate(zip(_STAGED_FIELDS, converters, strict=True)):
            for converter in convert:
                values[position] = converter(values[position], field, connection)
        rows.append(({field.name: value for field, value in zip(_STAGED_FIELDS, values, strict=True)}, bool(already)))
    return rows


def _converters(field) -> list:
    """What Django applies to a value of this field read from this database (as a query set would)."""
    column = field.get_col(field.model._meta.db_table)
    return connection.ops.get_db_converters(column) + field.get_db_converters(connection)


def _chain_staged(sequence: int, previous_hash: str) -> tuple[int, str, set]:
    """Chain every committed staged event, oldest first, refusing any that fails its checks, inside the caller's
    transaction; the lock is held. Returns the new head and the tokens chained."""
    rows = _taken_rows()
    if not rows:
        return sequence, previous_hash, set()
    key = chain_key()
    oldest_allowed = SealedEpoch.objects.aggregate(before=Max("before"))["before"]
    events, refusals, chained = [], [], set()
    for row, already in rows:
        token, content = row["token"], {name: row[name] for name in chain.CONTENT_FIELDS}
        content["occurred_at"] = content["occurred_at"].astimezone(datetime.timezone.utc)
        if not hmac.compare_digest(chain.seal_staged(content, token, key), row["seal"]):
            refusals.append((token, FORGED))
        elif already or token in chained:
            refusals.append((token, REPLAYED))
        elif oldest_allowed is not None and content["occurred_at"] < oldest_allowed:
            refusals.append((token, BEFORE_SEALED_EPOCH))
        else:
            events.append({**content, "staged_as": token})
            chained.add(token)
    for token, reason in refusals:
        logger.error("Refused staged audit event %s: %s", token, reason)
        events.append(_refusal(token, reason))
    sequence, previous_hash = _append_many(sequence, previous_hash, events)
    return sequence, previous_hash, chained


def _refusal(token: uuid.UUID, reason: str) -> dict:
    return {"occurred_at": timezone.now(), "actor_id": None, "action": Action.DENIED, "event": REFUSED_EVENT,
            "object_type": "", "object_ids": [], "household_id": None, "purpose": Purpose.SYSTEM_SECURITY,
            "source_ip": None, "route": "", "metadata": {"reason": reason, "staged_as": str(token)},
            "staged_as": None}


def head() -> tuple[int, str]:
    """The newest event's (sequence, hash): record it outside the database to detect truncation later."""
    sequence, hash_, _ = _head_and_waiting()
    return sequence, hash_


_HEAD = (f'SELECT (SELECT "sequence" FROM "{_EVENTS}" ORDER BY "sequence" DESC LIMIT 1), '
         f'(SELECT "hash" FROM "{_EVENTS}" ORDER BY "sequence" DESC LIMIT 1), '
         f'EXISTS (SELECT 1 FROM "{_STAGED}")')


def _head_and_waiting() -> tuple[int, str, bool]:
    """The newest event's (sequence, hash), and whether staged events are waiting: read on every audited request,
    as SQL planned once per connection."""
    with planned_cursor() as cursor:
        cursor.execute(_HEAD)
        sequence, hash_, waiting = cursor.fetchone()
    return (sequence, hash_, bool(waiting)) if sequence is not None else (0, chain.GENESIS_HASH, bool(waiting))


_STORED = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
_COLUMNS = ", ".join(connection.ops.quote_name(field.column) for field in _STORED)
_INSERT = f'INSERT INTO "{_EVENTS}" ({_COLUMNS}) VALUES ({", ".join(["%s"] * len(_STORED))})'
_INSERT_RETURNING = f'{_INSERT} RETURNING "{AuditEvent._meta.pk.column}"'


def _chained(sequence: int, previous_hash: str, values: dict) -> AuditEvent:
    values = {**values, "sequence": sequence}
    hash_ = chain.compute_hash(previous_hash, values, chain_key())
    return AuditEvent(previous_hash=previous_hash, hash=hash_, **values)


def _row(event: AuditEvent) -> list:
    return [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _STORED]


def _append(sequence: int, previous_hash: str, values: dict) -> AuditEvent:
    """Insert the event after the head (sequence, previous_hash): the same row `save` would write."""
    event = _chained(sequence + 1, previous_hash, values)
    with planned_cursor() as cursor:
        cursor.execute(_INSERT_RETURNING, _row(event))
        event.pk = cursor.fetchone()[0]
    event._state.adding, event._state.db = False, connection.alias
    return event


def _append_many(sequence: int, previous_hash: str, values: list[dict]) -> tuple[int, str]:
    """Insert events after the head (sequence, previous_hash), in order; the new head."""
    rows = []
    for content in values:
        sequence += 1
        event = _chained(sequence, previous_hash, content)
        rows.append(_row(event))
        previous_hash = event.hash
    if rows:
        with planned_cursor() as cursor:
            cursor.executemany(_INSERT, rows)
    return sequence, previous_hash


def chain_key() -> bytes:
    """The chain's HMAC key, held outside the database (settings)."""
    return settings.EARLYHELP_AUDIT_CHAIN_KEY.encode()
