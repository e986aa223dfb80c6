"""Backups of the database and their restore (docs/operations.md, "Backups and restore").

PostgreSQL: `pg_dump --format=custom` of the configured database, restored with `pg_restore` into an empty one.
SQLite (a developer's machine, the demo): SQLite's online backup of the database file. Either way a restore goes
into an empty database only, and is checked after with `manage.py verify_audit_chain`: a backup is as trustworthy
as the chain it restores.

What a backup does not hold, by design: the keys (the secret key, the audit chain key, research keys, the master key
and the key store of family and document keys, `earlyhelp.keys`), which are kept apart so that a disposal or an
erasure reaches a backup by destroying a key; and the anchor file, which must outlive the database it checks.

What destroying a key reaches: the stored files (documents, partner files), which are encrypted under the keys, in
every copy of the file store. Not the rows of an older database backup, which stay until it expires
(`retention/tests/test_crypto_shredding.py`; docs/operations.md, "How disposal and erasure reach backups").
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from earlyhelp.casework.models import KeptFamilyPage

# Kept family pages are rendered from the records (`casework.kept_pages`): a backup holds the records, not a second
# copy of them; a restored database renders each page again when it is first opened.
DERIVED = KeptFamilyPage._meta.db_table


class BackupError(Exception):
    """The backup or restore did not happen; the message says why (it holds no personal data)."""


def _libpq_env() -> dict:
    """PostgreSQL's own environment variables for the configured database (no password on a command line)."""
    settings = connection.settings_dict
    env = {"PGDATABASE": settings["NAME"], "PGHOST": settings.get("HOST") or "", "PGPORT": str(settings.get("PORT")
           or ""), "PGUSER": settings.get("USER") or "", "PGPASSWORD": settings.get("PASSWORD") or ""}
    return {name: value for name, value in env.items() if value}


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install PostgreSQL's client programs "
                          "(Debian: apt-get install postgresql-client)")
    done = subprocess.run(command, env={**os.environ, **_libpq_env()}, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def backup(to: Path) -> Path:
    """Write a backup of the configured database to `to` (a file that must not exist yet)."""
    to = Path(to)
    if to.exists():
        raise BackupError(f"{to} already exists: choose a new file for each backup")
    to.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--exclude-table-data={DERIVED}",
              f"--file={to}"])
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(to) as target:
            connection.connection.backup(target)
            target.execute(f'DELETE FROM "{DERIVED}"')
        target.close()
    else:
        raise BackupError(f"Backups of {connection.vendor} are not supported")
    to.chmod(0o600)
    return to


def _is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(source: Path) -> None:
    """Restore a backup made by `backup` into the configured database, which must be empty."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if not _is_empty():
        raise BackupError("The database is not empty: restore into a new, empty database")
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={connection.settings_dict['NAME']}", str(source)])
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup_file:
            backup_file.backup(connection.connection)
        backup_file.close()
    else:
        raise BackupError(f"Restores into {connection.vendor} are not supported")
