"""Access decided once per request: a page and the service it calls ask about the same family, and the second answer
is the first one remembered (issue 14, item 9).

`per_request()` (entered by `access.middleware.DecideOncePerRequestMiddleware` around every request) opens a memory
of decisions; `remembered(key, decide)` answers from it. Anything that could change an answer forgets them all: every
write to the database during the request (an INSERT, UPDATE or DELETE, however it is made: `save()`, `update()`,
bulk or raw SQL) clears the memory before it runs, except writes that never change who may see what (the audit
trail and the session bookkeeping every request makes). Only decisions made outside any transaction the request
opened are kept, so a decision read from changes that are then rolled back is never remembered. Outside a request
(services called from commands or tasks) nothing is remembered and every question goes to the database.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

_memory: ContextVar["_Memory | None"] = ContextVar("earlyhelp_access_decisions", default=None)

# Tables whose writes cannot change an access decision: the audit trail and sign-in bookkeeping.
BOOKKEEPING_TABLES = ('"audit_auditevent"', '"django_session"', '"accounts_usersession"')
NOT_WRITES = ("SELECT", "SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "SET", "SHOW")


class _Memory:
    def __init__(self):
        self.decisions = {}
        self.depth = len(connection.atomic_blocks)  # transactions already open when the request began (tests)


def _forget_on_write(execute, sql, params, many, context):
    memory = _memory.get()
    if memory and memory.decisions:
        head = sql.lstrip()[:120]
        if not head.upper().startswith(NOT_WRITES) and not any(table in head for table in BOOKKEEPING_TABLES):
            memory.decisions.clear()
    return execute(sql, params, many, context)


@contextmanager
def per_request():
    """Remember access decisions until the block ends or the database changes."""
    token = _memory.set(_Memory())
    try:
        with connection.execute_wrapper(_forget_on_write):
            yield
    finally:
        _memory.reset(token)


def remembered(key, decide):
    """`decide()`, or the answer it gave earlier in this request for the same key."""
    memory = _memory.get()
    if memory is None:
        return decide()
    if key in memory.decisions:
        return memory.decisions[key]
    answer = decide()
    if len(connection.atomic_blocks) == memory.depth:  # not inside a transaction that could still roll back
        memory.decisions[key] = answer
    return answer
