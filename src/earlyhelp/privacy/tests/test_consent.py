"""Consent: who gave it for whom, its evidence, immutability, and withdrawal within 14 days (P6, P9)."""

import datetime

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.people import services as people
from earlyhelp.privacy.forms import ConsentForm
from earlyhelp.privacy.models import Consent, ConsentStatus, PrivacyNotice
from earlyhelp.privacy.services import consent as consents
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    family = make_family(world, lead=world.lead)
    mother, _, child, _ = family["members"]
    people.relate(by=world.lead, person=mother, related_person=child, relationship="parent",
                  has_parental_responsibility=True)
    return family


def _give(world, family, **overrides):
    mother, _, child, _ = family["members"]
    values = {"by": world.lead, "household": family["household"], "subject": child, "given_by": mother,
              "covers_support": True, "sharing_partner_types": ["school", "health"],
              "evidence_type": "signed_form", "evidence_reference": "Scanned form, document 12"}
    return consents.record_consent(**{**values, **overrides})


@pytest.mark.promise("P6")
def test_a_parent_with_parental_responsibility_consents_for_a_child_and_the_notice_version_is_kept(world, family):
    consent = _give(world, family)
    assert consent.status == ConsentStatus.ACTIVE
    assert consent.notice == PrivacyNotice.objects.order_by("-version").first()
    assert consents.sharing_permitted(family["household"], "school")
    assert not consents.sharing_permitted(family["household"], "police")


def test_someone_without_parental_responsibility_cannot_consent_for_a_child(world, family):
    father = family["members"][1]
    with pytest.raises(ValidationError, match="parental responsibility"):
        _give(world, family, given_by=father)


def test_a_young_person_can_consent_for_themselves(world, family):
    child = family["members"][2]
    assert _give(world, family, given_by=child, subject=child).given_by == child


@pytest.mark.parametrize("overrides, field", [
    ({"evidence_type": "signed_form", "evidence_reference": ""}, "evidence_reference"),
    ({"evidence_type": "verbal_witnessed", "witness_name": ""}, "witness_name"),
    ({"evidence_type": "nodded"}, "evidence_type"),
    ({"subject": None}, "subject"),
    ({"sharing_partner_types": ["marketing_firm"]}, "sharing_partner_types"),
])
def test_consent_without_evidence_or_a_subject_is_refused_and_nothing_is_recorded(world, family, overrides, field):
    with pytest.raises(ValidationError) as caught:
        _give(world, family, **overrides)
    assert field in caught.value.message_dict
    assert not Consent.objects.exists()


@pytest.mark.promise("P9")
def test_withdrawal_stops_consent_based_sharing_at_once_and_is_due_in_14_days(world, family):
    consent = _give(world, family)
    today = timezone.localdate()
    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="writing")
    consent.refresh_from_db()
    assert consent.withdrawal_due_on == today + datetime.timedelta(days=14)
    assert not consents.sharing_permitted(family["household"], "school")
    assert list(consents.pending_withdrawals(world.dpo)) == [consent]
    assert list(consents.pending_withdrawals(world.manager)) == [consent]
    assert list(consents.pending_withdrawals(world.other_manager)) == []
    consents.complete_withdrawal(by=world.dpo, consent_id=consent.pk)
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN and list(consents.pending_withdrawals(world.dpo)) == []


def test_a_withdrawal_for_consent_that_does_not_exist_is_refused(world, family):
    with pytest.raises(ValidationError, match="no such consent"):
        consents.request_withdrawal(by=world.lead, consent_id=999999, channel="writing")
    consent = _give(world, family)
    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="phone")
    with pytest.raises(ValidationError, match="already been withdrawn"):
        consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="phone")


@pytest.mark.promise("P9")
def test_only_the_familys_practitioners_or_the_dpo_take_a_withdrawal(world, family):
    consent = _give(world, family)
    for user in (world.other_lead, world.partner, world.data_team):
        with pytest.raises(PermissionDenied):
            consents.request_withdrawal(by=user, consent_id=consent.pk, channel="writing")


