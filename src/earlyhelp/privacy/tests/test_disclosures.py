"""The disclosure log (P7, P8, P17)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.audit.models import AuditEvent
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.people import services as people
from earlyhelp.privacy.models import Disclosure, ProcessingPurpose
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import disclosures
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    family = make_family(world, lead=world.lead)
    mother, _, child, _ = family["members"]
    people.relate(by=world.lead, person=mother, related_person=child, relationship="parent",
                  has_parental_responsibility=True)
    consents.record_consent(by=world.lead, household=family["household"], subject=child, given_by=mother,
                            covers_support=True, sharing_partner_types=["school"], evidence_type="signed_form",
                            evidence_reference="Form 1")
    return family


def _share(world, family, organisation, **overrides):
    values = {"by": world.lead, "household": family["household"], "recipient_organisation": organisation,
              "purpose_code": "multi_agency_sharing", "basis": "consent", "sections": ["plan"],
              "reason": "School is delivering the attendance action"}
    return disclosures.record_disclosure(**{**values, **overrides})


@pytest.mark.promise("P7", "P17")
def test_sharing_covered_by_consent_is_logged_with_what_to_whom_and_why(world, family):
    disclosure = _share(world, family, world.school, recipient_person="Ms Head, DSL")
    assert (disclosure.sections, disclosure.recipient_organisation, disclosure.basis) == (
        ["plan"], world.school, "consent")
    event = AuditEvent.objects.filter(event="disclosure.share").last()
    assert event.household_id == family["household"].pk and "Ms Head" not in str(event.metadata)


@pytest.mark.promise("P15")
@pytest.mark.promise("P7")
def test_sharing_beyond_consent_is_refused_without_a_managers_legal_reason(world, family):
    police = Organisation.objects.create(name="Test Police", type=OrganisationType.POLICE)
    with pytest.raises(ValidationError, match="consent does not cover"):
        _share(world, family, police)
    with pytest.raises(ValidationError, match="approval of a manager"):
        _share(world, family, police, basis="safeguarding", reason="Disclosure of harm to a child")
    assert not Disclosure.objects.exists()
    approved = _share(world, family, police, basis="safeguarding", reason="Disclosure of harm",
                      approved_by=world.manager)
    assert approved.approved_by == world.manager


@pytest.mark.promise("P7")
def test_public_task_sharing_only_with_organisation_types_the_register_lists(world, family):
    purpose = ProcessingPurpose.objects.get(code="multi_agency_sharing")
    purpose.recipient_types = ["school"]  # the DPO narrows the register
    purpose.save()
    with pytest.raises(ValidationError, match="does not list"):
        _share(world, family, world.health, basis="public_task")
    assert _share(world, family, world.school, basis="public_task").basis == "public_task"


@pytest.mark.promise("P9")
def test_withdrawing_consent_blocks_new_consent_based_disclosures(world, family):
    _share(world, family, world.school)
    consent = family["household"].consents.get()
    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="writing")
    with pytest.raises(ValidationError, match="consent does not cover"):
        _share(world, family, world.school)


@pytest.mark.promise("P8")
def test_a_disclosure_must_say_what_is_shared_and_a_decision_not_to_share_is_recorded_too(world, family):
    with pytest.raises(ValidationError, match="only what the recipient needs"):
        _share(world, family, world.school, sections=[])
    with pytest.raises(ValidationError, match="reasons"):
        _share(world, family, world.school, reason="")
    declined = _share(world, family, world.health, shared=False, sections=[], basis="public_task",
                      reason="Not needed for the health visitor's role")
    assert declined.shared is False and declined.sections == []


def test_a_disclosure_with_no_basis_or_an_unknown_purpose_is_refused(world, family):
    with pytest.raises(ValidationError) as caught:
        _share(world, family, world.school, basis="", purpose_code="selling_data")
    assert {"basis", "purpose"} <= set(caught.value.message_dict)


def test_only_the_familys_practitioners_record_disclosures(world, family):
    with pytest.raises(PermissionDenied):
        _share(world, family, world.school, by=world.partner)


def test_sharing_decisions_are_recorded_through_the_page_with_specific_errors(client, world, family):
    from django.urls import reverse

    police = Organisation.objects.create(name="Test Police", type=OrganisationType.POLICE)
    url = reverse("web:disclosure-new", args=[family["household"].pk])
    client.force_login(world.lead)
    page = client.post(url, {"shared": "yes", "recipient_organisation": police.pk, "purpose": "multi_agency_sharing",
                             "basis": "consent", "sections": ["plan"], "reason": "Police asked"}).content.decode()
    assert "consent does not cover sharing with police" in page
    client.post(url, {"shared": "yes", "recipient_organisation": world.school.pk, "purpose": "multi_agency_sharing",
                      "basis": "consent", "sections": ["plan"], "reason": "Attendance action"})
    family_page = client.get(reverse("web:family", args=[family["household"].pk])).content.decode()
    assert "Hillside Primary School" in family_page and "Attendance action" in family_page
