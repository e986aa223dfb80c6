"""Record classes that apps above or beside retention declare, so the retention sweep can time and dispose of them.

Retention sits above casework and beside matching, and below rights and reporting; it cannot import the apps
whose records it must dispose of. Each such app declares its record classes in its own `retention_classes.py`
as `RECORD_CLASSES`, a list of `DeclaredClass`es (the same pattern as `personal_data.py` and `records.inventory`),
and retention finds them here. The periods are not declared: they are retention rules (data the council changes);
a declaration says only which rows a period is measured from and how they are disposed of.

* `due(cutoff)`: a queryset of the rows whose period started on or before the day `cutoff` (so a rule of N years
  makes them due N years after that day); rows that are still in use (an open request) are never due;
* `links(ids)`: for each id, the people and families it is about, so that a legal hold on any of them keeps it;
* `dispose(ids, *, by, reason)`: remove them (one transaction is the caller's); returns counts per model label.
  None for a class that is only ever reviewed by a person, never destroyed here;
* `criteria(ids)`: optional, for rows that belong to a class of records a hold can name whoever they are about
  (a partner file from children's social care is social care data even if it matched nobody): for each id, the
  hold criteria (values of `retention.models.HoldCriterion`) it falls under.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.db.models import QuerySet


@dataclass(frozen=True)
class DeclaredClass:
    record_class: str  # a value of `retention.models.RecordClass`
    model: str  # "app_label.ModelName" of the rows `due` returns
    trigger: str  # a value of `retention.models.Trigger`: what starts the period
    due: Callable[[datetime.date], QuerySet]
    links: Callable[[list[int]], dict[int, tuple[set[int], set[int]]]]  # id -> (person ids, household ids)
    dispose: Callable[..., dict[str, int]] | None = None
    criteria: Callable[[list[int]], dict[int, set[str]]] | None = None

    def holds_input(self, ids) -> tuple[dict, dict]:
        """(links, criteria) for `retention.services.holds.holds_on_links`."""
        return self.links(ids), (self.criteria(ids) if self.criteria else {})


@cache
def declared() -> dict[str, DeclaredClass]:
    """Every declared record class, by its value."""
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("earlyhelp."):
            continue
        try:
            module = import_module(f"{config.name}.retention_classes")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.retention_classes":
                raise
            continue
        for declaration in module.RECORD_CLASSES:
            if declaration.record_class in found:
                raise ValueError(f"Record class {declaration.record_class!r} is declared twice")
            found[declaration.record_class] = declaration
    return found
