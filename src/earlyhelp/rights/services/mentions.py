"""Mentions of the person in other families' records, for a subject access pack (P19).

A case note, finding, plan action, review or document of another family may name the person (their name, or an
identifier of theirs): that is their personal data too. When a pack is built, the text columns of every family
record in the personal-data inventory, outside the person's own families, are searched for their names and
identifiers, with the matching the redaction review uses (`finding`). Each find is offered to the reviewer: a
person decides, with a reason, to include it or leave it out. Nothing from another family is released on its own:
an included mention brings only the column that names the person, and that family's people are proposed for
redaction like any other third party.
"""

import re

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Membership, Person
from earlyhelp.privacy.messages import ENTER_DECISION_REASON
from earlyhelp.privacy.models import PackStatus, RedactionProposal, SubjectAccessPack
from earlyhelp.records.inventory import holdings, is_personal_column
from earlyhelp.ui.words import date_in_words

from ..models import MentionStatus, OtherFamilyMention
from .finding import _Finder, _normal, _recognisers

SECTION = "Records of other families that mention you"
_INTERNAL = {"given_name_key", "family_name_key", "content", "hash", "previous_hash"}


def _text_fields(model) -> list:
    return [f for f in model._meta.concrete_fields
            if isinstance(f, (models.TextField, models.CharField)) and not f.choices and f.name not in _INTERNAL
            and (isinstance(f, models.TextField) or is_personal_column(f))]


class _Subject:
    """The person's names and identifiers, and how to recognise them in a text."""

    def __init__(self, person):
        names = {f"{person.given_name} {person.family_name}"}
        if person.preferred_name:
            names.add(f"{person.preferred_name} {person.family_name}")
        self.family_name = person.family_name
        self.names = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
                                + r")(?!\w)", re.IGNORECASE)
        self.identifiers = {_normal(v) for v in person.identifiers.values_list("value", flat=True)}
        self.raw_identifiers = set(person.identifiers.values_list("value", flat=True))

    def narrowing(self, field_name) -> Q:
        q = Q(**{f"{field_name}__icontains": self.family_name})
        for value in self.raw_identifiers:
            q |= Q(**{f"{field_name}__icontains": value})
        return q

    def found_in(self, text: str) -> str | None:
        if self.names.search(text):
            return "name"
        for recogniser, kind in _recognisers():
            for result in recogniser.analyze(text, recogniser.supported_entities, None) or []:
                if _normal(text[result.start:result.end]) in self.identifiers:
                    return kind.label
        return None


def find(person, own_household_ids) -> list[dict]:
    """Family records of other families whose text names the person: (household, record, field, what was found)."""
    subject = _Subject(person)
    found = []
    for holding in holdings():
        if not holding.household:
            continue
        model = holding.model_class
        fields = _text_fields(model)
        if not fields:
            continue
        path = holding.household[0]
        rows = model._base_manager.filter(**{f"{path}__isnull": False}).exclude(**{f"{path}__in": own_household_ids})
        for person_path in holding.person:
            rows = rows.exclude(**{person_path: person.pk})
        narrowed = Q(pk__in=[])
        for field in fields:
            narrowed |= subject.narrowing(field.name)
        for row in rows.filter(narrowed).values("pk", path, *[f.attname for f in fields]).order_by("pk"):
            for field in fields:
                text = row[field.attname]
                what = subject.found_in(text) if isinstance(text, str) and text else None
                if what:
                    found.append({"household_id": row[path], "record": f"{holding.model}:{row['pk']}",
                                  "field": field.name, "found": what})
    return found


def offer(pack, person, own_household_ids, found=None) -> int:
    """Record each mention found (by `find`, or now) for the pack's reviewer; returns how many."""
    found = {(m["record"], m["field"]): m for m in (find(person, own_household_ids) if found is None else found)}
    OtherFamilyMention.objects.bulk_create([
        OtherFamilyMention(pack=pack, household_id=m["household_id"], record=m["record"][:80], field=m["field"],
                           found=str(m["found"])[:40]) for m in found.values()])
    return len(found)


def _record_of(mention):
    label, _, pk = mention.record.partition(":")
    model = apps.get_model(label)
    return model, model._base_manager.filter(pk=int(pk)).first()


