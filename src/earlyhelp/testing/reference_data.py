"""The rows the data migrations insert (the headline areas, the processing register, notice version 1 and the
register's recipient types). A transactional test flushes the database afterwards, which removes them for every
transactional test after it: a test that needs them puts them back first (each `load` is idempotent)."""

import importlib

from django.apps import apps

MIGRATIONS = ("earlyhelp.programme.migrations.0002_headline_areas",
              "earlyhelp.privacy.migrations.0002_demo_register_and_first_notice",
              "earlyhelp.privacy.migrations.0014_seed_recipient_types")


def load_reference_data() -> None:
    for name in MIGRATIONS:
        importlib.import_module(name).load(apps, None)
