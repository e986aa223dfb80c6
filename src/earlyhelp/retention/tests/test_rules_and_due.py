"""Retention rules are data, checked before they are saved, and say exactly when a family's records are due (P4)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.casework.models import CaseNote, Channel, ConsentAtReferral, ContactSource
from earlyhelp.retention import presets
from earlyhelp.retention.models import RecordClass, RetentionRule, RuleAction, Trigger
from earlyhelp.retention.selectors import cutoff, due_household_ids
from earlyhelp.retention.services import rules
from earlyhelp.testing.world import make_family

from .conftest import CASE_DUE, TODAY, years_after

pytestmark = [pytest.mark.promise("P4"), pytest.mark.django_db]

DAY = datetime.timedelta(days=1)


def _valid(**changes):
    fields = {"code": "CASE+7", "record_class": RecordClass.FAMILY_CASE_RECORDS, "trigger": Trigger.EPISODE_CLOSURE,
              "period_years": 7, "action": RuleAction.DESTROY, "source": "The council's retention schedule",
              "is_active": True}
    fields.update(changes)
    return fields


# --- Presets ---------------------------------------------------------------------------------------

def test_presets_follow_the_councils_notices_and_load_once(world):
    added = presets.load_presets(audit_as=world.dpo)
    by_code = {rule.code: rule for rule in added}
    assert set(by_code) == {"CASE+6", "CONTACT+6", "DOB+25", "DOB+30", "AUDIT+6", "RIGHTS+2", "EXTRACT+1",
                            "PARTNER+1", "CLAIM+6"}
    case = by_code["CASE+6"]
    assert (case.record_class, case.trigger, case.period_years, case.action, case.is_active) == (
        RecordClass.FAMILY_CASE_RECORDS, Trigger.EPISODE_CLOSURE, 6, RuleAction.DESTROY, True)
    assert "Cambridgeshire" in case.source and "6 years from the close of the matter" in case.source
    assert (by_code["DOB+25"].trigger, by_code["DOB+25"].period_years, by_code["DOB+25"].is_active) == (
        Trigger.DATE_OF_BIRTH, 25, False)
    assert "25th birthday" in by_code["DOB+25"].source and "North Somerset" in by_code["DOB+30"].source
    assert by_code["CONTACT+6"].record_class == RecordClass.CONTACTS_WITHOUT_EPISODE
    assert AuditEvent.objects.filter(event="retention_rule.load_presets").count() == 1
    assert presets.load_presets() == []  # a second load adds nothing and changes nothing
    assert RetentionRule.objects.count() == 9
    # The rules for the register's other record classes, each timed from its own event.
    assert {code: (by_code[code].record_class, by_code[code].trigger, by_code[code].period_years, by_code[code].action)
            for code in ("AUDIT+6", "RIGHTS+2", "EXTRACT+1", "PARTNER+1", "CLAIM+6")} == {
        "AUDIT+6": (RecordClass.AUDIT_EVENTS, Trigger.ENTRY_WRITTEN, 6, RuleAction.DESTROY),
        "RIGHTS+2": (RecordClass.RIGHTS_REQUESTS, Trigger.REQUEST_CLOSED, 2, RuleAction.ANONYMISE),
        "EXTRACT+1": (RecordClass.EXPORT_FILES, Trigger.FILE_SENT, 1, RuleAction.DESTROY),
        "PARTNER+1": (RecordClass.PARTNER_FILES, Trigger.FILE_RECEIVED, 1, RuleAction.DESTROY),
        "CLAIM+6": (RecordClass.PROGRAMME_CLAIMS, Trigger.RETURN_SENT, 6, RuleAction.REVIEW),
    }


def test_a_fresh_install_loads_the_presets_with_a_command(db):
    out = io.StringIO()
    call_command("load_retention_rules", stdout=out)
    assert "Added CASE+6" in out.getvalue() and "(switched off)" in out.getvalue()
    out = io.StringIO()
    call_command("load_retention_rules", stdout=out)
    assert "already loaded" in out.getvalue()


# --- Validation --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"period_years": 0}, "period_years", "at least 1 year"),
    ({"period_years": "six"}, "period_years", "whole number of years"),
    ({"period_years": 101, "code": "CASE+101"}, "period_years", "100 years or fewer"),
    ({"trigger": "moon_phase"}, "trigger", "Choose what starts the retention period"),
    ({"record_class": RecordClass.CONTACTS_WITHOUT_EPISODE}, "trigger", "no episode to close"),
    ({"action": "shred"}, "action", "review, destroy or anonymise"),
    ({"code": "CASE+6"}, "code", "must be the period: 7"),
    ({"code": "case six"}, "code", "capital letters, a plus sign"),
    ({"source": "  "}, "source", "Enter where the rule comes from"),
])
def test_invalid_rules_get_a_specific_error_and_nothing_is_saved(world, changes, field, message):
    with pytest.raises(ValidationError) as raised:
        rules.save_rule(by=world.dpo, **_valid(**changes))
    assert message in " ".join(raised.value.message_dict[field])
    assert not RetentionRule.objects.exists()
    assert not AuditEvent.objects.filter(event__startswith="retention_rule").exists()


def test_codes_are_unique_and_fixed(world, loaded):
    with pytest.raises(ValidationError, match="already a rule with the code CASE\\+6"):
        rules.save_rule(by=world.dpo, **_valid(code="CASE+6", period_years=6))
    with pytest.raises(ValidationError, match="cannot be changed"):
        rules.save_rule(by=world.dpo, rule=loaded["CASE+6"], code="CASE+9", reason="Typo")
    assert RetentionRule.objects.filter(code="CASE+6", period_years=6).exists()


def test_only_the_dpo_keeps_the_rules(world):
    for user in (world.lead, world.manager, world.data_team, world.admin):
        with pytest.raises(PermissionDenied):
            rules.save_rule(by=user, **_valid())
    assert not RetentionRule.objects.exists()


def test_a_change_needs_a_reason_and_keeps_history(world):
    rule = rules.save_rule(by=world.dpo, **_valid())
    with pytest.raises(ValidationError, match="reason for the change"):
        rules.save_rule(by=world.dpo, rule=rule, period_years=7, is_active=False)
    rules.save_rule(by=world.dpo, rule=rule, is_active=False, reason="The council moved to DOB+25")
    rule.refresh_from_db()
    assert rule.is_active is False
    entries = rules.history(rule)
    assert entries[0]["reason"] == "The council moved to DOB+25" and entries[0]["who"] == world.dpo.get_full_name()
    assert any(change["new"] is False for change in entries[0]["changes"])
    event = AuditEvent.objects.get(event="retention_rule.change")
    assert event.metadata == {"code": "CASE+7", "fields": ["is_active"]}


def test_the_database_refuses_a_period_of_zero_and_an_unknown_trigger(db):
    for bad in ({"period_years": 0}, {"trigger": "moon_phase"},
                {"record_class": RecordClass.CONTACTS_WITHOUT_EPISODE, "trigger": Trigger.EPISODE_CLOSURE}):
        fields = {**_valid(), **bad}
        with pytest.raises(IntegrityError), transaction.atomic():
            RetentionRule.objects.create(**fields)


# --- When records are due ------------------------------------------------------------------------------

def test_the_cutoff_handles_29_february():
    assert cutoff(datetime.date(2026, 11, 21), 6) == datetime.date(2020, 11, 21)
    assert cutoff(datetime.date(2028, 2, 29), 6) == datetime.date(2022, 2, 28)
    # A period from 29 February 2020 ends on 1 March 2026, not on 28 February.
    assert cutoff(datetime.date(2026, 2, 28), 6) < datetime.date(2020, 2, 29) <= cutoff(datetime.date(2026, 3, 1), 6)


def test_case_records_are_due_six_years_after_the_last_episode_closed(world, loaded, closed_family):
    household = closed_family()["household"]
    case = loaded["CASE+6"]
    assert due_household_ids(case, today=CASE_DUE - DAY) == []
    assert due_household_ids(case, today=CASE_DUE) == [household.pk]
    assert due_household_ids(case, today=CASE_DUE + datetime.timedelta(days=400)) == [household.pk]


def test_a_family_being_helped_is_never_due(world, loaded, closed_family):
    open_family = make_family(world, family_name="Openfamily", lead=world.lead, seed=7)
    waiting = closed_family("Waitingfamily")
    casework.record_contact(by=world.front_door, household=waiting["household"], subject=waiting["members"][3],
                            team=world.north, channel=Channel.EMAIL, source=ContactSource.HEALTH,
                            reason="New concern", consent_at_referral=ConsentAtReferral.GIVEN,
                            received_at=timezone.now())
    far = years_after(TODAY, 60)
    for rule in loaded.values():
        due = due_household_ids(rule, today=far)
        assert open_family["household"].pk not in due and waiting["household"].pk not in due


def test_a_later_contact_restarts_the_period(world, loaded, closed_family):
    family = closed_family()
    contact = casework.record_contact(
        by=world.front_door, household=family["household"], subject=family["members"][2], team=world.north,
        channel=Channel.PHONE, source=ContactSource.SCHOOL, reason="Attendance again",
        consent_at_referral=ConsentAtReferral.GIVEN, received_at=timezone.now())
    casework.decide_contact(by=world.manager, contact=contact, decision="nfa", reason="Needs met by the school")
    # Move the closure back a year: the contact, received today, is now after it.
    type(family["episode"]).objects.filter(pk=family["episode"].pk).update(
        closed_on=TODAY - datetime.timedelta(days=365), opened_on=TODAY - datetime.timedelta(days=400))
    assert due_household_ids(loaded["CASE+6"], today=years_after(TODAY - datetime.timedelta(days=365), 6)) == []
    assert due_household_ids(loaded["CASE+6"], today=CASE_DUE) == [family["household"].pk]


def test_date_of_birth_rules_wait_for_the_youngest_child(world, loaded, closed_family):
    household = closed_family()["household"]  # children born 6 May 2014 and 12 November 2017
    dob25 = loaded["DOB+25"]
    assert due_household_ids(dob25, today=datetime.date(2042, 11, 11)) == []
    assert due_household_ids(dob25, today=datetime.date(2042, 11, 12)) == [household.pk]
    assert due_household_ids(loaded["DOB+30"], today=datetime.date(2047, 11, 11)) == []
    assert due_household_ids(loaded["DOB+30"], today=datetime.date(2047, 11, 12)) == [household.pk]


def test_contacts_without_an_episode_are_a_class_of_their_own(world, loaded, closed_family, contact_only_family):
    with_episode = closed_family()["household"]
    contact_only = contact_only_family()["household"]
    assert due_household_ids(loaded["CONTACT+6"], today=CASE_DUE - DAY) == []
    assert due_household_ids(loaded["CONTACT+6"], today=CASE_DUE) == [contact_only.pk]
    assert due_household_ids(loaded["CASE+6"], today=CASE_DUE) == [with_episode.pk]


def test_last_activity_counts_case_notes(world, closed_family):
    rule = rules.save_rule(by=world.dpo, **_valid(code="LAST+6", trigger=Trigger.LAST_ACTIVITY, period_years=6))
    family = closed_family()
    assert due_household_ids(rule, today=CASE_DUE) == [family["household"].pk]

    CaseNote.objects.filter(episode=family["episode"]).delete()
    CaseNote.objects.create(episode=family["episode"], author=world.lead, text="Late note",
                            occurred_at=timezone.now() + datetime.timedelta(days=30))
    assert due_household_ids(rule, today=CASE_DUE) == []
