"""The hash chain: how an event's hash is computed, and how the chain is verified."""

import hashlib
import hmac
import json
from dataclasses import dataclass

GENESIS_HASH = "0" * 64
# What an event says: what its writer stages, seals and chains.
CONTENT_FIELDS = (
    "occurred_at", "actor_id", "action", "event", "object_type", "object_ids",
    "household_id", "purpose", "source_ip", "route", "metadata",
)
# What an event's hash covers; `staged_as` only when set (events appended directly, and every event written before
# staging existed, have none and hash as they always did).
HASHED_FIELDS = ("sequence", *CONTENT_FIELDS, "staged_as")


def _canonical(payload: dict) -> bytes:
    payload = {**payload, "occurred_at": payload["occurred_at"].isoformat(timespec="microseconds")}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def canonical_payload(values: dict) -> bytes:
    payload = {name: values[name] for name in HASHED_FIELDS if name != "staged_as"}
    if values.get("staged_as"):
        payload["staged_as"] = str(values["staged_as"])
    return _canonical(payload)


def compute_hash(previous_hash: str, values: dict, key: bytes) -> str:
    """HMAC-SHA256 with a key held outside the database: someone who can write to the database
    cannot recompute the chain after rewriting it."""
    return hmac.new(key, previous_hash.encode() + canonical_payload(values), hashlib.sha256).hexdigest()


def seal_staged(values: dict, token, key: bytes) -> str:
    """A staged event's seal: its content and token under the chain key, so that only the application can stage an
    event the chain will take (domain-separated from the chain's own hashes)."""
    payload = {**{name: values[name] for name in CONTENT_FIELDS}, "staged_as": str(token)}
    return hmac.new(key, b"staged:" + _canonical(payload), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self):
        return f"event #{self.sequence} (id {self.event_id}): {self.problem}"


def verify(events, key: bytes) -> tuple[int, ChainBreak | None]:
    """Walk the events in sequence order from the first; return (events checked, the first break or None)."""
    return verify_from(events, key, sequence=1, previous_hash=GENESIS_HASH)


# --- Sealed epochs -------------------------------------------------------------------------------------

CHECKPOINT_EVENT = "audit.epoch_seal"
CHECKPOINT_FIELDS = ("before", "first_sequence", "cut_sequence", "cut_hash", "pruned", "held")


def checkpoint_payload(fields: dict) -> bytes:
    """What a checkpoint's signature covers: the cut, the hash at the cut, the count pruned and the held events
    ([sequence, hash] pairs, in sequence order)."""
    payload = {name: fields[name] for name in CHECKPOINT_FIELDS}
    payload["held"] = [[int(sequence), str(hash_)] for sequence, hash_ in payload["held"]]
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign_checkpoint(fields: dict, key: bytes) -> str:
    return hmac.new(key, b"epoch:" + checkpoint_payload(fields), hashlib.sha256).hexdigest()


def checkpoint_signed(fields: dict, key: bytes) -> bool:
    try:
        expected = sign_checkpoint(fields, key)
    except (KeyError, TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, str(fields.get("signature", "")))


def verify_from(events, key: bytes, *, sequence: int, previous_hash: str) -> tuple[int, ChainBreak | None]:
    """Walk the events after a cut: the first must be `sequence` and follow `previous_hash` (the hash at the cut)."""
    expected_previous, expected_sequence, checked = previous_hash, sequence, 0
    for row in events:
        if row["sequence"] != expected_sequence:
            if row["sequence"] > expected_sequence:
                problem = f"events #{expected_sequence} to #{row['sequence'] - 1} are missing (deleted)"
            else:
                problem = "sequence number repeats or goes backwards (an inserted or re-numbered event)"
            return checked, ChainBreak(row["sequence"], row["id"], problem)
        if row["previous_hash"] != expected_previous:
            problem = ("does not follow the sealed epoch's cut (an event was deleted or altered at the cut)"
                       if expected_sequence == sequence and sequence > 1 else
                       "does not follow the event before it (an event was inserted, deleted or altered before it)")
            return checked, ChainBreak(row["sequence"], row["id"], problem)
        if not hmac.compare_digest(compute_hash(row["previous_hash"], row, key), row["hash"]):
            return checked, ChainBreak(row["sequence"], row["id"], "its contents were altered after it was written")
        expected_previous = row["hash"]
        expected_sequence += 1
        checked += 1
    return checked, None
