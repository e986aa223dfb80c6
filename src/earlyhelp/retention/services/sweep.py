"""The retention sweep: which families each active rule makes due today, as review lists for a person (P4, P20).

`start_sweep` queues a run for the background worker (django-tasks; `manage.py retention_sweep` is what cron
calls); `run_sweep` does the work, in the worker or in the foreground. For each active rule it finds the
families due (`retention.selectors`), leaves out those already waiting in a batch (any rule) or decided on
recently under this rule, and puts the rest in a `DisposalBatch`: families under a legal hold are listed as held
and never proposed. Each batch with something to decide gets a dry-run report (how many records of each kind
disposal would reach; counts only) and a suggestion for a person to approve or reject (`privacy.services.decisions`,
P13).

The run records its progress (families processed of the total) as it goes, so its page can show it: each step
commits on its own, and a batch stays "being built", which nobody can approve, until its rule is finished. A run
that fails discards the batches it was building; a run that died (no progress for an hour) is marked failed by
the next one.
"""

import datetime
import logging
from collections import Counter

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp import jobs
from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.privacy.models import Suggestion, SuggestionKind, SuggestionStatus
from earlyhelp.privacy.services import decisions
from earlyhelp.records import record_classes

from ..models import (
    FAMILY_CLASSES,
    OPEN_STATUSES,
    BatchStatus,
    CandidateStatus,
    DisposalBatch,
    DisposalCandidate,
    RecordClass,
    RetentionRule,
    SweepRun,
    SweepStatus,
    suggestion_key,
)
from ..selectors import cutoff, due_household_ids, written_before
from . import erasure
from . import holds as legal_holds

logger = logging.getLogger(__name__)

AUDIT_PURPOSE = Purpose.EARLY_HELP_CASEWORK
CHUNK = 500
STALE_AFTER = datetime.timedelta(hours=1)
# A family rejected or reviewed under a rule is not proposed again by that rule for this long.
DECIDED_AGAIN_AFTER = datetime.timedelta(days=365)
# Rows of these models are not counted in the dry run: the batch's own candidates are kept (without their link).
NOT_COUNTED = {"retention.DisposalCandidate"}

BUSY = "A sweep is already waiting or running: wait for it to finish"


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


# --- Starting ------------------------------------------------------------------------------------

NOT_CANCELLABLE = "This sweep has already finished: there is nothing to cancel"


def end_stale_runs() -> jobs.Ended:
    """Runs whose worker died (running, with no heartbeat for `jobs.dead_since`) or whose task was lost (queued for
    an hour): failed, with their half-built batches dropped, so they neither block new sweeps nor leave anything
    to approve; or, a dead one whose kind the council queues again (`jobs.requeues`), its half-built batch dropped
    and run again from the start (the batches of rules it finished stay, and are not proposed twice). Call it
    outside any transaction: a run queued again is enqueued once that is committed."""
    stale = SweepRun.objects.filter(Q(status=SweepStatus.RUNNING, updated_at__lt=jobs.dead_since())
                                    | Q(status=SweepStatus.QUEUED, updated_at__lt=timezone.now() - STALE_AFTER))
    failed = requeued = 0
    for run in stale:
        if run.status == SweepStatus.RUNNING and jobs.requeues(jobs.SWEEPS, requeued_at=run.requeued_at):
            requeued += _requeue_run(run)
            continue
        _discard_building(run)
        failed += SweepRun.objects.filter(pk=run.pk, status=run.status).update(
            status=SweepStatus.FAILED, failure=jobs.INTERRUPTED, finished_at=timezone.now())
    return jobs.Ended(failed=failed, requeued=requeued)


def _requeue_run(run) -> int:
    """Queued again (`jobs.requeue`), its progress reset and its half-built batch dropped."""
    return jobs.requeue(SweepRun, run.pk, running=SweepStatus.RUNNING, queued=SweepStatus.QUEUED,
                        reset={"total": 0, "processed": 0, "started_at": None},
                        also=lambda: _discard_building(run), enqueue=lambda: _enqueue(run))


