"""Linkage runs: imported partner records compared with the person index, every candidate put before a person.

`start_linkage` queues a run for the background worker; `run_linkage` does the work. The person index leaves out
people whose processing is restricted (Article 18). The engine (`engine`, Splink on DuckDB or Spark, chosen by
the `MATCHING_BACKEND` setting) trains on the records and the pairs people have already reviewed, then scores
every blocked pair. Pairs at or above the review threshold become `MatchCandidate`s, each a pending
`privacy.Suggestion` (P13): nothing is linked here. A pair a person rejected is never proposed again, even when
the partner sends the same record in a later file.

The run commits its progress as it goes, but all its candidates in one transaction at the end: a run that fails
half-way leaves none.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from earlyhelp import jobs
from earlyhelp.access import policy
from earlyhelp.access.restrictions import restricted_person_ids
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.people.models import Address, Identifier, Person
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.privacy.services import decisions

from . import engine
from .models import (
    IDENTIFIER_FIELDS,
    BatchStatus,
    ImportBatch,
    LinkageRun,
    MatchCandidate,
    RunStatus,
    SourceRecord,
    link_suggestion_key,
)

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

PURPOSE = Purpose.DATA_MATCHING
BUSY = "A linkage run is already waiting or running: wait for it to finish"
STALE_AFTER = datetime.timedelta(hours=2)


def backend() -> str:
    return getattr(settings, "MATCHING_BACKEND", "duckdb")


def review_threshold() -> float:
    return float(getattr(settings, "MATCHING_REVIEW_THRESHOLD", engine.DEFAULT_THRESHOLD))


# --- The two sides ------------------------------------------------------------------------------------

def _table(rows: list[dict]) -> pa.Table:
    import pyarrow as pa  # seconds to import: only a linkage run needs it, not every web worker

    columns = {name: [row[name] for row in rows] for name in engine.INPUT_COLUMNS}
    types = {name: pa.date32() if name == "date_of_birth" else pa.string() for name in engine.INPUT_COLUMNS}
    return pa.table({name: pa.array(values, type=types[name]) for name, values in columns.items()})


def person_index() -> pa.Table:
    """Everyone in the person index but the restricted: name, date of birth, current address, identifiers."""
    people = Person.objects.exclude(pk__in=restricted_person_ids())
    rows = {pk: {"unique_id": str(pk), "given_name": given, "family_name": family, "date_of_birth": born,
                 "address_line_1": None, "postcode": None, "nhs_number": None, "ni_number": None, "upn": None,
                 "pnc": None}
            for pk, given, family, born in people.values_list("pk", "given_name", "family_name", "date_of_birth")
            .iterator(chunk_size=5000)}
    current = Address.objects.filter(valid_to__isnull=True, person_id__in=people.values("pk"))
    for person_id, line_1, postcode in current.values_list("person_id", "line_1", "postcode").iterator(chunk_size=5000):
        rows[person_id].update(address_line_1=line_1, postcode=postcode)
    held = Identifier.objects.filter(person_id__in=people.values("pk"))
    for person_id, scheme, value in held.values_list("person_id", "scheme", "value").iterator(chunk_size=5000):
        rows[person_id][IDENTIFIER_FIELDS[scheme]] = value
    return _table(list(rows.values()))


def _records_table(records) -> pa.Table:
    fields = ("pk", "given_name", "family_name", "date_of_birth", "address_line_1", "postcode", "nhs_number",
              "ni_number", "upn", "pnc")
    return _table([{"unique_id": str(pk), "given_name": given, "family_name": family, "date_of_birth": born,
                    "address_line_1": line_1 or None, "postcode": postcode or None, "nhs_number": nhs or None,
                    "ni_number": ni or None, "upn": upn or None, "pnc": pnc or None}
                   for pk, given, family, born, line_1, postcode, nhs, ni, upn, pnc
                   in records.values_list(*fields).iterator(chunk_size=5000)])


def reviewed_pairs() -> list[tuple[str, str, bool]]:
    """Every pair a person has confirmed or rejected: labels for training and evaluating the model."""
    decided = MatchCandidate.objects.filter(suggestion__status__in=[SuggestionStatus.ACCEPTED,
                                                                    SuggestionStatus.REJECTED])
    return [(str(record_id), str(person_id), status == SuggestionStatus.ACCEPTED)
            for record_id, person_id, status in decided.values_list("record_id", "person_id", "suggestion__status")
            .distinct()]


# --- Starting ------------------------------------------------------------------------------------------

NOT_CANCELLABLE = "This run has already finished: there is nothing to cancel"


def end_stale_runs() -> jobs.Ended:
    """Runs whose worker died (running, with no heartbeat for `jobs.dead_since`) or whose task was lost (queued for
    two hours): failed, so they block nothing; or, a dead one whose kind the council queues again
    (`jobs.requeues`), run again from the start. Nothing of theirs was saved: candidates are saved in one
    transaction at the end. Call it outside any transaction: a run queued again is enqueued once that is
    committed."""
    dead = Q(status=RunStatus.RUNNING, updated_at__lt=jobs.dead_since())
    requeued = sum(_requeue_run(run) for run in LinkageRun.objects.filter(dead)
                   if jobs.requeues(jobs.LINKAGE, requeued_at=run.requeued_at))
    failed = LinkageRun.objects.filter(
        dead | Q(status=RunStatus.QUEUED, updated_at__lt=timezone.now() - STALE_AFTER)).update(
        status=RunStatus.FAILED, failure=jobs.INTERRUPTED, finished_at=timezone.now(), stage="")
    return jobs.Ended(failed=failed, requeued=requeued)


def _requeue_run(run) -> int:
    """Queued again (`jobs.requeue`), its progress reset."""
    return jobs.requeue(LinkageRun, run.pk, running=RunStatus.RUNNING, queued=RunStatus.QUEUED,
                        reset={"stage": jobs.RESTARTING, "percent": 0, "started_at": None},
                        enqueue=lambda: _enqueue(run))


def cancel_linkage(*, by, run: LinkageRun) -> LinkageRun:
    """Stop a run waiting or running: failed as cancelled; a run under way notices at its next step and saves no
    candidates."""
    if not policy.has_permission(by, policy.Permission.DO_DATA_MATCHING):
        raise PermissionDenied("You cannot run data matching")
    with transaction.atomic():
        was = LinkageRun.objects.select_for_update().get(pk=run.pk).status
        if was not in (RunStatus.QUEUED, RunStatus.RUNNING):
            raise ValidationError(NOT_CANCELLABLE)
        LinkageRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, failure=jobs.CANCELLED,
                                                    finished_at=timezone.now(), stage="")
        audit.record(actor=by, action=Action.CHANGE, event="linkage_run.cancel", purpose=PURPOSE, objects=[run],
                     metadata={"was": was})
    run.refresh_from_db()
    return run


def linkable_batches():
    """Imported batches no run has finished matching yet (a failed run leaves its batches waiting) that still have a
    record linked to nobody: a batch whose records were all linked by hand has nothing left to match."""
    unlinked = SourceRecord.objects.filter(batch=OuterRef("pk"), person__isnull=True)
    return (ImportBatch.objects.filter(status=BatchStatus.IMPORTED).filter(Exists(unlinked))
            .exclude(linkage_runs__status=RunStatus.FINISHED))


def start_linkage(*, by, batches=None) -> LinkageRun:
    """Queue a run over `batches` (default: every imported batch with unlinked records); its page shows progress."""
    if not policy.has_permission(by, policy.Permission.DO_DATA_MATCHING):
        raise PermissionDenied("You cannot run data matching")
    chosen = list(linkable_batches() if batches is None else batches)
    if not chosen:
        raise ValidationError({"batches": "There are no imported records waiting to be matched"})
    if any(batch.status != BatchStatus.IMPORTED for batch in chosen):
        raise ValidationError({"batches": "Only imported batches can be matched: a rejected batch has no records"})
    end_stale_runs()  # before the transaction: a run queued again is enqueued once that is committed
    with transaction.atomic():
        if LinkageRun.objects.select_for_update().filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
            raise ValidationError(BUSY)
        run = LinkageRun.objects.create(backend=backend(), threshold=review_threshold(), requested_by=by)
        run.batches.set(chosen)
        audit.record(actor=by, action=Action.CREATE, event="linkage_run.queue", purpose=PURPOSE, objects=[run],
                     metadata={"batches": len(chosen), "backend": run.backend})
    _enqueue(run)
    run.refresh_from_db()
    return run


def _enqueue(run) -> None:
    """The run, for the worker: queued when a person starts it, and again if its worker died."""
    from .tasks import linkage_task  # tasks imports this module for run_linkage: at the top it would be circular

    result = linkage_task.enqueue(run_id=run.pk)
    LinkageRun.objects.filter(pk=run.pk).update(task_result_id=str(result.id)[:64])


# --- Running ---------------------------------------------------------------------------------------------

def _progress(job: jobs.Run):
    def report(stage: str, fraction: float):
        # Cancelled if the run is no longer this one's (cancelled, ended as dead, or queued again): stop here
        job.update(stage=stage[:100], percent=max(0, min(99, int(fraction * 100))))
    return report


def run_linkage(run_id: int) -> LinkageRun:
    job = jobs.start(LinkageRun, run_id, queued=RunStatus.QUEUED, running=RunStatus.RUNNING,
                     started_at=timezone.now(), stage="Reading the records")
    run = LinkageRun.objects.get(pk=run_id)
    if job is None:
        return run  # already run, or given up on
    try:
        with jobs.heartbeat(job):
            _link(run, job)
    except jobs.Cancelled:
        pass  # its status says why it stopped; nothing was saved
    except Exception as error:
        logger.error("Linkage run %s failed: %s", run.reference, type(error).__name__)  # never the message
        try:
            with transaction.atomic():
                job.update(status=RunStatus.FAILED, failure=type(error).__name__[:100], finished_at=timezone.now(),
                           stage="")
                audit.record(actor=run.requested_by, action=Action.CHANGE, event="linkage_run.fail",
                             purpose=PURPOSE, objects=[run], metadata={"failure": type(error).__name__[:100]})
        except jobs.Cancelled:
            pass  # no longer this run's: whoever took it says how it ended
    run.refresh_from_db()
    return run


def _link(run, job: jobs.Run):
    """Score the run's records and save its candidates, finishing the run in the same transaction: a run whose
    candidates are saved is finished, never left running to be queued again and propose them twice."""
    progress = _progress(job)
    to_match = SourceRecord.objects.filter(batch__in=run.batches.all(), person__isnull=True)
    labels = reviewed_pairs()
    labelled_records = {int(record_id) for record_id, _, _ in labels}
    # Records from earlier reviews go in too, so the model can learn from them and be measured against them;
    # only the records of this run's batches are proposed.
    records = SourceRecord.objects.filter(Q(pk__in=to_match.values("pk")) | Q(pk__in=labelled_records))
    people = person_index()
    result = engine.link(_records_table(records), people, backend=run.backend, threshold=run.threshold,
                         labels=labels, progress=progress)
    pairs = result.predictions.pairs()
    evaluation = _evaluate(pairs, labels)
    progress("Saving the candidates for review", 0.99)
    proposable = set(to_match.values_list("pk", flat=True))
    with transaction.atomic():
        job.still_mine()  # first: it holds the run until its candidates are saved
        counts = _save_candidates(run, result.predictions.candidates(), proposable)
        stats = {"records": len(proposable), "people": people.num_rows, "labels": len(labels), **counts,
                 **{key: value for key, value in result.predictions.stats.items() if isinstance(value, (int, float))}}
        job.update(status=RunStatus.FINISHED, finished_at=timezone.now(), stage="", percent=100, stats=stats,
                   evaluation=evaluation, model=result.model)
        audit.record(actor=run.requested_by, action=Action.CHANGE, event="linkage_run.finish", purpose=PURPOSE,
                     objects=[run], metadata={"candidates": stats["candidates"]})


def _evaluate(pairs: pa.Table, labels) -> dict:
    """Precision and recall of this run's model on the pairs people have already reviewed."""
    if not labels:
        return {}
    predicted = set(zip(pairs.column("record_id").to_pylist(), pairs.column("person_id").to_pylist()))
    labelled = {(record, person) for record, person, _ in labels}
    confirmed = {(record, person) for record, person, is_match in labels if is_match}
    scores = engine.evaluate(predicted & labelled, confirmed)
    return {**scores, "reviewed_pairs": len(labelled)}


