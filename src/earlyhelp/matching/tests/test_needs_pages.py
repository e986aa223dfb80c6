"""The data team decides on the needs partner data suggests (P13): a suggestion becomes a need only on a person's
decision, and the need then says where it came from (P17). Needs found before the family has an episode join the
episode that opens."""

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.matching import needs
from earlyhelp.matching.models import DatasetType
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.programme.models import DatasetNeedRule, Need
from earlyhelp.programme.services import framework
from earlyhelp.records.provenance import SourceKind
from earlyhelp.testing.world import make_family

from .conftest import partner_row

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P13")]


@pytest.fixture
def suggested(world, imported):
    """Police anti-social behaviour data about Jamie, whose family has no episode yet, suggests a crime need."""
    family = make_family(world, family_name="Testfamily", seed=1, with_episode=False)
    jamie = family["members"][2]
    crime = framework.descriptors().filter(area__code="CRIME").first()
    DatasetNeedRule.objects.all().delete()  # the council's installed rules: one rule here, so one suggestion
    DatasetNeedRule.objects.create(dataset_type=DatasetType.POLICE_ASB, descriptor=crime)
    record = imported([partner_row(jamie, "ASB-1")]).records.get()
    # Linked by a person's decision in the review queue (tested there).
    record.person, record.linked_by, record.linked_at = jamie, world.data_team, timezone.now()
    record.save()
    [suggestion] = needs.suggest_needs(record)
    return family, suggestion, crime, record


def test_the_data_team_sees_each_suggested_need_with_its_partner_record_and_for_whom(client, world, suggested):
    family, suggestion, crime, record = suggested
    client.force_login(world.data_team)
    page = client.get(reverse("matching:needs")).content.decode()
    assert "Jamie Testfamily" in page and crime.label in page and record.batch.reference in page
    assert reverse("matching:need-decide", args=[suggestion.pk]) in page
    assert AuditEvent.objects.filter(event="matched_needs.view", actor=world.data_team).exists()
    assert not Need.objects.exists()  # a suggestion is not a need


def test_a_suggested_need_becomes_a_need_only_when_the_data_team_confirms_it(client, world, suggested):
    family, suggestion, crime, record = suggested
    url = reverse("matching:need-decide", args=[suggestion.pk])
    client.force_login(world.data_team)
    page = client.post(url, {"decision": "confirm", "reason": ""}).content.decode()
    assert "govuk-error-summary" in page and not Need.objects.exists()
    assert client.post(url, {"decision": "confirm", "reason": "Three incidents this year"}).status_code == 302
    need = Need.objects.get()
    assert need.person == record.person and need.descriptor == crime and need.suggestion == suggestion
    assert need.source_kind == SourceKind.DATA_MATCH and record.batch.reference in need.source_reference  # P17
    assert need.identified_by == world.data_team and need.episode is None
    assert client.get(url).status_code == 404  # decided: no longer pending
    # The family's episode opens later: the need joins it, and the practitioner sees where it came from.
    episode = casework.open_episode(by=world.manager, household=family["household"], team=world.north)
    casework.allocate(by=world.manager, episode=episode, practitioner=world.lead)
    need.refresh_from_db()
    assert need.episode == episode
    client.force_login(world.lead)
    page = client.get(reverse("web:needs", args=[family["household"].pk])).content.decode()
    assert "A data match" in page and record.batch.reference in page and "Confirmed by" in page


def test_a_rejected_suggestion_is_never_a_need_nor_suggested_again(client, world, suggested):
    family, suggestion, crime, record = suggested
    client.force_login(world.data_team)
    client.post(reverse("matching:need-decide", args=[suggestion.pk]),
                {"decision": "reject", "reason": "Incidents were about a neighbour"})
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REJECTED and not Need.objects.exists()
    assert needs.suggest_needs(record) == []
    assert Suggestion.objects.filter(kind=SuggestionKind.MATCHED_NEED).count() == 1


def test_only_the_data_team_decides(client, world, suggested):
    family, suggestion, crime, record = suggested
    for who in (world.lead, world.manager, world.dpo, world.partner):
        client.force_login(who)
        assert client.post(reverse("matching:need-decide", args=[suggestion.pk]),
                           {"decision": "confirm", "reason": "Looks right"}).status_code == 404
    assert not Need.objects.exists()
