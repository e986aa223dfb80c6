"""Programme families for the National Impact Study and research extract tests, with opt-outs and a restriction.

Each test module that uses these does `from .nis_world import *` for the fixtures."""

import csv
import datetime
import io
import random

import pytest
from django.utils import timezone

from earlyhelp.people import identifiers
from earlyhelp.people import services as people
from earlyhelp.privacy.models import EvidenceType
from earlyhelp.privacy.services import consent
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import Outcome
from earlyhelp.supporting_families.models import ProgrammeFamily
from earlyhelp.testing.names import name_suffix
from earlyhelp.testing.world import make_family

__all__ = ["private_dirs", "programme", "on_programme", "opt_out", "restrict", "read_csv", "PERIOD"]

# Ending today: the families' episodes open today (the world's referrals are recent).
PERIOD = (timezone.localdate() - datetime.timedelta(days=180), timezone.localdate())


@pytest.fixture(autouse=True)
def private_dirs(settings, tmp_path):
    """Each test has its own export and key directories (never the shared var directory)."""
    settings.EARLYHELP_EXPORT_DIR = tmp_path / "exports"
    settings.EARLYHELP_RESEARCH_KEY_DIR = tmp_path / "keys"
    return tmp_path


def on_programme(world, family, *, screened_on=datetime.date(2025, 2, 1), comparison=False,
                 criteria=("EDUCATION", "HEALTH", "FINANCE")):
    return ProgrammeFamily.objects.create(household=family["household"], screened_on=screened_on,
                                          criteria_met=list(criteria), comparison_group=comparison,
                                          decided_by=world.data_team, decided_at=timezone.now())


def opt_out(world, family, *, subject, given_by, withdraw=False):
    """A consent that records an opt-out of the national evaluation (optionally withdrawn afterwards). A parent
    giving it for a child has parental responsibility, recorded first."""
    if given_by.pk != subject.pk:
        people.relate(by=world.lead, person=given_by, related_person=subject, relationship="parent",
                      has_parental_responsibility=True)
    given = consent.record_consent(by=world.lead, household=family["household"], subject=subject, given_by=given_by,
                                   covers_support=True, national_evaluation_opt_out=True,
                                   evidence_type=EvidenceType.SIGNED_FORM, evidence_reference="Form in file",
                                   given_on=datetime.date(2025, 1, 10))
    if withdraw:
        consent.request_withdrawal(by=world.lead, consent_id=given.pk, channel="phone",
                                   requested_on=timezone.localdate())
    return given


def restrict(world, person):
    """An approved Article 18 request restricts the person's record."""
    request = rights.log_request(
        by=world.dpo, kind="restriction", subject=person, received_on=timezone.localdate(),
        requester_relationship="self", requester_name="Requester", requester_address="1 Test Street, Testtown",
        channel="writing", details="Restrict my record", identity_check="seen", id_seen_on=timezone.localdate(),
        id_evidence="Passport seen")
    rights.decide(by=world.dpo, request=request, outcome=Outcome.COMPLIED, reason="Accuracy contested")


@pytest.fixture
def programme(world):
    """Five programme families (one in the comparison group, one only referred), each with an NI number and a UPN
    on the first child; one family not on the programme."""
    families = []
    for seed in range(1, 6):
        family = make_family(world, family_name=f"Nisfamily{name_suffix(seed)}", seed=seed, lead=world.lead,
                             postcode=f"SW1A {seed}AA")
        mother, father, child, younger = family["members"]
        rng = random.Random(seed)
        people.record_identifier(by=world.lead, person=mother, scheme="ni", raw_value=identifiers.make_ni_number(rng))
        people.record_identifier(by=world.lead, person=child, scheme="upn", raw_value=identifiers.make_upn(rng))
        on_programme(world, family, comparison=(seed == 5))
        families.append(family)
    outsider = make_family(world, family_name="Outsider", seed=99, lead=world.lead)
    return {"families": families, "outsider": outsider}


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
