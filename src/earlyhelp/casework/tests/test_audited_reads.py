"""Reads of a family's record that are audited where they are read, so a page only shows what it is given."""

import pytest
from django.http import Http404

from earlyhelp.audit.models import Action, AuditEvent, Purpose
from earlyhelp.casework import provenance, selectors
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


def test_who_opened_the_family_is_shown_to_a_manager_and_the_look_is_audited(world):
    household = make_family(world, lead=world.lead)["household"]
    selectors.open_family(world.lead, household.pk)
    assert world.lead.pk in {e.actor_id for e in selectors.viewers_of_family(world.manager, household.pk)}
    looked = AuditEvent.objects.filter(event="household.viewers", actor=world.manager).get()
    assert looked.purpose == Purpose.ACCESS_OVERSIGHT and looked.household_id == household.pk
    with pytest.raises(Http404):
        selectors.viewers_of_family(world.partner, household.pk)
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.partner, household_id=household.pk).exists()


def test_the_information_report_is_audited_under_the_callers_purpose(world):
    household = make_family(world, lead=world.lead)["household"]
    report = provenance.open_information_report(world.lead, household, purpose=Purpose.EARLY_HELP_CASEWORK)
    assert report.holders
    looked = AuditEvent.objects.filter(event="household.information_report").get()
    assert (looked.actor_id, looked.purpose, looked.household_id) == (world.lead.pk, Purpose.EARLY_HELP_CASEWORK,
                                                                      household.pk)
