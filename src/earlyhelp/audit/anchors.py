"""Anchors: the audit chain's head, signed and written outside the database every few minutes (issue 16).

The hash chain shows an event altered, inserted or removed from the middle; events cut from the end leave a shorter
chain that still verifies. An anchor records the head (sequence and hash) in a file the database cannot reach
(`EARLYHELP_AUDIT_ANCHOR_FILE`: put it on other storage than the database and its backups), signed with the chain
key, which is held outside the database too. `verify_audit_chain` checks the newest anchor by default: its event
must still be in the chain with the same hash, or have been pruned in a sealed epoch.

Anchors are written by `audit.record` after its transaction commits, at most once every
`EARLYHELP_AUDIT_ANCHOR_SECONDS` per server process (0 turns that off), and by `manage.py anchor_audit_chain`
(schedule it too, for quiet hours). One JSON line per anchor, appended: each line is short enough to be written
whole even with several processes appending at once.
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .appends import chain_key

logger = logging.getLogger(__name__)

_SIGNED = ("sequence", "hash", "written_at")


class AnchorError(Exception):
    """The anchor file cannot be trusted: a line that is not an anchor, or one not signed with the chain key."""


@dataclass(frozen=True)
class Anchor:
    sequence: int
    hash: str
    written_at: datetime.datetime

    def fields(self) -> dict:
        return {"sequence": self.sequence, "hash": self.hash, "written_at": self.written_at.isoformat()}


def _path() -> Path:
    return Path(settings.EARLYHELP_AUDIT_ANCHOR_FILE)


def _signature(fields: dict) -> str:
    payload = json.dumps({name: fields[name] for name in _SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(chain_key(), b"anchor:" + payload.encode(), hashlib.sha256).hexdigest()


def write(sequence: int, hash_: str) -> Anchor:
    """Append a signed anchor of the head (`sequence`, `hash_`) to the anchor file."""
    anchor = Anchor(sequence, hash_, timezone.now())
    fields = anchor.fields()
    line = json.dumps({**fields, "signature": _signature(fields)}, sort_keys=True) + "\n"
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return anchor


def newest() -> Anchor | None:
    """The newest anchor in the file (None if there is no file or it is empty). Raises AnchorError for a line that
    is not a signed anchor: a file edited by hand, or written with another key."""
    path = _path()
    if not path.exists():
        return None
    found = None
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                anchor = Anchor(int(fields["sequence"]), str(fields["hash"]),
                                datetime.datetime.fromisoformat(fields["written_at"]))
                signed = hmac.compare_digest(_signature(fields), str(fields["signature"]))
            except (ValueError, KeyError, TypeError) as error:
                raise AnchorError(f"line {number} of the anchor file is not an anchor ({type(error).__name__})") \
                    from error
            if not signed:
                raise AnchorError(f"line {number} of the anchor file is not signed with the chain key")
            if found is None or anchor.sequence >= found.sequence:
                found = anchor
    return found


_last_written = 0.0  # when this process last wrote an anchor (monotonic seconds)


def written_recently() -> bool:
    """Whether this process wrote an anchor within EARLYHELP_AUDIT_ANCHOR_SECONDS (always True when that is 0)."""
    every = settings.EARLYHELP_AUDIT_ANCHOR_SECONDS
    return every <= 0 or (_last_written > 0 and time.monotonic() - _last_written < every)


def write_periodically(head, problem) -> None:
    """Called after an audited change commits: anchor `head()` if this process has not done so for a while, unless
    `problem()` says the chain's end no longer matches the newest anchor (a cut is never anchored over). A failure
    is logged (no personal data: an anchor holds none) and does not fail the user's request; `verify_audit_chain`
    says how old the newest anchor is."""
    global _last_written
    if written_recently():
        return
    _last_written = time.monotonic()
    try:
        found = problem()
        if found:
            logger.error("Not anchoring the audit chain: %s", found)
            return
        write(*head())
    except OSError as error:
        logger.error("Could not write the audit chain anchor to %s: %s", _path(), error.strerror)
