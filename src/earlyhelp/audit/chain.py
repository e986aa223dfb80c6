"""The hash chain: how an event's hash is computed, and how the chain is verified."""

import hashlib
import hmac
import json
from dataclasses import dataclass

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "sequence", "occurred_at", "actor_id", "action", "event", "object_type", "object_ids",
    "household_id", "purpose", "source_ip", "route", "metadata",
)


def canonical_payload(values: dict) -> bytes:
    payload = {name: values[name] for name in HASHED_FIELDS}
    payload["occurred_at"] = payload["occurred_at"].isoformat(timespec="microseconds")
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(previous_hash: str, values: dict, key: bytes) -> str:
    """HMAC-SHA256 with a key held outside the database: someone who can write to the database
    cannot recompute the chain after rewriting it."""
    return hmac.new(key, previous_hash.encode() + canonical_payload(values), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self):
        return f"event #{self.sequence} (id {self.event_id}): {self.problem}"


def verify(events, key: bytes) -> tuple[int, ChainBreak | None]:
    """Walk the events in sequence order; return (events checked, the first break or None)."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for row in events:
        if row["sequence"] != expected_sequence:
            if row["sequence"] > expected_sequence:
                problem = f"events #{expected_sequence} to #{row['sequence'] - 1} are missing (deleted)"
            else:
                problem = "sequence number repeats or goes backwards (an inserted or re-numbered event)"
            return checked, ChainBreak(row["sequence"], row["id"], problem)
        if row["previous_hash"] != expected_previous:
            return checked, ChainBreak(
                row["sequence"], row["id"],
                "does not follow the event before it (an event was inserted, deleted or altered before it)",
            )
        if not hmac.compare_digest(compute_hash(row["previous_hash"], row, key), row["hash"]):
            return checked, ChainBreak(row["sequence"], row["id"], "its contents were altered after it was written")
        expected_previous = row["hash"]
        expected_sequence += 1
        checked += 1
    return checked, None
