"""Several small questions about a family's rows in one query: the latest date in a column, or whether any row
exists, each over one table found by a foreign key. The family page asks these first so that it reads only what
can be shown (`chronology.latest_events` reads only the kinds that can reach the newest events; `selectors.
family_record` skips parts of the record that have no rows), instead of paying a query for each empty part.

Built from the models' own table and column names, with the values as parameters: no text from a user reaches
the SQL. A lookup with no values to look for is answered without asking (None / False).
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class Latest:
    """The latest value of `column` among the rows of `model` whose `key` is one of `values` (None: no such row)."""

    model: type
    key: str
    values: tuple
    column: str


@dataclass(frozen=True)
class Exists:
    """Whether any row of `model` has its `key` among `values`."""

    model: type
    key: str
    values: tuple


def ask(lookups: list) -> list:
    """The answers to `lookups`, in order: an aware datetime (a date column's day starts at local midnight) or
    None for `Latest`, a bool for `Exists`."""
    quote = connection.ops.quote_name
    asked, params = [], []
    for lookup in lookups:
        if not lookup.values:
            continue
        meta = lookup.model._meta
        where = f"{quote(meta.get_field(lookup.key).column)} IN ({', '.join(['%s'] * len(lookup.values))})"
        if isinstance(lookup, Latest):
            asked.append(f"(SELECT MAX({quote(meta.get_field(lookup.column).column)}) FROM {quote(meta.db_table)} "
                         f"WHERE {where})")
        else:
            asked.append(f"EXISTS (SELECT 1 FROM {quote(meta.db_table)} WHERE {where})")
        params.extend(lookup.values)
    row = iter(())
    if asked:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(asked), params)
            row = iter(cursor.fetchone())
    return [_answer(lookup, next(row) if lookup.values else None) for lookup in lookups]


def _answer(lookup, value):
    if isinstance(lookup, Exists):
        return bool(value)
    if value is None:
        return None
    value = lookup.model._meta.get_field(lookup.column).to_python(value)  # SQLite answers with text
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.timezone.utc)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
