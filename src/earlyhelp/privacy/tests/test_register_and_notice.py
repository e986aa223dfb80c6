"""The processing register and the privacy notice generated from it (P13, P14, P15)."""

import io

import pytest
from django.contrib import admin as django_admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, AuditEvent, Purpose
from earlyhelp.privacy import register_seed
from earlyhelp.privacy.admin import ProcessingPurposeAdmin
from earlyhelp.privacy.models import PrivacyNotice, ProcessingPurpose, recipient_choices
from earlyhelp.privacy.services import notices
from earlyhelp.privacy.services.register import save_purpose

pytestmark = pytest.mark.django_db


@pytest.mark.promise("P15")
def test_every_purpose_the_code_names_is_in_the_register_with_a_lawful_basis():
    register = {p.code: p for p in ProcessingPurpose.objects.filter(is_active=True)}
    assert set(Purpose.values) <= set(register), "purposes the code uses but the register lacks"
    for purpose in register.values():
        assert purpose.article_6 in {"6(1)(a)", "6(1)(c)", "6(1)(e)"}
        purpose.full_clean()  # special category has an Art 9 condition, criminal data an Art 10 one


def test_an_audit_event_with_a_purpose_outside_the_register_is_refused():
    with pytest.raises(ValueError, match="not in the processing register"):
        audit.record(actor=None, action=Action.VIEW, event="x.view", purpose="marketing")


@pytest.mark.promise("P14")
def test_processing_outside_the_uk_is_refused_by_the_register():
    purpose = ProcessingPurpose.objects.get(code="early_help_casework")
    purpose.processing_location = "United States"
    with pytest.raises(ValidationError, match="United Kingdom"):
        purpose.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        purpose.save()


@pytest.mark.promise("P13")
def test_no_purpose_may_make_automated_decisions():
    purpose = ProcessingPurpose.objects.get(code="data_matching")
    purpose.automated_decisions = True
    with pytest.raises(IntegrityError), transaction.atomic():
        purpose.save()


@pytest.mark.promise("P15")
def test_a_purpose_without_the_conditions_its_data_needs_is_refused():
    purpose = ProcessingPurpose(code="x", name="X", description="x", article_6="6(1)(e)", retention="CASE+6",
                                special_category=["health"], criminal_offence_data=True, data_categories=["x"],
                                data_subjects=["x"])
    with pytest.raises(ValidationError) as caught:
        purpose.full_clean()
    assert {"article_9", "article_10"} <= set(caught.value.message_dict)


@pytest.mark.promise("P15")
def test_register_changes_keep_history():
    purpose = ProcessingPurpose.objects.get(code="statistics")
    for rule in ("EVENT+2", "EVENT+3"):
        purpose.retention = rule
        purpose.save()
    assert list(purpose.history.order_by("history_date").values_list("retention", flat=True))[-2:] == [
        "EVENT+2", "EVENT+3"]


def test_the_generated_notice_states_every_promise_and_every_purpose(client):
    notice = PrivacyNotice.objects.get(version=1)
    page = client.get(reverse("web:privacy-notice")).content.decode()
    stated = {s["promise"] for s in notice.content["statements"]}
    assert stated == {f"P{i}" for i in range(1, 29)}
    for statement in register_seed.NOTICE_STATEMENTS:
        assert f'id="{statement["promise"].lower()}"' in page
    for purpose in ProcessingPurpose.objects.filter(is_active=True):
        assert f'id="purpose-{purpose.code}"' in page
    assert "United Kingdom" in page and "Article 6(1)(e): public task" in page


def test_publishing_makes_a_new_dated_version_and_old_versions_stay_readable(client, world):
    purpose = ProcessingPurpose.objects.get(code="statistics")
    purpose.description = "We count things so that nobody can be identified."
    purpose.save()
    notice = notices.publish_notice(by=world.dpo)
    assert notice.version == 2 and notice.published_by == world.dpo
    assert "We count things" in client.get(reverse("web:privacy-notice")).content.decode()
    old = client.get(reverse("web:privacy-notice-version", args=[1])).content.decode()
    assert "We count things" not in old and "Version 2" in old


