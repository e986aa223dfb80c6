"""Recipients as data (P21, P7, P14): the DPO adds a recipient type through the register, with its lawful basis and
history; the register, the consent form, the notice and the partner register draw from it; buyers, marketers and
anyone outside the UK cannot be added."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from earlyhelp.audit.models import AuditEvent
from earlyhelp.organisations.models import Organisation
from earlyhelp.privacy.models import ProcessingPurpose, RecipientType
from earlyhelp.privacy.services import disclosures, recipients, register
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db

YOUTH = {"code": "youth_service", "name": "Youth service", "kind": "partner", "public_function": "local_government",
         "article_6": "6(1)(e)", "statutory_basis": "Education Act 1996 s507B"}


def _add(by, **fields):
    return recipients.save_recipient_type(by=by, reason="Our youth service works with families", **YOUTH | fields)


@pytest.mark.promise("P21", "P7")
def test_fire_and_rescue_is_a_recipient_the_register_and_the_notice_name(client, world):
    fire = RecipientType.objects.get(code="fire_and_rescue")
    assert (fire.kind, fire.public_function, fire.article_6, fire.location) == (
        "partner", "fire_and_rescue", "6(1)(e)", "United Kingdom")
    assert "Fire and Rescue Services Act 2004" in fire.statutory_basis
    assert "fire_and_rescue" in ProcessingPurpose.objects.get(code="multi_agency_sharing").recipient_types
    register.publish(by=world.dpo)
    assert "Fire and rescue service" in client.get("/privacy-notice/").content.decode()


@pytest.mark.promise("P21", "P7")
def test_the_dpo_adds_a_recipient_type_that_the_register_consent_and_notice_then_use(client, world):
    youth = _add(world.dpo)
    # The register's purposes may name it, the consent form offers it and the partner register accepts it.
    client.force_login(world.dpo)
    assert "Youth service" in client.get("/privacy/register/recipients/").content.decode()
    purpose = ProcessingPurpose.objects.get(code="multi_agency_sharing")
    edit_page = client.get(f"/privacy/register/{purpose.pk}/edit/").content.decode()
    assert 'value="youth_service"' in edit_page
    register.save_purpose(by=world.dpo, purpose=purpose, recipient_types=[*purpose.recipient_types, youth.code],
                          reason="The youth service joins early help")
    register.publish(by=world.dpo)
    assert "Youth service" in client.get("/privacy-notice/").content.decode()
    family = make_family(world, lead=world.lead)
    client.force_login(world.lead)
    consent_page = client.get(f"/families/{family['household'].pk}/consent/new/").content.decode()
    assert 'value="youth_service"' in consent_page and 'value="fire_and_rescue"' in consent_page
    assert 'value="local_authority"' not in consent_page  # the council itself is not a sharing choice
    Organisation(name="Kingsmere Youth Club", type=youth.code).full_clean()
    # With history: who added it, when and why; then who changed it and why.
    recipients.save_recipient_type(by=world.dpo, recipient=youth, name="Youth and play service",
                                   reason="The service was renamed")
    entries = recipients.history(youth)
    assert [(e["kind"], e["reason"], e["who"]) for e in entries] == [
        ("Changed", "The service was renamed", world.dpo.get_full_name()),
        ("Added", "Our youth service works with families", world.dpo.get_full_name())]
    assert entries[0]["changes"] == [{"field": "Name", "old": "Youth service", "new": "Youth and play service"}]
    assert AuditEvent.objects.filter(event__in=["recipient_type.create", "recipient_type.change"]).count() == 2


@pytest.mark.promise("P21")
@pytest.mark.parametrize("fields, field, message", [
    ({"code": "data_broker", "name": "Data broker"}, "name", "“Data broker” reads as someone who buys, sells or "
                                                             "trades data. Families' information is never sold"),
    ({"code": "agency", "name": "Family Insights Ltd", "description": "A marketing agency for family brands"},
     "description", "“marketing” reads as marketing. Families' information is never used for marketing"),
    ({"code": "overseas", "name": "Agence régionale de santé", "location": "France"}, "location",
     "A recipient must be in the United Kingdom"),
    ({"code": "seller", "public_function": "data_sales"}, "public_function", "there is no commercial function"),
    ({"code": "interests", "article_6": "6(1)(f)"}, "article_6", "never shares families' information under a "
                                                                  "contract or for legitimate interests"),
    ({"code": "nobasis", "statutory_basis": " "}, "statutory_basis", "Enter the statute or legal gateway"),
], ids=["data_broker", "marketing_agency", "overseas_body", "commercial_function", "legitimate_interests",
        "no_statute"])
def test_buyers_marketers_and_anyone_outside_the_uk_are_refused(world, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        _add(world.dpo, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not RecipientType.objects.filter(code=fields["code"]).exists()
    assert not AuditEvent.objects.filter(event="recipient_type.create").exists()


@pytest.mark.promise("P21", "P14")
@pytest.mark.parametrize("fields", [{"location": "Ireland"}, {"public_function": "marketing"},
                                    {"article_6": "6(1)(f)"}, {"statutory_basis": ""}],
                         ids=["overseas", "marketing_function", "legitimate_interests", "no_statute"])
def test_the_database_refuses_a_recipient_outside_the_rules_even_without_the_service(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        RecipientType.objects.create(**YOUTH | fields)


@pytest.mark.promise("P21")
def test_only_the_dpo_keeps_recipient_types_and_every_change_needs_a_reason(world):
    for who in ("lead", "manager", "admin", "data_team"):
        with pytest.raises(PermissionDenied):
            _add(world.users[who])
    with pytest.raises(ValidationError) as refused:
        recipients.save_recipient_type(by=world.dpo, reason="  ", **YOUTH)
    assert refused.value.message_dict["change_reason"] == [recipients.REASON_REQUIRED]
    fire = RecipientType.objects.get(code="fire_and_rescue")
    with pytest.raises(ValidationError, match="still in use: the register names it as a recipient"):
        recipients.save_recipient_type(by=world.dpo, recipient=fire, is_active=False, reason="No longer used")
    with pytest.raises(ValidationError, match="cannot be changed"):
        recipients.save_recipient_type(by=world.dpo, recipient=fire, code="fire", reason="Shorter")


@pytest.mark.promise("P21", "P7")
def test_an_organisation_of_a_type_the_register_does_not_know_is_refused_and_never_receives_anything(world):
    broker = Organisation(name="Data Insights Ltd", type="data_broker")
    with pytest.raises(ValidationError, match="Choose a partner type from the processing register"):
        broker.full_clean()
    broker.save()  # as a raw insert would: sharing still refuses it
    family = make_family(world, lead=world.lead)
    with pytest.raises(ValidationError, match="not of a partner type the processing register knows"):
        disclosures.record_disclosure(by=world.manager, household=family["household"], recipient_organisation=broker,
                                      purpose_code="safeguarding_sharing_without_consent", basis="safeguarding",
                                      sections=["household"], reason="A child is at risk")
    assert not family["household"].disclosures.exists()


@pytest.mark.promise("P21")
def test_the_recipient_pages_add_a_type_and_explain_a_refusal(client, world):
    client.force_login(world.dpo)
    form = {**YOUTH, "location": "United Kingdom", "is_active": "on", "change_reason": "New service"}
    refused = client.post("/privacy/register/recipients/new/", {**form, "code": "broker", "name": "Data broker"})
    assert refused.status_code == 200 and "reads as someone who buys, sells or trades data" in refused.content.decode()
    made = client.post("/privacy/register/recipients/new/", form)
    youth = RecipientType.objects.get(code="youth_service")
    assert made.status_code == 302 and made["Location"] == f"/privacy/register/recipients/{youth.pk}/"
    client.post(f"/privacy/register/recipients/{youth.pk}/edit/", {**form, "name": "Youth and play service",
                                                                   "change_reason": "Renamed"})
    page = client.get(f"/privacy/register/recipients/{youth.pk}/").content.decode()
    assert "Youth and play service" in page and "Renamed" in page and "New service" in page