def cancel_sweep(*, by, run: SweepRun) -> SweepRun:
    """Stop a sweep waiting or running: failed as cancelled. A sweep under way notices before its next rule and
    drops the batch it was building; the batches of rules it had finished stay for approval, as any proposal does."""
    if not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
        raise PermissionDenied("You cannot run the retention sweep")
    with transaction.atomic():
        was = SweepRun.objects.select_for_update().get(pk=run.pk).status
        if was not in (SweepStatus.QUEUED, SweepStatus.RUNNING):
            raise ValidationError(NOT_CANCELLABLE)
        SweepRun.objects.filter(pk=run.pk).update(status=SweepStatus.FAILED, failure=jobs.CANCELLED,
                                                  finished_at=timezone.now())
        audit.record(actor=by, action=Action.CHANGE, event="retention_sweep.cancel", purpose=AUDIT_PURPOSE,
                     objects=[run], metadata={"was": was})
    run.refresh_from_db()
    return run


def _discard_building(run):
    for batch in DisposalBatch.objects.filter(sweep=run, status=BatchStatus.BUILDING):
        batch.candidates.all().delete()
        batch.delete()


def _new_run(*, by, today) -> SweepRun:
    end_stale_runs()  # before the transaction: a run queued again is enqueued once that is committed
    with transaction.atomic():
        if SweepRun.objects.select_for_update().filter(
                status__in=[SweepStatus.QUEUED, SweepStatus.RUNNING]).exists():
            raise ValidationError(BUSY)
        return SweepRun.objects.create(as_of=today or timezone.localdate(), requested_by=by)


def start_sweep(*, by=None, today: datetime.date | None = None) -> SweepRun:
    """Queue a sweep for the background worker; returns the run (its page shows the progress).

    `by` is the person who asked, or None for the schedule.
    """
    if by is not None and not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
        raise PermissionDenied("You cannot run the retention sweep")
    run = _new_run(by=by, today=today)
    audit.record(actor=by, action=Action.CREATE, event="retention_sweep.queue", purpose=AUDIT_PURPOSE, objects=[run],
                 metadata={"as_of": run.as_of.isoformat()})
    _enqueue(run)
    run.refresh_from_db()
    return run


def _enqueue(run) -> None:
    """The run, for the worker: queued when it is started, and again if its worker died."""
    from ..tasks import sweep_task  # tasks imports this module for run_sweep: at the top it would be circular

    result = sweep_task.enqueue(run_id=run.pk)
    SweepRun.objects.filter(pk=run.pk).update(task_result_id=str(result.id)[:64])


# --- Running --------------------------------------------------------------------------------------

def run_sweep(*, today: datetime.date | None = None, by=None, run_id: int | None = None) -> SweepRun:
    """Run the sweep now: a queued run (`run_id`, from the background task), or a new one as of `today`."""
    if run_id is None:
        if by is not None and not policy.has_permission(by, policy.Permission.MANAGE_RETENTION):
            raise PermissionDenied("You cannot run the retention sweep")
        run = _new_run(by=by, today=today)
    else:
        run = SweepRun.objects.get(pk=run_id)
        if run.status != SweepStatus.QUEUED:
            return run  # already run, or given up on
    job = jobs.start(SweepRun, run.pk, queued=SweepStatus.QUEUED, running=SweepStatus.RUNNING,
                     started_at=timezone.now())
    if job is None:
        run.refresh_from_db()
        return run  # cancelled before it started
    run.refresh_from_db()
    try:
        with jobs.heartbeat(job):
            _sweep(run, job)
    except jobs.Cancelled:
        _discard_own_building(run, job)
        run.refresh_from_db()
        return run
    except Exception as error:
        logger.error("Retention sweep %s failed: %s", run.reference, type(error).__name__)  # never the message
        _discard_own_building(run, job)
        try:
            with transaction.atomic():
                job.update(status=SweepStatus.FAILED, failure=type(error).__name__[:100], finished_at=timezone.now())
                audit.record(actor=run.requested_by, action=Action.CHANGE, event="retention_sweep.fail",
                             purpose=AUDIT_PURPOSE, objects=[run], metadata={"failure": type(error).__name__[:100]})
        except jobs.Cancelled:
            pass  # no longer this run's: whoever took it says how it ended
        raise
    return run


