"""Queries built through the ORM once and run again as SQL: for the few queries every page makes, whose building
costs more Python than everything else they do (the family access decision: about 3 ms a request).

`Prepared(build, name=type, ...)` calls `build(*args, **marks)` with a marker value for each named argument that
changes between runs (a family's id, the time now), compiles the query set it returns, and finds the markers among the
SQL's parameters; `run(key, *args, **values)` runs the SQL with the real values in their place. What else the query
depends on (the user, their role, the day) goes in `key`: one compiled query is kept per key. A query whose
parameters change in any other way between two compilations (a time read inside `build`, say) is never kept: it is
built through the ORM every time, as before.

They run through `planned_statements`, so that PostgreSQL plans each of them once per connection rather than on every
request (the access decision's plan took 0.4 ms of PostgreSQL's time, its run 0.05 ms).
"""

from __future__ import annotations

import datetime
import threading
from typing import Callable

from django.db import connections
from django.db.models.query import RawQuerySet
from django.db.models.sql import RawQuery

from earlyhelp.planned_statements import open_planned_cursor, planned_cursor

KEEP_AT_MOST = 5_000  # compiled queries per process (one per user and day, at most a few hundred in a day)

# Two sets of markers, so that two compilations tell the marked parameters from everything else.
_MARKS = (
    {int: -7_346_001, datetime.datetime: datetime.datetime(1901, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
     str: "\x1eprepared-mark-1"},
    {int: -7_346_002, datetime.datetime: datetime.datetime(1902, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc),
     str: "\x1eprepared-mark-2"},
)


class _PlannedRawQuery(RawQuery):
    """A raw query run through `open_planned_cursor` (Django's `RawQuery` opens its own; its iterable closes it)."""

    def _execute_query(self):
        self.cursor = open_planned_cursor(self.using)
        self.cursor.execute(self.sql, self.params)


class Prepared:
    def __init__(self, build: Callable, **kinds: type):
        """`kinds`: each marked argument of `build` and its type (int, str or datetime)."""
        unknown = {kind for kind in kinds.values() if kind not in _MARKS[0]}
        if unknown:
            raise TypeError(f"Prepared queries mark ints, strings and datetimes only, not {unknown}")
        self.build, self.kinds = build, kinds
        self._kept: dict = {}
        self._lock = threading.Lock()

    def _compile(self, marks: dict, using: str, args: tuple):
        queryset = self.build(*args, **{name: marks[kind] for name, kind in self.kinds.items()}).using(using)
        sql, params = queryset.query.sql_with_params()
        return queryset, sql, list(params)

    def _prepare(self, using: str, args: tuple):
        """(model, sql, params, {position: argument}), or None when the query cannot be kept."""
        connection = connections[using]
        adapt = {int: lambda value: value, str: lambda value: value,
                 datetime.datetime: connection.ops.adapt_datetimefield_value}
        compiled = [self._compile(marks, using, args) for marks in _MARKS]
        (queryset, sql, params), (_, other_sql, other_params) = compiled
        if sql != other_sql or len(params) != len(other_params):
            return None
        where = {}
        for name, kind in self.kinds.items():
            first, second = adapt[kind](_MARKS[0][kind]), adapt[kind](_MARKS[1][kind])
            for position, (one, two) in enumerate(zip(params, other_params)):
                if one == first and two == second:
                    where[position] = name
        if any(one != two for position, (one, two) in enumerate(zip(params, other_params)) if position not in where):
            return None  # something else changed between the two compilations
        return queryset.model, sql, params, where, adapt

    def _prepared(self, key, using: str, args: tuple):
        key = (using, key)
        prepared = self._kept.get(key)
        if prepared is None:
            prepared = self._prepare(using, args)
            with self._lock:
                if len(self._kept) >= KEEP_AT_MOST:
                    self._kept.clear()
                self._kept[key] = prepared or False
        return prepared

    @staticmethod
    def _params(prepared, kinds, values) -> list:
        _model, _sql, params, where, adapt = prepared
        params = list(params)
        for position, name in where.items():
            params[position] = adapt[kinds[name]](values[name])
        return params

    def run(self, key, *args, using: str = "default", **values) -> list:
        """The model instances (with their annotations) the query set built from `args` and these values would give;
        `key` must name everything else the query depends on."""
        prepared = self._prepared(key, using, args)
        if not prepared:  # not keepable: built through the ORM, as it would be without this
            return list(self.build(*args, **values).using(using))
        model, sql, params = prepared[0], prepared[1], self._params(prepared, self.kinds, values)
        return list(RawQuerySet(sql, model=model, query=_PlannedRawQuery(sql, using, params), using=using))

    def rows(self, key, *args, using: str = "default", **values) -> list[tuple]:
        """The rows, as tuples, of a `values_list` query set built from `args` and these values."""
        prepared = self._prepared(key, using, args)
        if not prepared:
            return [tuple(row) if isinstance(row, (tuple, list)) else (row,)
                    for row in self.build(*args, **values).using(using)]
        with planned_cursor(using) as cursor:
            cursor.execute(prepared[1], self._params(prepared, self.kinds, values))
            return cursor.fetchall()
