"""Every change to people and families. Each function owns its transaction and writes its audit event."""

import datetime

import jellyfish
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access.restrictions import ensure_not_restricted
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.records import text

from . import identifiers, messages
from .models import Address, Household, Identifier, MemberRole, Membership, Person, Relationship

PURPOSE = Purpose.EARLY_HELP_CASEWORK


def name_key(name: str) -> str:
    """Phonetic key for search-first duplicate checks (Metaphone copes with Smith/Smyth, Jon/John). The name is
    normalised first, so "Zoë" typed as one character or as "e" and an accent gives the same key."""
    cleaned = "".join(ch for ch in text.normalise_text(name).lower() if ch.isalpha())
    return jellyfish.metaphone(cleaned)[:40] if cleaned else ""


def _check_birth_dates(date_of_birth, expected_date_of_birth, today=None):
    today = today or timezone.localdate()
    if date_of_birth and expected_date_of_birth:
        raise ValidationError({"expected_date_of_birth": "Enter either a date of birth or an expected date of birth, not both"})
    if date_of_birth and date_of_birth > today:
        raise ValidationError({"date_of_birth": "Date of birth must be today or in the past"})
    if date_of_birth and date_of_birth < today.replace(year=today.year - 120):
        raise ValidationError({"date_of_birth": "Date of birth must be within the last 120 years"})
    if expected_date_of_birth and not (today - datetime.timedelta(days=31) <= expected_date_of_birth
                                       <= today + datetime.timedelta(days=300)):
        raise ValidationError({"expected_date_of_birth": "Expected date of birth must be within the next 10 months"})


