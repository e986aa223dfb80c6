"""Where "open" and "current" episode are spelt: `Episode.objects.open()` and `.current()`, and the same rules
through a relation (`episode_is_open`, `episode_is_current`)."""

from earlyhelp.casework import services
from earlyhelp.casework.models import (
    ClosureReason,
    Episode,
    EpisodeStatus,
    TafMember,
    episode_is_current,
    episode_is_open,
)
from earlyhelp.testing.world import make_family


def test_open_and_current_follow_an_episode_through_closure_and_the_next_one(world):
    family = make_family(world, lead=world.lead, taf=[world.teammate])
    first, household = family["episode"], family["household"]
    assert list(household.episodes.open()) == list(household.episodes.current()) == [first]

    services.request_closure(by=world.lead, episode=first, reason=ClosureReason.OUTCOMES_MET, summary="Done",
                             family_feedback="Helpful")
    assert list(household.episodes.open()) == [first]  # awaiting approval is still open
    services.decide_closure(by=world.manager, episode=first, approve=True)
    assert not household.episodes.open().exists()
    assert list(household.episodes.current()) == [first]  # the latest after closure
    assert not TafMember.objects.filter(episode_is_open("episode")).exists()
    assert TafMember.objects.filter(episode_is_current("episode")).exists()

    second = services.open_episode(by=world.manager, household=household, team=world.north)
    assert list(household.episodes.open()) == list(household.episodes.current()) == [second]
    assert list(Episode.objects.open()) == [second] and first.status == EpisodeStatus.CLOSED
    assert not TafMember.objects.filter(episode_is_current("episode")).exists()
