"""P6, the four principles (Wigan Early Help, seed 000): a lead worker. One lead practitioner at a time, allocated by
the holding team's manager, who must be someone who may lead cases; a change of lead ends the earlier allocation and
keeps it as history. (Consent to support is `privacy/tests/test_consent_gate.py`.)"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P6")]


def test_a_family_has_one_lead_worker_at_a_time_and_earlier_ones_are_kept(world):
    family = make_family(world, lead=world.lead)
    episode = family["episode"]
    services.allocate(by=world.manager, episode=episode, practitioner=world.teammate)
    episode.refresh_from_db()
    assert episode.lead_practitioner == world.teammate
    current = episode.allocations.filter(end_date__isnull=True)
    assert [a.practitioner for a in current] == [world.teammate]
    assert episode.allocations.filter(practitioner=world.lead, end_date__isnull=False).exists()
    assert AuditEvent.objects.filter(event="episode.allocate", household_id=family["household"].pk).exists()


def test_only_the_holding_teams_manager_allocates_and_only_to_someone_who_may_lead(world):
    family = make_family(world, lead=world.lead)
    episode = family["episode"]
    for outsider in (world.lead, world.other_manager, world.partner):
        with pytest.raises(PermissionDenied):
            services.allocate(by=outsider, episode=episode, practitioner=world.teammate)
    with pytest.raises(ValidationError, match="can be a lead practitioner"):
        services.allocate(by=world.manager, episode=episode, practitioner=world.partner)
    episode.refresh_from_db()
    assert episode.lead_practitioner == world.lead
