"""The National Impact Study transfer (P27): the documented columns, nobody who opted out or is restricted, a
manifest whose digest is the file's, refusals that write nothing, and the family's disclosure log shows it."""

import datetime
import hashlib
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind
from earlyhelp.privacy.services.disclosures import dataset_disclosures_for
from earlyhelp.programme.models import Descriptor, Need, NeedProgress, NeedStatus
from earlyhelp.programme.services import needs
from earlyhelp.reporting.models import ExportFile
from earlyhelp.reporting.services import files, nis
from earlyhelp.testing.world import make_family

from .nis_world import *  # noqa: F403 (fixtures)
from .nis_world import PERIOD, on_programme, opt_out, read_csv, restrict

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P27")]

DOCUMENTED = ["given_name", "family_name", "date_of_birth", "gender", "postcode", "last_address", "ni_number",
              "family_unit_id", "relation_in_family", "date_screened", "criteria_met", "intervention_status",
              "intervention_start", "intervention_end", "comparison_group", "upn", "school_urn", "nhs_number",
              "pnc_number", "needs_identified", "progress", "outcomes_met"]


def transfer(world):
    disclosure = nis.make_transfer(by=world.data_team, period_start=PERIOD[0], period_end=PERIOD[1])
    with files.collect(by=world.data_team, disclosure=disclosure, purpose="national_impact_study") as handle:
        data = handle.read()
    return disclosure, data


def test_the_file_has_exactly_the_documented_columns_and_one_row_per_member(world, programme):
    disclosure, data = transfer(world)
    header = data.decode().splitlines()[0].split(",")
    assert header == DOCUMENTED == list(nis.COLUMNS) == disclosure.columns
    rows = read_csv(data)
    assert len(rows) == 5 * 4 == disclosure.row_count
    assert {r["family_unit_id"] for r in rows} == {f["household"].reference for f in programme["families"]}
    mother = next(r for r in rows if r["family_unit_id"] == programme["families"][0]["household"].reference
                  and r["given_name"] == "Alex")
    assert mother["date_of_birth"] == "1985-03-04" and mother["gender"] == "female"
    assert mother["postcode"] == "SW1A 1AA" and mother["last_address"] == "1 Test Street, Testtown"
    assert mother["ni_number"] and mother["nhs_number"] and mother["relation_in_family"] == "parent_carer"
    assert mother["date_screened"] == "2025-02-01" and mother["criteria_met"] == "EDUCATION;HEALTH;FINANCE"
    assert mother["intervention_status"] == "in_progress" and mother["intervention_start"]
    assert mother["school_urn"] == ""  # the system does not record which school a child attends
    assert {r["comparison_group"] for r in rows if r["family_unit_id"] == programme["families"][4]["household"].reference} == {"Y"}
    assert any(r["upn"] for r in rows)
    assert programme["outsider"]["household"].reference not in {r["family_unit_id"] for r in rows}


