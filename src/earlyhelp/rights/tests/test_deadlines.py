"""The statutory clock (P19): one calendar month, the month's last day, the next working day, pauses, extensions."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earlyhelp.rights import deadlines
from earlyhelp.rights.deadlines import (
    add_months,
    due_date,
    is_working_day,
    next_working_day,
)

pytestmark = pytest.mark.promise("P19")

D = datetime.date
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))
pauses = st.lists(st.integers(min_value=0, max_value=40), max_size=4)


@pytest.mark.parametrize("received, due", [
    (D(2024, 11, 25), D(2024, 12, 27)),  # 25 Dec Christmas Day, 26 Dec Boxing Day
    (D(2025, 1, 31), D(2025, 2, 28)),  # no 31 February: the month's last day
    (D(2025, 1, 1), D(2025, 2, 3)),  # 1 February is a Saturday
])
def test_the_icos_examples(received, due):
    assert due_date(received) == due


@pytest.mark.parametrize("received, due", [
    (D(2024, 1, 31), D(2024, 2, 29)),  # leap year
    (D(2025, 3, 31), D(2025, 4, 30)),
    (D(2025, 3, 18), D(2025, 4, 22)),  # 18 April 2025 Good Friday, 21 April Easter Monday
    (D(2025, 4, 5), D(2025, 5, 6)),  # 5 May 2025 early May bank holiday
    (D(2025, 7, 25), D(2025, 8, 26)),  # 25 August 2025 summer bank holiday (England, not Scotland)
    (D(2026, 11, 26), D(2026, 12, 29)),  # 26 Dec 2026 a Saturday: Boxing Day's substitute is Monday 28 Dec
    (D(2024, 12, 2), D(2025, 1, 2)),  # 2 January is a bank holiday in Scotland, not in England
    (D(2025, 10, 30), D(2025, 12, 1)),  # 30 November 2025 a Sunday (St Andrew's Day is Scottish)
    (D(2025, 2, 14), D(2025, 3, 14)),  # an ordinary Friday
])
def test_weekends_and_england_bank_holidays_move_the_due_date_to_the_next_working_day(received, due):
    assert due_date(received) == due


def test_add_months_keeps_the_date_or_takes_the_months_last_day():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 1, 31), 3) == D(2025, 4, 30)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)
    assert add_months(D(2025, 5, 10), 12) == D(2026, 5, 10)


def test_working_days():
    assert is_working_day(D(2025, 2, 3))  # Monday
    assert not is_working_day(D(2025, 2, 1)) and not is_working_day(D(2025, 2, 2))
    assert not is_working_day(D(2025, 12, 25)) and not is_working_day(D(2025, 12, 26))
    assert is_working_day(D(2025, 1, 2))  # England works on 2 January
    assert next_working_day(D(2025, 2, 3)) == D(2025, 2, 3)


def test_pauses_move_the_due_date_by_the_days_paused():
    start = D(2025, 3, 3)  # due 3 April 2025, a Thursday
    assert due_date(start) == D(2025, 4, 3)
    assert due_date(start, pauses=[(D(2025, 3, 10), D(2025, 3, 14))]) == D(2025, 4, 7)  # 7 April, Monday
    assert due_date(start, pauses=[(D(2025, 3, 10), D(2025, 3, 11)), (D(2025, 3, 20), D(2025, 3, 21))]) \
        == D(2025, 4, 7)  # 5 April is a Saturday
    assert due_date(start, pauses=[(D(2025, 3, 10), D(2025, 3, 10))]) == D(2025, 4, 3)  # answered the same day


def test_an_open_pause_counts_up_to_today_only_when_asked():
    assert deadlines.paused_days([(D(2025, 3, 10), None)]) == 0
    assert deadlines.paused_days([(D(2025, 3, 10), None)], today=D(2025, 3, 13)) == 3


def test_an_extension_runs_three_months_from_the_original_start():
    assert due_date(D(2024, 11, 25), extended=True) == D(2025, 2, 25)
    assert due_date(D(2024, 11, 30), extended=True) == D(2025, 2, 28)
    assert due_date(D(2025, 1, 31), extended=True) == D(2025, 4, 30)
    assert due_date(D(2025, 2, 1), extended=True) == D(2025, 5, 1)
    assert due_date(D(2025, 2, 5), extended=True) == D(2025, 5, 6)  # 5 May 2025 bank holiday


@settings(max_examples=300, deadline=None)
@given(start=days, extended=st.booleans())
def test_the_due_date_is_always_a_working_day_soon_after_the_calendar_month(start, extended):
    due = due_date(start, extended=extended)
    calendar_due = add_months(start, 3 if extended else 1)
    assert is_working_day(due)
    # Christmas or Easter can move it by at most four days.
    assert calendar_due <= due <= calendar_due + datetime.timedelta(days=4)
    assert all(not is_working_day(calendar_due + datetime.timedelta(days=n)) for n in range((due - calendar_due).days))


@settings(max_examples=300, deadline=None)
@given(start=days)
def test_the_due_date_is_the_same_date_next_month_or_the_months_last_day(start):
    calendar_due = add_months(start, 1)
    assert (calendar_due.year, calendar_due.month) == ((start.year, start.month + 1) if start.month < 12
                                                       else (start.year + 1, 1))
    assert calendar_due.day == start.day or (calendar_due.day < start.day
                                             and (calendar_due + datetime.timedelta(days=1)).day == 1)


@settings(max_examples=200, deadline=None)
@given(first=days, second=days)
def test_a_later_start_is_never_due_earlier(first, second):
    first, second = min(first, second), max(first, second)
    assert due_date(first) <= due_date(second)
    assert due_date(first, extended=True) <= due_date(second, extended=True)


@settings(max_examples=200, deadline=None)
@given(start=days, lengths=pauses)
def test_pauses_add_exactly_their_days_before_the_working_day_rule(start, lengths):
    cursor, pairs = start, []
    for length in lengths:
        cursor += datetime.timedelta(days=2)
        pairs.append((cursor, cursor + datetime.timedelta(days=length)))
        cursor += datetime.timedelta(days=length)
    paused = deadlines.paused_days(pairs)
    assert paused == sum(lengths)
    assert due_date(start, pauses=pairs) == next_working_day(add_months(start, 1) + datetime.timedelta(days=paused))
    assert due_date(start, pauses=pairs) >= due_date(start)


@settings(max_examples=200, deadline=None)
@given(start=days)
def test_an_extension_is_never_earlier_than_the_first_month(start):
    assert due_date(start, extended=True) > due_date(start)
    assert deadlines.extension_deadline(start) == due_date(start)


def test_the_bank_holidays_are_the_librarys_england_calendar_including_one_off_days():
    import holidays  # the library's own way in, which loads every country: only to compare with here

    years = range(2019, 2031)  # 2020's moved May holiday, 2022's jubilee and funeral, 2023's coronation
    expected = set(holidays.country_holidays("GB", subdiv="ENG", years=years))
    assert {day for year in years for day in deadlines._bank_holidays(year)} == expected
    assert datetime.date(2023, 5, 8) in expected  # the coronation: proof the comparison covers one-off days


def test_working_out_a_due_date_does_not_load_every_countrys_holidays():
    """Logging a request took 3 s on a process's first request, loading the holidays of about 250 countries."""
    script = ("import sys; from earlyhelp.rights import deadlines; import datetime; "
              "deadlines.due_date(datetime.date(2026, 12, 24)); print('holidays.countries' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(Path(deadlines.__file__).parents[2])})
    assert result.stdout.strip() == "False"
