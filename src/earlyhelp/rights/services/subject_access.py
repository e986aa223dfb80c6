"""Subject access packs: everything held about a person, reviewed for third-party information, then released
as JSON and as a PDF with an index (P17, P19).

The pack is built from the personal-data inventory, so every table that holds the person's data is in it.
Other people's names and identifiers found in it are proposed for redaction; a person decides each proposal
with a reason (information about professionals acting in their role is disclosed by default, so it is never
proposed). Nothing is released until every proposal is decided, and the release is logged as a disclosure.
"""

import datetime
import json
import logging
import re
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp import jobs
from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.organisations.models import Organisation, Team, User
from earlyhelp.people.models import Household, Person
from earlyhelp.privacy.messages import ENTER_DECISION_REASON
from earlyhelp.privacy.models import (
    PackStatus,
    Panel,
    ProcessingPurpose,
    RedactionProposal,
    RedactionStatus,
    SubjectAccessPack,
)
from earlyhelp.privacy.services.disclosures import record_subject_access_release
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.records.inventory import OnErasure, holdings
from earlyhelp.ui.words import date_in_words, yes_or_no

from ..messages import CONFIRM_RELEASE
from ..models import BuildStatus, MentionStatus, RequestKind, RequestStatus, SubjectAccessBuild
from . import mentions, pack_sources
from .finding import _Finder

logger = logging.getLogger(__name__)

WITHHELD = "[withheld: information about someone else]"
# What is never put in a pack: internal keys, derived search keys and the packs' own snapshots.
LEFT_OUT = {"given_name_key", "family_name_key", "content", "hash", "previous_hash"}
SECTION_ORDER = ["Your record", "Your family and relationships", "Contacts and referrals", "Early help support",
                 "Team Around the Family", "Assessments", "Family plan", "Reviews", "Case notes", "Documents",
                 "Referrals to other services", "Supporting Families", "Consent",
                 "Information partners shared with us for data matching", "Possible matches with partners' records",
                 "Data matching decisions about you",
                 "Who we shared information with, and why", "Decisions on what the system suggested",
                 "Who may see your family's records", "Your requests to us"]


def _section_rank(title: str) -> int:
    return SECTION_ORDER.index(title) if title in SECTION_ORDER else len(SECTION_ORDER)


# ---------------------------------------------------------------- collecting


def households_of(person) -> list[int]:
    return sorted(set(person.memberships.values_list("household", flat=True)))


def _paths_q(holding, person_id, household_ids) -> Q | None:
    q = None
    for path in holding.person:
        q = (q or Q()) | Q(**{path: person_id})
    for path in holding.household if holding.household_in_pack else ():
        q = (q or Q()) | Q(**{f"{path}__in": household_ids})
    return q


# Simple-history's own columns, in words.
HISTORY_LABELS = {"history_date": "when it changed", "history_type": "what changed", "history_user": "changed by",
                  "history_change_reason": "why it changed"}


def field_label(field) -> str:
    """The field's name as the public reads it: its verbose name, and for a flag named after its column
    ("is restricted") the words after "is" or "has" ("Restricted: No")."""
    if field.name in HISTORY_LABELS:
        return HISTORY_LABELS[field.name]
    name = str(field.verbose_name)
    if isinstance(field, models.BooleanField) and name == field.name.replace("_", " "):
        first, _, rest = name.partition(" ")
        name = rest if first in ("is", "has") and rest else name
    return name


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?$")


