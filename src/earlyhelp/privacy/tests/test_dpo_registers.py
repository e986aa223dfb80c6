"""The registers a DPO keeps besides the processing register: personal data breaches (the 72-hour clock to the
ICO), DPIAs linked to register purposes, and data-sharing agreements that partner imports and disclosures cite
(issue 13, item 11)."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.matching import imports
from earlyhelp.matching.models import DatasetType, ImportBatch
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.people import services as people
from earlyhelp.privacy.governance import services
from earlyhelp.privacy.governance.models import (
    AgreementStatus,
    DisclosureAgreement,
    DpiaOutcome,
    PeopleTold,
    Reportable,
)
from earlyhelp.privacy.models import Breach, DataSharingAgreement, Disclosure, Dpia, ProcessingPurpose
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import disclosures
from earlyhelp.testing.agreements import sharing_agreement
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _breach_fields(**overrides):
    aware = timezone.now() - 100 * HOUR
    values = {
        "title": "Case summary emailed to the wrong school", "found_at": aware - HOUR,
        "found_by": "Team manager, north team", "how_found": "The school phoned to say it was not theirs",
        "aware_at": aware, "description": "A case summary about one family went to the wrong school's inbox",
        "data_categories": ["names", "family circumstances"], "special_category": False,
        "people_affected": 4, "records_affected": 1,
    }
    return {**values, **overrides}


@pytest.fixture
def breach(world):
    return services.save_breach(by=world.dpo, **_breach_fields())


# --- Breaches --------------------------------------------------------------------------------------------------------

@pytest.mark.promise("P23")
def test_a_breach_is_recorded_with_a_reference_its_clock_history_and_an_audit_event(world, breach):
    assert breach.reference.startswith(f"BR-{TODAY.year}-")
    assert breach.ico_due_at == breach.aware_at + 72 * HOUR
    assert breach.history.count() == 1 and breach.history.get().history_user == world.dpo
    event = AuditEvent.objects.get(event="breach.record")
    assert (event.actor, event.object_ids, event.metadata["reference"]) == (world.dpo, [breach.pk], breach.reference)


@pytest.mark.promise("P23")
def test_reported_71_hours_59_minutes_after_awareness_is_on_time_without_a_reason(world, breach):
    reported = services.report_breach_to_ico(by=world.dpo, breach=breach, reported_at=breach.aware_at + 71 * HOUR
                                             + 59 * MINUTE, ico_reference="IC-000001")
    assert not reported.reported_late and reported.late_reason == "" and reported.reportable == Reportable.YES
    assert AuditEvent.objects.get(event="breach.report_to_ico").metadata["late"] is False


@pytest.mark.promise("P23")
def test_reported_72_hours_1_minute_after_awareness_is_late_and_needs_the_reasons(world, breach):
    late = breach.aware_at + 72 * HOUR + MINUTE
    with pytest.raises(ValidationError) as refused:
        services.report_breach_to_ico(by=world.dpo, breach=breach, reported_at=late, ico_reference="IC-000002")
    assert refused.value.message_dict == {"late_reason": [services.LATE_REASON_REQUIRED]}
    breach.refresh_from_db()
    assert breach.ico_reported_at is None
    reported = services.report_breach_to_ico(by=world.dpo, breach=breach, reported_at=late,
                                             ico_reference="IC-000002",
                                             late_reason="The school told us on a Friday; the DPO was on leave")
    assert reported.reported_late and reported.late_reason.startswith("The school told us")
    assert AuditEvent.objects.get(event="breach.report_to_ico").metadata["late"] is True


@pytest.mark.promise("P23")
def test_the_clock_is_overdue_after_72_hours_unless_reported_or_assessed_not_reportable(world):
    breach = services.save_breach(by=world.dpo, **_breach_fields())
    assert not breach.ico_overdue(breach.aware_at + 71 * HOUR + 59 * MINUTE)
    assert breach.ico_overdue(breach.aware_at + 72 * HOUR + MINUTE)
    assessed = services.save_breach(by=world.dpo, breach=breach, **_breach_fields(
        found_at=breach.found_at, aware_at=breach.aware_at, reportable=Reportable.NO,
        reportable_reasoning="Encrypted attachment; the key was not sent"))
    assert not assessed.ico_overdue(breach.aware_at + 100 * HOUR)


def test_not_reporting_needs_reasoning_and_not_telling_people_needs_a_reason(world, breach):
    with pytest.raises(ValidationError) as refused:
        services.save_breach(by=world.dpo, breach=breach, **_breach_fields(
            found_at=breach.found_at, aware_at=breach.aware_at, reportable=Reportable.NO,
            people_told=PeopleTold.NOT_TOLD))
    assert refused.value.message_dict == {"reportable_reasoning": [services.ENTER_REPORTABLE_REASONING],
                                          "people_told_reasoning": [services.ENTER_NOT_TOLD_REASON]}


def test_a_breach_must_say_what_happened_and_cannot_be_aware_before_it_was_found(world):
    with pytest.raises(ValidationError) as refused:
        services.save_breach(by=world.dpo, **_breach_fields(title=" ", data_categories=[],
                                                            aware_at=timezone.now() - 200 * HOUR,
                                                            found_at=timezone.now() - 100 * HOUR))
    assert refused.value.message_dict == {"title": [services.REQUIRED["title"]],
                                          "data_categories": [services.REQUIRED["data_categories"]],
                                          "aware_at": [services.AWARE_BEFORE_FOUND]}
    assert not Breach.objects.exists()


def test_a_breach_closes_only_when_contained_decided_reported_and_people_decided(world, breach):
    with pytest.raises(ValidationError) as refused:
        services.close_breach(by=world.dpo, breach=breach)
    assert refused.value.messages == [services.CLOSE_NOT_CONTAINED, services.CLOSE_UNDECIDED,
                                      services.CLOSE_PEOPLE_UNDECIDED]
    services.save_breach(by=world.dpo, breach=breach, reason="Assessed", **_breach_fields(
        found_at=breach.found_at, aware_at=breach.aware_at, contained_at=breach.aware_at + HOUR,
        containment="The school deleted the email and confirmed it in writing", reportable=Reportable.YES,
        reportable_reasoning="Family circumstances of four people", people_told=PeopleTold.TOLD,
        people_told_on=TODAY, people_told_reasoning="By letter from the team manager"))
    with pytest.raises(ValidationError, match="Record the report to the ICO"):
        services.close_breach(by=world.dpo, breach=breach)
    services.report_breach_to_ico(by=world.dpo, breach=breach, reported_at=breach.aware_at + 10 * HOUR,
                                  ico_reference="IC-3")
    closed = services.close_breach(by=world.dpo, breach=breach)
    assert closed.closed_by == world.dpo and not closed.is_open
    with pytest.raises(ValidationError, match="closed"):
        services.save_breach(by=world.dpo, breach=closed, **_breach_fields())
    assert [h.history_change_reason for h in closed.history.order_by("history_date")] == [
        "Recorded", "Assessed", "Reported to the ICO", "Closed"]


def test_only_the_dpo_keeps_the_breach_register(world):
    for user in (world.admin, world.manager, world.data_team):
        with pytest.raises(PermissionDenied):
            services.save_breach(by=user, **_breach_fields())
    assert not Breach.objects.exists()


@pytest.mark.promise("P23")
def test_the_breach_list_filters_open_and_overdue_and_the_record_page_shows_the_clock(client, world):
    overdue = services.save_breach(by=world.dpo, **_breach_fields(title="Overdue one"))
    recent = services.save_breach(by=world.dpo, **_breach_fields(
        title="Recent one", found_at=timezone.now() - 2 * HOUR, aware_at=timezone.now() - HOUR))
    client.force_login(world.dpo)
    overdue_page = html.unescape(client.get(reverse("web:breaches") + "?show=overdue").content.decode())
    assert "Overdue one" in overdue_page and "Recent one" not in overdue_page
    open_page = html.unescape(client.get(reverse("web:breaches")).content.decode())
    assert "Overdue one" in open_page and "Recent one" in open_page
    record = html.unescape(client.get(reverse("web:breach", args=[overdue.pk])).content.decode())
    assert "Report to the ICO due" in record and "Overdue: the ICO should have been told" in record
    assert "Overdue" not in html.unescape(client.get(reverse("web:breach", args=[recent.pk])).content.decode())
    assert AuditEvent.objects.filter(event="breach.view", object_ids=[overdue.pk]).exists()


def test_a_breach_is_recorded_and_reported_late_through_the_pages(client, world):
    client.force_login(world.dpo)
    aware = timezone.localtime(timezone.now() - 80 * HOUR).replace(second=0, microsecond=0)
    form = {"title": "Laptop left on a train", "found_at_day": aware.day, "found_at_month": aware.month,
            "found_at_year": aware.year, "found_at_time": aware.strftime("%H:%M"), "found_by": "Practitioner",
            "how_found": "Reported by the practitioner", "aware_at_day": aware.day, "aware_at_month": aware.month,
            "aware_at_year": aware.year, "aware_at_time": aware.strftime("%H:%M"),
            "description": "An encrypted laptop was left on a train", "data_categories": "case records",
            "people_affected": "30", "records_affected": "12"}
    form = {key.replace("_at_d", "_at_date_d").replace("_at_m", "_at_date_m").replace("_at_y", "_at_date_y"): value
            for key, value in form.items()}
    response = client.post(reverse("web:breach-new"), form)
    breach = Breach.objects.get()
    assert response.status_code == 302 and breach.aware_at == aware
    now = timezone.localtime()
    report = {"reported_at_date_day": now.day, "reported_at_date_month": now.month, "reported_at_date_year": now.year,
              "reported_at_time": now.strftime("%H:%M"), "ico_reference": "IC-99"}
    page = html.unescape(client.post(reverse("web:breach-report", args=[breach.pk]), report).content.decode())
    assert services.LATE_REASON_REQUIRED in page
    client.post(reverse("web:breach-report", args=[breach.pk]), {**report, "late_reason": "Found at a weekend"})
    breach.refresh_from_db()
    assert breach.reported_late and breach.ico_reference == "IC-99"


# --- Role matrix of the registers' record pages ----------------------------------------------------------------

READERS, KEEPERS = {"dpo", "admin"}, {"dpo"}
EVERYONE = ["front_door", "lead", "manager", "partner", "data_team", "dpo", "admin"]


@pytest.mark.promise("P2")
def test_each_role_gets_exactly_the_register_record_pages_it_should(client, world, breach):
    agreement = sharing_agreement(parties=[world.school], recorded_by=world.dpo)
    dpia = services.save_dpia(by=world.dpo, **_dpia_fields())
    pages = {("web:breach", breach.pk): READERS, ("web:breach-edit", breach.pk): KEEPERS,
             ("web:breach-report", breach.pk): KEEPERS, ("web:dpia", dpia.pk): READERS,
             ("web:dpia-edit", dpia.pk): KEEPERS, ("web:agreement", agreement.pk): READERS,
             ("web:agreement-edit", agreement.pk): KEEPERS}
    for who in EVERYONE:
        client.force_login(world.users[who])
        outcomes = {name: client.get(reverse(name, args=[pk])).status_code for name, pk in pages}
        assert outcomes == {name: 200 if who in allowed else 404 for (name, _), allowed in pages.items()}, who
        closing = client.post(reverse("web:breach-close", args=[breach.pk])).status_code
        assert closing == (302 if who in KEEPERS else 404), who
    assert AuditEvent.objects.filter(action=Action.DENIED, object_type="privacy.breach").exists()


# --- DPIAs -----------------------------------------------------------------------------------------------------------

def _dpia_fields(**overrides):
    values = {"title": "Data matching with partner datasets",
              "purposes": [ProcessingPurpose.objects.get(code="data_matching")],
              "description": "Linking partner records to the person index",
              "risks": "A wrong match links a family to another family's facts",
              "mitigations": "A person decides every match; a threshold; partner files checked row by row",
              "review_on": TODAY + 365 * DAY}
    return {**values, **overrides}


@pytest.mark.promise("P15")
def test_a_dpia_links_register_purposes_and_the_purpose_page_shows_it(client, world):
    dpia = services.save_dpia(by=world.dpo, **_dpia_fields())
    assert dpia.reference.startswith(f"DPIA-{TODAY.year}-") and dpia.outcome == DpiaOutcome.IN_PROGRESS
    purpose = ProcessingPurpose.objects.get(code="data_matching")
    client.force_login(world.dpo)
    page = html.unescape(client.get(reverse("web:register-purpose", args=[purpose.pk])).content.decode())
    assert f"{dpia.reference}: Data matching with partner datasets" in page
    assert AuditEvent.objects.get(event="dpia.record").metadata["purposes"] == [purpose.pk]


def test_a_dpia_decided_needs_the_dpo_advice_a_sign_off_and_its_conditions(world):
    with pytest.raises(ValidationError) as refused:
        services.save_dpia(by=world.dpo, **_dpia_fields(outcome=DpiaOutcome.APPROVED_WITH_CONDITIONS))
    assert refused.value.message_dict == {"conditions": [services.ENTER_CONDITIONS],
                                          "dpo_advice": [services.ENTER_DPO_ADVICE],
                                          "signed_off_by": [services.ENTER_SIGNED_OFF_BY],
                                          "signed_off_on": [services.ENTER_SIGNED_OFF_ON]}
    with pytest.raises(ValidationError) as refused:
        services.save_dpia(by=world.dpo, **_dpia_fields(purposes=[], review_on=None))
    assert set(refused.value.message_dict) == {"purposes", "review_on"}
    assert not Dpia.objects.exists()
    dpia = services.save_dpia(by=world.dpo, **_dpia_fields(
        outcome=DpiaOutcome.APPROVED_WITH_CONDITIONS, conditions="Review the threshold quarterly",
        dpo_advice="Proceed with a person deciding every match", signed_off_by="A Senior, SIRO",
        signed_off_on=TODAY))
    assert dpia.outcome == DpiaOutcome.APPROVED_WITH_CONDITIONS


def test_an_overdue_review_is_flagged_on_the_list(client, world):
    services.save_dpia(by=world.dpo, **_dpia_fields(title="Old assessment", review_on=TODAY - DAY))
    services.save_dpia(by=world.dpo, **_dpia_fields(title="Fresh assessment", review_on=TODAY))
    dpias = {d.title: d.review_overdue(TODAY) for d in Dpia.objects.all()}
    assert dpias == {"Old assessment": True, "Fresh assessment": False}
    client.force_login(world.admin)
    page = html.unescape(client.get(reverse("web:dpias")).content.decode())
    assert "1 DPIA is overdue for review" in page


# --- Data-sharing agreements -------------------------------------------------------------------------------

def _agreement_fields(world, **overrides):
    values = {"reference": "DEA-S35-001", "title": "Troubled families data sharing", "kind": "dea_s35",
              "parties": [world.school], "purposes": [ProcessingPurpose.objects.get(code="data_matching")],
              "datasets": ["School attendance"], "lawful_basis": "Article 6(1)(e); Digital Economy Act 2017 s35",
              "starts_on": TODAY - 30 * DAY, "ends_on": None, "document_reference": "Legal drive / DEA-S35-001",
              "status": AgreementStatus.SIGNED}
    return {**values, **overrides}


@pytest.mark.promise("P15")
def test_an_agreement_is_recorded_with_parties_purposes_dates_and_its_history(world):
    agreement = services.save_agreement(by=world.dpo, **_agreement_fields(world))
    assert list(agreement.parties.all()) == [world.school] and agreement.in_force_on(TODAY)
    changed = services.save_agreement(by=world.dpo, agreement=agreement, reason="Ended early by the school",
                                      **_agreement_fields(world, status=AgreementStatus.TERMINATED,
                                                          ends_on=TODAY - DAY))
    assert changed.standing_on(TODAY) == "Ended"
    assert [(e["kind"], e["reason"]) for e in services.history(changed, {})] == [
        ("Changed", "Ended early by the school"), ("Added", "Recorded")]
    assert [e.event for e in AuditEvent.objects.filter(event__startswith="sharing_agreement.")] == [
        "sharing_agreement.record", "sharing_agreement.change"]


def test_an_agreement_must_end_after_it_starts_and_references_are_unique(world):
    services.save_agreement(by=world.dpo, **_agreement_fields(world))
    with pytest.raises(ValidationError) as refused:
        services.save_agreement(by=world.dpo, **_agreement_fields(world, reference="dea-s35-001",
                                                                  ends_on=TODAY - 31 * DAY, parties=[]))
    assert refused.value.message_dict == {"reference": [services.REFERENCE_TAKEN],
                                          "ends_on": [services.ENDS_BEFORE_START],
                                          "parties": [services.AGREEMENT_REQUIRED["parties"]]}


# Partner imports must cite an agreement that covers the partner and the purpose and is in force on the day received.

VALID_ASB = (b"source_record_id,given_name,family_name,date_of_birth,incident_date,category\r\n"
             b"A-1,Ada,Testperson,01/02/2012,01/10/2026,personal\r\n")


@pytest.fixture
def police(db):
    return Organisation.objects.create(name="Test Constabulary", type=OrganisationType.POLICE)


def _import(world, police, agreement, *, received_on=TODAY, purpose_code="data_matching"):
    return imports.start_import(by=world.data_team, dataset_type=DatasetType.POLICE_ASB, source_organisation=police,
                                received_on=received_on, purpose=ProcessingPurpose.objects.get(code=purpose_code),
                                agreement=agreement, file_name="asb.csv", content=VALID_ASB)


def _stored():
    try:
        return set(default_storage.listdir(imports.STORAGE_FOLDER)[1])
    except FileNotFoundError:
        return set()


@pytest.mark.promise("P15", "P7")
@pytest.mark.parametrize("setup,code,message", [
    ({"ends_on": TODAY - 10 * DAY, "starts_on": TODAY - 400 * DAY}, "ended",
     "ended on {ends}, so it cannot be cited for a file received on {received}"),
    ({"starts_on": TODAY + 10 * DAY}, "not_started", "does not start until {starts}"),
    ({"status": AgreementStatus.DRAFT}, "draft", "is a draft that has not been signed"),
    ({"parties": "school"}, "not_a_party", "does not cover Test Constabulary: Test Constabulary is not a party"),
    ({"purposes": ("early_help_casework",)}, "purpose_not_covered",
     "does not cover finding families who may need help: the agreement does not list that purpose"),
], ids=["ended", "not-yet-started", "draft", "not-a-party", "purpose-not-covered"])
def test_an_import_under_an_agreement_that_does_not_cover_it_is_refused_audited_and_nothing_written(
        world, police, setup, code, message):
    setup = dict(setup)
    parties = [world.school] if setup.pop("parties", None) == "school" else [police]
    agreement = sharing_agreement(parties=parties, recorded_by=world.dpo, **setup)
    before = _stored()
    with pytest.raises(ValidationError) as refused:
        _import(world, police, agreement)
    def long(day):
        return f"{day.day} {day:%B %Y}"
    expected = message.format(ends=long(agreement.ends_on) if agreement.ends_on else "",
                              starts=long(agreement.starts_on), received=long(TODAY))
    assert list(refused.value.message_dict) == ["agreement"]
    assert refused.value.message_dict["agreement"][0].startswith(agreement.reference)
    assert expected in refused.value.message_dict["agreement"][0]
    assert not ImportBatch.objects.exists() and _stored() == before
    event = AuditEvent.objects.get(event="sharing_agreement.refused_for_import")
    assert (event.action, event.actor, event.object_ids, event.metadata) == (
        Action.DENIED, world.data_team, [agreement.pk], {"problem": code})


@pytest.mark.promise("P15")
def test_a_file_received_while_the_agreement_was_in_force_is_imported_under_it_even_after_it_ends(world, police):
    agreement = sharing_agreement(parties=[police], recorded_by=world.dpo, starts_on=TODAY - 100 * DAY,
                                  ends_on=TODAY - DAY)
    batch = _import(world, police, agreement, received_on=TODAY - 2 * DAY)
    assert (batch.agreement, batch.sharing_agreement_reference) == (agreement, agreement.reference)


def test_an_import_must_choose_an_agreement(world, police):
    with pytest.raises(ValidationError) as refused:
        _import(world, police, None)
    assert refused.value.message_dict == {"agreement": ["Choose the data-sharing agreement the file arrived under"]}


def test_a_batch_imported_before_the_register_keeps_its_typed_reference_readable(client, world, police):
    batch = ImportBatch.objects.create(
        dataset_type=DatasetType.POLICE_ASB, source_organisation=police, received_on=TODAY,
        purpose=ProcessingPurpose.objects.get(code="data_matching"), sharing_agreement_reference="ISA-OLD-7",
        file_name="old.csv", file_format="csv", file_sha256="e" * 64, status="imported", imported_by=world.data_team)
    client.force_login(world.data_team)
    page = html.unescape(client.get(reverse("matching:batch", args=[batch.pk])).content.decode())
    assert "ISA-OLD-7" in page and "typed in before agreements were kept in the register" in page


# Disclosures record the agreement that covers the recipient; one that has ended cannot be cited.

@pytest.fixture
def family(world):
    world.agreement.delete()  # these tests make their own agreements with the school
    family = make_family(world, lead=world.lead)
    mother, _, child, _ = family["members"]
    people.relate(by=world.lead, person=mother, related_person=child, relationship="parent",
                  has_parental_responsibility=True)
    consents.record_consent(by=world.lead, household=family["household"], subject=child, given_by=mother,
                            covers_support=True, sharing_partner_types=["school"], evidence_type="signed_form",
                            evidence_reference="Form 1")
    return family


def _share(world, family, **overrides):
    values = {"by": world.lead, "household": family["household"], "recipient_organisation": world.school,
              "purpose_code": "multi_agency_sharing", "basis": "consent", "sections": ["plan"],
              "reason": "School is delivering the attendance action"}
    return disclosures.record_disclosure(**{**values, **overrides})


@pytest.mark.promise("P7")
def test_a_disclosure_records_the_agreement_in_force_that_covers_the_recipient(world, family):
    sharing_agreement(parties=[world.school], recorded_by=world.dpo, purposes=("multi_agency_sharing",),
                      reference="ISA-ENDED", starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    current = sharing_agreement(parties=[world.school], recorded_by=world.dpo, purposes=("multi_agency_sharing",),
                                reference="ISA-CURRENT")
    disclosure = _share(world, family)
    assert disclosure.agreement_cited.agreement == current and not disclosure.agreement_cited.chosen
    assert AuditEvent.objects.get(event="disclosure.agreement_cited").metadata == {
        "agreement_id": current.pk, "chosen": False}


@pytest.mark.promise("P7")
def test_routine_sharing_without_an_agreement_in_force_is_refused_audited_and_nothing_written(world, family):
    """Sharing on consent or under the public task must cite an agreement in force (issue 13, item 11); one that has
    ended does not count."""
    sharing_agreement(parties=[world.school], recorded_by=world.dpo, purposes=("multi_agency_sharing",),
                      starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    for basis in ("consent", "public_task"):
        with pytest.raises(ValidationError) as refused:
            _share(world, family, basis=basis, purpose_code="multi_agency_sharing")
        assert refused.value.message_dict["agreement"] == [
            "No data-sharing agreement in force covers sharing with Hillside Primary School for “Sharing with the "
            "people supporting your family”. Ask the DPO to record one, or, if a child or adult is at risk of harm "
            "or another legal reason applies, a manager can approve sharing for that reason"]
    assert not Disclosure.objects.exists() and not DisclosureAgreement.objects.exists()
    assert not AuditEvent.objects.filter(event="disclosure.share").exists()
    events = AuditEvent.objects.filter(event="sharing_agreement.refused_for_disclosure")
    assert [(e.action, e.actor, e.household_id, e.metadata) for e in events] == 2 * [
        (Action.DENIED, world.lead, family["household"].pk, {"problem": "none_in_force"})]


@pytest.mark.promise("P7")
def test_sharing_for_a_legal_reason_never_waits_for_an_agreement(world, family):
    """Safeguarding guidance: the lack of an information sharing agreement must not stop sharing to protect a
    child. A manager's legal reason goes ahead without one, and cites none."""
    disclosure = _share(world, family, basis="safeguarding", purpose_code="safeguarding_sharing_without_consent",
                        approved_by=world.manager)
    assert disclosure.shared and not DisclosureAgreement.objects.filter(disclosure=disclosure).exists()
    assert not AuditEvent.objects.filter(event="sharing_agreement.refused_for_disclosure").exists()


