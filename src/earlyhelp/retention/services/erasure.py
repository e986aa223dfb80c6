"""Irreversible removal of personal data: an approved erasure of one person, and disposal or anonymisation of
families whose retention period has ended (P4, P19, P20).

Everything goes by the personal-data inventory (`records.inventory`), so a table cannot be missed: rows about
the person or family are deleted with their history (simple-history copies) and stored files; family records
that stay have the erased person's names and identifiers scrubbed from their text. All of it happens in one
transaction; files go only once it has committed, so a failure leaves everything as it was.

The audit trail is kept: it holds record ids and never content (by design), and it is the proof of what was
done. After removal those ids resolve to nothing.

Backups are reached by destroying keys (`earlyhelp.keys`): disposal and anonymisation destroy the families' keys,
an erasure the keys of the documents it removes, in the same transaction (the key files go once it commits). A
database and file store restored from an older backup then hold those files only as ciphertext nobody can open.
"""

import re
from collections import defaultdict

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import Contact, Document
from earlyhelp.keys import sealed
from earlyhelp.keys import services as keys
from earlyhelp.keys.store import household_of
from earlyhelp.people.models import Address, Membership
from earlyhelp.privacy.models import Consent, Tombstone
from earlyhelp.records.inventory import Holding, OnErasure, holdings, is_personal_column

from .holds import held_household_ids, held_person_ids

ERASED = "[erased]"
REMOVED = "[removed]"  # not empty: some records must say something (a held review has a summary)


def _q(paths: tuple[str, ...], ids) -> Q | None:
    ids = list(ids)
    if not paths or not ids:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{path}__in": ids})
    return q