def _decided_against(record: SourceRecord, person_id: int) -> bool:
    key = link_suggestion_key(record, person_id)
    return Suggestion.objects.filter(Q(key=key) | Q(key__startswith=f"{key}:"), kind=SuggestionKind.MATCH,
                                     status=SuggestionStatus.REJECTED).exists()


def _suggestion_for(record: SourceRecord, person_id: int, rule: str) -> Suggestion | None:
    """The pending suggestion for this pair, or None if a person has rejected it before.

    A partner sends the same record again in later files: a pair confirmed for an earlier file is proposed again
    for the new row (the person confirms it once more, quickly), under a key naming the batch.
    """
    if _decided_against(record, person_id):
        return None
    key = link_suggestion_key(record, person_id)
    existing = Suggestion.objects.filter(kind=SuggestionKind.MATCH, key=key).first()
    if existing is not None and existing.status == SuggestionStatus.ACCEPTED:
        key = f"{key}:b{record.batch_id}"
    return decisions.suggest(kind=SuggestionKind.MATCH, key=key, rule=rule)


def _save_candidates(run, candidates, proposable: set[int]) -> dict:
    created = updated = never_again = 0
    records = {}
    for candidate in candidates:
        record_id, person_id = int(candidate.record_id), int(candidate.person_id)
        if record_id not in proposable:
            continue
        record = records.get(record_id) or records.setdefault(
            record_id, SourceRecord.objects.select_related("batch").get(pk=record_id))
        rule = f"Scored {candidate.match_probability:.1%} by linkage run {run.reference}"
        suggestion = _suggestion_for(record, person_id, rule[:300])
        if suggestion is None:
            never_again += 1
            continue
        values = {"run": run, "match_probability": candidate.match_probability,
                  "match_weight": candidate.match_weight, "explanation": candidate.explanation}
        existing = MatchCandidate.objects.filter(suggestion=suggestion).first()
        if existing is not None:  # still waiting from an earlier run: show the latest scores
            MatchCandidate.objects.filter(pk=existing.pk).update(**values)
            Suggestion.objects.filter(pk=suggestion.pk).update(rule=rule[:300])
            updated += 1
        else:
            MatchCandidate.objects.create(record=record, person_id=person_id, suggestion=suggestion, **values)
            created += 1
    return {"candidates": created + updated, "new_candidates": created, "rescored_candidates": updated,
            "rejected_before": never_again}
