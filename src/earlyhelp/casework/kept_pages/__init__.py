"""Kept family pages: the family page, rendered once and served again until anything it shows changes.

Every request still makes the access decision and writes the audited read; only the reading and rendering of the
record are saved. A kept page is served only while all of these are as it was rendered for:
- the family's version, bumped by database triggers on every row the page shows (`watch`, `triggers`);
- the record epoch, bumped by triggers on what every page shows (staff names and roles, teams, the council's rules);
- the viewer, their access as the one door decided it (`FamilyAccess.fingerprint`) and their second factor;
- the day (overdue flags, ages), the code that rendered it (a digest of the application's files) and the settings
  the page's frame shows.
It is kept without what belongs to one request (CSRF fields, the script nonce, messages: `ui.kept`). A change deletes
the family's kept pages in its own transaction, so nothing a change removed (an erasure, a disposal, a restricted
record) outlives it in a kept page. EARLYHELP_KEEP_FAMILY_PAGES=0 turns keeping off.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.utils import timezone

from . import store


@functools.cache
def code_digest() -> str:
    """A digest of the application's code and templates: a kept page is never served by code that did not render
    it (read once per process, about a thousand small files)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html"} and "tests" not in path.relative_to(root).parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def access_key(fingerprint: str) -> str:
    frame = (settings.EARLYHELP_SERVICE_NAME, settings.EARLYHELP_COUNCIL_NAME, settings.EARLYHELP_DEMO_MODE)
    return hashlib.sha256(f"{fingerprint}\n{frame}\n{code_digest()}".encode()).hexdigest()


def family_page(*, household_id: int, viewer_id: int, fingerprint: str,
                render: Callable[[datetime.date], str]) -> str:
    """The page, with its per-request parts as placeholders (`ui.kept.fill` puts a request's own in): kept if still
    current, else rendered by `render(day)` and kept. The caller has already decided access and audited the read;
    `fingerprint` says everything else about the viewer that the page depends on."""
    day = timezone.localdate()
    if not settings.EARLYHELP_KEEP_FAMILY_PAGES:
        return render(day)
    key = access_key(fingerprint)
    found = store.find(household_id=household_id, viewer_id=viewer_id, day=day, access_key=key)
    if found.html is not None:
        return found.html
    html = render(day)
    if found.version is not None:
        store.keep(household_id=household_id, viewer_id=viewer_id, day=day, access_key=key, version=found.version,
                   epoch=found.epoch, html=html)
    return html