def _chunks(ids, size: int = 5000):
    """Id lists in pieces small enough for any database's limit on query parameters."""
    ids = sorted(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _rows(model, q: Q | None) -> set:
    return set(model._default_manager.filter(q).values_list("pk", flat=True)) if q is not None else set()


class _Plan:
    """What will be deleted, blanked (personal columns emptied, the row kept) or de-mentioned (only the erased
    person's names and identifiers taken out of the text), per model."""

    def __init__(self):
        self.delete: dict[type[models.Model], set] = defaultdict(set)
        self.blank: dict[type[models.Model], set] = defaultdict(set)
        self.demention: dict[type[models.Model], set] = defaultdict(set)
        self.files: list[tuple] = []  # (storage, name), removed once the transaction commits

    def add(self, holding: Holding, q: Q | None, *, demention=False):
        if q is None or holding.on_erasure == OnErasure.KEEP:
            return
        model, history = holding.model_class, holding.history_model()
        pks = _rows(model, q)
        history_pks = _rows(history, q) if history is not None else set()
        if demention:
            self.demention[model] |= pks
            if history is not None:
                self.demention[history] |= history_pks
            return
        (self.blank if holding.on_erasure == OnErasure.SCRUB else self.delete)[model] |= pks
        if history is not None:  # earlier versions hold the same personal data: they go either way
            self.delete[history] |= history_pks

    @staticmethod
    def counts(which) -> dict[str, int]:
        return {model._meta.label: len(pks) for model, pks in sorted(which.items(), key=lambda i: i[0]._meta.label)
                if pks}


def _blank_value(field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.FileField):
        return ""
    if isinstance(field, (models.CharField, models.TextField)):
        return REMOVED if (field.max_length or len(REMOVED)) >= len(REMOVED) else ""
    raise ValueError(f"{field.model._meta.label}.{field.name} has no blank value")  # names a column, never data


def _personal_fields(model):
    return [f for f in model._meta.concrete_fields if is_personal_column(f)]


def _must_delete_rather_than_blank(model) -> bool:
    """A unique personal column (an identifier value) cannot be blanked on many rows: such rows are deleted."""
    personal = {f.name for f in _personal_fields(model)}
    if any(f.unique for f in _personal_fields(model)):
        return True
    return any(personal & set(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint))


def _spaced(value: str) -> str:
    """An identifier as people write it: with or without spaces or hyphens between its characters."""
    return r"[\s-]?".join(re.escape(c) for c in value)


def _mention_pattern(terms, identifiers=()) -> re.Pattern | None:
    terms = sorted({t.strip() for t in terms if t and len(t.strip()) >= 2}, key=len, reverse=True)
    alternatives = [_spaced(i) for i in sorted(set(identifiers), key=len, reverse=True)]
    alternatives += [re.escape(t) for t in terms]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def mention_terms(person) -> list[str]:
    """How the person may be written about: their names, identifiers and the addresses only they lived at."""

    terms = []
    # Names held before a correction too: case notes written then still use them.
    for given, family, preferred in {(person.given_name, person.family_name, person.preferred_name),
                                     *person.history.values_list("given_name", "family_name", "preferred_name")}:
        terms += [f"{given} {family}", given, preferred, f"{preferred} {family}" if preferred else ""]
    for address in person.addresses.all():
        shared = Address.objects.filter(line_1=address.line_1, postcode=address.postcode).exclude(person=person)
        if not shared.exists():
            terms += [address.line_1, address.postcode]
    return [t for t in terms if t]


def full_names(person) -> list[str]:
    """The person's full names, now and before a correction: what another family's record would call them by."""
    names = []
    for given, family, preferred in {(person.given_name, person.family_name, person.preferred_name),
                                     *person.history.values_list("given_name", "family_name", "preferred_name")}:
        names += [f"{given} {family}", f"{preferred} {family}" if preferred else ""]
    return [n for n in names if n]


def _mentioned_elsewhere(needles, household_ids) -> dict:
    """Rows of other families' records whose text names the person in full or carries one of their identifiers
    (the same search a subject access pack offers its reviewer). Only these strings come out of another family's
    record: a first name alone may be someone else's."""
    found = defaultdict(set)
    for holding in holdings():
        if not holding.household or holding.on_erasure == OnErasure.KEEP:
            continue
        model = holding.model_class
        fields = [f for f in _personal_fields(model) if isinstance(f, (models.CharField, models.TextField))]
        if not fields:
            continue
        text = Q()
        for field in fields:
            for needle in needles:
                text |= Q(**{f"{field.attname}__icontains": needle})
        own = _q(holding.household, household_ids) or Q(pk__in=[])
        for table in filter(None, (model, holding.history_model())):  # earlier versions say the same
            found[table] |= set(table._default_manager.filter(text).exclude(own).values_list("pk", flat=True))
    return found


def _execute(plan: _Plan, *, mentions: re.Pattern | None = None):
    """Blank and de-mention what stays, then delete in an order the foreign keys allow; files go after commit."""
    for model, pks in plan.blank.items():
        _blank_rows(model, pks - plan.delete.get(model, set()), plan)
    if mentions is not None:
        for model, pks in plan.demention.items():
            _demention_rows(model, pks - plan.delete.get(model, set()) - plan.blank.get(model, set()), mentions)
    _delete_rows(plan)
    for storage, name in plan.files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _destroy_keys(plan: _Plan, *, by, purpose, household_ids=()) -> int:
    """Destroy the keys of what the plan removes, so no backup of it can be read: the families' own keys, and the
    keys of single files of other families (an erasure's documents). Call after `_execute`, in its transaction,
    while the files are still there to say which key sealed them."""
    destroyed = keys.destroy_family_keys(by=by, household_ids=household_ids, purpose=purpose) if household_ids else 0
    file_keys = {key_id for storage, name in plan.files if (key_id := sealed.stored_key_id(storage, name))}
    file_keys = {key_id for key_id in file_keys if household_of(key_id) not in set(household_ids)}
    return destroyed + (keys.destroy_file_keys(by=by, key_ids=file_keys, purpose=purpose) if file_keys else 0)


def _blank_rows(model, pks, plan: _Plan):
    fields = _personal_fields(model)
    rows = (row for chunk in _chunks(pks) for row in model._default_manager.filter(pk__in=chunk).iterator())
    for row in rows:
        changed = {}
        for field in fields:
            value = getattr(row, field.attname)
            if value in (None, "", {}, []):
                continue  # nothing there: leave it, so rules about empty columns still hold
            if isinstance(field, models.FileField):
                plan.files.append((field.storage, value))
            changed[field.attname] = _blank_value(field)
        # Links to the people being removed are emptied by _release_references.
        if changed:
            model._default_manager.filter(pk=row.pk).update(**changed)  # update(): no history copy of erased values


def _demention_value(value, mentions: re.Pattern):
    if isinstance(value, str):
        return mentions.sub(ERASED, value)
    if isinstance(value, list):
        return [_demention_value(v, mentions) for v in value]
    if isinstance(value, dict):  # JSON snapshots, such as another family member's subject access pack
        return {k: _demention_value(v, mentions) for k, v in value.items()}
    return value


def _demention_rows(model, pks, mentions: re.Pattern):
    fields = [f for f in _personal_fields(model)
              if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
    for chunk in _chunks(pks):
        for row in model._default_manager.filter(pk__in=chunk).iterator():
            changed = {}
            for field in fields:
                value = getattr(row, field.attname)
                new = _demention_value(value, mentions)
                if new != value:
                    changed[field.attname] = new[:field.max_length] if field.max_length and isinstance(new, str) else new
            if changed:
                model._default_manager.filter(pk=row.pk).update(**changed)


def _delete_rows(plan: _Plan):
    targets = {model: pks for model, pks in plan.delete.items() if pks}
    for model, pks in targets.items():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                for chunk in _chunks(pks):
                    for name in model._default_manager.filter(pk__in=chunk).exclude(**{field.name: ""}).values_list(
                            field.name, flat=True):
                        plan.files.append((field.storage, name))
    _release_references(targets)
    remaining = dict(targets)
    while remaining:
        # A model can go once no other model still to be deleted points at it.
        ready = [m for m in remaining
                 if not any(_points_at(other, m) for other in remaining if other is not m)]
        if not ready:
            raise RuntimeError("Circular references between " + ", ".join(m._meta.label for m in remaining))
        for model in ready:
            for chunk in _chunks(remaining.pop(model)):
                query = model._default_manager.filter(pk__in=chunk)
                query._raw_delete(query.db)  # no signals: simple-history must not copy what is being erased


def _points_at(model, target) -> bool:
    return any(f.is_relation and f.many_to_one | f.one_to_one and f.related_model is target and f.db_constraint
               for f in model._meta.concrete_fields)


def _release_many_to_many(targets):
    """Link-table rows (many-to-many) that point at rows that go are removed with them: a raw delete does not
    clear them (a family named in a National Impact Study file, for example, leaves the file's list of families;
    the record of the file stays)."""
    for model in apps.get_models():
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            ends = [(field.m2m_field_name(), model), (field.m2m_reverse_field_name(), field.related_model)]
            for column, end_model in ends:
                for chunk in _chunks(targets.get(end_model, ())):
                    query = through._default_manager.filter(**{f"{column}__in": chunk})
                    query._raw_delete(query.db)


def _release_references(targets):
    """Rows that stay but point at rows that go: a nullable link is emptied, anything else stops the removal."""
    _release_many_to_many(targets)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not (field.is_relation and (field.many_to_one or field.one_to_one)) or field.related_model not in targets:
                continue
            if not field.db_constraint and model.__name__.startswith("Historical"):
                continue  # history rows keep old ids by design; the plan deletes the ones about these records
            going_too = targets.get(model, set())
            for chunk in _chunks(targets[field.related_model]):
                pointing = model._default_manager.filter(**{f"{field.name}__in": chunk})
                staying = [pk for pk in pointing.values_list("pk", flat=True) if pk not in going_too]
                if not staying:
                    continue
                if not field.null:
                    raise ValidationError(
                        f"{model._meta.verbose_name_plural.capitalize()} still refer to these records, and the "
                        f"personal-data inventory does not cover them: nothing has been removed.")
                for part in _chunks(staying):
                    model._default_manager.filter(pk__in=part).update(**{field.name: None})


def _purge_sessions(terms):
    """Sessions can hold search terms; any that mention the person end now (the user signs in again)."""
    pattern = _mention_pattern(terms, [t for t in terms if t.isalnum() and any(c.isdigit() for c in t)])
    if pattern is None:
        return 0
    ended = [s.pk for s in Session.objects.all().iterator() if pattern.search(str(s.get_decoded()))]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _person_households(person_ids) -> set:
    return set(Membership.objects.filter(person__in=person_ids).values_list("household", flat=True))


@transaction.atomic
def erase_person(*, person, request, approved_by, documents=()):
    """Carry out an approved erasure: the person's own records go with their history; records of decisions about
    them (their requests) stay with personal columns blanked; family records that stay have the person's names and
    identifiers taken out; the family documents the approver chose go. Returns the tombstone."""

    if request is None or getattr(request, "pk", None) is None:
        raise ValidationError("An erasure needs the request it answers")
    if approved_by is None:
        raise ValidationError("An erasure needs the person who approved it")
    _check_not_held(person_ids=[person.pk])
    terms = mention_terms(person)
    identifiers = list(person.identifiers.values_list("value", flat=True))
    households = _person_households([person.pk])
    plan = _Plan()
    for holding in holdings():
        plan.add(holding, _q(holding.person, [person.pk]))
        plan.add(holding, _q(holding.household, households), demention=True)
    plan.delete[Document] |= set(Document.objects.filter(
        pk__in=[getattr(d, "pk", d) for d in documents], episode__household__in=households).values_list("pk", flat=True))
    deleted, blanked = plan.counts(plan.delete), plan.counts(plan.blank)
    _execute(plan, mentions=_mention_pattern(terms, identifiers))
    # Other families' records that name them (a case note about a friend's stay): only their full names and
    # identifiers are taken out, and what stays is that family's.
    elsewhere = _mention_pattern(full_names(person), identifiers)
    if elsewhere is not None:
        for model, pks in _mentioned_elsewhere(full_names(person) + identifiers, households).items():
            _demention_rows(model, pks, elsewhere)
    _purge_sessions(terms + identifiers)
    _destroy_keys(plan, by=approved_by, purpose=Purpose.RIGHTS_REQUESTS)
    tombstone = Tombstone.objects.create(request=request, approved_by=approved_by, erased_at=timezone.now(),
                                         record_counts=deleted, records_scrubbed=blanked, files_removed=len(plan.files))
    audit.record(actor=approved_by, action=Action.CHANGE, event="person.erase", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[tombstone], metadata={"request_id": request.pk, "records": sum(deleted.values())})
    return tombstone


def _household_plan(household_ids) -> tuple[_Plan, set]:
    """Everything of these families, and of the people who belong to no other family."""

    household_ids = set(household_ids)
    people = set(Membership.objects.filter(household__in=household_ids).values_list("person", flat=True))
    people |= set(Contact.objects.filter(household__in=household_ids).values_list("subject", flat=True))
    people |= {p for pair in Consent.objects.filter(household__in=household_ids).values_list("subject", "given_by")
               for p in pair if p}
    elsewhere = set(Membership.objects.filter(person__in=people).exclude(household__in=household_ids)
                    .values_list("person", flat=True))
    leaving = people - elsewhere
    plan = _Plan()
    for holding in holdings():
        plan.add(holding, _q(holding.household, household_ids))
        plan.add(holding, _q(holding.person, leaving))
    return plan, leaving


def disposal_preview(household_ids) -> dict:
    """What disposing of these families would reach (the dry run): records per model and per section of the
    record, the people removed with them, and stored files. Counts only."""

    plan, leaving = _household_plan(household_ids)
    models_ = {**plan.counts(plan.blank), **plan.counts(plan.delete)}
    section_of = {}
    for holding in holdings():
        section_of[holding.model] = holding.section
        if holding.history_model() is not None:
            section_of[holding.history_model()._meta.label] = holding.section
    return {"families": len(set(household_ids)), "people": len(leaving), "models": models_,
            "files": Document.objects.filter(pk__in=plan.delete.get(Document, ())).exclude(file="").count(),
            "section_of": {label: section_of.get(label, "") for label in models_}}


def _check_not_held(*, household_ids=(), person_ids=()):
    """Legal holds block disposal and erasure at the moment they happen, whatever was approved before (P20)."""

    held = held_household_ids(household_ids) if household_ids else set()
    if held:
        raise ValidationError(f"{len(held)} of these families are under a legal hold: nothing has been disposed of")
    if person_ids and held_person_ids(person_ids):
        raise ValidationError("This person's records are under a legal hold: nothing has been erased")


@transaction.atomic
def dispose_households(household_ids, *, by, reason: str) -> dict[str, int]:
    """Destroy these families' records in every table and the file store (retention disposal)."""
    if not reason.strip():
        raise ValidationError("Enter the reason for disposal")
    household_ids = sorted(set(household_ids))
    _check_not_held(household_ids=household_ids)
    plan, _ = _household_plan(household_ids)
    counts = plan.counts(plan.delete)
    _execute(plan)
    destroyed = _destroy_keys(plan, by=by, purpose=Purpose.EARLY_HELP_CASEWORK, household_ids=household_ids)
    audit.record(actor=by, action=Action.CHANGE, event="retention.dispose", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[("people.household", pk) for pk in household_ids],
                 metadata={"records": sum(counts.values()), "files": len(plan.files), "keys": destroyed})
    return counts


@transaction.atomic
def anonymise_households(household_ids, *, by, reason: str) -> dict[str, int]:
    """Keep these families' records for statistics with every personal column blanked; history, stored files and
    rows that are nothing but an identifier go."""
    if not reason.strip():
        raise ValidationError("Enter the reason for anonymisation")
    household_ids = sorted(set(household_ids))
    _check_not_held(household_ids=household_ids)
    plan, _ = _household_plan(household_ids)
    anonymised = _Plan()
    anonymised.blank = plan.blank
    for model, pks in plan.delete.items():
        if model.__name__.startswith("Historical") or _must_delete_rather_than_blank(model) or any(
                isinstance(f, models.FileField) for f in _personal_fields(model)):
            anonymised.delete[model] |= pks
        else:
            anonymised.blank[model] |= pks
    counts = {**anonymised.counts(anonymised.blank), **anonymised.counts(anonymised.delete)}
    _execute(anonymised)
    # The stored files went: their keys go too, so backups of them go with them.
    destroyed = _destroy_keys(anonymised, by=by, purpose=Purpose.EARLY_HELP_CASEWORK, household_ids=household_ids)
    audit.record(actor=by, action=Action.CHANGE, event="retention.anonymise", purpose=Purpose.EARLY_HELP_CASEWORK,
                 objects=[("people.household", pk) for pk in household_ids],
                 metadata={"records": sum(counts.values()), "keys": destroyed})
    return counts
