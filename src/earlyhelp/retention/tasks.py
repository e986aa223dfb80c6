"""Background tasks (django-tasks): the database backend's worker (`manage.py db_worker`) runs them."""

from django_tasks import task

from .services.sweep import run_sweep


@task()
def sweep_task(run_id: int) -> dict:
    """Run a queued retention sweep; returns its report (counts only)."""
    run = run_sweep(run_id=run_id)
    return {"run": run.reference, "status": run.status, "totals": run.report.get("totals", {})}
