"""Helpers for the audit chain's tamper tests: raw SQL round the application, and the verify command's answer."""

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction


class raw_tampering:
    """Raw SQL that goes round the application, as an attacker with database access would.
    On PostgreSQL the append-only trigger has to be bypassed first (superuser only)."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.cursor = connection.cursor().__enter__()
        if connection.vendor == "postgresql":
            self.cursor.execute("SET LOCAL session_replication_role = replica")
        return self.cursor

    def __exit__(self, *exc):
        self.cursor.__exit__(*exc)
        return self.atomic.__exit__(*exc)


def verify_answer():
    """None when `verify_audit_chain` passes, else its error message."""
    try:
        call_command("verify_audit_chain")
    except CommandError as error:
        return str(error)
    return None
