"""A subject access pack is complete (P19, issue 13): it holds the data-matching decisions about the person, the
mentions of them in other families' records that a reviewer includes, and every audit event about them.

The person is seeded across three families: the one they live in, one they left at the end of 2024, and one
whose case note names them. The audit events about them are counted here, independently of the pack's code.
"""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, AuditEvent, Purpose
from earlyhelp.casework import services as casework
from earlyhelp.people import selectors as people_selectors
from earlyhelp.people import services as people
from earlyhelp.people.models import Person
from earlyhelp.privacy.models import RedactionStatus
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import MentionStatus
from earlyhelp.rights.services import mentions, pack_sources
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing.matching import seed_matching_records
from earlyhelp.testing.world import make_family
from earlyhelp.ui.words import date_in_words

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]

LEFT_ON = datetime.date(2024, 12, 31)


def _at(day: datetime.date):
    """Audit events written as if on that day (the chain does not mind when; membership periods do)."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.timezone.utc)
    return mock.patch.object(audit.timezone, "now", return_value=moment)


@pytest.fixture
def scene(world):
    home = make_family(world, family_name="Quillfeather", lead=world.lead, seed=21)
    subject = home["members"][2]  # Jamie Quillfeather
    before = make_family(world, family_name="Ashdown", seed=22, lead=world.lead)
    people.add_member(by=world.lead, household=before["household"], person=subject, role="child",
                      start_date=datetime.date(2021, 1, 1))
    membership = before["household"].memberships.get(person=subject, end_date__isnull=True)
    people.end_membership(by=world.lead, membership=membership, end_date=LEFT_ON)
    elsewhere = make_family(world, family_name="Brightwater", seed=23, lead=world.lead)
    note = casework.add_case_note(by=world.lead, episode=elsewhere["episode"],
                                  text=f"{subject.full_name} stayed over with Riley Brightwater after school.")
    stranger = Person.objects.create(given_name="Other", family_name="Person")
    matched = seed_matching_records(world, person=subject, other_person=stranger, postcode="SW1A 1AA",
                                    street="21 Test Street")
    with _at(datetime.date(2023, 6, 1)):  # while they lived with the Ashdowns
        during = audit.record(actor=world.other_lead, action=Action.VIEW, event="household.view",
                              purpose=Purpose.EARLY_HELP_CASEWORK, objects=[before["household"]],
                              household_id=before["household"].pk)
    with _at(datetime.date(2025, 6, 1)):  # after they left
        after = audit.record(actor=world.other_lead, action=Action.VIEW, event="household.view",
                             purpose=Purpose.EARLY_HELP_CASEWORK, objects=[before["household"]],
                             household_id=before["household"].pk)
    # An event naming three kinds of record: its type was cut at 40 characters, and the person with it.
    long_types = audit.record(actor=world.lead, action=Action.VIEW, event="person.view",
                              purpose=Purpose.EARLY_HELP_CASEWORK,
                              objects=[home["episode"], ("people.household", 10**9), subject])
    # The same number as the person's, of another kind: not about them.
    same_number = audit.record(actor=world.lead, action=Action.VIEW, event="plan_action.view",
                               purpose=Purpose.EARLY_HELP_CASEWORK, objects=[("casework.planaction", subject.pk)])
    people_selectors.search_people(world.front_door, family_name="Quillfeather", given_name="Jamie")
    request = rights.log_request(by=world.dpo, kind="access", subject=subject, received_on=timezone.localdate(),
                                 requester_relationship="self", requester_name="Jamie Quillfeather",
                                 requester_address="21 Test Street", channel="writing", details="Everything",
                                 identity_check="seen", id_seen_on=timezone.localdate(), id_evidence="Passport")
    return {"world": world, "subject": subject, "home": home, "before": before, "elsewhere": elsewhere,
            "note": note, "matched": matched, "during": during, "after": after, "long_types": long_types,
            "same_number": same_number, "request": request}


def _about_subject_counted_here(scene) -> set[int]:
    """The audit events about the subject, found by plain queries written for this test."""
    subject, home, before = scene["subject"], scene["home"], scene["before"]
    home_events = set(AuditEvent.objects.filter(household_id=home["household"].pk).values_list("pk", flat=True))
    while_in_before = set(AuditEvent.objects.filter(
        household_id=before["household"].pk, occurred_at__date__gte=datetime.date(2021, 1, 1),
        occurred_at__date__lte=LEFT_ON).values_list("pk", flat=True))
    naming = set()
    own_records = {("people.person", subject.pk)}
    own_records |= {("people.identifier", pk) for pk in subject.identifiers.values_list("pk", flat=True)}
    own_records |= {("people.address", pk) for pk in subject.addresses.values_list("pk", flat=True)}
    own_records |= {("people.membership", pk) for pk in subject.memberships.values_list("pk", flat=True)}
    own_records |= {("matching.sourcerecord", scene["matched"]["record"].pk)}
    own_records |= {("matching.matchcandidate", c.pk) for c in scene["matched"]["candidates"] if c.person_id == subject.pk}
    own_records |= {("rights.rightsrequest", scene["request"].pk)}
    for event in AuditEvent.objects.exclude(object_type=""):
        types = event.object_type.split(",")
        pairs = ({(types[0], pk) for pk in event.object_ids} if len(types) == 1
                 else set(zip(types, event.object_ids, strict=True)))
        if pairs & own_records:
            naming.add(event.pk)
    return home_events | while_in_before | naming


def test_audit_record_types_are_never_cut_short(scene):
    event = AuditEvent.objects.get(pk=scene["long_types"].pk)
    assert event.object_type == "casework.episode,people.household,people.person"
    assert len(event.object_type) > 40
    assert audit.objects_named(event)[-1] == ("people.person", scene["subject"].pk)
    assert audit.verify_chain()[1] is None


def test_the_pack_holds_every_audit_event_about_the_person_and_no_other(scene):
    world, subject = scene["world"], scene["subject"]
    expected = _about_subject_counted_here(scene)
    pack = sar.build_pack(by=world.dpo, request=scene["request"])
    section = next(s for s in pack.content["sections"] if s["title"] == pack_sources.AUDIT_SECTION)
    listed = {int(r["key"].split(":")[1]) for r in section["records"]}
    assert listed == expected, [(e.pk, e.event, e.object_type, e.object_ids, e.household_id)
                                for e in AuditEvent.objects.filter(pk__in=listed ^ expected)]
    assert len(section["records"]) == len(expected)
    assert scene["during"].pk in listed and scene["long_types"].pk in listed
    assert scene["after"].pk not in listed and scene["same_number"].pk not in listed
    search = AuditEvent.objects.filter(action=Action.SEARCH, actor=world.front_door).latest("sequence")
    assert search.pk in listed  # a search that returned them
    for row in section["records"]:  # who and why, with records by kind, never by name or number
        assert {"when", "who", "what", "why"} <= set(row["fields"])
        assert subject.given_name not in row["fields"].get("records", "")


def test_the_pack_holds_the_data_matching_decisions_with_who_when_why_and_where_from(scene):
    world = scene["world"]
    pack = sar.build_pack(by=world.dpo, request=scene["request"])
    section = next(s for s in pack.content["sections"] if s["title"] == pack_sources.MATCHING_SECTION)
    decisions = [r["fields"] for r in section["records"] if r["record"] == "Data matching decision"]
    linked = next(d for d in decisions if d["decision"] == "Linked to you")
    suggestion = scene["matched"]["candidates"][0].suggestion
    suggestion.refresh_from_db()
    assert linked["reason"] == "Name, date of birth and address agree"
    assert linked["decided at"] == date_in_words(suggestion.decided_at)
    assert "Data Tester" in linked["decided by"] or world.data_team.username in linked["decided by"]
    assert linked["partner"] == "Test Constabulary" and linked["sharing agreement"] == "ISA-TEST-1"
    assert linked["import"] == scene["matched"]["batch"].reference
    declined = [d for d in decisions if d["decision"] == "Not linked"]
    assert declined and "reason" in declined[0]  # the other candidate for the record, declined in the same decision


def test_a_mention_in_another_family_is_offered_and_released_only_once_a_person_includes_it(scene):
    world, subject, note = scene["world"], scene["subject"], scene["note"]
    pack = sar.build_pack(by=world.dpo, request=scene["request"])
    offered = list(pack.mentions.all())
    assert [(m.record, m.field, m.household_id) for m in offered] == [
        (f"casework.CaseNote:{note.pk}", "text", scene["elsewhere"]["household"].pk)]
    assert "stayed over" not in str(pack.content)  # nothing from another family until a person decides
    for proposal in pack.proposals.filter(status=RedactionStatus.PENDING):
        sar.decide_redaction(by=world.dpo, pack=pack, proposal_id=proposal.pk, redact=True, reason="Third party")
    with pytest.raises(ValidationError, match="mentions in other families' records are still waiting"):
        sar.release_pack(by=world.dpo, pack=pack, confirmed=True)
    with pytest.raises(ValidationError):
        mentions.decide_mention(by=world.dpo, pack=pack, mention_id=offered[0].pk, include=True, reason="  ")
    mentions.decide_mention(by=world.dpo, pack=pack, mention_id=offered[0].pk, include=True,
                            reason="It is about Jamie's own visit")
    pack.refresh_from_db()
    section = next(s for s in pack.content["sections"] if s["title"] == mentions.SECTION)
    assert subject.full_name in str(section) and "stayed over" in str(section)
    # The other family's child is proposed for redaction, and must be decided before release.
    riley = pack.proposals.get(status=RedactionStatus.PENDING, text="Riley Brightwater")
    sar.decide_redaction(by=world.dpo, pack=pack, proposal_id=riley.pk, redact=True, reason="Another child")
    sar.release_pack(by=world.dpo, pack=pack, confirmed=True)
    released = str(sar.released_content(pack))
    assert "Riley Brightwater" not in released and sar.WITHHELD in released
    assert subject.full_name in released
    assert pack.mentions.get().status == MentionStatus.INCLUDE


def test_a_mention_left_out_stays_out(scene):
    world = scene["world"]
    pack = sar.build_pack(by=world.dpo, request=scene["request"])
    mention = pack.mentions.get()
    mentions.decide_mention(by=world.dpo, pack=pack, mention_id=mention.pk, include=False,
                            reason="Not about the requester")
    pack.refresh_from_db()
    assert "stayed over" not in str(pack.content)
    with pytest.raises(ValidationError, match="nothing waiting"):
        mentions.decide_mention(by=world.dpo, pack=pack, mention_id=mention.pk, include=True, reason="Changed mind")
    with pytest.raises(Exception, match="data protection officer"):
        mentions.decide_mention(by=world.lead, pack=pack, mention_id=mention.pk, include=True, reason="x")


def test_the_reviewer_decides_a_mention_on_the_pack_page_and_no_one_else_can(client, scene):
    from django.urls import reverse

    world = scene["world"]
    pack = sar.build_pack(by=world.dpo, request=scene["request"])
    mention = pack.mentions.get()
    client.force_login(world.dpo)
    page = client.get(reverse("web:sar-pack", args=[pack.pk])).content.decode()
    assert "Records of other families that may mention the requester" in page and "stayed over" in page
    url = reverse("web:sar-pack-mention", args=[pack.pk])
    client.post(url, {"mention": mention.pk, "decision": "include", "reason": ""})
    mention.refresh_from_db()
    assert mention.status == MentionStatus.PENDING  # a reason is needed
    client.force_login(world.manager)
    assert client.post(url, {"mention": mention.pk, "decision": "include", "reason": "x"}).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.manager, object_ids=[pack.pk]).exists()
    client.force_login(world.dpo)
    response = client.post(url, {"mention": mention.pk, "decision": "include", "reason": "About the requester"})
    assert response.status_code == 302
    mention.refresh_from_db()
    assert mention.status == MentionStatus.INCLUDE and mention.decided_by == world.dpo


@pytest.mark.promise("P19.3")
def test_an_erasure_takes_the_person_out_of_another_familys_record_and_leaves_the_rest(scene):
    from earlyhelp.casework.models import CaseNote
    from earlyhelp.retention.services import erasure

    world, subject, note = scene["world"], scene["subject"], scene["note"]
    lone_name = casework.add_case_note(by=world.lead, episode=scene["elsewhere"]["episode"],
                                       text=f"{subject.given_name} from the football club called round.")
    erasure.erase_person(person=subject, request=scene["request"], approved_by=world.dpo)
    note.refresh_from_db()
    assert subject.full_name not in note.text and "stayed over with Riley Brightwater" in note.text
    # A first name alone may be someone else's: another family's record keeps it.
    assert CaseNote.objects.get(pk=lone_name.pk).text == lone_name.text
