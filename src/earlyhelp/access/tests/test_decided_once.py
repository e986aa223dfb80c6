"""Access is decided once per request, and never remembered past a change (access.policy.decided, issue 14 item 9)."""

import pytest
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp.access import policy
from earlyhelp.access.policy.decided import per_request
from earlyhelp.audit import services as audit
from earlyhelp.casework.models import TafMember
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db
DECISION = '"rel_lead"'  # the relationship a family access decision reads: in its query and no other


def _decisions(run) -> int:
    """How many times the database was asked for a family access decision while `run()` ran."""
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        run()
    return sum(DECISION in q["sql"] for q in captured.captured_queries)


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead, taf=[world.teammate], taf_sections=policy.SECTIONS)


def test_within_a_request_the_second_question_is_answered_from_the_first(world, family):
    household = family["household"]
    with per_request():
        assert _decisions(lambda: policy.family_access(world.lead, household.pk)) == 1
        assert _decisions(lambda: policy.require_family(world.lead, household.pk, purpose="early_help_casework")) == 0
        assert _decisions(lambda: policy.family_access(world.manager, household.pk)) == 1  # another user: asked


def test_outside_a_request_every_question_goes_to_the_database(world, family):
    for _ in range(2):
        assert _decisions(lambda: policy.family_access(world.lead, family["household"].pk)) == 1


def test_any_change_to_the_database_forgets_what_was_decided(world, family):
    household = family["household"]
    with per_request():
        assert policy.family_access(world.teammate, household.pk).relationships == {policy.TAF, policy.TEAM}
        TafMember.objects.filter(practitioner=world.teammate).update(end_date=family["episode"].opened_on)
        assert policy.family_access(world.teammate, household.pk).relationships == {policy.TEAM}


def test_writing_the_audit_trail_does_not_forget(world, family):
    household = family["household"]
    with per_request():
        policy.family_access(world.lead, household.pk)
        audit.record(actor=world.lead, action="view", event="household.view", purpose="early_help_casework",
                     objects=[household], household_id=household.pk)
        assert _decisions(lambda: policy.family_access(world.lead, household.pk)) == 0


def test_a_decision_made_inside_a_transaction_that_rolls_back_is_not_remembered(world, family):
    household = family["household"]
    with per_request():
        with pytest.raises(RuntimeError), transaction.atomic():
            TafMember.objects.filter(practitioner=world.teammate).update(end_date=family["episode"].opened_on)
            assert policy.TAF not in policy.family_access(world.teammate, household.pk).relationships
            raise RuntimeError("the service failed")
        assert policy.TAF in policy.family_access(world.teammate, household.pk).relationships


def test_adding_a_case_note_decides_access_once(client, world, family):
    client.force_login(world.lead)
    url = reverse("web:note-new", args=[family["household"].pk])
    client.get(url)
    note = {"text": "Visited at home", "channel": "phone", "source": "practitioner"}
    asked = _decisions(lambda: client.post(url, note))
    assert family["episode"].notes.count() == 1
    assert asked == 1  # the page's check, then the service's: one question