def _discard_own_building(run: SweepRun, job: jobs.Run):
    """Drop the batch this run was building, unless the sweep was queued again since it started: queuing it again
    dropped this run's batch then, and a batch building now is the next run's."""
    with transaction.atomic():
        if not job.superseded():
            _discard_building(run)


def _sync_rejections():
    """A batch rejected through the decisions service directly is rejected here too."""
    pending = {suggestion_key(pk): pk for pk in DisposalBatch.objects.filter(status=BatchStatus.PENDING)
               .values_list("pk", flat=True)}
    for key, decided_at in Suggestion.objects.filter(kind=SuggestionKind.RETENTION, status=SuggestionStatus.REJECTED,
                                                     key__in=list(pending)).values_list("key", "decided_at"):
        DisposalBatch.objects.filter(pk=pending[key]).update(status=BatchStatus.REJECTED, decided_at=decided_at)


def _waiting_ids() -> set:
    """Families proposed in a batch that is still waiting for a decision or for disposal (under any rule)."""
    return set(DisposalCandidate.objects.filter(batch__status__in=OPEN_STATUSES, status=CandidateStatus.PROPOSED,
                                                household__isnull=False).values_list("household_id", flat=True))


def _recently_decided_ids(rule: RetentionRule) -> set:
    """Families this rule proposed before that a person rejected or reviewed within the year, or that are
    anonymised already: not proposed again."""
    since = timezone.now() - DECIDED_AGAIN_AFTER
    recent = Q(batch__decided_at__gte=since)
    condition = (Q(batch__status=BatchStatus.REJECTED, status=CandidateStatus.PROPOSED) & recent
                 | Q(status=CandidateStatus.REVIEWED) & recent
                 | Q(status=CandidateStatus.ANONYMISED))
    return set(DisposalCandidate.objects.filter(condition, batch__rule=rule, household__isnull=False)
               .values_list("household_id", flat=True))


def _sweep(run: SweepRun, job: jobs.Run):
    """Every write below goes through `job` first (`jobs.Run.update`): a sweep no longer this run's (cancelled,
    ended as dead, or queued again while its worker was frozen) stops at its next step and proposes nothing."""
    job.still_mine()
    _sync_rejections()
    rules = list(RetentionRule.objects.filter(is_active=True).order_by("code"))
    due = {rule.pk: due_household_ids(rule, today=run.as_of) for rule in rules if rule.record_class in FAMILY_CLASSES}
    run.total = sum(len(ids) for ids in due.values())
    job.update(total=run.total)
    waiting = _waiting_ids()
    entries = []
    for rule in rules:
        job.still_mine()
        if rule.record_class in FAMILY_CLASSES:
            entries.append(_sweep_rule(run, job, rule, due[rule.pk], waiting))
        elif rule.record_class == RecordClass.AUDIT_EVENTS:
            entries.append(_sweep_audit(run, job, rule))
        else:
            entries.append(_sweep_rows(run, job, rule))
    totals = Counter()
    for entry in entries:
        totals.update({key: entry[key] for key in ("due", "held", "already_proposed", "recently_decided", "proposed")})
    run.report = {"as_of": run.as_of.isoformat(), "rules": entries, "totals": dict(totals)}
    with transaction.atomic():
        job.update(report=run.report, status=SweepStatus.FINISHED, finished_at=timezone.now())
        audit.record(actor=run.requested_by, action=Action.CREATE, event="retention_sweep.run",
                     purpose=AUDIT_PURPOSE, objects=[run],
                     metadata={"rules": len(rules), **{key: totals[key] for key in
                                                       ("due", "held", "proposed", "already_proposed")}})
    run.refresh_from_db()


