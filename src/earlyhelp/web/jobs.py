"""Every kind of background job in one place: ended when its worker died (`earlyhelp.jobs`), and listed for those
who run it (the data team: partner file checks and linkage runs; the DPO: retention sweeps and subject access pack
builds), each kind by the permission that starts it in the access policy's table."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from earlyhelp import jobs
from earlyhelp.access import policy
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import ImportBatch, LinkageRun
from earlyhelp.matching.tasks import import_task, linkage_task
from earlyhelp.retention.models import SweepRun
from earlyhelp.retention.services import sweep
from earlyhelp.retention.tasks import sweep_task
from earlyhelp.rights.models import SubjectAccessBuild
from earlyhelp.rights.services import subject_access
from earlyhelp.rights.tasks import build_pack_task

SHOWN_DAYS = 30  # finished jobs listed this long; waiting and running ones always


def end_dead_jobs() -> dict[str, jobs.Ended | int]:
    """End every job whose worker died, and delete its stored files, or queue it again once where the council says
    so (EARLYHELP_REQUEUE_DEAD_JOBS); returns how many of each kind (and of the worker's task rows left running)."""
    return {"imports": imports.end_stale_batches(), "linkage runs": linkage.end_stale_runs(),
            "retention sweeps": sweep.end_stale_runs(), "subject access builds": subject_access.end_stale_builds(),
            "task rows": _end_dead_task_rows()}


TASKS = [  # each kind's task, the keyword argument naming its job, and the job's model
    (import_task, "batch_id", ImportBatch), (linkage_task, "run_id", LinkageRun), (sweep_task, "run_id", SweepRun),
    (build_pack_task, "build_id", SubjectAccessBuild)]


def _end_dead_task_rows() -> int:
    """django-tasks' own row of a job whose worker was killed stays RUNNING for ever (the database backend has no
    heartbeat): failed too, once its job has ended and been silent for EARLYHELP_JOB_DEAD_AFTER_SECONDS, or at once
    if the job was queued again after the row was (its new task has a row of its own). (A live worker marks its row
    within moments of its job ending, and would overwrite this anyway.)"""
    ended = 0
    for task, argument, model in TASKS:
        running = {row.pk: (row.args_kwargs["kwargs"].get(argument), row.enqueued_at) for row in
                   DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.RUNNING)
                   .only("id", "args_kwargs", "enqueued_at")}
        ended_jobs = set(model.objects.filter(pk__in={job for job, _ in running.values()}, finished_at__isnull=False,
                                              updated_at__lt=jobs.dead_since()).values_list("pk", flat=True))
        requeued = dict(model.objects.filter(pk__in={job for job, _ in running.values()}, requeued_at__isnull=False)
                        .values_list("pk", "requeued_at"))
        dead = [row for row, (job, enqueued_at) in running.items()
                if job in ended_jobs or job in requeued and enqueued_at < requeued[job]]
        if dead:
            ended += DBTaskResult.objects.filter(pk__in=dead, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now(), traceback="",
                exception_class_path=f"{jobs.WorkerDied.__module__}.{jobs.WorkerDied.__qualname__}")
    return ended


@dataclass
class Job:
    kind: str
    reference: str
    status: str
    is_running: bool
    progress: str
    started_by: str
    queued_at: datetime.datetime
    last_heard: datetime.datetime
    url: str


def _name(user) -> str:
    return user.get_full_name() or user.get_username() if user else "The schedule"


def _imports(since):
    for b in ImportBatch.objects.filter(_recent(since)).select_related("imported_by"):
        yield Job("Partner file check", b.reference, b.get_status_display(), b.is_running,
                  f"{b.processed_rows:,} of {b.total_rows:,} rows checked" if b.total_rows else b.restarting,
                  _name(b.imported_by), b.created_at, b.updated_at, reverse("matching:batch", args=[b.pk]))


def _runs(since):
    for r in LinkageRun.objects.filter(_recent(since)).select_related("requested_by"):
        yield Job("Linkage run", r.reference, r.get_status_display(), r.is_running,
                  f"{r.stage} ({r.percent}%)" if r.status == "running" else r.restarting, _name(r.requested_by),
                  r.queued_at, r.updated_at, reverse("matching:run", args=[r.pk]))


def _sweeps(since):
    for s in SweepRun.objects.filter(_recent(since)).select_related("requested_by"):
        yield Job("Retention sweep", s.reference, s.get_status_display(), s.is_running,
                  f"{s.processed:,} of {s.total:,} families checked" if s.total else s.restarting,
                  _name(s.requested_by),
                  s.queued_at, s.updated_at, reverse("retention:sweep", args=[s.pk]))


def _builds(since):
    for b in SubjectAccessBuild.objects.filter(_recent(since)).select_related("request", "requested_by"):
        yield Job("Subject access pack", b.request.reference, b.get_status_display(), b.is_running,
                  f"{b.stage} ({b.percent}%)" if b.status == "running" else b.restarting, _name(b.requested_by),
                  b.queued_at, b.updated_at, reverse("web:sar-build-progress", args=[b.pk]))


def _recent(since):
    return Q(finished_at__isnull=True) | Q(finished_at__gte=since)


KINDS = [  # the permission that starts a kind of job, and its rows
    (policy.Permission.DO_DATA_MATCHING, _imports),
    (policy.Permission.DO_DATA_MATCHING, _runs),
    (policy.Permission.MANAGE_RETENTION, _sweeps),
    (policy.Permission.HANDLE_RIGHTS_REQUESTS, _builds),
]


PERMISSIONS = tuple(dict.fromkeys(permission for permission, _ in KINDS))  # any of them opens the jobs page


def jobs_for(user, *, now=None) -> list[Job]:
    """The jobs of the kinds this user runs: waiting and running first (oldest first), then those finished in the
    last SHOWN_DAYS days (newest first)."""
    since = (now or timezone.now()) - datetime.timedelta(days=SHOWN_DAYS)
    found = [job for permission, rows in KINDS if policy.has_permission(user, permission) for job in rows(since)]
    running = sorted((job for job in found if job.is_running), key=lambda job: job.queued_at)
    ended = sorted((job for job in found if not job.is_running), key=lambda job: job.queued_at, reverse=True)
    return running + ended
