"""Writing audit events. Every service that reads or changes personal data calls `record`."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import chain, context
from .models import Action, AuditEvent, Purpose

# An arbitrary constant naming the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 727_313_001


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite runs IMMEDIATE transactions (settings), so writers are already serialised.


def record(
    *,
    actor,
    action: str,
    event: str,
    purpose: str,
    objects=(),
    household_id: int | None = None,
    metadata: dict | None = None,
) -> AuditEvent | None:
    """Append one event to the chain, inside the caller's transaction if there is one.

    `objects` are model instances (or (type, id) pairs); only their ids are stored.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if purpose not in Purpose.values:  # Purpose mirrors the processing register (privacy tests check it)
        raise ValueError(f"Purpose {purpose!r} is not in the processing register")
    if action == Action.VIEW and not settings.EARLYHELP_AUDIT_READS:
        return None  # only for measuring the cost of auditing; a deploy check refuses it in production
    object_type, object_ids = _describe(objects)
    ctx = context.current()
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
        values = {
            "sequence": (last["sequence"] + 1) if last else 1,
            "occurred_at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "action": action,
            "event": event,
            "object_type": object_type,
            "object_ids": object_ids,
            "household_id": household_id,
            "purpose": purpose,
            "source_ip": ctx.source_ip,
            "route": ctx.route,
            "metadata": metadata or {},
        }
        previous_hash = last["hash"] if last else chain.GENESIS_HASH
        values["hash"] = chain.compute_hash(previous_hash, values, _chain_key())
        return AuditEvent.objects.create(previous_hash=previous_hash, **values)


def _describe(objects):
    """(object_type, object_ids): the type named once when every object is of one type, else one type per id."""
    objects = list(objects)
    if not objects:
        return "", []
    types, ids = [], []
    for obj in objects:
        if isinstance(obj, tuple):
            types.append(obj[0])
            ids.append(obj[1])
        else:
            types.append(obj._meta.label_lower)
            ids.append(obj.pk)
    return (types[0] if len(set(types)) == 1 else ",".join(types)), ids


def objects_named(event) -> list[tuple[str, object]]:
    """The (type, id) pairs an event names. An event written before types were kept per id, naming several types,
    cannot say which id is which: each of its ids is paired with each of its types (a reader that needs certainty
    checks the record)."""
    types = [t for t in (event.object_type or "").split(",") if t]
    ids = list(event.object_ids or [])
    if not types or not ids:
        return []
    if len(types) == 1:
        return [(types[0], pk) for pk in ids]
    if len(types) == len(ids):
        return list(zip(types, ids, strict=True))
    return [(t, pk) for t in types for pk in ids]


def events_naming(pairs):
    """Every event that names any of these (type, id) pairs, in sequence order.

    The database narrows by type (and, on PostgreSQL, by id); the pairs are then checked exactly here.
    """
    wanted = {(t, pk) for t, pk in pairs}
    if not wanted:
        return
    by_type: dict[str, set] = {}
    for t, pk in wanted:
        by_type.setdefault(t, set()).add(pk)
    narrowed = Q(pk__in=[])
    for t, pks in by_type.items():
        clause = Q(object_type__contains=t)
        if connection.vendor == "postgresql" and len(pks) <= 200:  # SQLite cannot search inside JSON lists
            ids = Q(pk__in=[])
            for pk in pks:
                ids |= Q(object_ids__contains=[pk])
            clause &= ids
        narrowed |= clause
    for event in AuditEvent.objects.filter(narrowed).order_by("sequence").iterator(chunk_size=2000):
        if wanted & set(objects_named(event)):
            yield event


def verify_chain(batch_size: int = 5000):
    """Verify the whole chain; returns (events checked, first ChainBreak or None)."""
    fields = ("id", "previous_hash", "hash", *chain.HASHED_FIELDS)
    rows = AuditEvent.objects.order_by("sequence").values(*fields).iterator(chunk_size=batch_size)
    return chain.verify(_normalised(rows), _chain_key())


def _chain_key() -> bytes:
    return settings.EARLYHELP_AUDIT_CHAIN_KEY.encode()


def head():
    """The newest event's (sequence, hash): record it outside the database to detect truncation later."""
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return last or (0, chain.GENESIS_HASH)


def matches_checkpoint(sequence: int, expected_hash: str) -> bool:
    """True if the event recorded earlier as (sequence, hash) is still there, unchanged."""
    return AuditEvent.objects.filter(sequence=sequence, hash=expected_hash).exists()


def _normalised(rows):
    for row in rows:
        # The database returns timestamps in UTC; hash them exactly as they were written.
        row["occurred_at"] = row["occurred_at"].astimezone(datetime.timezone.utc)
        yield row


def viewers_of_household(household_id: int, limit: int = 200):
    """Who has viewed a family: the audit trail's answer, newest first."""
    return (
        AuditEvent.objects.filter(household_id=household_id, action__in=[Action.VIEW, Action.EXPORT, Action.DENIED])
        .select_related("actor", "actor__organisation")
        .order_by("-sequence")[:limit]
    )