def _sweep_rule(run: SweepRun, job: jobs.Run, rule: RetentionRule, due_ids: list, waiting: set) -> dict:
    entry = {"rule": rule.code, "record_class": rule.record_class, "action": rule.action, "due": len(due_ids),
             "held": 0, "held_by_kind": {}, "already_proposed": 0, "recently_decided": 0, "proposed": 0,
             "batch": None}
    decided = _recently_decided_ids(rule)
    held_by_kind = Counter()
    batch = None
    for chunk in _chunks(due_ids):
        with transaction.atomic():
            job.still_mine()  # first: it holds the sweep while the chunk is written
            covering = legal_holds.holds_on([pk for pk in chunk if pk not in waiting and pk not in decided])
            rows = []
            for household_id in chunk:
                if household_id in waiting:
                    entry["already_proposed"] += 1
                    continue
                if household_id in decided:
                    entry["recently_decided"] += 1
                    continue
                if batch is None:
                    batch = DisposalBatch.objects.create(
                        rule=rule, sweep=run, as_of=run.as_of, rule_code=rule.code, record_class=rule.record_class,
                        trigger=rule.trigger, period_years=rule.period_years, action=rule.action)
                holds = covering.get(household_id)
                if holds:
                    entry["held"] += 1
                    held_by_kind[holds[0].kind] += 1
                    rows.append(DisposalCandidate(batch=batch, household_id=household_id, status=CandidateStatus.HELD,
                                                  hold=holds[0]))
                else:
                    entry["proposed"] += 1
                    waiting.add(household_id)  # a later rule in this run does not propose it again
                    rows.append(DisposalCandidate(batch=batch, household_id=household_id))
            DisposalCandidate.objects.bulk_create(rows)
            run.processed += len(chunk)
            job.update(processed=run.processed)
    entry["held_by_kind"] = dict(held_by_kind)
    if batch is not None:
        if entry["proposed"]:
            _open(batch, job, entry)
            entry["batch"] = batch.reference
        else:  # every family due is held: nothing for anyone to decide (the run's report counts them)
            _drop(batch, job)
    return entry


@transaction.atomic
def _open(batch: DisposalBatch, job: jobs.Run, entry: dict):
    """A finished batch: its dry-run report, and the suggestion a person decides on."""
    job.still_mine()
    ids = list(batch.candidates.filter(status=CandidateStatus.PROPOSED).values_list("household_id", flat=True))
    batch.families_proposed, batch.families_held_at_sweep = len(ids), entry["held"]
    batch.dry_run = dry_run(ids)
    rule_text = (f"{batch.rule_code}: {len(ids)} {'family is' if len(ids) == 1 else 'families are'} due under "
                 f"“{batch.rule.describe()}” on {batch.as_of:%d/%m/%Y}")
    suggestion = decisions.suggest(kind=SuggestionKind.RETENTION, key=batch.suggestion_key, rule=rule_text[:300])
    if suggestion is None or suggestion.status != "pending":  # a decision exists for this batch number: never reuse it
        raise RuntimeError(f"{batch.reference} already has a decision")
    batch.status = BatchStatus.PENDING
    batch.save()
    audit.record(actor=batch.sweep.requested_by if batch.sweep else None, action=Action.CREATE,
                 event="disposal_batch.propose", purpose=AUDIT_PURPOSE, objects=[batch],
                 metadata={"rule": batch.rule_code, "families": len(ids), "held": entry["held"],
                           "records": sum(batch.dry_run["models"].values())})


