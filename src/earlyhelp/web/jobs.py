"""Every kind of background job, ended when its worker died (`earlyhelp.jobs`): one call for the worker's start
(`manage.py run_worker`) and the nightly clean (`manage.py end_dead_jobs`)."""

from earlyhelp.matching import imports, linkage
from earlyhelp.retention.services import sweep
from earlyhelp.rights.services import subject_access


def end_dead_jobs() -> dict[str, int]:
    """End every job whose worker died, and delete its stored files; returns how many of each kind."""
    return {"imports": imports.end_stale_batches(), "linkage runs": linkage.end_stale_runs(),
            "retention sweeps": sweep.end_stale_runs(), "subject access builds": subject_access.end_stale_builds()}