def test_the_file_carries_family_progress_data_by_the_periods_end(world, programme):
    """P27: "progress data every six months": each person's own needs and the family's, with the first and the
    latest progress score by the period's end and the outcomes met; nothing recorded after the period's end."""
    family = programme["families"][0]
    mother, child = family["members"][0], family["members"][2]
    episode = family["episode"]
    attendance = Descriptor.objects.get(code="attendance", is_active=True)
    housing = Descriptor.objects.get(code="homelessness", is_active=True)
    child_need = needs.record_need(by=world.lead, household_id=family["household"].pk, episode_id=episode.pk,
                                   person=child, descriptor_id=attendance.pk, evidence="Attendance 71%")
    family_need = needs.record_need(by=world.lead, household_id=family["household"].pk, episode_id=episode.pk,
                                    person=None, descriptor_id=housing.pk, evidence="Section 21 notice")
    day = PERIOD[1] - datetime.timedelta(days=30)
    for need, scores in ((child_need, (2, 4)), (family_need, (1, 3))):
        for offset, score in enumerate(scores):
            NeedProgress.objects.create(need=need, occasion="baseline" if offset == 0 else "closure", score=score,
                                        evidence="Seen", recorded_on=day + datetime.timedelta(days=offset),
                                        recorded_by=world.lead)
    NeedProgress.objects.create(need=child_need, occasion="review", review=episode.reviews.first(), score=5,
                                evidence="After the period", recorded_on=PERIOD[1] + datetime.timedelta(days=1),
                                recorded_by=world.lead)
    Need.objects.filter(pk__in=[child_need.pk, family_need.pk]).update(status=NeedStatus.MET)
    # The family need's outcome was met only after the period's end: the closure score is dated after it.
    NeedProgress.objects.filter(need=family_need, occasion="closure").update(
        recorded_on=PERIOD[1] + datetime.timedelta(days=2))
    rows = {(r["given_name"], r["family_name"]): r for r in read_csv(transfer(world)[1])}
    child_row = rows[(child.given_name, child.family_name)]
    mother_row = rows[(mother.given_name, mother.family_name)]
    assert (child_row["needs_identified"], child_row["progress"], child_row["outcomes_met"]) == (
        "EDUCATION;HOUSING", "EDUCATION:2>4;HOUSING:1>1", "EDUCATION")
    assert (mother_row["needs_identified"], mother_row["progress"], mother_row["outcomes_met"]) == (
        "HOUSING", "HOUSING:1>1", "")