def preview(mention, width: int = 80) -> dict:
    """For the reviewer: the kind of record, and the text around the mention."""
    model, row = _record_of(mention)
    text = str(getattr(row, model._meta.get_field(mention.field).attname, "") or "") if row else ""
    subject = _Subject(mention.pack.subject) if mention.pack.subject_id else None
    match = subject.names.search(text) if subject else None
    start = match.start() if match else 0
    return {"record": str(model._meta.verbose_name).capitalize(),
            "field": str(model._meta.get_field(mention.field).verbose_name),
            "text": ("…" if start > width else "") + text[max(0, start - width):start + width * 2]}


def _entry(mention) -> dict | None:
    model, row = _record_of(mention)
    if row is None:
        return None
    field = model._meta.get_field(mention.field)
    fields = {"kind of record": str(model._meta.verbose_name).capitalize(),
              str(field.verbose_name): getattr(row, field.attname)}
    for when in ("created_at", "recorded_at", "held_on", "uploaded_at"):
        value = getattr(row, when, None)
        if value:
            fields["date"] = date_in_words(value)
            break
    return {"key": f"{mention.record}@mention{mention.pk}", "record": "A record of another family that mentions you",
            "fields": fields}


def _propose_for(pack, entry, other_household_id) -> int:
    """The other family's people (and anyone else found) proposed for redaction in what was included."""
    person = pack.subject
    own = sorted(set(person.memberships.values_list("household", flat=True)))
    finder = _Finder(person, own)
    others = Membership.objects.filter(household_id=other_household_id).exclude(person=person).values_list(
        "person", flat=True)
    for given, family, preferred in Person.objects.filter(pk__in=others).values_list(
            "given_name", "family_name", "preferred_name"):
        for name in {f"{given} {family}", f"{preferred} {family}" if preferred else "", given, preferred}:
            if name and _normal(name) not in finder.own:
                finder.names[name] = True
    texts = [(f"{entry['key']}|{name}", value) for name, value in entry["fields"].items()
             if isinstance(value, str) and value]
    finder.prepare(value for _, value in texts)
    proposals = [RedactionProposal(pack=pack, location=location[:200], start=start, end=end,
                                   text=value[start:end][:300], kind=kind)
                 for location, value in texts for start, end, kind in finder.find(value)]
    RedactionProposal.objects.bulk_create(proposals)
    return len(proposals)


def _add_to_content(pack, entry) -> None:
    content = pack.content
    sections = content["sections"]
    section = next((s for s in sections if s["title"] == SECTION), None)
    if section is None:
        section = {"title": SECTION, "records": []}
        sections.insert(max(0, len(sections) - 1), section)  # before who looked at the records, which is last
    section["records"].append(entry)
    content["index"] = [{"title": s["title"], "count": len(s["records"])} for s in sections]


@transaction.atomic
def decide_mention(*, by, pack, mention_id: int, include: bool, reason: str) -> OtherFamilyMention:
    """Include a mention in the pack, or leave it out, with a reason; nothing else from that family is added."""
    if not policy.has_permission(by, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        raise PermissionDenied("Only the data protection officer handles subject access requests")
    if not reason.strip():
        raise ValidationError({"reason": ENTER_DECISION_REASON})
    pack = SubjectAccessPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status != PackStatus.IN_REVIEW:
        raise ValidationError("This pack has been released and can no longer change")
    mention = pack.mentions.select_for_update().filter(pk=mention_id, status=MentionStatus.PENDING).first()
    if mention is None:
        raise ValidationError("There is nothing waiting for a decision there")
    proposed = 0
    if include:
        entry = _entry(mention)
        if entry is None:
            raise ValidationError("That record no longer exists: leave it out instead")
        _add_to_content(pack, entry)
        pack.save(update_fields=["content"])
        proposed = _propose_for(pack, entry, mention.household_id)
    mention.status = MentionStatus.INCLUDE if include else MentionStatus.LEAVE_OUT
    mention.reason, mention.decided_by, mention.decided_at = reason.strip(), by, timezone.now()
    mention.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit.record(actor=by, action=Action.CHANGE, event="subject_access.mention", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[pack], metadata={"mention_id": mention.pk, "include": include, "proposals": proposed})
    return mention
