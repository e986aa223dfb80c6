"""Rows for the demo council, buffered by model and written in batches.

Primary keys are chosen here (`Ids`), so rows can refer to each other before they are written. A row
is a dict of attribute names (person_id, not person). `RowWriter.flush` writes the buffers in
`FLUSH_ORDER`, parents before children: SQLite gets `bulk_create`, PostgreSQL gets COPY.
"""

from __future__ import annotations

import json

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from earlyhelp.access.models import AccessExclusion
from earlyhelp.casework.models import (
    Allocation,
    Assessment,
    AssessmentMember,
    CaseNote,
    Contact,
    DomainFinding,
    Episode,
    Plan,
    PlanAction,
    Review,
    TafMember,
    Transition,
)
from earlyhelp.people.models import (
    Address,
    Household,
    Identifier,
    Marker,
    Membership,
    Person,
    Relationship,
)
from earlyhelp.privacy.models import Consent


class Ids:
    """Primary keys chosen here, so that rows can refer to each other before they are written."""

    def __init__(self):
        self._next = {}

    def __call__(self, model) -> int:
        value = self._next.get(model)
        if value is None:
            value = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self._next[model] = value + 1
        return value

    @property
    def models(self):
        return list(self._next)


class Row(dict):
    """A row to write, by attribute name; `row.person_id` reads `row["person_id"]`, `row.pk` the id."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self["id" if name == "pk" else name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


FLUSH_ORDER = [Household, Person, Identifier, Address, Membership, Relationship, Marker, Contact, Episode,
               Allocation, TafMember, Assessment, AssessmentMember, DomainFinding, Plan, PlanAction, Review,
               Transition, CaseNote, Consent, AccessExclusion]


class RowWriter:
    """Rows buffered by model until `flush`; `counts` is the number written per model label."""

    def __init__(self, *, batch_size, now):
        self.batch_size = batch_size
        self.now = now  # what COPY writes to auto_now(_add) fields
        self.ids = Ids()
        self.buffers = {model: [] for model in FLUSH_ORDER}
        self.counts = {}

    def add(self, model, **values):
        """A row to write: a dict of attribute names (person_id, not person) to values."""
        row = Row(values)
        self.buffers[model].append(row)
        return row

    def flush(self):
        for model in FLUSH_ORDER:
            rows = self.buffers[model]
            if not rows:
                continue
            if connection.vendor == "postgresql":
                self._copy(model, rows)
            else:
                for start in range(0, len(rows), self.batch_size):
                    model.objects.bulk_create([model(**row) for row in rows[start:start + self.batch_size]],
                                              batch_size=self.batch_size)
            self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)
            self.buffers[model] = []

    def _copy(self, model, rows):
        """PostgreSQL: COPY is several times faster than INSERT for seed data of this size.

        Values are what bulk_create would write: a missing attribute takes the field's default,
        auto_now(_add) fields take the load's timestamp, and choices are written as their values.
        """
        fields = model._meta.concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        pairs = [(f.attname, self.now if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
                  else f.get_default()) for f in fields]
        text_columns = [i for i, f in enumerate(fields) if f.get_internal_type() in ("CharField", "TextField")]
        json_columns = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    values = [row.get(name, default) for name, default in pairs]
                    for i in text_columns:
                        value = values[i]
                        if value is not None and type(value) is not str:
                            values[i] = str(value)  # TextChoices members: their value, not their name
                    for i in json_columns:
                        values[i] = json.dumps(values[i])
                    copy.write_row(values)

    def reset_sequences(self):
        statements = connection.ops.sequence_reset_sql(no_style(), self.ids.models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