def test_the_notice_is_also_a_pdf(client):
    response = client.get(reverse("web:privacy-notice-pdf", args=[1]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert len(pdf.pages) >= 3
    assert "how we use your information" in text and "United Kingdom" in text


def test_a_version_that_does_not_exist_is_404(client):
    assert client.get(reverse("web:privacy-notice-version", args=[99])).status_code == 404


def test_the_register_is_edited_in_the_admin_with_an_audit_event(client, world):
    client.force_login(world.admin)
    assert client.get(reverse("admin:privacy_processingpurpose_changelist")).status_code == 200
    purpose = ProcessingPurpose.objects.get(code="statistics")
    response = client.post(reverse("admin:privacy_processingpurpose_changelist"),
                           {"action": "publish_notice", "_selected_action": [purpose.pk]})
    assert response.status_code == 302
    assert PrivacyNotice.objects.filter(version=2, published_by=world.admin).exists()


@pytest.mark.promise("P21")
def test_information_can_go_only_to_recipients_the_notice_names_and_never_to_a_buyer(client, world):
    vocabulary = {code for code, _ in recipient_choices()}
    for purpose in ProcessingPurpose.objects.all():
        assert set(purpose.recipient_types) <= vocabulary, purpose.code
    # The vocabulary is public bodies and the family's partners: no broker, advertiser or buyer of data.
    assert not {"commercial", "marketing", "data_broker", "advertiser"} & vocabulary
    research = ProcessingPurpose.objects.get(code="research")
    with pytest.raises(ValidationError, match="not a recipient the register knows"):
        save_purpose(by=world.dpo, purpose=research, recipient_types=[*research.recipient_types, "data_broker"],
                     reason="Trying to add a buyer")
    research.refresh_from_db()
    assert "data_broker" not in research.recipient_types
    page = client.get(reverse("web:privacy-notice")).content.decode()
    assert "We will never sell or rent your information" in page and "marketing" in page


@pytest.mark.promise("P15")
@pytest.mark.promise("P3")
def test_the_notice_says_for_every_purpose_whether_the_family_has_a_choice(client):
    page = client.get(reverse("web:privacy-notice")).content.decode()
    purposes = ProcessingPurpose.objects.filter(is_active=True)
    assert page.count("Do you have a choice?") == purposes.count()
    consent_based = purposes.filter(consent_required=True).count()
    assert consent_based >= 1
    assert page.count("We do this only with your agreement") == consent_based
    assert page.count("This does not depend on your consent") == purposes.count() - consent_based


def _admin_form_data(purpose, **changes) -> dict:
    """The admin change form's fields as the browser posts them, with `changes`."""
    form = ProcessingPurposeAdmin(ProcessingPurpose, django_admin.site).get_form(None, purpose)(instance=purpose)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is False or value is None:
            continue
        data[name] = "on" if value is True else value
    return {**data, **changes}


def test_a_register_change_in_the_admin_needs_a_reason_kept_with_its_history_and_audited(client, world):
    client.force_login(world.admin)
    purpose = ProcessingPurpose.objects.get(code="statistics")
    url = reverse("admin:privacy_processingpurpose_change", args=[purpose.pk])
    versions = purpose.history.count()
    response = client.post(url, _admin_form_data(purpose, name="Statistics, renamed"))
    assert response.status_code == 200 and "Enter the reason for this change" in response.content.decode()
    purpose.refresh_from_db()
    assert purpose.name != "Statistics, renamed" and purpose.history.count() == versions
    response = client.post(url, _admin_form_data(purpose, name="Statistics, renamed",
                                                 change_reason="DPO review of the register, March"))
    assert response.status_code == 302
    latest = purpose.history.first()
    assert (latest.name, latest.history_change_reason) == ("Statistics, renamed", "DPO review of the register, March")
    event = AuditEvent.objects.filter(event="processingpurpose.admin_change").latest("pk")
    assert event.actor_id == world.admin.pk and "change_reason" in event.metadata["fields"]
