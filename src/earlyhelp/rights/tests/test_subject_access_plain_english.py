"""A subject access pack is written for the public (issue 14): dates in words, Yes or No, events and purposes named,
nothing internal; the requester's own details are never proposed as someone else's; decisions say which item they
were about; nothing is released without a confirmation."""

import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from earlyhelp.audit.labels import event_label, purpose_label
from earlyhelp.audit.models import AuditEvent
from earlyhelp.privacy.models import PackStatus, RedactionKind, RedactionStatus
from earlyhelp.rights import services as rights
from earlyhelp.rights.messages import CONFIRM_RELEASE
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing import everywhere

from .conftest import request_values

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P19")]

INTERNAL = [
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "an ISO date"),
    (re.compile(r"\b(True|False|None)\b"), "True, False or None"),
    (re.compile(r"\b(Household|Person|Family|Episode|Assessment|Audit event) \d+\b"), "a database number"),
    (re.compile(r"(^|\n)(Is|Has) [a-z ]+:"), "a column's name"),
    (re.compile(r"\b[a-z]+\.[A-Z][a-zA-Z]+:\d+"), "a record key"),
]


def _released(world, request):
    pack = sar.build_pack(by=world.dpo, request=request)
    for proposal in pack.proposals.all():
        sar.decide_redaction(by=world.dpo, pack=pack, proposal_id=proposal.pk, redact=True, reason="Third party")
    sar.release_pack(by=world.dpo, pack=pack, confirmed=True)
    return pack


def _bool_values(value):
    if isinstance(value, bool):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _bool_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _bool_values(item)


def test_the_released_pdf_and_json_read_in_plain_english(world, seeded):
    pack = _released(world, seeded["request"])
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(sar.render_pdf(pack))).pages)
    released = sar.render_json(pack).decode()
    assert "Who has looked at or changed your records" in pdf and "Your family" in pdf
    for text in (pdf, released):
        for pattern, what in INTERNAL:
            found = pattern.search(text)
            assert found is None, f"{what}: {text[max(0, found.start() - 60):found.end() + 20]!r}"
        for event in AuditEvent.objects.values_list("event", flat=True).distinct():
            assert not re.search(rf"(?<![\w.]){re.escape(event)}(?![\w.])", text), event
    assert re.search(r"\b\d{1,2} [A-Z][a-z]+ \d{4}, \d{1,2}:\d{2}(am|pm)\b", pdf), "moments in words"
    assert not list(_bool_values(json.loads(released)))
    assert "What: Recorded a need" in pdf and "Why: Early help casework" in pdf


def test_events_and_purposes_have_names():
    assert event_label("person.search") == "Searched for the person's record"
    assert event_label("assessment.submit") == "Submitted the early help assessment"
    assert purpose_label("duplicate_check") == "Checking for existing records before creating new ones"
    assert "." not in event_label("unheard_of.thing_done")


def test_the_requesters_own_details_are_never_proposed_as_someone_elses(world, seeded):
    own = {"email": "robin.requester@example.org", "phone": "07700 900456", "postcode": "SW1A 2AA"}
    request = rights.log_request(**request_values(
        world, seeded["subject"], requester_person=seeded["subject"], requester_email=own["email"],
        requester_phone=own["phone"], requester_address=f"12 Requester Road, Testtown {own['postcode']}"))
    pack = sar.build_pack(by=world.dpo, request=request)
    found = {(p.kind, p.text) for p in pack.proposals.all()}
    assert not {text for _, text in found} & set(own.values())
    assert (RedactionKind.PHONE, "07700 900123") in found, "another person's telephone is still proposed"


def test_decisions_name_what_was_withheld_for_the_reviewer(client, world, seeded):
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    sibling = f"Alex {everywhere.FAMILY}"
    sar.decide_redaction(by=world.dpo, pack=pack, text=sibling, redact=True, reason="Third party")
    client.force_login(world.dpo)
    page = client.get(reverse("web:sar-pack", args=[pack.pk])).content.decode()
    decided = page[page.index("Decisions made"):]
    initials = " ".join(f"{word[0]}…" for word in sibling.split())
    assert re.search(rf"Another person(&#x27;|')s name: (&#x27;|'){initials}(&#x27;|') in [a-z ]+", decided)
    assert sibling not in decided


def test_a_pack_is_released_only_after_the_dpo_confirms_to_whom(client, world, seeded):
    pack = sar.build_pack(by=world.dpo, request=seeded["request"])
    pack.proposals.update(status=RedactionStatus.DISCLOSE, reason="Known to the requester", decided_by=world.dpo,
                          decided_at=timezone.now())
    with pytest.raises(ValidationError, match=CONFIRM_RELEASE):
        sar.release_pack(by=world.dpo, pack=pack, confirmed=False)
    client.force_login(world.dpo)
    url = reverse("web:sar-pack-release", args=[pack.pk])
    assert url in client.get(reverse("web:sar-pack", args=[pack.pk])).content.decode()
    confirm = client.get(url).content.decode()
    assert f"You are about to release this pack to {seeded['request'].requester_display}" in confirm
    assert "Confirm and release the pack" in confirm
    client.post(url)
    pack.refresh_from_db()
    assert pack.status == PackStatus.IN_REVIEW
    client.post(url, {"confirm": "yes"})
    pack.refresh_from_db()
    assert pack.status == PackStatus.RELEASED
