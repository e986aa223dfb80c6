"""Legal holds: on a family, a person or a class of records; lifted on record, never deleted (P20)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.people import services as people
from earlyhelp.people.models import Marker, MarkerKind
from earlyhelp.retention.models import HoldCriterion, HoldKind, HoldScope, LegalHold
from earlyhelp.retention.services import erasure, holds
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.promise("P4", "P20"), pytest.mark.django_db]

REASON = "IICSA: keep records that may relate to child protection (Goddard letter, 2 July 2015)"


def _family(world, name, seed):
    return make_family(world, family_name=name, lead=world.lead, seed=seed)


def test_a_hold_on_a_family_covers_that_family_only(world):
    held, other = _family(world, "Heldfamily", 1), _family(world, "Otherfamily", 2)
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="Claim 123",
                            household_reference=held["household"].reference.lower())
    ids = [held["household"].pk, other["household"].pk]
    assert holds.held_household_ids(ids) == {held["household"].pk}
    assert holds.holds_on(ids)[held["household"].pk] == [hold]
    assert (hold.placed_by, hold.is_active, hold.reason) == (world.dpo, True, "Claim 123")
    event = AuditEvent.objects.get(event="legal_hold.place")
    assert event.household_id == held["household"].pk and "Claim" not in str(event.metadata)


def test_a_hold_on_a_person_covers_every_family_they_have_been_in(world):
    first, second, other = _family(world, "Firstfamily", 3), _family(world, "Secondfamily", 4), _family(world, "O", 5)
    person = first["members"][2]

    people.add_member(by=world.lead, household=second["household"], person=person, role="child",
                      start_date=datetime.date(2024, 1, 1))
    holds.place_hold(by=world.dpo, kind=HoldKind.OTHER, scope=HoldScope.PERSON, reason="Police request",
                     person_id=str(person.pk))
    ids = [f["household"].pk for f in (first, second, other)]
    assert holds.held_household_ids(ids) == {first["household"].pk, second["household"].pk}
    assert holds.held_person_ids([person.pk, other["members"][0].pk]) == {person.pk}
    # Everyone in a held family is held too (their records are the family's records).
    assert first["members"][0].pk in holds.held_person_ids([first["members"][0].pk])


def test_a_child_protection_criterion_holds_families_with_a_child_protection_plan(world):
    plan, none = _family(world, "Planfamily", 6), _family(world, "Noplanfamily", 7)
    Marker.objects.create(person=plan["members"][3], kind=MarkerKind.CHILD_PROTECTION,
                          start_date=datetime.date(2019, 1, 1), end_date=datetime.date(2019, 6, 1),
                          recorded_by=world.manager)  # an ended plan still counts: the records are about it
    holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.CRITERION,
                     criterion=HoldCriterion.CHILD_PROTECTION, reason=REASON)
    assert holds.held_household_ids([plan["household"].pk, none["household"].pk]) == {plan["household"].pk}


def test_a_stepped_up_criterion_holds_families_stepped_up_to_social_care(world):
    up, other = _family(world, "Upfamily", 8), _family(world, "Stayfamily", 9)
    casework.step_up(by=world.manager, episode=up["episode"], reason="Strategy discussion held")
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.CRITERION,
                            criterion=HoldCriterion.STEPPED_UP, reason=REASON)
    ids = [up["household"].pk, other["household"].pk]
    assert holds.held_household_ids(ids) == {up["household"].pk}
    assert holds.households_covered(hold).count() == 1
    known = holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.CRITERION,
                             criterion=HoldCriterion.KNOWN_TO_CSC, reason=REASON)
    assert list(holds.households_covered(known)) == [up["household"]]


def test_lifting_is_recorded_and_the_hold_is_kept(world):
    family = _family(world, "Liftfamily", 10)
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="Claim",
                            household_reference=family["household"].reference)
    with pytest.raises(ValidationError) as raised:
        holds.lift_hold(by=world.dpo, hold=hold, reason=" ")
    assert raised.value.message_dict == {"lift_reason": ["Enter the reason for lifting the hold"]}
    holds.lift_hold(by=world.dpo, hold=hold, reason="Claim settled")
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason, hold.is_active) == (world.dpo, "Claim settled", False)
    assert hold.lifted_at >= hold.placed_at
    assert holds.held_household_ids([family["household"].pk]) == set()
    assert LegalHold.objects.filter(pk=hold.pk).exists()
    with pytest.raises(ValidationError, match="already been lifted"):
        holds.lift_hold(by=world.dpo, hold=hold, reason="Again")
    assert AuditEvent.objects.filter(event="legal_hold.lift").count() == 1


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"kind": "whim"}, "kind", "Choose why the records are held"),
    ({"scope": "everything"}, "scope", "Choose what the hold covers"),
    ({"household_reference": ""}, "household_reference", "Enter the reference of the family"),
    ({"household_reference": "F9999999"}, "household_reference", "no family with that reference"),
    ({"scope": HoldScope.PERSON, "person_id": "abc"}, "person_id", "no person with that record number"),
    ({"scope": HoldScope.CRITERION, "criterion": "everyone"}, "criterion", "Choose the class of records"),
    ({"reason": "   "}, "reason", "Enter the reason for the hold"),
])
def test_bad_holds_get_specific_errors_and_nothing_is_placed(world, fields, field, message):
    values = {"kind": HoldKind.LITIGATION, "scope": HoldScope.HOUSEHOLD, "reason": "Claim",
              "household_reference": "F0000001"} | fields
    with pytest.raises(ValidationError) as raised:
        holds.place_hold(by=world.dpo, **values)
    assert message in " ".join(raised.value.message_dict[field])
    assert not LegalHold.objects.exists()


def test_only_the_dpo_places_and_lifts_holds(world):
    family = _family(world, "Rolefamily", 11)
    for user in (world.lead, world.manager, world.admin, world.data_team):
        with pytest.raises(PermissionDenied):
            holds.place_hold(by=user, kind=HoldKind.OTHER, scope=HoldScope.HOUSEHOLD, reason="x",
                             household_reference=family["household"].reference)
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.OTHER, scope=HoldScope.HOUSEHOLD, reason="x",
                            household_reference=family["household"].reference)
    with pytest.raises(PermissionDenied):
        holds.lift_hold(by=world.manager, hold=hold, reason="No longer needed")
    assert LegalHold.objects.get(pk=hold.pk).is_active


def test_the_database_keeps_an_active_hold_pointing_at_what_it_holds(world):
    family = _family(world, "Pointfamily", 12)
    hold = holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.HOUSEHOLD, reason=REASON,
                            household_reference=family["household"].reference)
    # Whatever removes a family's records (an erasure, a disposal) empties links to it: not while a hold is active.
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.filter(pk=hold.pk).update(household=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.filter(pk=hold.pk).update(scope=HoldScope.CRITERION)


def test_the_disposal_engine_refuses_a_held_family_too(world):
    family = _family(world, "Enginefamily", 13)
    holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.HOUSEHOLD, reason=REASON,
                     household_reference=family["household"].reference)
    with pytest.raises(ValidationError, match="legal hold"):
        erasure.dispose_households([family["household"].pk], by=world.dpo, reason="Retention rule CASE+6")
    family["household"].refresh_from_db()  # still there