def value_in_words(value):
    """Dates in words (Europe/London), Yes or No, and what a JSON column holds as "Name: value" pairs: never an
    ISO timestamp, True/False or a column's name."""
    if isinstance(value, bool):
        return yes_or_no(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return date_in_words(value)
    if isinstance(value, str) and ISO_DATE.match(value):
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return date_in_words(moment if "T" in value or " " in value else moment.date())
    if isinstance(value, dict):
        return "; ".join(f"{str(name).replace('_', ' ').capitalize()}: {value_in_words(item)}"
                         for name, item in value.items() if item not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(value_in_words(item)) for item in value)
    return value


class _Renderer:
    """Turns a row into labelled, readable values. Related records are named, not numbered: the subject's own
    families are "Your family", and no database number reaches the pack."""

    def __init__(self, household_ids=()):
        self.labels: dict = {}
        self.household_ids = set(household_ids)

    def label(self, model, pk):
        if pk is None:
            return None
        key = (model, pk)
        if key not in self.labels:
            self.labels[key] = self._describe(model, pk)
        return self.labels[key]

    def _describe(self, model, pk):
        if model is Household:
            return "Your family" if pk in self.household_ids else "Another family"
        if model not in (User, Person, Organisation, Team, HeadlineArea, ProcessingPurpose, Panel):
            # other records are named by kind: one query each would make big packs slow
            return _title(model)
        query = model._base_manager.select_related("organisation") if model is User else model._base_manager
        obj = query.filter(pk=pk).first()
        if obj is None:
            return _title(model)
        if model is User:
            organisation = obj.organisation.name if obj.organisation_id else ""
            return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()}, {organisation})"
        if model is Person:
            return obj.full_name
        return getattr(obj, "name", None) or getattr(obj, "label", None) or str(obj)

    def row(self, obj) -> dict:
        values = {}
        for field in obj._meta.concrete_fields:
            if field.name in LEFT_OUT or field.primary_key or field.name.startswith("history_") and field.name not in (
                    "history_date", "history_type", "history_user"):
                continue
            raw = getattr(obj, field.attname)
            if field.is_relation:
                value = self.label(field.related_model, raw)
            elif field.choices and raw not in (None, ""):
                value = str(dict(field.flatchoices).get(raw, raw))
            elif isinstance(field, models.FileField):
                value = str(raw).rsplit("/", 1)[-1] if raw else ""
            else:
                value = value_in_words(raw)
            if value in (None, "", [], {}):
                continue
            values[field_label(field)] = value
        return values


def collect(person, progress=None) -> dict:
    """Everything held about the person, as a JSON-ready dict (no redactions applied).

    `progress(fraction)`, if given, is told how far through the holdings the collection is."""
    household_ids = households_of(person)
    renderer = _Renderer(household_ids)
    sections: dict[str, list] = defaultdict(list)
    own_records: set[tuple[str, int]] = set()  # rows reached through the person, not only through a family
    ordered_holdings = sorted(holdings(), key=lambda h: _section_rank(h.section))
    for done, holding in enumerate(ordered_holdings):
        if progress is not None:
            progress(done / len(ordered_holdings))
        if holding.on_erasure == OnErasure.KEEP or not holding.in_pack:
            continue
        q = _paths_q(holding, person.pk, household_ids)
        if q is None:
            continue
        model = holding.model_class
        through_person = _paths_q(holding, person.pk, [])
        if through_person is not None and holding.person:
            own_records |= {(model._meta.label_lower, pk)
                            for pk in model._base_manager.filter(through_person).values_list("pk", flat=True)}
        for obj in model._base_manager.filter(q).distinct().order_by("pk"):
            sections[holding.section].append({"key": f"{holding.model}:{obj.pk}", "record": _title(model),
                                              "fields": renderer.row(obj)})
        history = holding.history_model()
        if history is not None:
            for version in history._base_manager.filter(q).order_by("history_date", "history_id"):
                sections[holding.section].append({
                    "key": f"{holding.model}:{version.id}@{version.history_id}",
                    "record": f"{_title(model)}: earlier version", "fields": renderer.row(version)})
    label_user = pack_sources.label_user_with(renderer)
    decisions_made = pack_sources.matching_rows(person, label_user)
    if decisions_made:
        sections[pack_sources.MATCHING_SECTION].extend(decisions_made)
    viewers = pack_sources.audit_rows(person, own_records, label_user)
    ordered = [{"title": title, "records": sections[title]} for title in sorted(sections, key=_section_rank)]
    ordered.append({"title": pack_sources.AUDIT_SECTION, "records": viewers})
    return {
        "about": renderer.label(type(person), person.pk),
        "generated_at": date_in_words(timezone.now()),
        "index": [{"title": s["title"], "count": len(s["records"])} for s in ordered],
        "sections": ordered,
    }


def _title(model) -> str:
    return str(model._meta.verbose_name).capitalize()


# ---------------------------------------------------------------- third-party review

