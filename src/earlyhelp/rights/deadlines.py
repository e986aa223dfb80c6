"""The statutory clock for rights requests (UK GDPR Article 12(3), Article 12A; ICO guidance).

- The clock starts on the day the request is received or, if we asked for proof of identity or
  authority, the day it arrives.
- The answer is due one calendar month later: the same date next month, or that month's last day if
  the date does not exist (31 January -> 28 February).
- The clock stops while we wait for clarification we need (Article 12A, Data (Use and Access) Act
  2025): the due date moves by the days paused.
- A due date on a weekend or an England bank holiday moves to the next working day.
- It can be extended by two further months (three months from the original start, the same rules)
  for complex or multiple requests, only if the requester is told, with reasons, within the first
  month.

ICO examples: received 25 November 2024 -> due 27 December 2024; received 31 January 2025 -> due
28 February 2025; received 1 January 2025 -> due 3 February 2025.
"""

import datetime
import importlib.util
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import holidays

from earlyhelp.records.calendar import add_months

ONE_MONTH = 1
EXTENDED_MONTHS = 3


@cache
def _united_kingdom_calendar() -> type:
    """The `holidays` library's United Kingdom calendar, loaded on its own.

    `holidays.country_holidays("GB")` first imports the library's package of about 250 countries: on the first
    request of a process that was 3 seconds without compiled bytecode (logging a rights request took 3 s in the
    demo) and over half a second with it. The United Kingdom module needs only the library's core.
    """
    path = Path(holidays.__file__).parent / "countries" / "united_kingdom.py"
    spec = importlib.util.spec_from_file_location("earlyhelp_united_kingdom_holidays", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.UnitedKingdom


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset:
    return frozenset(_united_kingdom_calendar()(subdiv="ENG", years=year))


def is_bank_holiday(day: datetime.date) -> bool:
    """An England (and Wales) bank holiday, including substitute days."""
    return day in _bank_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def paused_days(pauses, *, today: datetime.date | None = None) -> int:
    """Days the clock stood still: each pause from the day we asked to the day the answer came.

    `pauses` are (started_on, ended_on) pairs; a pause still open (ended_on None) counts up to `today`,
    and counts nothing if `today` is not given.
    """
    total = 0
    for started_on, ended_on in pauses:
        end = ended_on or today
        if end is not None and end > started_on:
            total += (end - started_on).days
    return total


def due_date(clock_started_on: datetime.date, *, pauses=(), extended: bool = False,
             today: datetime.date | None = None) -> datetime.date:
    """When the answer is due, for a clock started on `clock_started_on`."""
    months = EXTENDED_MONTHS if extended else ONE_MONTH
    unadjusted = add_months(clock_started_on, months) + datetime.timedelta(days=paused_days(pauses, today=today))
    return next_working_day(unadjusted)


def extension_deadline(clock_started_on: datetime.date, *, pauses=(), today: datetime.date | None = None):
    """The last day an extension can be made and the requester told: the end of the first month."""
    return due_date(clock_started_on, pauses=pauses, today=today)


@dataclass(frozen=True)
class Clock:
    """Where a request's clock stands on a given day, for pages and the dashboard."""

    started_on: datetime.date | None
    due_on: datetime.date | None  # None before the clock starts and while it is paused
    first_month_due_on: datetime.date | None
    extended: bool
    paused: bool
    days_paused: int
    today: datetime.date

    @property
    def days_left(self) -> int | None:
        return None if self.due_on is None else (self.due_on - self.today).days

    @property
    def is_overdue(self) -> bool:
        return self.due_on is not None and self.today > self.due_on


def _pause_pairs(request):
    return [(p.started_on, p.ended_on) for p in request.pauses.all()]


def clock_for(request, *, today: datetime.date) -> Clock:
    """The clock of a `RightsRequest` (its pauses from the database) on `today`."""
    if request.clock_started_on is None:
        return Clock(None, None, None, False, False, 0, today)
    pairs = _pause_pairs(request)
    paused = any(ended is None for _, ended in pairs)
    closed = [(s, e) for s, e in pairs if e is not None]
    extended = request.extended_at is not None
    return Clock(
        started_on=request.clock_started_on,
        due_on=None if paused else due_date(request.clock_started_on, pauses=closed, extended=extended),
        first_month_due_on=due_date(request.clock_started_on, pauses=closed),
        extended=extended,
        paused=paused,
        days_paused=paused_days(pairs, today=today),
        today=today,
    )


def stored_due_on(request) -> datetime.date | None:
    """The due date to store on the request (None before the clock starts and while it is paused)."""
    if request.clock_started_on is None:
        return None
    pairs = _pause_pairs(request)
    if any(ended is None for _, ended in pairs):
        return None
    return due_date(request.clock_started_on, pauses=pairs, extended=request.extended_at is not None)
