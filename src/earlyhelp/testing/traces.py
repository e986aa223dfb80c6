"""Find what is left of a person: every table in the database and every stored file.

Used to prove an erasure or disposal (tests, and the DPO's `find_traces` check). It does not use the
personal-data inventory, so a table the inventory forgot is found here.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast

from earlyhelp.casework.models import Document
from earlyhelp.keys import sealed
from earlyhelp.people.models import Household, Person

# Tables whose rows are, by design, the record that something was removed.
RECORDS_OF_REMOVAL = {"privacy.Tombstone", "retention.DisposalCertificate"}


@dataclass
class Fingerprint:
    """What would identify the person: values to look for, and the ids of their records."""

    values: list[str] = field(default_factory=list)
    person_ids: set = field(default_factory=set)
    household_ids: set = field(default_factory=set)
    file_names: set = field(default_factory=set)


def fingerprint(person, *, households=True, extra=()) -> Fingerprint:
    """The person's names, identifiers and addresses; with `households`, their families' ids, family name and files.
    A bare given name is too common to look for unless the caller adds it (`extra`)."""
    values = [person.full_name, f"{person.preferred_name} {person.family_name}" if person.preferred_name else "",
              person.family_name if households else "", *extra]
    for value in person.identifiers.values_list("value", flat=True):
        values.append(value)
        if value.isdigit() and len(value) == 10:  # an NHS number as it is usually written
            values.append(f"{value[:3]} {value[3:6]} {value[6:]}")
    for line_1, postcode in person.addresses.values_list("line_1", "postcode"):
        values += [line_1, postcode]
    household_ids = set(person.memberships.values_list("household", flat=True)) if households else set()
    files = set(Document.objects.filter(episode__household__in=household_ids).values_list("file", flat=True))
    return Fingerprint(values=[v for v in values if v and len(v) >= 3], person_ids={person.pk},
                       household_ids=household_ids, file_names=files)


def find_traces(marks: Fingerprint) -> list[str]:
    """Where the person still appears, as "table.column #pk" (never the value found)."""
    found = []
    for model in apps.get_models():
        if model._meta.label in RECORDS_OF_REMOVAL or not model._meta.managed:
            continue
        manager = model._base_manager
        for field_ in model._meta.concrete_fields:
            if field_.is_relation:
                ids = {Person: marks.person_ids, Household: marks.household_ids}.get(field_.related_model)
                if ids and manager.filter(**{f"{field_.attname}__in": ids}).exists():
                    found.append(f"{model._meta.db_table}.{field_.column}")
            elif isinstance(field_, (models.CharField, models.TextField, models.JSONField, models.FileField)):
                if not marks.values:
                    continue
                column = Cast(field_.name, TextField()) if isinstance(field_, models.JSONField) else F(field_.name)
                query = Q()
                for value in marks.values:
                    query |= Q(_text__icontains=value)
                for pk in manager.annotate(_text=column).filter(query).values_list("pk", flat=True)[:5]:
                    found.append(f"{model._meta.db_table}.{field_.column} #{pk}")
        # The records themselves, and their earlier versions (history rows keep the record's id).
        for records, ids in ((Person, marks.person_ids), (Household, marks.household_ids)):
            if model in (records, records.history.model if hasattr(records, "history") else None):
                if ids and manager.filter(id__in=ids).exists():
                    found.append(f"{model._meta.db_table}.id")
    found += _traces_in_sessions(marks) + _traces_in_files(marks)
    return found


def _traces_in_sessions(marks) -> list[str]:
    pattern = re.compile("|".join(re.escape(v) for v in marks.values), re.IGNORECASE) if marks.values else None
    if pattern is None:
        return []
    return [f"django_session #{s.pk[:6]}…" for s in Session.objects.all().iterator()
            if pattern.search(str(s.get_decoded()))]


def walk_storage(storage, path=""):
    try:
        directories, files = storage.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from walk_storage(storage, f"{path}/{directory}" if path else directory)


def _traces_in_files(marks) -> list[str]:
    found = [f"file {name}" for name in marks.file_names if name and default_storage.exists(name)]
    needles = [v.encode().lower() for v in marks.values]
    for name in walk_storage(default_storage):
        try:  # a file is read as its readers would read it, opened with its key
            content = sealed.read_stored(default_storage, name).lower()
        except sealed.KeyDestroyed:
            continue  # shredded: nobody can read it, in the store or in any backup
        if any(needle in content for needle in needles):
            found.append(f"file {name}")
    return sorted(set(found))