def _strings(content):
    """Every reviewable text in the pack, with its location (record key and field)."""
    for section in content["sections"]:
        if section["title"] == pack_sources.AUDIT_SECTION:
            continue  # staff acting in their role: disclosed by default
        for record in section["records"]:
            for name, value in record["fields"].items():
                if isinstance(value, str) and value:
                    yield f"{record['key']}|{name}", value


def redaction_spans(content, person, household_ids, *, request=None) -> list[dict]:
    """Other people's information found in the pack's content: each a proposal's location, span, text and kind.
    The requester's own details (`request`) are never proposed."""
    finder = _Finder(person, household_ids, request=request)
    texts = list(_strings(content))
    finder.prepare(value for _, value in texts)
    return [{"location": location[:200], "start": start, "end": end, "text": value[start:end][:300], "kind": kind}
            for location, value in texts for start, end, kind in finder.find(value)]


def propose_redactions(pack, person, household_ids, spans=None) -> int:
    spans = redaction_spans(pack.content, person, household_ids, request=pack.request) if spans is None else spans
    RedactionProposal.objects.bulk_create([RedactionProposal(pack=pack, **span) for span in spans], batch_size=1000)
    return len(spans)


# ---------------------------------------------------------------- services


def _require_rights_officer(by):
    if not policy.has_permission(by, policy.Permission.HANDLE_RIGHTS_REQUESTS):
        raise PermissionDenied("Only the data protection officer handles subject access requests")


def _require_identity_settled(request):
    """Nothing is built or released before proof of identity or authority, or once the request is decided."""
    if request.status == RequestStatus.AWAITING_ID:
        raise ValidationError("Record proof of the requester's identity or authority first")
    if request.status not in (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS):
        raise ValidationError("This request is not open: a pack can only be built or released while it is")


def _require_buildable(by, request):
    _require_rights_officer(by)
    if request.kind != RequestKind.ACCESS:
        raise ValidationError("A subject access pack answers a subject access request")
    _require_identity_settled(request)
    if request.subject_id is None:
        raise ValidationError("Record who the request is about before building the pack")


def _assemble(person, progress=lambda stage, fraction: None, *, request=None) -> dict:
    """Everything the pack will hold, found without writing anything: the slow part of a build, so it runs
    outside any transaction (on SQLite a long write transaction would hold up every other page)."""
    household_ids = households_of(person)
    content = collect(person, lambda fraction: progress(COLLECTING, 0.6 * fraction))
    progress(REVIEWING, 0.6)
    spans = redaction_spans(content, person, household_ids, request=request)
    progress(MENTIONS, 0.8)
    found = mentions.find(person, household_ids)
    progress(SAVING, 0.95)
    return {"content": content, "spans": spans, "mentions": found}


@transaction.atomic
def _save_pack(*, by, request, assembled, job: jobs.Run | None = None) -> SubjectAccessPack:
    """The pack, its proposals and mentions in one short transaction: a pack that exists is whole. `job`: the build
    in the background saving it, which must still be this run's."""
    request = type(request).objects.select_for_update().get(pk=request.pk)
    _require_buildable(by, request)  # again: the request may have changed while the pack was assembled
    if job is not None:
        job.still_mine()  # holds the build until the pack is saved
    pack = SubjectAccessPack.objects.create(request=request, subject_id=request.subject_id,
                                            content=assembled["content"], built_by=by, built_at=timezone.now())
    count = propose_redactions(pack, request.subject, [], spans=assembled["spans"])
    offered = mentions.offer(pack, request.subject, [], found=assembled["mentions"])
    if job is not None:
        job.update(status=BuildStatus.FINISHED, pack=pack, stage="", percent=100, finished_at=timezone.now())
    audit.record(actor=by, action=Action.CREATE, event="subject_access.build", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[pack], metadata={"request_id": request.pk, "proposals": count, "mentions": offered,
                                           "records": sum(s["count"] for s in pack.content["index"])})
    return pack


def build_pack(*, by, request) -> SubjectAccessPack:
    """Build the pack now, in this process (the pages queue a build instead: `start_build`)."""
    _require_buildable(by, request)
    return _save_pack(by=by, request=request, assembled=_assemble(request.subject, request=request))


# ---------------------------------------------------------------- building in the background

