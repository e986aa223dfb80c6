import pytest
from django.core.exceptions import ValidationError

from earlyhelp.casework import services
from earlyhelp.casework.models import EpisodeStatus
from earlyhelp.testing.world import make_family


def test_family_with_episode_is_built_through_services(world):
    family = make_family(world, lead=world.lead, taf=[world.partner])
    episode = family["episode"]
    assert episode.status == EpisodeStatus.OPEN
    assert episode.lead_practitioner == world.lead
    assert episode.reviews.filter(held_on__isnull=True).count() == 1


def test_second_open_episode_is_refused(world):
    family = make_family(world, lead=world.lead)
    with pytest.raises(ValidationError, match="already has an open early help episode"):
        services.open_episode(by=world.manager, household=family["household"], team=world.north)
