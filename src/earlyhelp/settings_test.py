"""Settings for the test suite: the production settings, with test-only speed-ups named here."""

import os
import tempfile

os.environ.setdefault("EARLYHELP_ENV", "test")
os.environ.setdefault("EARLYHELP_VAR_DIR", os.path.join(os.environ.get("TMPDIR", "/tmp"), "earlyhelp-test-var"))
# Each test run has a key store of its own (a run's family ids start again at 1). Set in the environment, so a
# `manage.py` a test runs (retention/tests/test_backups.py) uses the same one.
if "EARLYHELP_FAMILY_KEY_DIR" not in os.environ:
    os.environ["EARLYHELP_FAMILY_KEY_DIR"] = tempfile.mkdtemp(prefix="earlyhelp-test-family-keys-")

from earlyhelp.settings import *  # noqa: E402,F403
from earlyhelp.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS  # noqa: E402,F401

# Argon2 is deliberately slow; tests that check hashing use PRODUCTION_PASSWORD_HASHERS.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["default"] = {"BACKEND": "django.core.files.storage.InMemoryStorage"}  # noqa: F405
AXES_ENABLED = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # tasks run inline in tests
EARLYHELP_AUDIT_ANCHOR_SECONDS = 0  # tests roll back: an anchor of a rolled-back head would outlive it (audit tests)
EARLYHELP_DASHBOARD_FRESH_SECONDS = 0  # counted on every visit; casework/tests/test_lists.py tests the keeping
EARLYHELP_JOB_HEARTBEAT_SECONDS = 0  # a test's rows are invisible to the heartbeat's own connection (test_jobs.py)
# Public form posts: high enough for every test; online/tests/test_public_surface.py sets a small rate to test it.
EARLYHELP_PUBLIC_RATE = "10000/m"