COLLECTING = "Collecting everything held about the person"
REVIEWING = "Looking for other people's information"
MENTIONS = "Looking for mentions in other families' records"
SAVING = "Saving the pack"
BUILD_FAILED = ("Something went wrong while building the pack, so no pack was made. Build it again from the "
                "request's page; if it fails again, tell the system administrator.")
BUILD_INTERRUPTED = ("The build stopped before it finished (the server restarted), so no pack was made. Build it "
                     "again from the request's page.")
BUILD_STALE_AFTER = datetime.timedelta(hours=2)


BUILD_CANCELLED = "The build was cancelled before it finished, so no pack was made. Build it again when you need it."
BUILD_NOT_CANCELLABLE = "This build has already finished: there is nothing to cancel"


def end_stale_builds() -> jobs.Ended:
    """Builds whose worker died (running, with no heartbeat for `jobs.dead_since`) or whose task was lost (queued
    for two hours): failed, so they block nothing; or, a dead one whose kind the council queues again
    (`jobs.requeues`), built again from the start. Nothing of theirs was saved: a pack is saved whole at the end.
    Call it outside any transaction: a build queued again is enqueued once that is committed."""
    dead = Q(status=BuildStatus.RUNNING, updated_at__lt=jobs.dead_since())
    requeued = sum(_requeue_build(build) for build in SubjectAccessBuild.objects.filter(dead)
                   if jobs.requeues(jobs.PACKS, requeued_at=build.requeued_at))
    failed = SubjectAccessBuild.objects.filter(
        dead | Q(status=BuildStatus.QUEUED, updated_at__lt=timezone.now() - BUILD_STALE_AFTER)).update(
        status=BuildStatus.FAILED, failure=BUILD_INTERRUPTED, finished_at=timezone.now(), stage="")
    return jobs.Ended(failed=failed, requeued=requeued)


def _requeue_build(build) -> int:
    """Queued again (`jobs.requeue`), its progress reset."""
    return jobs.requeue(SubjectAccessBuild, build.pk, running=BuildStatus.RUNNING, queued=BuildStatus.QUEUED,
                        reset={"stage": jobs.RESTARTING, "percent": 0, "started_at": None},
                        enqueue=lambda: _enqueue_build(build))


def cancel_build(*, by, build: SubjectAccessBuild) -> SubjectAccessBuild:
    """Stop a build waiting or running: failed as cancelled; a build under way notices at its next step and saves
    no pack."""
    _require_rights_officer(by)
    with transaction.atomic():
        was = SubjectAccessBuild.objects.select_for_update().get(pk=build.pk).status
        if was not in (BuildStatus.QUEUED, BuildStatus.RUNNING):
            raise ValidationError(BUILD_NOT_CANCELLABLE)
        SubjectAccessBuild.objects.filter(pk=build.pk).update(
            status=BuildStatus.FAILED, failure=BUILD_CANCELLED, stage="", finished_at=timezone.now(),
            updated_at=timezone.now())
        audit.record(actor=by, action=Action.CHANGE, event="subject_access.build_cancel",
                     purpose=Purpose.RIGHTS_REQUESTS, objects=[build], metadata={"was": was})
    build.refresh_from_db()
    return build


def start_build(*, by, request) -> SubjectAccessBuild:
    """Queue a build of the request's pack for the background worker; returns the build (its page shows the
    progress). A build already waiting or running for the request is returned instead of a second one."""
    _require_buildable(by, request)
    end_stale_builds()  # before the transaction: a build queued again is enqueued once that is committed
    with transaction.atomic():
        waiting = (SubjectAccessBuild.objects.select_for_update()
                   .filter(request=request, status__in=[BuildStatus.QUEUED, BuildStatus.RUNNING]).first())
        if waiting is not None:
            return waiting
        build = SubjectAccessBuild.objects.create(request=request, requested_by=by)
        audit.record(actor=by, action=Action.CREATE, event="subject_access.build_queue",
                     purpose=Purpose.RIGHTS_REQUESTS, objects=[build], metadata={"request_id": request.pk})
    _enqueue_build(build)
    build.refresh_from_db()
    return build


