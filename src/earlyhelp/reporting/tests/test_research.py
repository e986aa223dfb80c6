"""Pseudonymised research extracts (P12): keyed references, a deny-by-default column allowlist, generalisation,
no opted-out or restricted person, and a key outside the database destroyed when the project ends."""

import datetime
import hashlib
import hmac

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind
from earlyhelp.reporting.models import ExportFile, ResearchProject
from earlyhelp.reporting.services import files, research

from .nis_world import *  # noqa: F403 (fixtures)
from .nis_world import PERIOD, opt_out, read_csv, restrict

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P12")]

ALL = list(research.CATALOGUE)


def project(world, reference="eval-1", columns=ALL, **overrides):
    values = {"reference": reference, "title": "Evaluation of whole-family support", "recipient": "approved_researchers",
              "recipient_name": "University of Testtown", "purpose": "Whether support reduces school absence",
              "starts_on": timezone.localdate() - datetime.timedelta(days=30),
              "ends_on": timezone.localdate() + datetime.timedelta(days=365), "columns": columns}
    return research.create_project(by=world.data_team, **{**values, **overrides})


def extract(world, proj, columns=None):
    disclosure = research.make_extract(by=world.data_team, project=proj, period_start=PERIOD[0],
                                       period_end=PERIOD[1], columns=columns)
    with files.collect(by=world.data_team, disclosure=disclosure, purpose="research") as handle:
        return disclosure, handle.read()


def test_the_catalogue_has_no_identifying_column():
    identifying = {"given_name", "family_name", "name", "date_of_birth", "nhs_number", "ni_number", "upn",
                   "pnc_number", "postcode", "address", "last_address", "family_unit_id", "school_urn"}
    assert not identifying & set(research.CATALOGUE)


def test_references_are_keyed_stable_within_a_project_and_different_across_projects(world, programme):
    first, second = project(world, "eval-1"), project(world, "eval-2")
    _, a1 = extract(world, first, ["person_ref", "family_ref"])
    _, a2 = extract(world, first, ["person_ref", "family_ref"])
    _, b = extract(world, second, ["person_ref", "family_ref"])
    refs_a1, refs_a2, refs_b = ({r["person_ref"] for r in read_csv(x)} for x in (a1, a2, b))
    assert refs_a1 == refs_a2 and len(refs_a1) == 20
    assert not refs_a1 & refs_b
    assert not {r["family_ref"] for r in read_csv(a1)} & {r["family_ref"] for r in read_csv(b)}
    # Not a plain hash of any identifier, nor of the internal id; the key is what makes it.
    plain = set()
    for family in programme["families"]:
        for person in family["members"]:
            for value in person.identifiers.values_list("value", flat=True):
                plain |= {hashlib.sha256(value.encode()).hexdigest()[:research.REFERENCE_HEX],
                          hashlib.sha256(value.encode()).hexdigest()}
            plain.add(hashlib.sha256(str(person.pk).encode()).hexdigest()[:research.REFERENCE_HEX])
    assert not refs_a1 & plain
    key = research.read_key(first)
    person = programme["families"][0]["members"][0]
    expected = hmac.new(key, f"person:{person.pk}".encode(), hashlib.sha256).hexdigest()[:research.REFERENCE_HEX]
    assert expected in refs_a1
    # The family reference does not carry the family's reference or id.
    family_refs = {r["family_ref"] for r in read_csv(a1)}
    assert not family_refs & {f["household"].reference for f in programme["families"]}


def test_generalisation_and_no_identifying_values_in_the_bytes(world, programme):
    disclosure, data = extract(world, project(world))
    rows = read_csv(data)
    assert list(rows[0]) == ALL == disclosure.columns
    assert {r["postcode_district"] for r in rows} == {"SW1A"}
    assert "1985-03" in {r["birth_month_year"] for r in rows}
    assert research.age_band(datetime.date(1985, 3, 4), datetime.date(2025, 1, 1)) == "35-49"
    assert research.postcode_district("sw1a 1aa") == "SW1A" and research.postcode_district("M1 1AE") == "M1"
    text = data.decode()
    for family in programme["families"]:
        assert family["household"].reference not in text
        for person in family["members"]:
            assert person.family_name not in text and person.date_of_birth.isoformat() not in text
            for value in person.identifiers.values_list("value", flat=True):
                assert value not in text
    assert "SW1A 1AA" not in text and "Test Street" not in text
    assert disclosure.kind == DatasetDisclosureKind.RESEARCH_EXTRACT and disclosure.pseudonymised
    assert disclosure.purpose.code == "research" and disclosure.recipient == "approved_researchers"
    assert disclosure.reference == "eval-1" and disclosure.file_sha256 == hashlib.sha256(data).hexdigest()