@pytest.mark.promise("P9")
def test_given_consent_is_immutable_a_correction_withdraws_it_and_records_anew(world, family):
    consent = _give(world, family)
    mother, _, child, _ = family["members"]
    corrected = consents.correct_consent(by=world.lead, consent_id=consent.pk, subject=child, given_by=mother,
                                         covers_support=True, sharing_partner_types=["school"],
                                         evidence_type="verbal_witnessed", witness_name="A. Practitioner")
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN and consent.sharing_partner_types == ["health", "school"]
    assert corrected.replaces == consent and corrected.sharing_partner_types == ["school"]
    assert consents.sharing_permitted(family["household"], "school")
    assert not consents.sharing_permitted(family["household"], "health")


@pytest.mark.promise("P9")
def test_overdue_withdrawals_show_their_due_date(world, family):
    consent = _give(world, family)
    requested = timezone.localdate() - datetime.timedelta(days=20)
    consents.request_withdrawal(by=world.lead, consent_id=consent.pk, channel="writing", requested_on=requested)
    pending = consents.pending_withdrawals(world.dpo).get()
    assert pending.withdrawal_due_on < timezone.localdate()


def test_consent_is_recorded_and_withdrawn_through_the_pages(client, world, family):
    from django.urls import reverse

    mother, _, child, _ = family["members"]
    hid = family["household"].pk
    client.force_login(world.lead)
    today = timezone.localdate()
    page = client.post(reverse("web:consent-new", args=[hid]), {
        "subject": child.pk, "given_by": mother.pk, "covers_support": "on", "sharing_partner_types": ["school"],
        "evidence_type": "verbal_witnessed", "witness_name": "",
        "given_on_day": today.day, "given_on_month": today.month, "given_on_year": today.year})
    assert "Enter who witnessed the verbal consent" in page.content.decode()
    assert not Consent.objects.exists()
    client.post(reverse("web:consent-new", args=[hid]), {
        "subject": child.pk, "given_by": mother.pk, "covers_support": "on", "sharing_partner_types": ["school"],
        "evidence_type": "verbal_witnessed", "witness_name": "Sam Senior",
        "given_on_day": today.day, "given_on_month": today.month, "given_on_year": today.year})
    consent = Consent.objects.get()
    family_page = client.get(reverse("web:family", args=[hid])).content.decode()
    assert "notice version 1" in family_page
    client.post(reverse("web:consent-withdraw", args=[hid, consent.pk]), {
        "channel": "writing", "requested_on_day": today.day, "requested_on_month": today.month,
        "requested_on_year": today.year})
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWAL_REQUESTED
    client.force_login(world.dpo)
    listing = client.get(reverse("web:consent-withdrawals")).content.decode()
    assert family["household"].reference in listing
    client.post(reverse("web:consent-withdrawals"), {"consent_id": consent.pk})
    consent.refresh_from_db()
    assert consent.status == ConsentStatus.WITHDRAWN
    again = client.post(reverse("web:consent-withdrawals"), {"consent_id": consent.pk}, follow=True)
    assert "no withdrawal waiting to be processed" in again.content.decode()
    client.force_login(world.partner)
    assert client.get(reverse("web:consent-withdrawals")).status_code == 404


@pytest.mark.promise("P3")
def test_the_consent_page_shows_which_questions_are_the_familys_choice(client, world):
    family = make_family(world, lead=world.lead)
    client.force_login(world.lead)
    page = client.get(f"/families/{family['household'].pk}/consent/new/").content.decode()
    form = ConsentForm()
    for name, field in form.fields.items():
        label = str(field.label)
        if field.required or getattr(field, "conditionally_required", False):
            assert f"{label} (optional)" not in page and label in page, name
        elif isinstance(field, forms.BooleanField):  # a tick box is itself the choice: its hint says so
            assert label in page and str(field.help_text).startswith("The family's choice"), name
        else:
            assert f"{label} (optional)" in page, name
