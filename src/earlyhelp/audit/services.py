"""Writing audit events. Every service that reads or changes personal data calls `record`.

Events past their retention period leave only through `prune_epoch`, which seals an epoch (P4); `verify_chain`
starts from the newest sealed epoch's checkpoint.
"""

import datetime
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import anchors, appends, chain, context
from .appends import head  # the chain's head, read from here by commands, anchors and tests
from .models import Action, AuditEvent, EpochHeldEvent, Purpose, SealedEpoch


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

    `objects` are model instances (or (type, id) pairs); only their ids are stored. Returns the event, or None when
    another writer held the chain: then it is staged and chained as soon as the caller's transaction commits, before
    the call that committed it returns (unless the database fails in between: `appends`).
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if purpose not in Purpose.values:  # Purpose mirrors the processing register (privacy tests check it)
        raise ValueError(f"Purpose {purpose!r} is not in the processing register")
    if action == Action.VIEW and not settings.EARLYHELP_AUDIT_READS:
        return None  # only for measuring the cost of auditing; a deploy check refuses it in production
    object_type, object_ids = _describe(objects)
    ctx = context.current()
    actor_id = getattr(actor, "pk", None)
    event = appends.append({
        "occurred_at": timezone.now(), "actor_id": actor_id, "action": action, "event": event,
        "object_type": object_type, "object_ids": object_ids, "household_id": household_id, "purpose": purpose,
        "source_ip": ctx.source_ip, "route": ctx.route, "metadata": metadata or {},
    })
    if action != Action.VIEW and actor_id:
        cache.set(_LAST_CHANGE.format(actor_id), time.time(), None)
    if not anchors.written_recently():
        transaction.on_commit(lambda: anchors.write_periodically(head, anchor_problem))
    return event


_LAST_CHANGE = "audit:last-change:{}"


def record_public(*, event: str, purpose: str, objects=(), action: str = Action.CREATE,
                  metadata: dict | None = None) -> AuditEvent | None:
    """An event caused by a member of the public on a public page: no actor (they have no account) and no source
    address (the column holds staff devices' addresses; a visitor's is not kept). Every public submission's event:
    what kind and which record, never what was typed."""
    token = context.set_current(context.RequestContext(source_ip=None, route=context.current().route))
    try:
        return record(actor=None, action=action, event=event, purpose=purpose, objects=objects,
                      metadata={"public": True, **(metadata or {})})
    finally:
        context.reset(token)


def last_change_by(actor_id) -> float:
    """When (a Unix time) this actor last changed anything, as far as this process's cache knows (0: not since it
    started): what a summary kept in the cache is checked against, so that a user's own change shows at once."""
    return cache.get(_LAST_CHANGE.format(actor_id), 0.0)


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
    """Verify the chain; returns (events checked, first ChainBreak or None).

    Without a sealed epoch: every event from the first. With one: the newest checkpoint's signature, the events
    below its cut that a legal hold kept (each exactly as signed, and no others), then every event after the cut,
    the first of which must follow the hash at the cut.
    """
    fields = ("id", "previous_hash", "hash", *chain.HASHED_FIELDS)
    key = appends.chain_key()
    checkpoint = (AuditEvent.objects.filter(event=chain.CHECKPOINT_EVENT).order_by("-sequence")
                  .values(*fields).first())
    newest = SealedEpoch.objects.order_by("-cut_sequence").first()
    if checkpoint is None:
        if newest is not None:
            return 0, chain.ChainBreak(newest.checkpoint_sequence, None,
                                       "a sealed epoch has no checkpoint in the trail (deleted, or the epoch forged)")
        rows = AuditEvent.objects.order_by("sequence").values(*fields).iterator(chunk_size=batch_size)
        return chain.verify(_normalised(rows), key)
    problem = _checkpoint_problem(checkpoint, newest, key)
    if problem:
        return 0, chain.ChainBreak(checkpoint["sequence"], checkpoint["id"], problem)
    signed = checkpoint["metadata"]
    cut = signed["cut_sequence"]
    held = {int(sequence): hash_ for sequence, hash_ in signed["held"]}
    checked = 0
    below = AuditEvent.objects.filter(sequence__lte=cut).order_by("sequence").values(*fields)
    for row in _normalised(below.iterator(chunk_size=batch_size)):
        if row["sequence"] not in held:
            return checked, chain.ChainBreak(row["sequence"], row["id"],
                                             f"is below the sealed cut #{cut} but was not held (should be pruned)")
        if row["hash"] != held.pop(row["sequence"]) or not hmac.compare_digest(
                chain.compute_hash(row["previous_hash"], row, key), row["hash"]):
            return checked, chain.ChainBreak(row["sequence"], row["id"],
                                             "a held event below the sealed cut was altered after it was signed")
        checked += 1
    if held:
        sequence = min(held)
        return checked, chain.ChainBreak(sequence, None,
                                         f"a held event below the sealed cut #{cut} is missing (deleted)")
    rows = AuditEvent.objects.filter(sequence__gt=cut).order_by("sequence").values(*fields)
    after, problem = chain.verify_from(_normalised(rows.iterator(chunk_size=batch_size)), key,
                                       sequence=cut + 1, previous_hash=signed["cut_hash"])
    return checked + after, problem


