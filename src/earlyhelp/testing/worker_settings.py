"""Settings for a real background worker started by a test (`web/tests/test_killed_worker.py`): the test settings,
but with what a worker in production has, so that a test can kill it and start another.

    DATABASE_URL=... EARLYHELP_VAR_DIR=... DJANGO_SETTINGS_MODULE=earlyhelp.testing.worker_settings \\
        manage.py run_worker

- the database backend (`db_worker` takes the jobs the test queued in the same database);
- files on disk under EARLYHELP_VAR_DIR, where the test process looks too (not each process's own memory);
- a heartbeat, and the dead-job limit, from the environment (a second or two, so that a test need not wait a minute);
- `held_jobs`: with EARLYHELP_TEST_HOLD_FILE set, every job waits once it has started while that file exists, so
  that the test can kill its worker mid-way.

Never used outside tests.
"""

import os

from earlyhelp.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "earlyhelp.testing.held_jobs.HeldJobs"]  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}  # noqa: F405
EARLYHELP_JOB_HEARTBEAT_SECONDS = int(os.environ.get("EARLYHELP_JOB_HEARTBEAT_SECONDS", "1"))
EARLYHELP_JOB_DEAD_AFTER_SECONDS = int(os.environ.get("EARLYHELP_JOB_DEAD_AFTER_SECONDS", "3"))
