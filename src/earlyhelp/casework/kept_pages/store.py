"""Reading and keeping a family page: one query each.

A kept page is found only while its family's version, the record epoch, the day and the viewer's access key are
those it was rendered for. It is kept only if the family's version is still the one read before rendering: the
statement locks the version row (PostgreSQL: FOR SHARE, so it waits for a change being committed and then sees it;
SQLite: writers take turns), so a page rendered while the family changed is never kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from earlyhelp.planned_statements import planned_cursor

from .models import FamilyVersion, KeptFamilyPage, RecordEpoch

VERSION, EPOCH, KEPT = FamilyVersion._meta.db_table, RecordEpoch._meta.db_table, KeptFamilyPage._meta.db_table
CURRENT_EPOCH = f'COALESCE((SELECT "epoch" FROM "{EPOCH}" WHERE "id" = 1), 0)'

LOOKUP = (
    f'SELECT v."version", {CURRENT_EPOCH}, k."html" FROM "{VERSION}" v '
    f'LEFT JOIN "{KEPT}" k ON k."household_id" = v."household_id" AND k."viewer_id" = %s AND k."version" = v."version" '
    f'AND k."day" = %s AND k."access_key" = %s AND k."epoch" = {CURRENT_EPOCH} '
    f'WHERE v."household_id" = %s')

KEEP = (
    f'INSERT INTO "{KEPT}" ("household_id", "viewer_id", "version", "epoch", "day", "access_key", "html", "kept_at") '
    f'SELECT v."household_id", %s, v."version", %s, %s, %s, %s, %s FROM "{VERSION}" v '
    f'WHERE v."household_id" = %s AND v."version" = %s AND {CURRENT_EPOCH} = %s{{lock}} '
    f'ON CONFLICT ("household_id", "viewer_id") DO UPDATE SET "version" = excluded."version", '
    f'"epoch" = excluded."epoch", "day" = excluded."day", "access_key" = excluded."access_key", '
    f'"html" = excluded."html", "kept_at" = excluded."kept_at"')


@dataclass(frozen=True)
class Found:
    version: int | None  # None: the family has no version row (yet), so its page is not kept
    epoch: int
    html: str | None = None  # the kept page, if still current


def find(*, household_id: int, viewer_id: int, day: datetime.date, access_key: str) -> Found:
    with planned_cursor() as cursor:  # made for every family page: planned once per connection
        cursor.execute(LOOKUP, [viewer_id, day, access_key, household_id])
        row = cursor.fetchone()
    return Found(*row) if row else Found(None, 0)


def keep(*, household_id: int, viewer_id: int, day: datetime.date, access_key: str, version: int, epoch: int,
         html: str) -> bool:
    """Keep the page rendered for `version` and `epoch`; False (nothing kept) if either has moved on since.
    Derived data, not a change to the record: no audit event (the read that rendered it is audited)."""
    lock = ' FOR SHARE OF v' if connection.vendor == "postgresql" else ""
    kept_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(KEEP.format(lock=lock), [viewer_id, epoch, day, access_key, html, kept_at, household_id,
                                                version, epoch])
        return cursor.rowcount == 1


def forget_before(day: datetime.date) -> int:
    """Delete the pages kept before `day` (which can never be served again); how many."""
    deleted, _ = KeptFamilyPage.objects.filter(day__lt=day).delete()
    return deleted