def _checkpoint_problem(checkpoint: dict, newest: SealedEpoch | None, key: bytes) -> str | None:
    """Why the newest checkpoint cannot be trusted, or None."""
    signed = checkpoint["metadata"]
    if not isinstance(signed, dict) or not chain.checkpoint_signed(signed, key):
        return "the sealed epoch's checkpoint signature does not match (forged or altered)"
    if newest is None or newest.checkpoint_sequence != checkpoint["sequence"]:
        return "the newest checkpoint in the trail has no matching sealed epoch (an epoch was deleted or forged)"
    rows = list(newest.held_events.order_by("sequence").values_list("sequence", "hash"))
    if ((newest.cut_sequence, newest.cut_hash, newest.pruned, newest.first_sequence)
            != (signed["cut_sequence"], signed["cut_hash"], signed["pruned"], signed["first_sequence"])
            or [list(row) for row in rows] != [list(pair) for pair in signed["held"]]):
        return "the sealed epoch does not match its signed checkpoint (altered)"
    if checkpoint["sequence"] <= signed["cut_sequence"]:
        return "the checkpoint is not after its cut"
    return None


# Ids per DELETE: well under SQLite's limit on query parameters.
_PRUNE_CHUNK = 500


def _cut(before, through_sequence, floor) -> int:
    """The last sequence an epoch from `floor` may prune: the last event before `before` (and no later than
    `through_sequence`, what a person approved), with every event before it due too."""
    boundary = (AuditEvent.objects.filter(sequence__gt=floor, occurred_at__gte=before).order_by("sequence")
                .values_list("sequence", flat=True).first())
    cut = (boundary - 1) if boundary is not None else head()[0]
    return cut if through_sequence is None else min(cut, through_sequence)


def prune_epoch(*, before: datetime.datetime, actor, held_household_ids=(), purpose: str = Purpose.ACCESS_OVERSIGHT,
                through_sequence: int | None = None, metadata: dict | None = None) -> SealedEpoch | None:
    """Seal an epoch and prune it: delete every event that occurred before `before` (above the last cut), except
    events about a family in `held_household_ids` (legal holds: retention works them out and passes them down).

    In one transaction: the signed checkpoint event, the sealed epoch (with its held events), then the deletion,
    which the PostgreSQL trigger allows only at or below the cut and outside the held events. Events held by an
    earlier epoch whose family is no longer held are pruned now. `through_sequence` limits the epoch to what a
    person approved (`due_for_pruning` gives it). Returns the epoch, or None if nothing new is due.
    """
    held_households = set(held_household_ids)
    with transaction.atomic():
        appends.lock()
        previous = SealedEpoch.objects.order_by("-cut_sequence").first()
        floor = previous.cut_sequence if previous else 0
        cut = _cut(before, through_sequence, floor)
        if cut <= floor:
            return None
        at_cut = AuditEvent.objects.filter(sequence=cut).values_list("hash", flat=True).first()
        if at_cut is None:
            raise ValueError(f"Audit event #{cut} is missing: verify the chain before pruning")
        held, doomed = [], []
        for sequence, hash_, household_id in (AuditEvent.objects.filter(sequence__lte=cut).order_by("sequence")
                                              .values_list("sequence", "hash", "household_id").iterator()):
            if household_id is not None and household_id in held_households:
                held.append([sequence, hash_])
            else:
                doomed.append(sequence)
        first = (AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True).first()) or 1
        signed = {"before": before.astimezone(datetime.timezone.utc).isoformat(), "first_sequence": first,
                  "cut_sequence": cut, "cut_hash": at_cut, "pruned": len(doomed), "held": held}
        signed["signature"] = chain.sign_checkpoint(signed, appends.chain_key())
        checkpoint = record(actor=actor, action=Action.CHANGE, event=chain.CHECKPOINT_EVENT, purpose=purpose,
                            metadata={**(metadata or {}), **signed})
        epoch = SealedEpoch.objects.create(
            sealed_at=checkpoint.occurred_at, before=before, first_sequence=first, cut_sequence=cut, cut_hash=at_cut,
            pruned=len(doomed), held=len(held), checkpoint_sequence=checkpoint.sequence,
            signature=signed["signature"])
        EpochHeldEvent.objects.bulk_create([EpochHeldEvent(epoch=epoch, sequence=sequence, hash=hash_)
                                            for sequence, hash_ in held])
        for start in range(0, len(doomed), _PRUNE_CHUNK):
            # The model's delete() refuses; this service is the one place that removes events, and on PostgreSQL
            # the trigger checks each row against the epoch sealed just above.
            AuditEvent.objects.filter(sequence__in=doomed[start:start + _PRUNE_CHUNK])._raw_delete(
                using=AuditEvent.objects.db)
    return epoch