def test_opted_out_and_restricted_people_are_left_out(world, programme):
    proj = project(world)
    family = programme["families"][2]
    mother, father, child, younger = family["members"]
    opt_out(world, family, subject=younger, given_by=mother)
    restrict(world, father)
    key = research.read_key(proj)
    _, data = extract(world, proj, ["person_ref"])
    sent = {r["person_ref"] for r in read_csv(data)}
    for person in (younger, mother, father):
        assert research.pseudonym(key, "person", person.pk) not in sent
    assert research.pseudonym(key, "person", child.pk) in sent
    assert len(sent) == 17


def test_a_column_outside_the_allowlist_is_refused_naming_it(world, programme):
    proj = project(world, columns=["person_ref", "age_band"])
    with pytest.raises(ValidationError) as refused:
        research.make_extract(by=world.data_team, project=proj, period_start=PERIOD[0], period_end=PERIOD[1],
                              columns=["person_ref", "ethnicity"])
    assert "ethnicity" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        project(world, "eval-2", columns=["person_ref", "nhs_number"])
    assert "nhs_number" in str(refused.value)
    assert not DatasetDisclosure.objects.exists()


def test_the_key_is_outside_the_database_private_and_destroyed_when_the_project_ends(world, programme, private_dirs):
    proj = project(world)
    path = research.key_path(proj)
    assert path.parent == private_dirs / "keys"
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600 and len(path.read_bytes()) == 32
    key = path.read_bytes()
    for model in (ResearchProject, DatasetDisclosure):
        for row in model.objects.values():
            assert key.hex() not in str(row)
    ResearchProject.objects.filter(pk=proj.pk).update(ends_on=timezone.localdate() - datetime.timedelta(days=1),
                                                      starts_on=timezone.localdate() - datetime.timedelta(days=60))
    call_command("end_research_projects")
    proj.refresh_from_db()
    assert not path.exists()
    assert proj.key_destroyed_at is not None and proj.key_destroyed_by is None
    assert AuditEvent.objects.filter(event="research_project.key_destroyed").count() == 1


def test_ending_early_destroys_the_key_and_records_who(world, programme):
    proj = project(world)
    research.end_project(by=world.data_team, project=proj)
    proj.refresh_from_db()
    assert not research.key_path(proj).exists()
    assert proj.key_destroyed_by == world.data_team and proj.ends_on == timezone.localdate()


def test_an_extract_for_an_ended_project_is_refused_and_nothing_is_logged(world, programme, private_dirs):
    proj = project(world)
    research.end_project(by=world.data_team, project=proj)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        research.make_extract(by=world.data_team, project=proj, period_start=PERIOD[0], period_end=PERIOD[1])
    assert "has ended" in " ".join(refused.value.messages)
    assert not DatasetDisclosure.objects.exists() and not ExportFile.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not list((private_dirs / "exports").glob("*.csv"))


def test_the_allowlist_can_change_only_before_the_first_extract(world, programme):
    proj = project(world, columns=["person_ref"])
    research.change_columns(by=world.data_team, project=proj, columns=["person_ref", "gender"])
    proj.refresh_from_db()
    assert proj.columns == ["person_ref", "gender"]
    extract(world, proj)
    with pytest.raises(ValidationError):
        research.change_columns(by=world.data_team, project=proj, columns=["person_ref"])


def test_a_recipient_must_be_one_the_register_lists_for_research(world):
    with pytest.raises(ValidationError) as refused:
        project(world, recipient="school")
    assert "recipient" in refused.value.message_dict


def test_nothing_in_the_product_can_turn_a_reference_back_into_a_person():
    """P12 "never for decisions, not shared back": the key is read, and references are made, only where an extract is
    written; no page, service or import maps a reference to a person (and once the project ends the key is gone, so
    nothing could). Scans every module outside tests."""
    import re
    from pathlib import Path

    import earlyhelp

    root = Path(earlyhelp.__file__).parent
    callers = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(read_key|pseudonym)\(|settings\.EARLYHELP_RESEARCH_KEY_DIR", text):
            callers.add(path.relative_to(root).as_posix())
    assert callers == {"reporting/services/research.py"}
