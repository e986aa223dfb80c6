"""Subject access packs hold every record; third-party review gates release; erasure and disposal leave nothing."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from pypdf import PdfReader

from earlyhelp.people.models import Household, Person
from earlyhelp.privacy.models import (
    Disclosure,
    DisclosureKind,
    PackStatus,
    RedactionKind,
    RedactionStatus,
    Tombstone,
)
from earlyhelp.records import inventory
from earlyhelp.retention.models import HoldKind, HoldScope
from earlyhelp.retention.services import erasure
from earlyhelp.retention.services.holds import place_hold
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import IdentityCheck, RequesterRelationship, RequestKind
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing import everywhere
from earlyhelp.testing.traces import find_traces, fingerprint
from earlyhelp.testing.world import make_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]


def inventory_gaps(declared) -> list[str]:
    return sorted(set(inventory.models_holding_personal_data()) - {h.model for h in declared})


def test_every_model_holding_personal_data_is_in_the_inventory():
    assert inventory_gaps(inventory.holdings()) == []
    stale = [h.model for h in inventory.holdings() if h.model not in inventory.models_holding_personal_data()]
    assert stale == [], f"inventory entries for models that hold no personal data: {stale}"


def test_a_model_left_out_of_the_inventory_is_reported():
    without_notes = [h for h in inventory.holdings() if h.model != "casework.CaseNote"]
    assert inventory_gaps(without_notes) == ["casework.CaseNote"]


def _rows_about(holding, subject, household_ids):
    q = Q()
    for path in holding.person:
        q |= Q(**{path: subject.pk})
    for path in holding.household if holding.household_in_pack else ():
        q |= Q(**{f"{path}__in": household_ids})
    return {f"{holding.model}:{pk}" for pk in holding.model_class._base_manager.filter(q).values_list("pk", flat=True)}


# Rows that exist only while a pack is reviewed, proven where they are made. A mention of the person in another
# family's record is not seeded here: erasure and disposal of the person do not reach other families' records, so
# the traces scans below would find it (named as work left in the issue 13 report).
SEEDED_ELSEWHERE = {"rights.OtherFamilyMention": "rights/tests/test_subject_access_completeness.py",
                    # An acknowledgement e-mail is linked to no person (an online requester is never matched
                    # automatically): only its reference ties it to a request, and it goes with that request
                    # (rights/tests/test_online_requests.py). It is not in a pack: the request, with the same
                    # address, is.
                    "messaging.SentMessage": "rights/tests/test_online_requests.py"}


def test_the_pack_holds_every_record_about_the_person_in_every_table(world, seeded):
    subject = seeded["subject"]
    sar.build_pack(by=world.dpo, request=seeded["request"])  # an earlier pack is itself held about the person
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    keys = {r["key"] for s in pack.content["sections"] for r in s["records"]}
    households = sar.households_of(subject)
    for holding in inventory.holdings():
        if holding.on_erasure == inventory.OnErasure.KEEP:
            continue
        if holding.model in SEEDED_ELSEWHERE:
            continue
        expected = _rows_about(holding, subject, households)
        if holding.model == "privacy.SubjectAccessPack":
            expected.discard(f"privacy.SubjectAccessPack:{pack.pk}")  # a pack cannot contain itself
        assert expected, f"the seed puts nothing in {holding.model}: add it to testing/everywhere.py"
        if not holding.in_pack:  # what an earlier review withheld is never disclosed by a later pack
            assert not {k for k in keys if k.startswith(f"{holding.model}:")}
            continue
        assert expected <= keys, f"{holding.model} rows missing from the pack: {sorted(expected - keys)[:3]}"
    history_keys = {k for k in keys if "@" in k}
    assert any(k.startswith("people.Person:") for k in history_keys), "the record's history is in the pack"
    viewers = next(s for s in pack.content["sections"] if s["title"].startswith("Who has looked"))
    assert viewers["records"], "who viewed or changed the records is in the pack"
    assert pack.content["index"] == [{"title": s["title"], "count": len(s["records"])} for s in pack.content["sections"]]


def test_third_party_information_is_proposed_and_nothing_is_released_until_every_proposal_is_decided(world, seeded):
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    found = {(p.kind, p.text) for p in pack.proposals.all()}
    assert (RedactionKind.NHS_NUMBER, everywhere.SIBLING_NHS) in found
    assert (RedactionKind.PHONE, "07700 900123") in found
    assert (RedactionKind.THIRD_PARTY_NAME, f"Alex {everywhere.FAMILY}") in found
    own = {everywhere.NHS, everywhere.POSTCODE, f"{everywhere.GIVEN} {everywhere.FAMILY}"}
    assert not {text for _, text in found} & own, "the person's own information is never proposed"
    assert not any(world.lead.last_name in text for _, text in found), "professionals are disclosed by default"

    with pytest.raises(ValidationError, match="still waiting for review"):
        sar.release_pack(by=world.dpo, pack=pack, confirmed=True)
    pack.refresh_from_db()
    assert pack.status == PackStatus.IN_REVIEW
    assert not Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS).exists()
    with pytest.raises(ValidationError):
        sar.decide_redaction(by=world.dpo, pack=pack, text=everywhere.SIBLING_NHS, redact=True, reason=" ")

    sar.decide_redaction(by=world.dpo, pack=pack, text=everywhere.SIBLING_NHS, redact=True,
                         reason="The sister's health identifier: no consent to disclose")
    for proposal in pack.proposals.filter(status=RedactionStatus.PENDING):
        sar.decide_redaction(by=world.dpo, pack=pack, proposal_id=proposal.pk, redact=False,
                             reason="Already known to the requester")
    sar.release_pack(by=world.dpo, pack=pack, confirmed=True)
    released = sar.render_json(pack).decode()
    assert everywhere.SIBLING_NHS not in released and sar.WITHHELD in released
    assert everywhere.NHS in released, "the person's own NHS number is disclosed"
    logged = Disclosure.objects.filter(kind=DisclosureKind.SUBJECT_ACCESS, household=seeded["household"]).get()
    assert logged.recipient_organisation is None and logged.purpose.code == "rights_requests"
    with pytest.raises(ValidationError, match="already been released"):
        sar.release_pack(by=world.dpo, pack=pack, confirmed=True)


def test_the_pdf_has_an_index_and_every_section(world, seeded):
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    sar.decide_redaction(by=world.dpo, pack=pack, text=everywhere.SIBLING_NHS, redact=True, reason="Third party")
    reader = PdfReader(__import__("io").BytesIO(sar.render_pdf(pack)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Contents" in text
    for section in pack.content["sections"]:
        assert text.count(section["title"]) >= 2, f"{section['title']} is in the index and has its own page"
    assert everywhere.SIBLING_NHS not in text


def test_only_an_access_request_about_a_known_person_gets_a_pack(world, seeded):
    erasure_request = everywhere.rights_request(world, seeded["subject"], RequestKind.ERASURE)
    with pytest.raises(ValidationError, match="answers a subject access request"):
        sar.build_pack(by=world.dpo, request=erasure_request)
    anonymous = everywhere.rights_request(world, None, RequestKind.ACCESS)
    with pytest.raises(ValidationError, match="who the request is about"):
        sar.build_pack(by=world.dpo, request=anonymous)


def test_an_approved_erasure_leaves_nothing_of_the_person_but_the_tombstone(world, seeded,
                                                                          django_capture_on_commit_callbacks):
    subject, household = seeded["subject"], seeded["household"]
    sar.build_pack(by=world.dpo, request=seeded["request"])
    sar.build_pack(by=world.dpo, request=everywhere.rights_request(world, seeded["sibling"], RequestKind.ACCESS))
    marks = fingerprint(subject, households=False, extra=[subject.given_name])
    assert f"{everywhere.NHS[:3]} {everywhere.NHS[3:6]} {everywhere.NHS[6:]}" in marks.values
    assert find_traces(marks), "the scan finds the person before erasure"
    other = make_family(world, family_name="Untouched", seed=5)
    others_before = Person.objects.filter(family_name="Untouched").count()
    request = everywhere.rights_request(world, subject, RequestKind.ERASURE)

    with django_capture_on_commit_callbacks(execute=True):  # files go once the erasure has committed
        tombstone = erasure.erase_person(person=subject, request=request, approved_by=world.dpo,
                                         documents=[seeded["document"]])

    assert find_traces(marks) == []
    assert tombstone.record_counts["people.Person"] == 1 and tombstone.files_removed == 1
    assert not default_storage.exists(seeded["document"].file.name)
    assert Tombstone.objects.filter(request=request).exists()
    assert Household.objects.filter(pk=household.pk).exists(), "the rest of the family's record stays"
    assert Person.objects.filter(pk=seeded["parent"].pk).exists()
    assert Person.objects.filter(family_name="Untouched").count() == others_before
    assert other["household"].memberships.count() == 4
    request.refresh_from_db()
    assert request.subject_id is None


def test_an_erasure_with_no_request_or_approver_changes_nothing(world, seeded):
    subject = seeded["subject"]
    with pytest.raises(ValidationError, match="request it answers"):
        erasure.erase_person(person=subject, request=None, approved_by=world.dpo)
    with pytest.raises(ValidationError, match="who approved"):
        erasure.erase_person(person=subject, request=seeded["request"], approved_by=None)
    assert Person.objects.filter(pk=subject.pk).exists()


@pytest.mark.promise("P4")
def test_disposal_destroys_the_family_in_every_table_and_file_and_keeps_other_families(
        world, seeded, django_capture_on_commit_callbacks):
    household, subject = seeded["household"], seeded["subject"]
    members = list(Person.objects.filter(memberships__household=household).distinct())
    marks_of_members = [fingerprint(p) for p in members]
    other = make_family(world, family_name="Neighbour", seed=6, postcode="NE1 4XD")

    with django_capture_on_commit_callbacks(execute=True):
        counts = erasure.dispose_households([household.pk], by=world.dpo, reason="Six years after closure")

    for marks in marks_of_members:
        assert find_traces(marks) == [], find_traces(marks)
    assert counts["people.Person"] == len(members) and counts["casework.CaseNote"] == 1
    assert Household.objects.filter(pk=other["household"].pk).exists()
    assert other["household"].memberships.count() == 4
    assert not Person.objects.filter(pk=subject.pk).exists()


@pytest.mark.promise("P4")
def test_anonymised_families_keep_their_shape_but_no_personal_data(world, seeded, django_capture_on_commit_callbacks):
    household, subject = seeded["household"], seeded["subject"]
    marks = fingerprint(subject)
    marks.person_ids, marks.household_ids = set(), set()  # the rows stay; only what identifies anyone goes
    with django_capture_on_commit_callbacks(execute=True):
        erasure.anonymise_households([household.pk], by=world.dpo, reason="Kept for statistics")
    assert find_traces(marks) == []
    assert household.episodes.count() == 1
    assert Person.objects.filter(pk=subject.pk, given_name=erasure.REMOVED).exists()


def test_the_released_json_is_machine_readable(world, seeded):
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    for proposal in pack.proposals.all():
        sar.decide_redaction(by=world.dpo, pack=pack, proposal_id=proposal.pk, redact=True, reason="Third party")
    sar.release_pack(by=world.dpo, pack=pack, confirmed=True)
    data = json.loads(sar.render_json(pack))
    assert {s["title"] for s in data["sections"]} >= {"Your record", "Case notes", "Consent"}


@pytest.mark.promise("P20")
def test_a_legal_hold_blocks_erasure_and_disposal_even_when_approved(world, seeded):
    subject, household = seeded["subject"], seeded["household"]
    place_hold(by=world.dpo, kind=HoldKind.LITIGATION, scope=HoldScope.PERSON, person_id=subject.pk,
               reason="Claim against the council about this child's support")
    request = everywhere.rights_request(world, subject, RequestKind.ERASURE)
    with pytest.raises(ValidationError, match="legal hold"):
        erasure.erase_person(person=subject, request=request, approved_by=world.dpo)
    with pytest.raises(ValidationError, match="legal hold"):
        erasure.dispose_households([household.pk], by=world.dpo, reason="Six years after closure")
    assert Person.objects.filter(pk=subject.pk).exists() and Household.objects.filter(pk=household.pk).exists()
    assert not Tombstone.objects.exists()


def test_overlapping_finds_are_withheld_whole(world, seeded):
    finder = sar._Finder(seeded["subject"], sar.households_of(seeded["subject"]))
    text = "Write to Riley.Q@example.org today"
    # "Riley" alone would leave ".Q@example.org" disclosed: overlapping finds become one span.
    assert finder.find(text) == [(9, 28, RedactionKind.EMAIL)]


def test_no_pack_before_proof_of_identity(world, seeded):
    waiting = rights.log_request(by=world.dpo, kind=RequestKind.ACCESS, received_on=seeded["request"].received_on,
                                 subject=seeded["subject"], requester_person=seeded["subject"],
                                 requester_relationship=RequesterRelationship.SELF, requester_address="1 Road",
                                 identity_check=IdentityCheck.REQUESTED, id_requested_on=seeded["request"].received_on)
    with pytest.raises(ValidationError, match="proof of the requester's identity"):
        sar.build_pack(by=world.dpo, request=waiting)


def test_only_the_rights_officer_builds_reviews_or_releases_a_pack(world, seeded):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        sar.build_pack(by=world.lead, request=seeded["request"])
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    with pytest.raises(PermissionDenied):
        sar.decide_redaction(by=world.manager, pack=pack, text=everywhere.SIBLING_NHS, redact=False, reason="x")
    with pytest.raises(PermissionDenied):
        sar.release_pack(by=world.admin, pack=pack, confirmed=True)
    assert pack.proposals.filter(status=RedactionStatus.PENDING).count() == pack.proposals.count()