def _normalised_identifiers(values: dict) -> dict:
    """Validate every identifier given; report each failure against its own field."""
    cleaned, errors = {}, {}
    for scheme, raw in (values or {}).items():
        if raw in (None, ""):
            continue
        try:
            cleaned[scheme] = identifiers.validate(scheme, raw)
        except ValidationError as error:
            errors[f"identifier_{scheme}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


PROVENANCE_FIELDS = ("source_kind", "source_organisation", "source_reference")


NAME_FIELDS = ("given_name", "family_name", "preferred_name")


def clean_names(**names: str) -> dict:
    """The names given, as they are kept (`records.text.clean_name`: normalised, and letters, spaces, hyphens,
    apostrophes and full stops only); one message per name that breaks the rule, against its own field."""
    cleaned, errors = {}, {}
    for field, value in names.items():
        try:
            cleaned[field] = text.clean_name(value or "", name=Person._meta.get_field(field).verbose_name)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def missing_names(**names: str) -> dict:
    """The required-name rule, its one home: a person's given and family names (`messages.REQUIRED_NAMES`) must not
    be blank. The message for each of the names given here that is blank; names not given are not checked."""
    return {field: messages.REQUIRED_NAMES[field] for field, value in names.items() if not (value or "").strip()}


@transaction.atomic
def create_person(*, by, given_name: str, family_name: str, date_of_birth=None, expected_date_of_birth=None,
                  identifier_values: dict | None = None, audit_event=True, **details) -> Person:
    if missing_names(given_name=given_name, family_name=family_name):
        raise ValidationError(messages.REQUIRED_NAMES)  # both names are asked for, whichever is blank
    names = clean_names(given_name=given_name, family_name=family_name,
                        **{f: details.pop(f) for f in NAME_FIELDS if f in details})
    given_name, family_name = names.pop("given_name"), names.pop("family_name")
    details.update(names)
    _check_birth_dates(date_of_birth, expected_date_of_birth)
    cleaned = _normalised_identifiers(identifier_values or {})
    person = Person(
        given_name=given_name, family_name=family_name, date_of_birth=date_of_birth,
        expected_date_of_birth=expected_date_of_birth, family_name_key=name_key(family_name),
        given_name_key=name_key(given_name), **details,
    )
    if errors := person.provenance_errors():
        raise ValidationError(errors)
    person.save()
    for scheme, value in cleaned.items():
        _add_identifier(person, scheme, value, source=person)
    if audit_event:
        audit.record(actor=by, action=Action.CREATE, event="person.create", purpose=PURPOSE, objects=[person])
    return person


def _add_identifier(person, scheme, value, source=None):
    """`source`: a record whose provenance the identifier shares (P17), e.g. the person it arrived with."""
    label = identifiers.IdentifierScheme(scheme).label
    duplicate = ValidationError({f"identifier_{scheme}": f"This {label} is already recorded for someone else: "
                                                         "search for them instead of creating a new record"})
    if Identifier.objects.filter(scheme=scheme, value=value).exists():
        raise duplicate
    try:
        with transaction.atomic():
            provenance = {f: getattr(source, f) for f in PROVENANCE_FIELDS} if source else {}
            return Identifier.objects.create(person=person, scheme=scheme, value=value, **provenance)
    except IntegrityError as error:  # recorded by someone else a moment ago
        raise duplicate from error


@transaction.atomic
def update_person(*, by, person: Person, household_id=None, **changes) -> Person:
    ensure_not_restricted(person=person)
    _check_birth_dates(changes.get("date_of_birth", person.date_of_birth),
                       changes.get("expected_date_of_birth", person.expected_date_of_birth))
    changes.update(clean_names(**{f: v for f, v in changes.items() if f in NAME_FIELDS}))
    if missing := missing_names(**{f: v for f, v in changes.items() if f in messages.REQUIRED_NAMES}):
        raise ValidationError(missing)
    for field, value in changes.items():
        setattr(person, field, value)
    person.family_name_key = name_key(person.family_name)
    person.given_name_key = name_key(person.given_name)
    person.save()
    audit.record(actor=by, action=Action.CHANGE, event="person.change", purpose=PURPOSE, objects=[person],
                 household_id=household_id, metadata={"fields": sorted(changes)})
    return person


@transaction.atomic
def record_identifier(*, by, person: Person, scheme: str, raw_value: str, household_id=None) -> Identifier:
    ensure_not_restricted(person=person)
    value = _normalised_identifiers({scheme: raw_value})[scheme]
    existing = person.identifiers.filter(scheme=scheme).first()
    if existing:
        if existing.value != value:
            if Identifier.objects.filter(scheme=scheme, value=value).exists():
                raise ValidationError({f"identifier_{scheme}": "This number is already recorded for someone else"})
            existing.value = value
            existing.save()
        identifier = existing
    else:
        identifier = _add_identifier(person, scheme, value)
    audit.record(actor=by, action=Action.CHANGE, event="identifier.record", purpose=PURPOSE, objects=[identifier],
                 household_id=household_id, metadata={"scheme": scheme})
    return identifier


@transaction.atomic
def move_address(*, by, person: Person, line_1: str, town: str, postcode: str, valid_from: datetime.date,
                 line_2: str = "", household_id=None, audit_event=True) -> Address:
    """Record a new current address; the previous one is kept as history, ending the day before."""
    ensure_not_restricted(person=person)
    try:
        postcode = identifiers.validate_postcode(postcode)
    except ValidationError as error:
        raise ValidationError({"postcode": error.messages}) from error
    if not line_1.strip() or not town.strip():
        raise ValidationError({"line_1": messages.ENTER_ADDRESS_LINE_1, "town": messages.ENTER_TOWN})
    current = person.addresses.filter(valid_to__isnull=True).first()
    if current:
        if valid_from <= current.valid_from:
            raise ValidationError({"valid_from": "The new address must start after the current address started"})
        current.valid_to = valid_from - datetime.timedelta(days=1)
        current.save()
    address = Address.objects.create(person=person, line_1=line_1.strip(), line_2=line_2.strip(), town=town.strip(),
                                     postcode=postcode, valid_from=valid_from)
    if audit_event:
        audit.record(actor=by, action=Action.CHANGE, event="address.record", purpose=PURPOSE, objects=[address],
                     household_id=household_id)
    return address


def _next_reference() -> str:
    last = Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"F{last + 1:07d}"


@transaction.atomic
def create_household(*, by, audit_event=True) -> Household:
    for _ in range(5):
        try:
            with transaction.atomic():
                household = Household.objects.create(reference=_next_reference())
            break
        except IntegrityError:  # a concurrent creation took the reference: take the next one
            continue
    else:
        raise RuntimeError("Could not allocate a family reference")
    if audit_event:
        audit.record(actor=by, action=Action.CREATE, event="household.create", purpose=PURPOSE,
                     objects=[household], household_id=household.pk)
    return household


@transaction.atomic
def add_member(*, by, household: Household, person: Person, role: str, start_date: datetime.date,
               lives_in_household: bool = True, end_date=None, audit_event=True) -> Membership:
    ensure_not_restricted(person=person, household=household)
    if end_date and end_date < start_date:
        raise ValidationError({"end_date": messages.MEMBERSHIP_ENDS_BEFORE_IT_STARTS})
    if household.memberships.filter(person=person, end_date__isnull=True).exists():
        raise ValidationError("This person is already a current member of the family")
    if not policy.may_see_all_families_of(by, person):
        # Adding someone to a family you work with must not open a family you may not see.
        raise ValidationError("This person is in a family you do not work with: ask a team manager to add them")
    membership = Membership.objects.create(household=household, person=person, role=role, start_date=start_date,
                                           end_date=end_date, lives_in_household=lives_in_household)
    if audit_event:
        audit.record(actor=by, action=Action.CHANGE, event="membership.add", purpose=PURPOSE,
                     objects=[membership], household_id=household.pk)
    return membership


@transaction.atomic
def end_membership(*, by, membership: Membership, end_date: datetime.date) -> Membership:
    ensure_not_restricted(person=membership.person_id, household=membership.household_id)
    if end_date < membership.start_date:
        raise ValidationError({"end_date": messages.MEMBERSHIP_ENDS_BEFORE_IT_STARTS})
    membership.end_date = end_date
    membership.save()
    audit.record(actor=by, action=Action.CHANGE, event="membership.end", purpose=PURPOSE,
                 objects=[membership], household_id=membership.household_id)
    return membership


@transaction.atomic
def relate(*, by, person: Person, related_person: Person, relationship: str, has_parental_responsibility=False,
           household_id=None, audit_event=True) -> Relationship:
    ensure_not_restricted(people=(person, related_person))
    if person.pk == related_person.pk:
        raise ValidationError("A person cannot have a relationship with themselves")
    rel, _ = Relationship.objects.update_or_create(
        person=person, related_person=related_person,
        defaults={"relationship": relationship, "has_parental_responsibility": has_parental_responsibility},
    )
    if audit_event:
        audit.record(actor=by, action=Action.CHANGE, event="relationship.record", purpose=PURPOSE, objects=[rel],
                     household_id=household_id)
    return rel


# --- Several changes at once, each all or nothing ----------------------------------------------------------------

@transaction.atomic
def create_person_with_address(*, by, given_name: str, family_name: str, date_of_birth=None,
                               expected_date_of_birth=None, identifier_values: dict | None = None,
                               address: dict | None = None, household_id=None, **details) -> Person:
    """A new person and, if `address` is given ({"line_1", "line_2", "town", "postcode"}), their address from their
    date of birth (or expected date of birth)."""
    person = create_person(by=by, given_name=given_name, family_name=family_name, date_of_birth=date_of_birth,
                           expected_date_of_birth=expected_date_of_birth, identifier_values=identifier_values,
                           **details)
    if address:
        move_address(by=by, person=person, **address, valid_from=date_of_birth or expected_date_of_birth,
                     household_id=household_id)
    return person


@transaction.atomic
def create_person_in_new_family(*, by, **person) -> Person:
    """A person new to us, in a new family of their own (a contact at the front door is about them): an adult as a
    parent or carer, a child as a child, from their date of birth (an unborn child from the day they are recorded).
    `person`: as for `create_person_with_address`."""
    household = create_household(by=by)
    person = create_person_with_address(by=by, household_id=household.pk, **person)
    today = person.created_at.date()
    role = (MemberRole.UNBORN if person.is_unborn
            else MemberRole.CHILD if (person.age_on(today) or 0) < 18 else MemberRole.PARENT_CARER)
    add_member(by=by, household=household, person=person, role=role, start_date=person.date_of_birth or today)
    return person


@transaction.atomic
def add_family_member(*, by, household: Household, role: str, start_date: datetime.date,
                      lives_in_household: bool = True, person: Person | None = None, new_person: dict | None = None,
                      related_to: Person | None = None, relationship: str = "",
                      has_parental_responsibility: bool = False) -> Person:
    """Add someone to a family: `person`, found by a search, or a new person (`new_person`: as for
    `create_person_with_address`); and, if both are given, their relationship to `related_to`, a member already."""
    if (person is None) == (new_person is None):
        raise TypeError("Give either the person found or the new person's details")
    if person is None:
        person = create_person_with_address(by=by, household_id=household.pk, **new_person)
    add_member(by=by, household=household, person=person, role=role, start_date=start_date,
               lives_in_household=lives_in_household)
    if related_to is not None and relationship:
        relate(by=by, person=person, related_person=related_to, relationship=relationship, household_id=household.pk,
               has_parental_responsibility=has_parental_responsibility)
    return person