def _enqueue_build(build) -> None:
    """The build, for the worker: queued when the rights officer asks, and again if its worker died."""
    from ..tasks import build_pack_task  # tasks imports this module for run_build: at the top it would be circular

    result = build_pack_task.enqueue(build_id=build.pk)
    SubjectAccessBuild.objects.filter(pk=build.pk).update(task_result_id=str(result.id)[:64])


def _build_progress(job: jobs.Run):
    def report(stage: str, fraction: float):
        # Cancelled if the build is no longer this run's (cancelled, ended as dead, or queued again): stop here
        job.update(stage=stage[:100], percent=max(0, min(99, int(fraction * 100))))
    return report


def run_build(build_id: int) -> SubjectAccessBuild:
    """Run a queued build (the background task): the pack, or a failure in words the rights officer can act on."""
    job = jobs.start(SubjectAccessBuild, build_id, queued=BuildStatus.QUEUED, running=BuildStatus.RUNNING,
                     started_at=timezone.now(), stage=COLLECTING)
    build = SubjectAccessBuild.objects.select_related("request", "requested_by").get(pk=build_id)
    if job is None:
        return build  # already run, or given up on
    try:
        with jobs.heartbeat(job):
            _require_buildable(build.requested_by, build.request)
            assembled = _assemble(build.request.subject, _build_progress(job), request=build.request)
            _save_pack(by=build.requested_by, request=build.request, assembled=assembled, job=job)
    except jobs.Cancelled:
        pass  # its status says why it stopped; no pack was saved
    except (ValidationError, PermissionDenied) as error:  # our own messages: the request changed meanwhile
        _fail_build(build, job, " ".join(error.messages) if isinstance(error, ValidationError) else str(error),
                    kind=type(error).__name__)
    except Exception as error:
        logger.error("Subject access build %s failed: %s", build.pk, type(error).__name__)  # never the message
        _fail_build(build, job, BUILD_FAILED, kind=type(error).__name__)
    build.refresh_from_db()
    return build


def _fail_build(build, job: jobs.Run, failure: str, *, kind: str):
    try:
        with transaction.atomic():
            job.update(status=BuildStatus.FAILED, failure=failure[:300], stage="", finished_at=timezone.now())
            audit.record(actor=build.requested_by, action=Action.CHANGE, event="subject_access.build_fail",
                         purpose=Purpose.RIGHTS_REQUESTS, objects=[build], metadata={"failure": kind[:100]})
    except jobs.Cancelled:
        pass  # no longer this run's: whoever took it says how it ended


@transaction.atomic
def decide_redaction(*, by, pack, text: str | None = None, proposal_id: int | None = None, redact: bool,
                     reason: str) -> int:
    """Decide one proposal, or every pending proposal of the same text in the pack. Returns how many."""
    _require_rights_officer(by)
    if not reason.strip():
        raise ValidationError({"reason": ENTER_DECISION_REASON})
    if pack.status != PackStatus.IN_REVIEW:
        raise ValidationError("This pack has been released and can no longer change")
    pending = pack.proposals.select_for_update().filter(status=RedactionStatus.PENDING)
    chosen = pending.filter(pk=proposal_id) if proposal_id is not None else pending.filter(text=text)
    count = chosen.update(status=RedactionStatus.REDACT if redact else RedactionStatus.DISCLOSE, reason=reason.strip(),
                          decided_by=by, decided_at=timezone.now())
    if not count:
        raise ValidationError("There is nothing waiting for a decision there")
    audit.record(actor=by, action=Action.CHANGE, event="subject_access.review", purpose=Purpose.RIGHTS_REQUESTS,
                 objects=[pack], metadata={"decided": count, "redact": redact})
    return count


def released_content(pack) -> dict:
    """The pack as the requester gets it: accepted redactions applied."""
    content = json.loads(json.dumps(pack.content))
    cuts = defaultdict(list)
    for location, start, end in pack.proposals.filter(status=RedactionStatus.REDACT).values_list(
            "location", "start", "end"):
        cuts[location].append((start, end))
    for section in content["sections"]:
        for record in section["records"]:
            for name, value in list(record["fields"].items()):
                spans = cuts.get(f"{record['key']}|{name}"[:200])
                if spans and isinstance(value, str):
                    for start, end in sorted(spans, reverse=True):
                        value = value[:start] + WITHHELD + value[end:]
                    record["fields"][name] = value
            record.pop("key", None)  # where the record is in our database: nothing the requester needs
    return content


