"""Background tasks (django-tasks): the database backend's worker (`manage.py db_worker`) runs them."""

from django_tasks import task

from .services.subject_access import run_build


@task()
def build_pack_task(build_id: int) -> dict:
    """Build a queued subject access pack; returns the status only."""
    build = run_build(build_id)
    return {"build": build.pk, "status": build.status}