@transaction.atomic
def _drop(batch: DisposalBatch, job: jobs.Run):
    """A batch with nothing for anyone to decide (everything due is held): gone, if the sweep is still this run's."""
    job.still_mine()
    batch.candidates.all().delete()
    batch.delete()


# --- Record classes that are not a family's records ----------------------------------------------------------

def _entry(rule: RetentionRule) -> dict:
    return {"rule": rule.code, "record_class": rule.record_class, "action": rule.action, "due": 0, "held": 0,
            "held_by_kind": {}, "already_proposed": 0, "recently_decided": 0, "proposed": 0, "batch": None}


def _new_batch(run: SweepRun, rule: RetentionRule) -> DisposalBatch:
    return DisposalBatch.objects.create(rule=rule, sweep=run, as_of=run.as_of, rule_code=rule.code,
                                        record_class=rule.record_class, trigger=rule.trigger,
                                        period_years=rule.period_years, action=rule.action)


def declared_class(record_class: str) -> record_classes.DeclaredClass:
    """The app's declaration of a record class that is not a family's records (`records.record_classes`)."""
    found = record_classes.declared().get(record_class)
    if found is None:
        raise ValueError(f"No app declares the record class {record_class!r}")
    return found


def _sweep_rows(run: SweepRun, job: jobs.Run, rule: RetentionRule) -> dict:
    """Rows of a declared record class due under the rule: held rows listed as held, the rest proposed."""
    entry = _entry(rule)
    declared = declared_class(rule.record_class)
    due_ids = list(declared.due(cutoff(run.as_of, rule.period_years)).values_list("pk", flat=True))
    entry["due"] = len(due_ids)
    rows_of_class = DisposalCandidate.objects.filter(batch__record_class=rule.record_class, object_id__isnull=False)
    waiting = set(rows_of_class.filter(batch__status__in=OPEN_STATUSES, status=CandidateStatus.PROPOSED)
                  .values_list("object_id", flat=True))
    since = timezone.now() - DECIDED_AGAIN_AFTER
    decided = set(rows_of_class.filter(
        Q(batch__status=BatchStatus.REJECTED, status=CandidateStatus.PROPOSED) | Q(status=CandidateStatus.REVIEWED),
        batch__rule=rule, batch__decided_at__gte=since).values_list("object_id", flat=True))
    held_by_kind = Counter()
    batch = None
    for chunk in _chunks(due_ids):
        with transaction.atomic():
            job.still_mine()  # first: it holds the sweep while the chunk is written
            fresh = [pk for pk in chunk if pk not in waiting and pk not in decided]
            entry["already_proposed"] += sum(pk in waiting for pk in chunk)
            entry["recently_decided"] += sum(pk in decided and pk not in waiting for pk in chunk)
            if not fresh:
                continue
            covering = legal_holds.holds_on_links(*declared.holds_input(fresh))
            batch = batch or _new_batch(run, rule)
            rows = []
            for pk in fresh:
                holds = covering.get(pk)
                if holds:
                    entry["held"] += 1
                    held_by_kind[holds[0].kind] += 1
                    rows.append(DisposalCandidate(batch=batch, object_id=pk, status=CandidateStatus.HELD, hold=holds[0]))
                else:
                    entry["proposed"] += 1
                    rows.append(DisposalCandidate(batch=batch, object_id=pk))
            DisposalCandidate.objects.bulk_create(rows)
    entry["held_by_kind"] = dict(held_by_kind)
    if batch is not None:
        if entry["proposed"]:
            _open_other(batch, job, entry, proposed=entry["proposed"], held=entry["held"],
                        models={declared.model: entry["proposed"]})
            entry["batch"] = batch.reference
        else:
            _drop(batch, job)
    return entry


