"""A backup restores into a new, empty database with its audit chain intact and its records as they were
(issue 16; docs/operations.md, "Backups and restore"), on PostgreSQL (pg_dump and pg_restore) and SQLite."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from earlyhelp.audit import services as audit
from earlyhelp.casework import services
from earlyhelp.casework.models import CaseNote, KeptFamilyPage
from earlyhelp.people.models import Household
from earlyhelp.testing.world import make_family

SAMPLE = """
import json
from earlyhelp.audit import services as audit
from earlyhelp.casework.models import CaseNote, KeptFamilyPage
from earlyhelp.people.models import Household
print(json.dumps({"households": sorted(Household.objects.values_list("reference", flat=True)),
                  "notes": sorted(CaseNote.objects.values_list("text", flat=True)), "head": list(audit.head()),
                  "kept_pages": KeptFamilyPage.objects.count()}))
"""


def _manage(database_url, *arguments) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "earlyhelp.settings_test"}
    return subprocess.run([sys.executable, "manage.py", *arguments], env=env, capture_output=True, text=True,
                          cwd=settings.PROJECT_DIR, timeout=300)


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database of the same kind as the tests'; dropped after."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"earlyhelp_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = settings.DATABASES["default"]
    yield f"postgres://{url['USER']}@{url['HOST']}:{url['PORT']}/{name}"
    connection.close()  # no session may be connected to it when it is dropped
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_with_its_audit_chain_and_records(world, tmp_path, empty_database,
                                                                               client):
    family = make_family(world, lead=world.lead)
    services.add_case_note(by=world.lead, episode=family["episode"], text="Visited at home: all well")
    client.force_login(world.lead)
    for _ in range(2):  # after a flush the first view makes the council's consent rules, which no page is kept across
        assert client.get(reverse("web:family", args=[family["household"].pk])).status_code == 200
    assert KeptFamilyPage.objects.count() == 1  # a kept page, which the backup leaves out (a copy of the records)
    before = {"households": sorted(Household.objects.values_list("reference", flat=True)),
              "notes": sorted(CaseNote.objects.values_list("text", flat=True)), "head": list(audit.head()),
              "kept_pages": 0}
    backup = tmp_path / "backups" / "nightly.backup"
    call_command("backup_database", str(backup))
    assert backup.stat().st_size > 0 and backup.stat().st_mode & 0o077 == 0  # readable by the service only

    restored = _manage(empty_database, "restore_database", str(backup))
    assert restored.returncode == 0, restored.stderr[-2000:]
    verified = _manage(empty_database, "verify_audit_chain")
    assert verified.returncode == 0 and f"{before['head'][0]} events verified" in verified.stdout, verified.stderr
    sample = _manage(empty_database, "shell", "-c", SAMPLE)
    assert json.loads(sample.stdout.strip().splitlines()[-1]) == before, sample.stderr[-2000:]

    again = _manage(empty_database, "restore_database", str(backup))  # never over a database in use
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_a_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"an earlier backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup_database", str(existing))
    assert existing.read_bytes() == b"an earlier backup"
