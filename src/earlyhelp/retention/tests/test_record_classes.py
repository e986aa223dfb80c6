"""Every record class the processing register names has a retention rule, as data, and the nightly sweep disposes of
it at its boundary through proposal, a person's approval, disposal and a certificate; legal holds keep what they
cover (P4, P20)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import AuditEvent
from earlyhelp.matching.models import BatchStatus as ImportStatus
from earlyhelp.matching.models import DatasetType, FileFormat, ImportBatch, SourceRecord
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind, ProcessingPurpose
from earlyhelp.records import record_classes
from earlyhelp.reporting.models import ExportFile
from earlyhelp.retention import presets
from earlyhelp.retention.models import (
    FAMILY_CLASSES,
    BatchStatus,
    CandidateStatus,
    DisposalBatch,
    HoldKind,
    HoldScope,
    RecordClass,
    RetentionRule,
)
from earlyhelp.retention.services import disposal, holds, sweep
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import RequestStatus
from earlyhelp.supporting_families.models import ClaimBatch
from earlyhelp.testing.world import make_family

from .conftest import years_after

pytestmark = [pytest.mark.promise("P4"), pytest.mark.django_db]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
# Performance reports and statistics are worked out when asked for: no working file is stored, so nothing is kept
# to need a rule (the register's "deleted 1 year after a report is produced" is true of nothing kept).
KEEPS_NOTHING = {"statistics"}


@pytest.fixture
def loaded(db):
    presets.load_presets()
    return {rule.code: rule for rule in RetentionRule.objects.all()}


def _entry(run, code):
    return next(e for e in run.report["rules"] if e["rule"] == code)


def _approve_and_dispose(world, code, *, today=None):
    batch = DisposalBatch.objects.get(rule_code=code, status=BatchStatus.PENDING)
    disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason="Past the council's retention period")
    batch.refresh_from_db()
    if batch.status == BatchStatus.REVIEWED:
        return batch, None
    certificate = disposal.dispose_batch(by=world.dpo, batch=batch, today=today)
    batch.refresh_from_db()
    return batch, certificate


# --- The register and the rules agree -----------------------------------------------------------------------

def test_every_register_retention_code_is_a_rule_in_use_with_the_same_period(loaded):
    rules = {code: rule for code, rule in loaded.items() if rule.is_active}
    for purpose in ProcessingPurpose.objects.filter(is_active=True):
        if purpose.code in KEEPS_NOTHING:
            continue
        assert purpose.retention in rules, f"{purpose.code}: {purpose.retention} is not a retention rule in use"
        rule = rules[purpose.retention]
        years = int(re.fullmatch(r"[A-Z0-9]+\+(\d+)", purpose.retention).group(1))
        assert rule.period_years == years
        assert f"{years} year" in purpose.retention_note, purpose.code  # the text families read says the same


def test_a_register_code_with_no_rule_fails_the_check(loaded):
    RetentionRule.objects.filter(code="RIGHTS+2").update(is_active=False)
    with pytest.raises(AssertionError, match="RIGHTS"):
        test_every_register_retention_code_is_a_rule_in_use_with_the_same_period(
            {rule.code: rule for rule in RetentionRule.objects.all()})


def test_every_record_class_has_a_rule_in_use_and_every_other_class_is_declared(loaded):
    in_use = set(RetentionRule.objects.filter(is_active=True).values_list("record_class", flat=True))
    assert in_use == set(RecordClass.values)
    declared = record_classes.declared()
    for value in RecordClass.values:
        if value not in FAMILY_CLASSES and value != RecordClass.AUDIT_EVENTS:
            assert declared[value].record_class == value


# --- Each class at its boundary -------------------------------------------------------------------------------

def _closed_request(world, subject=None):
    request = rights.log_request(by=world.dpo, kind="access", received_on=TODAY, subject=subject,
                                 requester_name="Requester Testperson", requester_relationship="self",
                                 requester_address="1 Test Street", channel="writing", details="Everything you hold",
                                 identity_check="seen", id_seen_on=TODAY, id_evidence="Passport seen")
    return rights.decide(by=world.dpo, request=request, outcome="refused", reason="Manifestly excessive")


def test_rights_requests_are_kept_two_years_after_closing_then_their_personal_data_goes(world, loaded):
    request = _closed_request(world)
    assert request.status == RequestStatus.REFUSED and request.completed_on == TODAY
    due = years_after(TODAY, 2)
    assert _entry(sweep.run_sweep(today=due - DAY), "RIGHTS+2")["proposed"] == 0
    assert _entry(sweep.run_sweep(today=due), "RIGHTS+2")["proposed"] == 1
    batch, certificate = _approve_and_dispose(world, "RIGHTS+2", today=due)
    assert batch.status == BatchStatus.ANONYMISED and certificate.families == 1
    request.refresh_from_db()
    assert (request.requester_name, request.requester_address, request.details, request.id_evidence) == ("",) * 4
    assert request.reference and request.outcome == "refused"  # the council's record of what was asked remains
    assert certificate.records == {"rights.RightsRequest": 1}
    # Nothing personal is left, so the next sweep proposes nothing.
    assert _entry(sweep.run_sweep(today=due + DAY), "RIGHTS+2")["due"] == 0


@pytest.mark.promise("P20")
def test_a_rights_request_about_a_held_person_is_kept(world, loaded):
    family = make_family(world, lead=world.lead)
    request = _closed_request(world, subject=family["members"][0])
    holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.PERSON, reason="A claim",
                     person_id=family["members"][0].pk)
    entry = _entry(sweep.run_sweep(today=years_after(TODAY, 2)), "RIGHTS+2")
    assert (entry["due"], entry["held"], entry["proposed"]) == (1, 1, 0)
    request.refresh_from_db()
    assert request.details == "Everything you hold"


def _export_file(world, family):
    disclosure = DatasetDisclosure.objects.create(
        kind=DatasetDisclosureKind.RESEARCH_EXTRACT, purpose=ProcessingPurpose.objects.get(code="research"),
        recipient="approved_researchers", recipient_name="A university", period_start=TODAY, period_end=TODAY,
        columns=["pseudonym"], row_count=1, file_name="extract.csv", file_sha256="0" * 64, pseudonymised=True,
        decided_by=world.data_team, decided_at=timezone.now())
    disclosure.households.add(family["household"])
    now = timezone.now()
    return ExportFile.objects.create(disclosure=disclosure, stored_name=f"test-{disclosure.pk}.csv", created_at=now,
                                     expires_at=now + datetime.timedelta(hours=48))


def test_export_files_are_kept_one_year_after_they_are_made(world, loaded):
    family = make_family(world, lead=world.lead)
    export = _export_file(world, family)
    due = years_after(TODAY, 1)
    assert _entry(sweep.run_sweep(today=due - DAY), "EXTRACT+1")["proposed"] == 0
    assert _entry(sweep.run_sweep(today=due), "EXTRACT+1")["proposed"] == 1
    batch, certificate = _approve_and_dispose(world, "EXTRACT+1", today=due)
    assert batch.status == BatchStatus.DISPOSED and not ExportFile.objects.filter(pk=export.pk).exists()
    assert certificate.records["reporting.ExportFile"] == 1
    assert DatasetDisclosure.objects.filter(pk=export.disclosure_id).exists()  # the family's disclosure log stays
    assert not batch.candidates.filter(object_id=export.pk).exists()  # nothing left points at it


@pytest.mark.promise("P20")
def test_an_export_file_about_a_held_family_is_kept(world, loaded):
    family = make_family(world, lead=world.lead)
    export = _export_file(world, family)
    holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="A claim",
                     household_reference=family["household"].reference)
    entry = _entry(sweep.run_sweep(today=years_after(TODAY, 1)), "EXTRACT+1")
    assert (entry["held"], entry["proposed"]) == (1, 0)
    assert ExportFile.objects.filter(pk=export.pk).exists()


def _partner_file(world, rows=2, dataset=DatasetType.POLICE_ASB):
    police, _ = Organisation.objects.get_or_create(name="Test Constabulary", type=OrganisationType.POLICE)
    batch = ImportBatch.objects.create(
        dataset_type=dataset, source_organisation=police, received_on=TODAY,
        purpose=ProcessingPurpose.objects.get(code="data_matching"), sharing_agreement_reference="ISA-TEST",
        file_name="partner.csv", file_format=FileFormat.CSV, file_sha256=str(ImportBatch.objects.count() + 1) * 64,
        status=ImportStatus.IMPORTED,
        total_rows=rows, processed_rows=rows, imported_by=world.data_team, finished_at=timezone.now())
    for row_number in range(2, rows + 2):
        SourceRecord.objects.create(batch=batch, row_number=row_number, source_record_id=f"P{row_number}",
                                    given_name="Testgiven", family_name="Testpartner", facts={})
    return batch


def test_partner_records_that_led_to_nobody_are_kept_one_year_after_the_file_arrived(world, loaded, client):
    batch = _partner_file(world)
    due = years_after(TODAY, 1)
    assert _entry(sweep.run_sweep(today=due - DAY), "PARTNER+1")["proposed"] == 0
    assert _entry(sweep.run_sweep(today=due), "PARTNER+1")["proposed"] == 2
    # The batch's page counts partner records, not families (a partner record may name nobody the council holds).
    client.force_login(world.dpo)
    pending = DisposalBatch.objects.get(rule_code="PARTNER+1", status=BatchStatus.PENDING)
    page = client.get(reverse("retention:batch", args=[pending.pk])).content.decode()
    assert "Records proposed" in page and "Families proposed" not in page
    assert "2 records" in client.get(reverse("retention:batches")).content.decode()
    disposed, certificate = _approve_and_dispose(world, "PARTNER+1", today=due)
    assert disposed.status == BatchStatus.DISPOSED and certificate.records["matching.SourceRecord"] == 2
    assert not SourceRecord.objects.filter(batch=batch).exists()
    assert ImportBatch.objects.filter(pk=batch.pk).exists()  # the batch holds counts and references only


@pytest.mark.promise("P20")
def test_a_social_care_partner_file_that_matched_nobody_is_kept_under_a_hold_on_social_care_records(world, loaded):
    social_care = _partner_file(world, dataset=DatasetType.CSC_INVOLVEMENT)
    police = _partner_file(world)
    holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.CRITERION, criterion="known_to_csc",
                     reason="The Goddard letter: no social care data may be destroyed")
    due = years_after(TODAY, 1)
    entry = _entry(sweep.run_sweep(today=due), "PARTNER+1")
    assert (entry["due"], entry["held"], entry["proposed"]) == (4, 2, 2)
    _approve_and_dispose(world, "PARTNER+1", today=due)
    assert SourceRecord.objects.filter(batch=social_care).count() == 2
    assert not SourceRecord.objects.filter(batch=police).exists()


def test_partner_rule_is_data_the_council_can_change(world, loaded):
    _partner_file(world)
    from earlyhelp.retention.services import rules as rule_service
    rule_service.save_rule(by=world.dpo, rule=loaded["PARTNER+1"], is_active=False, reason="Moving to two years")
    rule_service.save_rule(by=world.dpo, code="PARTNER+2", record_class=RecordClass.PARTNER_FILES,
                           trigger="file_received", period_years=2, action="destroy", source="Council schedule",
                           is_active=True)
    assert _entry(sweep.run_sweep(today=years_after(TODAY, 1)), "PARTNER+2")["due"] == 0
    assert _entry(sweep.run_sweep(today=years_after(TODAY, 2)), "PARTNER+2")["proposed"] == 2


def test_claims_are_reviewed_six_years_after_they_were_sent_never_destroyed(world, loaded):
    now = timezone.now()
    claims = ClaimBatch.objects.create(period_start=TODAY, period_end=TODAY, created_by=world.data_team,
                                       created_at=now, status="submitted", submitted_by=world.data_team,
                                       submitted_at=now, sample_seed=1)
    due = years_after(TODAY, 6)
    assert _entry(sweep.run_sweep(today=due - DAY), "CLAIM+6")["proposed"] == 0
    assert _entry(sweep.run_sweep(today=due), "CLAIM+6")["proposed"] == 1
    batch, certificate = _approve_and_dispose(world, "CLAIM+6", today=due)
    assert batch.status == BatchStatus.REVIEWED and certificate is None
    assert ClaimBatch.objects.filter(pk=claims.pk).exists()
    assert batch.candidates.get().status == CandidateStatus.REVIEWED


# --- The audit trail ------------------------------------------------------------------------------------------

@pytest.mark.promise("P20")
def test_audit_entries_are_pruned_six_years_on_in_a_sealed_epoch_keeping_held_families(world, loaded):
    held = make_family(world, lead=world.lead, seed=31)
    free = make_family(world, lead=world.lead, family_name="Freefamily", seed=32)
    holds.place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.HOUSEHOLD, reason="A claim",
                     household_reference=held["household"].reference)
    held_events = set(AuditEvent.objects.filter(household_id=held["household"].pk).values_list("sequence", "hash"))
    assert held_events and AuditEvent.objects.filter(household_id=free["household"].pk).exists()
    due = years_after(TODAY, 6)
    assert _entry(sweep.run_sweep(today=due - DAY), "AUDIT+6")["proposed"] == 0
    entry = _entry(sweep.run_sweep(today=due), "AUDIT+6")
    assert entry["proposed"] > 0 and entry["held"] == len(held_events)
    batch = DisposalBatch.objects.get(rule_code="AUDIT+6")
    assert batch.dry_run["models"]["audit.AuditEvent"] == entry["proposed"]
    # Nothing is pruned until a person approves and disposes.
    assert AuditEvent.objects.filter(household_id=free["household"].pk).exists()
    batch, certificate = _approve_and_dispose(world, "AUDIT+6", today=due)
    assert batch.status == BatchStatus.DISPOSED and certificate.records["audit.AuditEvent"] == entry["proposed"]
    assert not AuditEvent.objects.filter(household_id=free["household"].pk).exists()
    assert set(AuditEvent.objects.filter(household_id=held["household"].pk).values_list("sequence", "hash")
               ) >= held_events
    epoch = audit.sealed_epochs().get()
    assert epoch.pruned == entry["proposed"] and epoch.held == len(held_events)
    assert audit.verify_chain()[1] is None


def test_the_retention_home_page_shows_each_sealed_epoch(world, loaded, client):
    make_family(world, lead=world.lead)
    sweep.run_sweep(today=years_after(TODAY, 6))
    _approve_and_dispose(world, "AUDIT+6", today=years_after(TODAY, 6))
    epoch = audit.sealed_epochs().get()
    client.force_login(world.dpo)
    page = client.get("/retention/").content.decode()
    assert "Audit trail: sealed epochs" in page
    assert f"#{epoch.first_sequence} to #{epoch.cut_sequence}" in page


def test_a_rule_for_another_record_class_must_use_its_own_trigger_and_claims_can_only_be_reviewed(world, loaded):
    from django.core.exceptions import ValidationError

    from earlyhelp.retention.services import rules as rule_service
    fields = {"record_class": RecordClass.RIGHTS_REQUESTS, "trigger": "episode_closure", "period_years": 3,
              "action": "destroy", "source": "Council schedule", "is_active": True}
    with pytest.raises(ValidationError) as error:
        rule_service.save_rule(by=world.dpo, code="RIGHTS+3", **fields)
    assert error.value.message_dict["trigger"] == [
        "For data protection requests the retention period starts on the day the request was closed: choose that"]
    with pytest.raises(ValidationError) as error:
        rule_service.save_rule(by=world.dpo, code="CLAIM+7", **{**fields, "record_class": RecordClass.PROGRAMME_CLAIMS,
                                                                 "trigger": "return_sent", "period_years": 7})
    assert "only ever reviewed" in error.value.message_dict["action"][0]
    assert not RetentionRule.objects.filter(code__in=["RIGHTS+3", "CLAIM+7"]).exists()


def test_an_audit_batch_page_speaks_of_records_not_families(world, loaded, client):
    make_family(world, lead=world.lead)
    sweep.run_sweep(today=years_after(TODAY, 6))
    batch = DisposalBatch.objects.get(rule_code="AUDIT+6")
    client.force_login(world.dpo)
    page = client.get(f"/retention/batches/{batch.pk}/").content.decode()
    assert f"{batch.families_proposed} records of audit trail entries would be destroyed" in page
    assert "signed checkpoint" in page and "famil" not in page.split("A dry run")[1].split("</p>")[0]
