"""Search-first duplicate checking: the minimum a person needs to avoid creating a duplicate.

Results show name, date of birth and postcode district only, and a link to the family only for
those the access policy lets this user open. Restricted families are never described: the user
is told a restricted record may match and to speak to their manager. The audit event records how
many results were shown, never what was searched for.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from rapidfuzz import fuzz

from earlyhelp.access import policy, restrictions
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose

from . import identifiers
from .models import Address, Identifier, Marker, Membership, Person
from .services import name_key

MAX_CANDIDATES = 200
MAX_RESULTS = 20
MATCH_THRESHOLD = 60


@dataclass(frozen=True)
class SearchResult:
    person_id: int
    name: str
    date_of_birth: datetime.date | None
    expected_date_of_birth: datetime.date | None
    postcode_district: str
    household_id: int | None  # only when this user may open the family
    matched_on: str
    score: int


@dataclass(frozen=True)
class SearchOutcome:
    results: list
    restricted_match: bool


def _identifier_candidates(raw: str):
    values = set()
    for scheme in identifiers.IdentifierScheme.values:
        try:
            values.add((scheme, identifiers.validate(scheme, raw)))
        except ValidationError:
            continue
    if not values:
        raise ValidationError({"identifier": "Enter a valid NHS number, National Insurance number, UPN or PNC number"})
    condition = Q()
    for scheme, value in values:
        condition |= Q(scheme=scheme, value=value)
    return Identifier.objects.filter(condition).values_list("person_id", flat=True)


def _score(person, given_name, family_name, date_of_birth):
    wanted = f"{given_name} {family_name}".strip().lower()
    names = {f"{person.given_name} {person.family_name}".lower()}
    if person.preferred_name:
        names.add(f"{person.preferred_name} {person.family_name}".lower())
    name_score = max(fuzz.token_sort_ratio(wanted, n) for n in names) if wanted else 0
    if family_name and name_key(family_name) == person.family_name_key:
        name_score = max(name_score, 75)
    reason, bonus = "name", 0
    if date_of_birth and person.date_of_birth:
        if person.date_of_birth == date_of_birth:
            reason, bonus = "name and date of birth", 30
        elif (person.date_of_birth.day, person.date_of_birth.month) == (date_of_birth.month, date_of_birth.day):
            reason, bonus = "name and date of birth with day and month swapped", 15
        else:
            bonus = -25
    return min(100, round(name_score * 0.7 + bonus)), reason


def search_people(user, *, family_name="", given_name="", date_of_birth=None, identifier="",
                  for_matching: bool = False) -> SearchOutcome:
    """`for_matching`: the data team checking whether a partner's record is someone already known (its own
    permission and audit purpose; the search pages and the API are for casework)."""
    permission, purpose = ((policy.Permission.SEARCH_PEOPLE_TO_MATCH, Purpose.DATA_MATCHING) if for_matching
                           else (policy.Permission.SEARCH_PEOPLE, Purpose.DUPLICATE_CHECK))
    if not policy.has_permission(user, permission):
        raise PermissionDenied("Your role does not include searching for families")
    family_name, given_name = family_name.strip(), given_name.strip()
    if not identifier and not (family_name and (given_name or date_of_birth)):
        raise ValidationError("Enter a family name with a given name or date of birth, or an identifier")

    scored = {}
    if identifier:
        for person in Person.objects.filter(pk__in=_identifier_candidates(identifier))[:MAX_RESULTS]:
            scored[person.pk] = (person, 100, "identifier")
    if family_name:
        for person in _name_candidates(family_name, given_name, date_of_birth):
            score, reason = _score(person, given_name, family_name, date_of_birth)
            if score >= MATCH_THRESHOLD and person.pk not in scored:
                scored[person.pk] = (person, score, reason)

    ranked = sorted(scored.values(), key=lambda item: -item[1])[:MAX_RESULTS]
    outcome = _present(user, ranked)
    audit.record(actor=user, action=Action.SEARCH, event="person.search", purpose=purpose,
                 objects=[("people.person", r.person_id) for r in outcome.results],
                 metadata={"results": len(outcome.results), "restricted_match": outcome.restricted_match,
                           "by_identifier": bool(identifier)})
    return outcome


def _name_candidates(family_name, given_name, date_of_birth):
    """People worth scoring, most specific first, each group bounded by an index.

    A common surname shares its phonetic key with thousands of people, so the date of birth
    (exact, or with day and month swapped) and the given name narrow it before anything is cut.
    """
    family_key = name_key(family_name)
    groups = []
    if date_of_birth:
        groups.append(Q(date_of_birth=date_of_birth))  # any name: catches changed surnames
        swapped = _swapped(date_of_birth)
        if swapped:
            groups.append(Q(date_of_birth=swapped, family_name_key=family_key))
    if given_name:
        groups.append(Q(family_name_key=family_key, given_name_key=name_key(given_name)))
    if date_of_birth:  # a typing error in the day or month
        groups.append(Q(family_name_key=family_key, date_of_birth__year=date_of_birth.year))
    seen = set()
    for condition in groups:
        for person in Person.objects.filter(condition).order_by("pk")[:MAX_CANDIDATES]:
            if person.pk not in seen:
                seen.add(person.pk)
                yield person


def _swapped(day: datetime.date):
    try:
        return day.replace(day=day.month, month=day.day) if day.day <= 12 and day.day != day.month else None
    except ValueError:
        return None


def _present(user, ranked) -> SearchOutcome:
    person_ids = [p.pk for p, _, _ in ranked]
    memberships = (Membership.objects.filter(person_id__in=person_ids, end_date__isnull=True)
                   .select_related("household").order_by("start_date"))
    households = {m.household_id for m in memberships}
    hidden_households = policy.hidden_among(user, households)
    # People whose records are restricted at their request (UK GDPR Article 18) are left out like hidden families.
    household_of, restricted = {}, restrictions.restricted_among(person_ids)
    for m in memberships:
        household_of[m.person_id] = m.household_id
        if m.household_id in hidden_households:
            restricted.add(m.person_id)
    visible = policy.visible_among(user, households)  # the same question as hidden_among's: answered once
    postcodes = dict(
        Address.objects.filter(person_id__in=person_ids, valid_to__isnull=True)
        .values_list("person_id", "postcode")
    )
    results, restricted_match = [], False
    for person, score, reason in ranked:
        household_id = household_of.get(person.pk)
        if person.pk in restricted:
            restricted_match = True
            continue
        results.append(SearchResult(
            person_id=person.pk, name=person.full_name, date_of_birth=person.date_of_birth,
            expected_date_of_birth=person.expected_date_of_birth,
            postcode_district=identifiers.postcode_district(postcodes[person.pk]) if person.pk in postcodes else "",
            household_id=household_id if household_id in visible else None, matched_on=reason, score=score,
        ))
    return SearchOutcome(results=results, restricted_match=restricted_match)


@dataclass
class PersonRecord:
    """One person as this user may see them, with the families through which they may."""

    person: Person
    memberships: list
    identifiers: list
    addresses: list  # newest first; the current one has valid_to None
    relationships: list
    markers: list
    sees_special_category: bool
    partner_records: list = ()  # partners' records a person has confirmed are about them (data matching)

    @property
    def current_address(self):
        return next((a for a in self.addresses if a.valid_to is None), None)


def open_person(user, person_id, *, purpose=Purpose.EARLY_HELP_CASEWORK) -> PersonRecord:
    """A person now in families this user may open (and in no other); otherwise an audited 404.

    Special category fields are shown when the user's access to any of those families includes
    them (`FamilyAccess.sees_special_category`); a partner without the grant sees none.
    """
    accesses = policy.person_access(user, person_id)
    if accesses is None:
        policy.refuse(user, object_type="people.person", object_id=person_id, purpose=purpose)
    person = Person.objects.get(pk=person_id)
    household_ids = [a.household.pk for a in accesses]
    memberships = list(Membership.objects.filter(person=person, household_id__in=household_ids)
                       .select_related("household").order_by("end_date", "-pk"))
    sees_special = any(a.sees_special_category for a in accesses)
    flags = {"processing_restricted": True} if restrictions.person_is_restricted(person.pk) else {}
    for household_id in household_ids:  # one event per family, so each family's "who has viewed" shows it
        audit.record(actor=user, action=Action.VIEW, event="person.view", purpose=purpose, objects=[person],
                     household_id=household_id, metadata={"special_category": sees_special, **flags})
    return PersonRecord(
        person=person,
        memberships=memberships,
        identifiers=list(person.identifiers.order_by("scheme")),
        addresses=list(person.addresses.order_by("-valid_from")),
        relationships=_visible_relationships(user, person),
        markers=list(Marker.objects.filter(person=person, end_date__isnull=True).order_by("start_date", "pk")),
        sees_special_category=sees_special,
        # The facts can be criminal offence or special category data: only for those who see such data (P16).
        partner_records=list(person.partner_records.select_related("batch__source_organisation")
                             .order_by("-batch__received_on")) if sees_special else [],
    )


def _visible_relationships(user, person) -> list:
    relationships = list(person.relationships_from.select_related("related_person"))
    visible = policy.visible_people_among(user, [r.related_person_id for r in relationships])
    return [r for r in relationships if r.related_person_id in visible]
