"""The API's reads: each goes through the access policy and writes its audit event.

The family read is `casework.selectors.open_family` itself. The episode list and the person read
have no selector of their own yet; they live here, written the same way (policy first, a refused
attempt audited and answered 404, an allowed read audited as a VIEW), and can move to
`casework.selectors` / `people.selectors` when the web interface needs them too.
"""

from dataclasses import dataclass

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework import selectors as casework_selectors
from earlyhelp.casework.selectors import FamilyRecord
from earlyhelp.people.models import Address, Marker, Membership, Person

PURPOSE = Purpose.API_ACCESS


def family(user, household_id) -> FamilyRecord:
    return casework_selectors.open_family(user, household_id, route_purpose=PURPOSE)


def episodes(user, household_id) -> list:
    access = policy.require_family(user, household_id, purpose=PURPOSE)
    rows = list(access.household.episodes.select_related("team", "lead_practitioner").order_by("-opened_on", "-pk"))
    audit.record(actor=user, action=Action.VIEW, event="episode.list", purpose=PURPOSE,
                 objects=[access.household], household_id=access.household.pk,
                 metadata={"relationships": sorted(access.relationships), "episodes": len(rows)})
    return rows


@dataclass
class PersonRecord:
    person: Person
    identifiers: list
    current_address: Address | None
    markers: list
    sees_special_category: bool


def person(user, person_id) -> PersonRecord:
    """One person, if they belong (or belonged) to a family this user may open.

    Special category fields are shown when the user's access to any of those families includes
    them (`FamilyAccess.sees_special_category`); a partner without the grant sees none.
    """
    found = policy.people_visible_to(user).filter(pk=person_id).first()
    if found is None:
        policy.refuse(user, object_type="people.person", object_id=person_id, purpose=PURPOSE)
    visible = policy.households_visible_to(user)
    memberships = sorted(Membership.objects.filter(person=found, household__in=visible),
                         key=lambda m: (m.end_date is not None, -m.pk))  # current families first
    household_ids = list(dict.fromkeys(m.household_id for m in memberships))
    accesses = [a for a in (policy.family_access(user, h) for h in household_ids) if a is not None]
    sees_special = any(a.sees_special_category for a in accesses)
    audit.record(actor=user, action=Action.VIEW, event="person.view", purpose=PURPOSE, objects=[found],
                 household_id=household_ids[0] if household_ids else None,
                 metadata={"special_category": sees_special})
    return PersonRecord(
        person=found,
        identifiers=list(found.identifiers.order_by("scheme")),
        current_address=found.addresses.filter(valid_to__isnull=True).first(),
        markers=list(Marker.objects.filter(person=found, end_date__isnull=True).order_by("start_date", "pk")),
        sees_special_category=sees_special,
    )
