"""Where a person's data lives: one map used by subject access packs, erasure and retention disposal.

Each app that stores personal data declares it in its own `personal_data.py` as `HOLDINGS`, a list of
`Holding`s: the model, how its rows reach a person (`person`) or a family (`household`), the section
of the subject access pack it belongs in, and what erasure does to it. A test fails when a model with
personal data (a "Personal data"/"Special category" column, or a link to a person or family) has no
holding, so a new model cannot be left out of the pack, the erasure or the disposal.

Rows reached through `household` are family records (case notes, assessments…): in a subject access
pack they are the person's family records; on erasure of one person they are kept but their text is
scrubbed of the person's names and identifiers; on disposal of the family they are destroyed.
"""

from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.apps import apps
from django.db import models

PERSONAL_COMMENT_PREFIXES = ("Personal data", "Special category", "Criminal offence", "Derived from personal data")


class OnErasure:
    DELETE = "delete"  # the row is about the person: it goes
    SCRUB = "scrub"  # the row is the council's record of a decision: personal columns are blanked, the row stays
    KEEP = "keep"  # the row holds no personal data and records what was done (a tombstone)


@dataclass(frozen=True)
class Holding:
    model: str  # "app_label.ModelName"
    section: str  # the subject access pack section
    person: tuple[str, ...] = ()  # lookups from the model to a Person's pk
    household: tuple[str, ...] = ()  # lookups from the model to a Household's pk
    on_erasure: str = OnErasure.DELETE
    # False where family rows are someone else's (a relative's subject access pack): erasure and disposal still
    # reach them through the family, but they are not put in this person's pack.
    household_in_pack: bool = True
    # False only for working notes that would disclose what a review withheld (past redaction proposals).
    in_pack: bool = True
    # Columns read into the pack; by default every concrete column except internal keys.
    exclude: tuple[str, ...] = field(default=())

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def history_model(self) -> type[models.Model] | None:
        """simple-history's table for the model, which holds earlier versions of the same data."""
        manager = getattr(self.model_class, "history", None)
        return getattr(manager, "model", None) if manager is not None else None


@cache
def holdings() -> tuple[Holding, ...]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("earlyhelp."):
            continue
        try:
            module = import_module(f"{config.name}.personal_data")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.personal_data":
                raise
            continue
        found.extend(module.HOLDINGS)
    return tuple(found)


def holding_for(model_label: str) -> Holding | None:
    return next((h for h in holdings() if h.model == model_label), None)


def is_personal_column(field_) -> bool:
    return (getattr(field_, "db_comment", None) or "").startswith(PERSONAL_COMMENT_PREFIXES)


def models_holding_personal_data() -> list[str]:
    """Every earlyhelp model (history tables aside) with a personal-data column, or a chain of links to a
    person or a family (a plan action belongs to a plan, which belongs to an episode of a family)."""
    # By label: the inventory sits below the people app whose person and family are its roots.
    Person, Household = apps.get_model("people", "Person"), apps.get_model("people", "Household")
    candidates = [m for m in apps.get_models()
                  if m.__module__.startswith("earlyhelp.") and not m.__name__.startswith("Historical")]
    found = {Person, Household} | {m for m in candidates if any(is_personal_column(f) for f in m._meta.concrete_fields)}
    linked = {Person, Household}
    while True:  # follow links until nothing new is reached
        more = {m for m in candidates if m not in linked
                and (any(f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in linked
                         for f in m._meta.concrete_fields)
                     or any(f.related_model in linked for f in m._meta.many_to_many))}
        if not more:
            break
        linked |= more
    return sorted(m._meta.label for m in found | linked)
