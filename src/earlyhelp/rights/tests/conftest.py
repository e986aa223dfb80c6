"""Fixtures for the rights request tests: a family worked by the north team, and a request logged by the DPO."""

import datetime

import pytest
from django.utils import timezone

from earlyhelp.people import services as people
from earlyhelp.rights import services
from earlyhelp.testing import everywhere
from earlyhelp.testing.world import make_family


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def family(world):
    """Alex and Sam (parents), Jamie and Riley (children); Alex has parental responsibility for Jamie."""
    family = make_family(world, lead=world.lead)
    mother, _, child, _ = family["members"]
    people.relate(by=world.lead, person=mother, related_person=child, relationship="parent",
                  has_parental_responsibility=True)
    return family


def request_values(world, subject, **overrides):
    values = {
        "by": world.dpo, "kind": "access", "subject": subject, "received_on": timezone.localdate(),
        "requester_relationship": "self", "requester_name": "Alex Testfamily",
        "requester_address": "1 Test Street, Testtown", "channel": "writing", "details": "Everything you hold",
        "identity_check": "seen", "id_seen_on": timezone.localdate(), "id_evidence": "Passport seen at the desk",
    }
    return {**values, **overrides}


@pytest.fixture
def log(world, family):
    """log(**overrides): a request logged by the DPO, by default Alex asking for their own information."""
    def _log(**overrides):
        subject = overrides.pop("subject", family["members"][0])
        return services.log_request(**request_values(world, subject, **overrides))
    return _log


@pytest.fixture
def seeded(world):
    """One person seeded into every table that can hold their data (`earlyhelp.testing.everywhere`)."""
    return everywhere.seed_person_everywhere(world)