@transaction.atomic
def release_blockers(pack) -> list[str]:
    """What stops the pack's release now, in words (nothing: it may be released once confirmed)."""
    try:
        _require_identity_settled(pack.request)
    except ValidationError as error:
        return error.messages
    blockers = []
    waiting = pack.proposals.filter(status=RedactionStatus.PENDING).count()
    if waiting:
        blockers.append(f"{waiting} possible redactions are still waiting for review: nothing has been released")
    undecided = pack.mentions.filter(status=MentionStatus.PENDING).count()
    if undecided:
        blockers.append(f"{undecided} possible mentions in other families' records are still waiting for a "
                        "decision: nothing has been released")
    return blockers


def release_pack(*, by, pack, confirmed: bool) -> SubjectAccessPack:
    """Release the pack to the requester: only once every proposal and mention is decided, and only when the
    person releasing it has confirmed, having been told to whom it goes."""
    _require_rights_officer(by)
    pack = SubjectAccessPack.objects.select_for_update().get(pk=pack.pk)
    if pack.status == PackStatus.RELEASED:
        raise ValidationError("This pack has already been released")
    blockers = release_blockers(pack)
    if blockers:
        raise ValidationError(blockers[0])
    if not confirmed:
        raise ValidationError({"confirm": CONFIRM_RELEASE})
    pack.status, pack.released_by, pack.released_at = PackStatus.RELEASED, by, timezone.now()
    pack.save(update_fields=["status", "released_by", "released_at"])
    households = households_of(pack.subject) if pack.subject_id else []
    record_subject_access_release(by=by, pack=pack, household_ids=households)
    return pack


def render_json(pack) -> bytes:
    return json.dumps(released_content(pack), indent=2, ensure_ascii=False).encode()


def render_pdf(pack) -> bytes:
    from weasyprint import HTML

    content = released_content(pack)
    html = render_to_string("rights/pdf/subject_access_pack.html",
                            {"pack": pack, "content": content, "withheld": WITHHELD})
    return HTML(string=html).write_pdf()


def proposal_context(pack, proposals, width: int = 60) -> dict:
    """For each proposal: the record it is in, the field, and the text around what was found."""
    values = {}
    for section in pack.content.get("sections", []):
        for record in section["records"]:
            for name, value in record["fields"].items():
                values[f"{record['key']}|{name}"[:200]] = (record["record"], name, value)
    found = {}
    for proposal in proposals:
        record, name, value = values.get(proposal.location, ("", "", ""))
        value = str(value)
        found[proposal.pk] = {"record": record, "field": name,
                              "before": value[max(0, proposal.start - width):proposal.start],
                              "match": value[proposal.start:proposal.end], "after": value[proposal.end:proposal.end + width]}
    return found


DATE_IN_WORDS = re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4}")


def _initials(text: str) -> str:
    """Enough for a reviewer to tell which it was, without the released pack or its log showing it: "J… S…"."""
    return " ".join(f"{word[0]}…" for word in text.split())


def _record_date(fields: dict) -> str:
    for name, value in fields.items():
        if isinstance(value, str) and "birth" not in name and DATE_IN_WORDS.match(value):
            return DATE_IN_WORDS.match(value).group(0)
    return ""


def describe_decisions(pack, proposals) -> dict:
    """What each decided proposal was, in a form a reviewer can check: "Another person's name: 'J… S…' in case
    note of 3 May 2026 (text)"."""
    records = {}
    for section in pack.content.get("sections", []):
        for record in section["records"]:
            for name in record["fields"]:
                records[f"{record['key']}|{name}"[:200]] = (record["record"], name, record["fields"])
    described = {}
    for proposal in proposals:
        title, field, fields = records.get(proposal.location, ("a record", "", {}))
        when = _record_date(fields)
        described[proposal.pk] = (f"{proposal.get_kind_display()}: '{_initials(proposal.text)}' in {title.lower()}"
                                  f"{f' of {when}' if when else ''}{f' ({field})' if field else ''}")
    return described