def due_for_pruning(*, before: datetime.datetime, held_household_ids=()) -> dict:
    """What `prune_epoch` would do now (counts only): events due, how many of them a hold keeps, and the cut (pass
    it back as `through_sequence` so that pruning reaches no further than this)."""
    held_households = set(held_household_ids)
    previous = SealedEpoch.objects.order_by("-cut_sequence").first()
    floor = previous.cut_sequence if previous else 0
    cut = _cut(before, None, floor)
    if cut <= floor:
        return {"events": 0, "held": 0, "cut": floor}
    held = total = 0
    for household_id in AuditEvent.objects.filter(sequence__lte=cut).values_list("household_id", flat=True).iterator():
        total += 1
        held += household_id is not None and household_id in held_households
    return {"events": total - held, "held": held, "cut": cut}


def sealed_epochs():
    """The sealed epochs, newest first (for the DPO's retention pages)."""
    return SealedEpoch.objects.order_by("-cut_sequence")


def matches_checkpoint(sequence: int, expected_hash: str) -> bool:
    """True if the event recorded earlier as (sequence, hash) is still there, unchanged, or was pruned in a sealed
    epoch (its cut is at or after it: `verify_chain` proves the newest epoch's checkpoint)."""
    return (AuditEvent.objects.filter(sequence=sequence, hash=expected_hash).exists()
            or SealedEpoch.objects.filter(cut_sequence__gte=sequence).exists())


def anchor_problem() -> str | None:
    """What is wrong with the chain's end, judged by the newest anchor written outside the database
    (`audit.anchors`): None if its event is still in the chain unchanged (or was pruned in a sealed epoch), or if no
    anchor has been written yet."""
    try:
        anchor = anchors.newest()
    except anchors.AnchorError as error:
        return f"the anchor file cannot be trusted: {error}"
    if anchor is None or matches_checkpoint(anchor.sequence, anchor.hash):
        return None
    return (f"the chain no longer holds event #{anchor.sequence} as anchored at {anchor.written_at:%Y-%m-%d %H:%M} "
            "UTC: events were removed from the end or the chain was rewritten")


def missing_anchor_problem() -> str | None:
    """With anchoring on, a chain whose events are older than twice its period has been anchored: no anchor then
    means the anchor file was removed (or never written, which the log says)."""
    every = settings.EARLYHELP_AUDIT_ANCHOR_SECONDS
    if every <= 0 or anchors.newest() is not None:
        return None
    since = timezone.now() - datetime.timedelta(seconds=2 * every)
    if AuditEvent.objects.filter(occurred_at__lt=since).exists():
        return (f"there is no anchor in {settings.EARLYHELP_AUDIT_ANCHOR_FILE} although the chain has events older "
                f"than {2 * every} seconds: the anchor file is missing, or could not be written (see the log)")
    return None


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
