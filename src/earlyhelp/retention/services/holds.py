"""Legal holds: place, lift, and the one question every disposal asks: which of these families are held? (P20)

A hold covers one family, one person (every family they are or have been in, or were referred with), or a class
of records by criterion. Only active holds (not lifted) count. The sweep asks before it proposes a family, and
disposal asks again at the moment of disposal, whatever was approved before; the disposal engine
(`retention.services.erasure`) asks a third time through `held_household_ids`.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import (
    ClosureReason,
    Contact,
    ContactSource,
    Episode,
    Transition,
    TransitionKind,
)
from earlyhelp.people.models import Household, Marker, MarkerKind, Membership, Person

from ..models import HoldCriterion, HoldKind, HoldScope, LegalHold

AUDIT_PURPOSE = Purpose.EARLY_HELP_CASEWORK
CHUNK = 500  # ids per query: well under SQLite's limit on query parameters

MESSAGES = {
    "kind": "Choose why the records are held: the IICSA instruction, litigation or another legal reason",
    "scope": "Choose what the hold covers: a family, a person or a class of records",
    "household": "Enter the reference of the family to hold, for example F0000123",
    "household_unknown": "There is no family with that reference",
    "person": "Enter the record number of the person to hold",
    "person_unknown": "There is no person with that record number",
    "criterion": "Choose the class of records to hold",
    "reason": "Enter the reason for the hold",
    "lift_reason": "Enter the reason for lifting the hold",
    "lifted": "This hold has already been lifted",
}


def _csc_markers(kinds):
    return Exists(Marker.objects.filter(kind__in=kinds, person__memberships__household=OuterRef("pk")))


def _stepped_up():
    return (Exists(Episode.objects.filter(household=OuterRef("pk"), closure_reason=ClosureReason.STEPPED_UP))
            | Exists(Transition.objects.filter(episode__household=OuterRef("pk"), kind=TransitionKind.STEP_UP)))


def criterion_condition(criterion: str):
    """A condition on Household (OuterRef "pk") for a hold's class of records."""
    if criterion == HoldCriterion.CHILD_PROTECTION:
        return _csc_markers([MarkerKind.CHILD_PROTECTION])
    if criterion == HoldCriterion.STEPPED_UP:
        return _stepped_up()
    if criterion == HoldCriterion.KNOWN_TO_CSC:
        return (_csc_markers([MarkerKind.CHILD_PROTECTION, MarkerKind.LOOKED_AFTER, MarkerKind.OPEN_TO_CSC])
                | _stepped_up()
                | Exists(Transition.objects.filter(episode__household=OuterRef("pk"), kind=TransitionKind.STEP_DOWN))
                | Exists(Contact.objects.filter(household=OuterRef("pk"), source=ContactSource.CSC)))
    raise ValueError(f"Unknown hold criterion {criterion!r}")


def active_holds():
    return LegalHold.objects.filter(lifted_at__isnull=True)


def _chunks(ids):
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _person_families(person_ids, household_ids) -> dict[int, set]:
    """household id -> the held people linked to it (as a member at any time, or a contact's subject)."""
    linked = defaultdict(set)
    for household_id, person_id in Membership.objects.filter(
            person_id__in=person_ids, household_id__in=household_ids).values_list("household_id", "person_id"):
        linked[household_id].add(person_id)
    for household_id, person_id in Contact.objects.filter(
            subject_id__in=person_ids, household_id__in=household_ids).values_list("household_id", "subject_id"):
        linked[household_id].add(person_id)
    return linked


def holds_on(household_ids) -> dict[int, list[LegalHold]]:
    """For each of these families that is held: the active holds that cover it (oldest first)."""
    holds = list(active_holds().order_by("placed_at", "pk"))
    found = defaultdict(list)
    if not holds:
        return found
    by_person = defaultdict(list)
    for hold in holds:
        if hold.scope == HoldScope.PERSON:
            by_person[hold.person_id].append(hold)
    for chunk in _chunks(household_ids):
        members = set(chunk)
        for hold in holds:
            if hold.scope == HoldScope.HOUSEHOLD and hold.household_id in members:
                found[hold.household_id].append(hold)
            elif hold.scope == HoldScope.CRITERION:
                for household_id in Household.objects.filter(pk__in=chunk).filter(
                        criterion_condition(hold.criterion)).values_list("pk", flat=True):
                    found[household_id].append(hold)
        if by_person:
            for household_id, people in _person_families(list(by_person), chunk).items():
                for person_id in sorted(people):
                    found[household_id].extend(by_person[person_id])
    for household_id, covering in found.items():
        found[household_id] = sorted({h.pk: h for h in covering}.values(), key=lambda h: (h.placed_at, h.pk))
    return found


def held_household_ids(household_ids) -> set[int]:
    """Which of these families are under an active legal hold. Disposal must never reach them."""
    return set(holds_on(household_ids))


def held_person_ids(person_ids) -> set[int]:
    """Which of these people are under an active legal hold, themselves or through a family they are or have been
    in. An erasure must not reach them either."""
    person_ids = set(person_ids)
    held = set(active_holds().filter(scope=HoldScope.PERSON, person_id__in=person_ids).values_list("person_id", flat=True))
    families = defaultdict(set)
    for person_id, household_id in Membership.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "household_id"):
        families[household_id].add(person_id)
    for household_id in held_household_ids(families):
        held |= families[household_id]
    return held


