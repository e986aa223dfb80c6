"""What a processing restriction (UK GDPR Article 18) does to the rest of the system, in one place.

While a person's record is restricted:

- the person's record, and the case records of the families they are now in, are read-only: every
  write service calls `ensure_not_restricted`, which refuses with a clear error;
- the person is left out of routine lists (search results, dashboards, caseload counts), and matching
  and statistics leave them out with `restricted_person_ids` / `without_restricted`;
- every read of the record is audited as a read of a restricted record (the selectors ask
  `household_is_restricted` / `person_is_restricted`).

Only a rights request can change a restricted record (a correction while accuracy is contested):
`rights.services.rectification` does it inside `permitting_changes_to`.

The restriction itself is recorded by the rights register (`rights.ProcessingRestriction`); this module, part
of the one door, reads it through the person's `processing_restrictions`, so every app that must honour a
restriction (people, casework, matching, statistics) can import it from below.
"""

import contextlib
import contextvars

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from earlyhelp.people.models import Membership, Person
from earlyhelp.records.prepared import Prepared

RESTRICTED_MESSAGE = ("Use of this record is restricted at the person's request (UK GDPR Article 18): it can be "
                      "read but not changed. Speak to the data protection officer")

_permitted_people = contextvars.ContextVar("earlyhelp_restriction_permitted_people", default=frozenset())


def _restricted_people():
    # Both conditions on the same restriction row: a person with no restriction at all has a NULL lifted_at too.
    return Person.objects.filter(processing_restrictions__started_at__isnull=False,
                                 processing_restrictions__lifted_at__isnull=True)


def restricted_person_ids():
    """Ids of people whose records are restricted now (a lazy subquery: use it in filters and excludes)."""
    return _restricted_people().values(person_id=F("pk"))


def restricted_among(person_ids) -> set:
    """Which of these people's records are restricted now."""
    return set(_restricted_people().filter(pk__in=person_ids).values_list("pk", flat=True))


def restricted_household_ids():
    """Ids of families with a current member whose record is restricted (a lazy subquery)."""
    return Membership.objects.filter(end_date__isnull=True, person_id__in=restricted_person_ids()) \
        .values("household_id")


def without_restricted(queryset, *, person: str | None = None, household: str | None = None):
    """`queryset` without rows about restricted people (`person`: the lookup to a person's id, e.g. "pk" or
    "person") or about their families (`household`: the lookup to a family's id, e.g. "household")."""
    if person:
        queryset = queryset.exclude(**{f"{person}__in": restricted_person_ids()})
    if household:
        queryset = queryset.exclude(**{f"{household}__in": restricted_household_ids()})
    return queryset


def person_is_restricted(person_id) -> bool:
    return _restricted_people().filter(pk=person_id).exists()


def _restricted_membership(*, household_id):
    return restricted_household_ids().filter(household_id=household_id).values_list("household_id")[:1]


# Asked on every family page (its audited read says whether the family is restricted): built once a day, run again.
_RESTRICTED = Prepared(_restricted_membership, household_id=int)


def household_is_restricted(household_id) -> bool:
    return bool(_RESTRICTED.rows(timezone.localdate(), household_id=int(getattr(household_id, "pk", household_id))))


def _id(value):
    return getattr(value, "pk", value)


def ensure_not_restricted(*, person=None, household=None, people=()) -> None:
    """Refuse (ValidationError) to change a restricted person's record or their current family's case record.

    `person`, `household` and each of `people` may be a model instance or an id.
    """
    person_ids = {_id(p) for p in (person, *people) if p is not None}
    restricted = restricted_among(person_ids) if person_ids else set()
    if household is not None:
        restricted |= set(Membership.objects.filter(
            household_id=_id(household), end_date__isnull=True, person_id__in=restricted_person_ids(),
        ).values_list("person_id", flat=True))
    if restricted - _permitted_people.get():
        raise ValidationError(RESTRICTED_MESSAGE, code="restricted")


@contextlib.contextmanager
def permitting_changes_to(person_id):
    """Within this block, changes to this one person's record are allowed (a correction under a rights request)."""
    token = _permitted_people.set(_permitted_people.get() | {person_id})
    try:
        yield
    finally:
        _permitted_people.reset(token)
