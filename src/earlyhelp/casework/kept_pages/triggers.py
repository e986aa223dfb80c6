"""The database triggers that put kept family pages out of date, made from `watch` for SQLite and PostgreSQL.

A change to a row the family page shows bumps its families' versions and deletes their kept pages, in the same
statement's transaction; a change to a row every page shows bumps the record epoch. Triggers, not signals or service
code, so that no write (a query set's update, a bulk create, a data migration, a change made in a database shell) can
leave a page behind. They are (re)installed after every `migrate`, and named after a digest of their SQL, so a changed
definition replaces the old one and an unchanged one costs one catalogue query.
"""

from __future__ import annotations

import hashlib

from django.apps import apps
from django.db import connections, transaction
from django.db.models import ForeignKey, ManyToManyField, ManyToOneRel, OneToOneField

from . import watch
from .models import FamilyVersion, KeptFamilyPage, RecordEpoch

PREFIX = "eh_kept_"


def _q(name: str) -> str:
    return '"' + name + '"'


def _households(model, path: str, row: str) -> str:
    """SQL for the set of household ids that `row` of `model` reaches along `path`: a row trigger's NEW or OLD, or a
    statement trigger's transition table (every row the statement changed)."""
    current, ids = model, None  # ids None: still the row itself
    for name in [step for step in path.split("__") if step]:
        field = current._meta.get_field(name)
        if isinstance(field, (ForeignKey, OneToOneField)):
            if not field.target_field.primary_key:
                raise ValueError(f"{current._meta.label}.{name} does not point at a primary key")
            ids = (_of_row(row, field.column) if ids is None else
                   f"SELECT {_q(field.column)} FROM {_q(current._meta.db_table)} "
                   f"WHERE {_q(current._meta.pk.column)} IN ({ids})")
            current = field.related_model
        elif isinstance(field, ManyToOneRel):  # backward along a foreign key
            own = ids or _of_row(row, current._meta.pk.column)
            related = field.related_model
            ids = (f"SELECT {_q(related._meta.pk.column)} FROM {_q(related._meta.db_table)} "
                   f"WHERE {_q(field.field.column)} IN ({own})")
            current = related
        elif isinstance(field, ManyToManyField):
            own = ids or _of_row(row, current._meta.pk.column)
            through = field.remote_field.through._meta.db_table
            ids = (f"SELECT {_q(field.m2m_reverse_name())} FROM {_q(through)} "
                   f"WHERE {_q(field.m2m_column_name())} IN ({own})")
            current = field.related_model
        else:
            raise ValueError(f"{current._meta.label}.{name} is not a relation the triggers can follow")
    household = apps.get_model("people", "Household")
    if current is not household:
        raise ValueError(f"{model._meta.label}: {path!r} ends at {current._meta.label}, not a family")
    return ids or _of_row(row, household._meta.pk.column)


ROW_RECORDS = {"NEW", "OLD"}
NEW_ROWS, OLD_ROWS = "eh_new_rows", "eh_old_rows"  # a PostgreSQL statement trigger's transition tables


def _of_row(row: str, column: str) -> str:
    return f"SELECT {row}.{_q(column)}" if row in ROW_RECORDS else f"SELECT {_q(column)} FROM {row}"


def _family_statements(model, row: str, *, deleting_family: bool) -> list[str]:
    household = apps.get_model("people", "Household")
    reached = " OR ".join(f"{{column}} IN ({_households(model, path, row)})" for path in watch.FAMILY_ROWS[
        model._meta.label])
    version, kept = FamilyVersion._meta.db_table, KeptFamilyPage._meta.db_table
    pk = _q(household._meta.pk.column)
    statements = [f"DELETE FROM {_q(kept)} WHERE {reached.format(column=_q('household_id'))}"]
    if deleting_family:
        statements.append(f"DELETE FROM {_q(version)} WHERE {reached.format(column=_q('household_id'))}")
    else:
        # Only families that exist (a row on its way out of a deleted family finds none), in id order, so two
        # transactions bumping the same families take their locks in the same order.
        statements.append(
            f"INSERT INTO {_q(version)} ({_q('household_id')}, {_q('version')}) "
            f"SELECT {pk}, 1 FROM {_q(household._meta.db_table)} WHERE {reached.format(column=pk)} ORDER BY {pk} "
            f"ON CONFLICT ({_q('household_id')}) DO UPDATE SET {_q('version')} = {_q(version)}.{_q('version')} + 1")
    return statements


_EPOCH = _q(RecordEpoch._meta.db_table)
EPOCH_BUMP = (f"INSERT INTO {_EPOCH} ({_q('id')}, {_q('epoch')}) VALUES (1, 1) "
              f"ON CONFLICT ({_q('id')}) DO UPDATE SET {_q('epoch')} = {_EPOCH}.{_q('epoch')} + 1")