def _sweep_audit(run: SweepRun, job: jobs.Run, rule: RetentionRule) -> dict:
    """Audit entries past the rule's period: one batch proposing to seal and prune an epoch (`audit.services`),
    keeping every entry about a family under a legal hold."""
    entry = _entry(rule)
    counts = audit.due_for_pruning(before=written_before(run.as_of, rule.period_years),
                                   held_household_ids=legal_holds.all_held_household_ids())
    entry["due"], entry["held"] = counts["events"] + counts["held"], counts["held"]
    if not counts["events"]:
        return entry
    if DisposalBatch.objects.filter(record_class=RecordClass.AUDIT_EVENTS, status__in=OPEN_STATUSES).exists():
        entry["already_proposed"] = counts["events"]
        return entry
    if DisposalBatch.objects.filter(rule=rule, status=BatchStatus.REJECTED,
                                    decided_at__gte=timezone.now() - DECIDED_AGAIN_AFTER).exists():
        entry["recently_decided"] = counts["events"]
        return entry
    entry["proposed"] = counts["events"]
    with transaction.atomic():
        job.still_mine()  # first: it holds the sweep until the batch is open
        batch = _new_batch(run, rule)
        _open_other(batch, job, entry, proposed=counts["events"], held=counts["held"],
                    models={"audit.AuditEvent": counts["events"]}, through_sequence=counts["cut"])
    entry["batch"] = batch.reference
    return entry


@transaction.atomic
def _open_other(batch: DisposalBatch, job: jobs.Run, entry: dict, *, proposed: int, held: int, models: dict,
                through_sequence: int | None = None):
    """A finished batch of records that are not a family's records: counts, and the suggestion a person decides."""
    job.still_mine()
    batch.families_proposed, batch.families_held_at_sweep = proposed, held
    batch.dry_run = {"families": 0, "people": 0, "files": 0, "models": models, "sections": {}, "held": held}
    if through_sequence is not None:  # an audit trail epoch: disposal prunes no further than what was approved
        batch.dry_run["through_sequence"] = through_sequence
    label = RecordClass(batch.record_class).label.lower()
    rule_text = (f"{batch.rule_code}: {proposed} {'record' if proposed == 1 else 'records'} ({label}) due under "
                 f"“{batch.rule.describe()}” on {batch.as_of:%d/%m/%Y}")
    suggestion = decisions.suggest(kind=SuggestionKind.RETENTION, key=batch.suggestion_key, rule=rule_text[:300])
    if suggestion is None or suggestion.status != "pending":
        raise RuntimeError(f"{batch.reference} already has a decision")
    batch.status = BatchStatus.PENDING
    batch.save()
    audit.record(actor=batch.sweep.requested_by if batch.sweep else None, action=Action.CREATE,
                 event="disposal_batch.propose", purpose=AUDIT_PURPOSE, objects=[batch],
                 metadata={"rule": batch.rule_code, "records": proposed, "held": held})


# --- The dry run -------------------------------------------------------------------------------------

def dry_run(household_ids) -> dict:
    """What disposing of these families would reach, from the disposal engine itself (so the two cannot drift
    apart): counts of records per model (with their earlier versions), per section of the record, and stored
    files. Counts only."""
    preview = erasure.disposal_preview(household_ids)
    models = {label: count for label, count in sorted(preview["models"].items()) if label not in NOT_COUNTED}
    by_section = Counter()
    for label, count in models.items():
        by_section[preview["section_of"][label]] += count
    return {"families": preview["families"], "people": preview["people"], "files": preview["files"],
            "models": models, "sections": dict(sorted(by_section.items()))}


def model_label_text(label: str) -> str:
    """"casework.CaseNote" -> "Case notes"; history tables -> "Earlier versions of case notes"."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return label
    name = str(model._meta.verbose_name_plural)
    if model.__name__.startswith("Historical"):
        tracked = getattr(model, "instance_type", None)
        plural = str(tracked._meta.verbose_name_plural) if tracked else name
        return f"Earlier versions of {plural}"
    return name[:1].upper() + name[1:]