def test_the_manifest_digest_is_the_sha256_of_the_bytes_sent(world, programme):
    disclosure, data = transfer(world)
    assert disclosure.file_sha256 == hashlib.sha256(data).hexdigest()
    manifest = files.manifest(disclosure)
    assert manifest["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["purpose"] == "national_impact_study" and manifest["recipient"] == "ons"
    assert manifest["columns"] == DOCUMENTED and manifest["row_count"] == 20 and manifest["families"] == 5
    assert manifest["period_start"] == PERIOD[0].isoformat() and not manifest["pseudonymised"]
    assert disclosure.kind == DatasetDisclosureKind.NATIONAL_IMPACT_STUDY
    assert AuditEvent.objects.filter(event="national_impact_study.transfer").count() == 1


@pytest.mark.promise("P12")
def test_nobody_who_opted_out_ever_appears_in_any_file(world, programme):
    """Property-style: opt-outs on random members of random families, on active and withdrawn consents, some given
    by a parent for a child; whatever the mix, no opted-out person is in the file, and everyone else is."""
    rng = random.Random(20250101)
    opted = set()
    for family in programme["families"]:
        mother, father, child, younger = family["members"]
        choice = rng.choice(["none", "self", "child_by_parent", "withdrawn"])
        if choice == "self":
            opt_out(world, family, subject=father, given_by=father)
            opted.add(father.pk)
        elif choice == "child_by_parent":
            opt_out(world, family, subject=younger, given_by=mother)
            opted |= {younger.pk, mother.pk}  # the parent who gave it is left out too (cohort's rule)
        elif choice == "withdrawn":
            opt_out(world, family, subject=child, given_by=child, withdraw=True)
            opted.add(child.pk)
    # And always one child opted out by a parent, whatever the draw.
    family = programme["families"][0]
    opt_out(world, family, subject=family["members"][2], given_by=family["members"][1])
    opted |= {family["members"][2].pk, family["members"][1].pk}

    _, data = transfer(world)
    rows = read_csv(data)
    sent = {(r["family_unit_id"], r["given_name"]) for r in rows}
    by_key = {(f["household"].reference, p.given_name): p.pk for f in programme["families"] for p in f["members"]}
    assert not {by_key[k] for k in sent} & opted
    assert {by_key[k] for k in sent} == set(by_key.values()) - opted
    # The opted-out people's identifiers are nowhere in the bytes either.
    for family in programme["families"]:
        for person in family["members"]:
            if person.pk in opted:
                for value in person.identifiers.values_list("value", flat=True):
                    assert value.encode() not in data


def test_a_restricted_person_is_left_out(world, programme):
    family = programme["families"][1]
    father = family["members"][1]
    restrict(world, father)
    _, data = transfer(world)
    rows = read_csv(data)
    assert not [r for r in rows if r["family_unit_id"] == family["household"].reference and r["given_name"] == "Sam"]
    assert len(rows) == 19


def test_a_period_with_nobody_to_send_is_refused_and_nothing_is_written(world, private_dirs):
    family = make_family(world, family_name="Late", seed=7, lead=world.lead)
    on_programme(world, family, screened_on=PERIOD[1] + datetime.timedelta(days=1))  # after the period
    with pytest.raises(ValidationError) as refused:
        nis.make_transfer(by=world.data_team, period_start=PERIOD[0], period_end=PERIOD[1])
    assert "nothing to send" in " ".join(refused.value.messages)
    assert not DatasetDisclosure.objects.exists() and not ExportFile.objects.exists()
    assert not list((private_dirs / "exports").glob("*"))


def test_bad_periods_and_other_roles_are_refused(world, programme):
    with pytest.raises(ValidationError) as refused:
        nis.make_transfer(by=world.data_team, period_start=PERIOD[1], period_end=PERIOD[0])
    assert "period_end" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        nis.make_transfer(by=world.lead, period_start=PERIOD[0], period_end=PERIOD[1])
    assert not DatasetDisclosure.objects.exists()


def test_the_file_is_private_and_can_be_downloaded_once(world, programme, private_dirs):
    disclosure = nis.make_transfer(by=world.data_team, period_start=PERIOD[0], period_end=PERIOD[1])
    stored = private_dirs / "exports" / disclosure.export_file.stored_name
    assert stored.exists() and stored.stat().st_mode & 0o777 == 0o600
    with files.collect(by=world.data_team, disclosure=disclosure, purpose="national_impact_study") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == disclosure.file_sha256
    assert not stored.exists()
    with pytest.raises(ValidationError):
        files.collect(by=world.data_team, disclosure=disclosure, purpose="national_impact_study")


def test_an_expired_file_cannot_be_collected_even_before_the_nightly_clean(world, programme, private_dirs):
    disclosure = nis.make_transfer(by=world.data_team, period_start=PERIOD[0], period_end=PERIOD[1])
    ExportFile.objects.filter(pk=disclosure.export_file.pk).update(expires_at=timezone.now())
    with pytest.raises(ValidationError, match="expired"):
        files.collect(by=world.data_team, disclosure=disclosure, purpose="national_impact_study")


def test_an_uncollected_file_is_removed_when_it_expires(world, programme, private_dirs):
    disclosure = nis.make_transfer(by=world.data_team, period_start=PERIOD[0], period_end=PERIOD[1])
    stored = private_dirs / "exports" / disclosure.export_file.stored_name
    assert files.purge(now=disclosure.export_file.expires_at + datetime.timedelta(seconds=1)) == 1
    assert not stored.exists()
    assert DatasetDisclosure.objects.filter(pk=disclosure.pk).exists()  # the record of what was sent stays


@pytest.mark.promise("P17")
def test_the_familys_disclosure_log_shows_the_transfer(client, world, programme):
    disclosure, _ = transfer(world)
    family = programme["families"][0]["household"]
    assert list(dataset_disclosures_for(family)) == [disclosure]
    assert not dataset_disclosures_for(programme["outsider"]["household"]).exists()
    client.force_login(world.lead)
    page = client.get(reverse("web:family", args=[family.pk])).content.decode()
    assert "National Impact Study transfer to ONS" in page and "Office for National Statistics" in page
    page = client.get(reverse("web:family-information", args=[family.pk])).content.decode()
    assert "National Impact Study transfer to ONS" in page
