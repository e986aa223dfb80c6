"""A test-only hook for a real worker (`worker_settings`): a job that has started waits while the file named by
EARLYHELP_TEST_HOLD_FILE exists (at most HOLD_SECONDS), so that a test can kill the worker while the job is running,
its heartbeat beating and its stored file on disk, without guessing how long a job takes.

It wraps `earlyhelp.jobs.heartbeat`, which every kind of job enters as it starts (an import, a linkage run, a
retention sweep, a subject access pack build): production code carries no hook of its own.
"""

import contextlib
import os
import time

from django.apps import AppConfig

HOLD_SECONDS = 120  # a worker the test forgot still finishes its job in the end
POLL_SECONDS = 0.05


class HeldJobs(AppConfig):
    name = "earlyhelp.testing"
    label = "earlyhelp_testing_held_jobs"
    verbose_name = "Jobs held for a test"

    def ready(self):
        # Imported here: earlyhelp.jobs defines a model, and this module is loaded as an app before models can be.
        from earlyhelp import jobs

        beating = jobs.heartbeat
        hold_file = os.environ.get("EARLYHELP_TEST_HOLD_FILE", "")

        @contextlib.contextmanager
        def heartbeat_then_hold(run):
            with beating(run):
                deadline = time.monotonic() + HOLD_SECONDS
                while hold_file and os.path.exists(hold_file) and time.monotonic() < deadline:
                    time.sleep(POLL_SECONDS)
                yield

        jobs.heartbeat = heartbeat_then_hold
