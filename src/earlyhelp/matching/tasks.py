"""Background tasks (django-tasks): the database backend's worker (`manage.py db_worker`) runs them."""

from django_tasks import task

from .imports import run_import
from .linkage import run_linkage


@task()
def import_task(batch_id: int) -> dict:
    """Check a queued partner file and import it whole, or reject it with its error report."""
    batch = run_import(batch_id)
    return {"batch": batch.reference, "status": batch.status, "errors": batch.error_count}


@task()
def linkage_task(run_id: int) -> dict:
    """Run a queued linkage run; returns counts only."""
    run = run_linkage(run_id)
    return {"run": run.reference, "status": run.status, "candidates": run.stats.get("candidates", 0)}
