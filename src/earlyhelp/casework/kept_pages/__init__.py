"""Kept family pages: the family page's body, rendered once and served again until anything it shows changes.

Every request still makes the access decision and writes the audited read; only the reading and rendering of the
record are saved. A kept body is served only while all of these are as it was rendered for:
- the family's version, bumped by database triggers on every row the page shows (`watch`, `triggers`);
- the record epoch, bumped by triggers on what every page shows (staff names, teams, the council's rules);
- the viewer, and their access as the one door decided it (`FamilyAccess.fingerprint`);
- the day (overdue flags, ages) and the code that rendered it (a digest of the application's files).
A change deletes the family's kept bodies in its own transaction, so nothing a change removed (an erasure, a
disposal, a restricted record) outlives it in a kept page. EARLYHELP_KEEP_FAMILY_PAGES=0 turns keeping off.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from . import store

# Where the page's one form puts its CSRF field: an HTML comment, which no escaped text can produce, replaced on
# every request with that request's token (a kept body must never carry one session's token to another request).
CSRF_PLACEHOLDER = "<!--eh:csrf-token-->"


@dataclass(frozen=True)
class Page:
    title: str
    body: str
    kept: bool  # served from a kept body

    def with_csrf_token(self, token: str) -> SafeString:
        field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        return mark_safe(self.body.replace(CSRF_PLACEHOLDER, field))  # noqa: S308 (rendered with autoescape on)


@functools.cache
def code_digest() -> str:
    """A digest of the application's code and templates: a kept body is never served by code that did not render
    it (read once per process, about a thousand small files)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html"} and "tests" not in path.relative_to(root).parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def access_key(fingerprint: str) -> str:
    return hashlib.sha256(f"{fingerprint}\n{code_digest()}".encode()).hexdigest()


def family_page(*, household_id: int, viewer_id: int, fingerprint: str,
                render: Callable[[datetime.date], tuple[str, str]]) -> Page:
    """The page's title and body: kept if still current, else rendered by `render(day)` and kept. The caller has
    already decided access and audited the read."""
    day = timezone.localdate()
    if not settings.EARLYHELP_KEEP_FAMILY_PAGES:
        return Page(*render(day), kept=False)
    key = access_key(fingerprint)
    found = store.find(household_id=household_id, viewer_id=viewer_id, day=day, access_key=key)
    if found.page:
        return Page(*found.page, kept=True)
    title, body = render(day)
    if found.version is not None:
        store.keep(household_id=household_id, viewer_id=viewer_id, day=day, access_key=key, version=found.version,
                   epoch=found.epoch, title=title, body=body)
    return Page(title, body, kept=False)