def households_covered(hold: LegalHold):
    """The families a hold covers, as a queryset (for counts on the holds page)."""
    if hold.scope == HoldScope.HOUSEHOLD:
        return Household.objects.filter(pk=hold.household_id)
    if hold.scope == HoldScope.PERSON:
        return Household.objects.filter(Q(memberships__person_id=hold.person_id) | Q(contacts__subject_id=hold.person_id)
                                        ).distinct()
    return Household.objects.filter(criterion_condition(hold.criterion))


# --- Placing and lifting ---------------------------------------------------------------------------

def _require(by):
    if not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
        raise PermissionDenied("You cannot place or lift legal holds")


def check_hold(*, kind: str, scope: str, reason: str, household_reference: str = "", person_id=None,
               criterion: str = "") -> dict:
    """What a new hold would cover (household, person or criterion), or a ValidationError naming every problem."""
    errors = {}
    if kind not in HoldKind.values:
        errors["kind"] = MESSAGES["kind"]
    target = {}
    if scope == HoldScope.HOUSEHOLD:
        reference = (household_reference or "").strip().upper()
        if not reference:
            errors["household_reference"] = MESSAGES["household"]
        else:
            target["household"] = Household.objects.filter(reference=reference).first()
            if target["household"] is None:
                errors["household_reference"] = MESSAGES["household_unknown"]
    elif scope == HoldScope.PERSON:
        if person_id in (None, ""):
            errors["person_id"] = MESSAGES["person"]
        else:
            raw = str(person_id).strip()
            target["person"] = Person.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
            if target["person"] is None:
                errors["person_id"] = MESSAGES["person_unknown"]
    elif scope == HoldScope.CRITERION:
        if criterion not in HoldCriterion.values:
            errors["criterion"] = MESSAGES["criterion"]
        target["criterion"] = criterion
    else:
        errors["scope"] = MESSAGES["scope"]
    if not (reason or "").strip():
        errors["reason"] = MESSAGES["reason"]
    if errors:
        raise ValidationError(errors)
    return target


@transaction.atomic
def place_hold(*, by, kind: str, scope: str, reason: str, household_reference: str = "", person_id=None,
               criterion: str = "") -> LegalHold:
    """Place a hold on a family (by its reference), a person (by record number) or a class of records."""
    _require(by)
    target = check_hold(kind=kind, scope=scope, reason=reason, household_reference=household_reference,
                        person_id=person_id, criterion=criterion)
    hold = LegalHold.objects.create(kind=kind, scope=scope, reason=reason.strip(), placed_by=by,
                                    placed_at=timezone.now(), **target)
    audit.record(actor=by, action=Action.CREATE, event="legal_hold.place", purpose=AUDIT_PURPOSE, objects=[hold],
                 household_id=hold.household_id,
                 metadata={"kind": kind, "scope": scope, "criterion": hold.criterion, "person_id": hold.person_id})
    return hold


@transaction.atomic
def lift_hold(*, by, hold: LegalHold, reason: str) -> LegalHold:
    """Lift a hold: it stays on record with who lifted it, when and why. Its families may be disposed of again
    once a sweep proposes them and a person approves."""
    _require(by)
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError(MESSAGES["lifted"])
    if not (reason or "").strip():
        raise ValidationError({"lift_reason": MESSAGES["lift_reason"]})
    hold.lifted_by, hold.lifted_at, hold.lift_reason = by, timezone.now(), reason.strip()
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    audit.record(actor=by, action=Action.CHANGE, event="legal_hold.lift", purpose=AUDIT_PURPOSE, objects=[hold],
                 household_id=hold.household_id, metadata={"kind": hold.kind, "scope": hold.scope})
    return hold


# --- Records that are not a family's records -------------------------------------------------------------

def holds_on_links(links: dict, criteria: dict | None = None) -> dict[int, list[LegalHold]]:
    """For rows of a record class that is not a family's records (`records.record_classes`), given as
    {id: (person ids, family ids)}: the active holds that cover each held row. A row is held when a family it is
    about is held, or a person it is about is held themselves or through a family they are or have been in, or
    when it falls under a criterion an active hold names (`criteria`: {id: criterion values})."""
    criteria = criteria or {}
    by_criterion = defaultdict(list)
    for hold in active_holds().filter(scope=HoldScope.CRITERION).order_by("placed_at", "pk"):
        by_criterion[hold.criterion].append(hold)
    households, people = set(), set()
    for person_ids, household_ids in links.values():
        people |= set(person_ids)
        households |= set(household_ids)
    person_families = defaultdict(set)
    for person_id, household_id in Membership.objects.filter(person_id__in=people).values_list(
            "person_id", "household_id"):
        person_families[person_id].add(household_id)
    by_family = holds_on(households | {h for families in person_families.values() for h in families})
    by_person = defaultdict(list)
    for hold in active_holds().filter(scope=HoldScope.PERSON, person_id__in=people).order_by("placed_at", "pk"):
        by_person[hold.person_id].append(hold)
    found = {}
    for pk, (person_ids, household_ids) in links.items():
        covering = [hold for household_id in household_ids for hold in by_family.get(household_id, [])]
        covering += [hold for criterion in criteria.get(pk, ()) for hold in by_criterion.get(criterion, [])]
        for person_id in person_ids:
            covering += by_person.get(person_id, [])
            covering += [hold for household_id in person_families.get(person_id, ()) for hold in
                         by_family.get(household_id, [])]
        if covering:
            found[pk] = sorted({h.pk: h for h in covering}.values(), key=lambda h: (h.placed_at, h.pk))
    return found


def all_held_household_ids() -> set[int]:
    """Every family under an active legal hold now (for the audit trail's epochs: their entries are kept)."""
    held = set()
    for hold in active_holds():
        held |= set(households_covered(hold).values_list("pk", flat=True))
    return held
