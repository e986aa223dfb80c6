"""Statements PostgreSQL plans once per connection: for the few that every request makes (its session, its user and
their authenticator, the access decision, the restricted-family check, the audit chain's lock, head and append, a
kept page's lookup), whose planning costs the server more than running them.

Django's cursors send a statement's values inside its SQL, so PostgreSQL parses and plans it afresh every time. A
planned cursor sends them apart (server-side binding), and psycopg prepares a statement once it has run
`prepare_threshold` times on a connection (settings: 5); PostgreSQL then reuses its plan. With prepared statements
turned off (EARLYHELP_DATABASE_PREPARED_STATEMENTS=0) the statements are sent the same way and planned every time. On
SQLite a planned cursor is Django's own."""

import contextlib

from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def open_planned_cursor(using: str = "default"):
    """A planned cursor (the caller closes it), wrapped as Django wraps its own: its execute wrappers and, in tests
    and with DEBUG, its query log see every statement."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _server_binding(connection.connection)
    return _LoggedPlannedCursor(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


class _LoggedPlannedCursor(CursorDebugWrapper):
    """Django's query log, with each statement and its values as Django logs its own (it reads the SQL a
    client-binding cursor sent, which a planned statement does not send again)."""

    def execute(self, sql, params=None):
        shown = self.db.ops.compose_sql(sql, params) if params else sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)


@contextlib.contextmanager
def planned_cursor(using: str = "default"):
    """`open_planned_cursor` as a context manager."""
    with open_planned_cursor(using) as cursor:
        yield cursor


def _server_binding(psycopg_connection):
    # Imported here: only a PostgreSQL connection needs it, and psycopg is loaded with Django's PostgreSQL backend.
    from django.db.backends.postgresql.base import ServerBindingCursor
    return ServerBindingCursor(psycopg_connection)
