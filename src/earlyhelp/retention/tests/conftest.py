"""Families at the end of their retention period, built through the services, and dates measured from them.

No clock is frozen: a family's episode closes today (the services stamp today's date), and the sweep is told
which day to measure to (`today=`), e.g. six years and a day later.
"""

import datetime

import pytest
from django.utils import timezone

from earlyhelp.casework import services as casework
from earlyhelp.casework.models import (
    Channel,
    ConsentAtReferral,
    ContactSource,
    ContactStatus,
)
from earlyhelp.retention import presets
from earlyhelp.retention.models import FAMILY_CLASSES
from earlyhelp.retention.selectors import cutoff
from earlyhelp.testing.world import make_family

TODAY = timezone.localdate()


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The anniversary: the first day a period of `years` from `day` has ended (29 February -> 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


CASE_DUE = years_after(TODAY, 6)  # CASE+6 and CONTACT+6 for records closed today
assert cutoff(CASE_DUE, 6) >= TODAY > cutoff(CASE_DUE - datetime.timedelta(days=1), 6)


def close_family(world, family, *, summary="Outcomes met; support ended"):
    """Close the family's episode today, as a lead and manager would."""
    episode = family["episode"]
    casework.request_closure(by=world.lead, episode=episode, reason="outcomes_met", summary=summary,
                             feedback_declined=True)
    casework.decide_closure(by=world.manager, episode=episode, approve=True)
    episode.refresh_from_db()
    return family


# The presets for a family's records: the tests of the family sweep leave out the other record classes, which
# `test_record_classes.py` covers (an audit trail six years old would add its own batch to every sweep here).
FAMILY_PRESETS = [p["code"] for p in presets.PRESETS if p["record_class"] in FAMILY_CLASSES]


@pytest.fixture
def loaded(db):
    return {rule.code: rule for rule in presets.load_presets(codes=FAMILY_PRESETS)}


@pytest.fixture
def closed_family(world):
    """Make a family whose only episode closed today (CASE+6 makes it due on CASE_DUE)."""
    made = []

    def build(name="Closedfamily", seed=None):
        family = make_family(world, family_name=name, lead=world.lead, seed=seed or 100 + len(made))
        made.append(close_family(world, family))
        return family

    return build


@pytest.fixture
def contact_only_family(world):
    """Make a family with one contact, signposted today, and no episode (CONTACT+6 makes it due on CASE_DUE)."""
    count = [0]

    def build(name="Contactfamily"):
        count[0] += 1
        family = make_family(world, family_name=name, with_episode=False, seed=200 + count[0])
        contact = casework.record_contact(
            by=world.front_door, household=family["household"], subject=family["members"][2], team=world.north,
            channel=Channel.PHONE, source=ContactSource.SELF, reason="Parent asked about parenting courses",
            consent_at_referral=ConsentAtReferral.GIVEN, received_at=timezone.now() - datetime.timedelta(days=2))
        casework.decide_contact(by=world.manager, contact=contact, decision=ContactStatus.SIGNPOSTED,
                                reason="Signposted to the children's centre")
        family["contact"] = contact
        return family

    return build


@pytest.fixture
def dpo_client(client, world):
    client.force_login(world.dpo)
    return client