def _watched_columns(model) -> list[str]:
    ignored = set(watch.EVERY_PAGE_ROWS[model._meta.label])
    unknown = ignored - {field.name for field in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model._meta.label} has no field {sorted(unknown)}")
    return [field.column for field in model._meta.concrete_fields if field.name not in ignored]


def _sqlite(tag: str) -> dict[str, str]:
    """{trigger name: CREATE TRIGGER} for SQLite (row triggers only)."""
    made = {}
    for label in watch.FAMILY_ROWS:
        model = apps.get_model(label)
        table, family = model._meta.db_table, label == "people.Household"
        for op, rows in (("insert", ["NEW"]), ("update", ["OLD", "NEW"]), ("delete", ["OLD"])):
            body = "; ".join(statement for row in rows for statement in _family_statements(
                model, row, deleting_family=family and op == "delete"))
            name = f"{PREFIX}{tag}_{table}_{op[0]}"
            made[name] = f"CREATE TRIGGER {_q(name)} AFTER {op.upper()} ON {_q(table)} FOR EACH ROW BEGIN {body}; END"
    for label in watch.EVERY_PAGE_ROWS:
        model = apps.get_model(label)
        table = model._meta.db_table
        columns = ", ".join(_q(column) for column in _watched_columns(model))
        for op, when in (("insert", "INSERT"), ("update", f"UPDATE OF {columns}"), ("delete", "DELETE")):
            name = f"{PREFIX}{tag}_{table}_{op[0]}"
            made[name] = f"CREATE TRIGGER {_q(name)} AFTER {when} ON {_q(table)} FOR EACH ROW BEGIN {EPOCH_BUMP}; END"
    return made


def _postgresql(tag: str) -> dict[str, str]:
    """{trigger name: CREATE FUNCTION and CREATE TRIGGER} for PostgreSQL: triggers per statement, which read every row
    the statement changed from its transition tables at once (a bulk load of a million rows runs each once, where a
    trigger per row ran its statements a million times)."""
    made = {}
    for label in watch.FAMILY_ROWS:
        model = apps.get_model(label)
        table, family = model._meta.db_table, label == "people.Household"
        for op, rows in (("insert", [NEW_ROWS]), ("update", [OLD_ROWS, NEW_ROWS]), ("delete", [OLD_ROWS])):
            referencing = " ".join(f"{'OLD' if row == OLD_ROWS else 'NEW'} TABLE AS {row}" for row in rows)
            body = "; ".join(statement for row in rows for statement in _family_statements(
                model, row, deleting_family=family and op == "delete"))
            name = f"{PREFIX}{tag}_{table}_{op[0]}"
            made[name] = (
                f"CREATE FUNCTION {_q(name)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; "
                f"END $$; CREATE TRIGGER {_q(name)} AFTER {op.upper()} ON {_q(table)} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {_q(name)}()")
    for label in watch.EVERY_PAGE_ROWS:
        model = apps.get_model(label)
        table = model._meta.db_table
        name = f"{PREFIX}{tag}_{table}"
        columns = ", ".join(_q(column) for column in _watched_columns(model))
        made[name] = (
            f"CREATE FUNCTION {_q(name)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {EPOCH_BUMP}; RETURN NULL; "
            f"END $$; CREATE TRIGGER {_q(name)} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {_q(table)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_q(name)}()")
    return made


def definitions(vendor: str) -> dict[str, str]:
    """{trigger name: SQL}, the names carrying a digest of all of the SQL."""
    build = {"sqlite": _sqlite, "postgresql": _postgresql}.get(vendor)
    if build is None:
        raise RuntimeError(f"Kept family pages have no triggers for {vendor}: use SQLite or PostgreSQL.")
    draft = build("TAG")
    tag = hashlib.sha256("\n".join(sorted(draft.values())).encode()).hexdigest()[:8]
    return build(tag)


def installed(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s ESCAPE '!'",
                           [PREFIX.replace("_", "!_") + "%"])
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE %s ESCAPE '!'",
                           [PREFIX.replace("_", "!_") + "%"])
        return {name for (name,) in cursor.fetchall()}


def install(using: str = "default") -> bool:
    """Make the database's triggers these definitions; False when they already were (nothing done)."""
    connection = connections[using]
    wanted = definitions(connection.vendor)
    present = installed(connection)
    if present == set(wanted):
        return False
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in present:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")
            for sql in wanted.values():
                cursor.execute(sql)
        else:
            cursor.execute("SELECT p.proname FROM pg_proc p WHERE p.proname LIKE %s ESCAPE '!'",
                           [PREFIX.replace("_", "!_") + "%"])
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {_q(name)}() CASCADE")  # CASCADE: its trigger goes too
            for sql in wanted.values():
                cursor.execute(sql)
    return True


def install_after_migrate(sender, using="default", **kwargs):
    """post_migrate (casework's): the triggers follow the schema, and a flush between tests leaves them in place."""
    install(using)