@pytest.mark.promise("P7")
def test_an_agreement_that_has_ended_cannot_be_cited_refused_audited_and_nothing_written(world, family):
    ended = sharing_agreement(parties=[world.school], recorded_by=world.dpo, purposes=("multi_agency_sharing",),
                              reference="ISA-ENDED", starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    with pytest.raises(ValidationError) as refused:
        _share(world, family, agreement=ended)
    assert refused.value.message_dict["agreement"][0].startswith(
        f"ISA-ENDED ended on {(TODAY - DAY).day} {(TODAY - DAY):%B %Y}, so it cannot be cited for sharing")
    assert not Disclosure.objects.exists() and not DisclosureAgreement.objects.exists()
    event = AuditEvent.objects.get(event="sharing_agreement.refused_for_disclosure")
    assert (event.action, event.actor, event.household_id, event.metadata) == (
        Action.DENIED, world.lead, family["household"].pk, {"problem": "ended"})
    current = sharing_agreement(parties=[world.school], recorded_by=world.dpo, purposes=("multi_agency_sharing",))
    chosen = _share(world, family, agreement=current)
    assert chosen.agreement_cited.agreement == current and chosen.agreement_cited.chosen


def test_someone_who_may_not_share_is_refused_before_the_agreement_is_checked(world, family):
    ended = sharing_agreement(parties=[world.school], recorded_by=world.dpo, purposes=("multi_agency_sharing",),
                              starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    with pytest.raises(PermissionDenied):
        _share(world, family, by=world.data_team, agreement=ended)
    assert not AuditEvent.objects.filter(event="sharing_agreement.refused_for_disclosure").exists()


def test_the_agreement_pages_show_standing_and_citations(client, world):
    world.agreement.delete()
    agreement = sharing_agreement(parties=[world.school], recorded_by=world.dpo, reference="ISA-SHOWN",
                                  starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY)
    client.force_login(world.dpo)
    listing = html.unescape(client.get(reverse("web:agreements")).content.decode())
    assert "ISA-SHOWN" in listing and "Ended" in listing
    record = html.unescape(client.get(reverse("web:agreement", args=[agreement.pk])).content.decode())
    assert "Hillside Primary School" in record and "0 partner files, 0 disclosures" in record
    assert DataSharingAgreement.objects.count() == 1
