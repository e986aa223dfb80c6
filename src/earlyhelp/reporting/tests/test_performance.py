"""Performance: timeliness against the target, open families by stage and team, reviews overdue, outcomes and
re-referrals; a manager sees their own team, the data team every team; council-wide tables and every download go
through disclosure control (a count of 3 never shows as 3)."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from earlyhelp.reporting.models import PublishedReturn, ReturnKind
from earlyhelp.reporting.services import _protect
from earlyhelp.reporting.services import performance as service
from earlyhelp.ui.forms import today

from .test_returns_world import quick_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P11")]

START, END = datetime.date(2025, 4, 1), datetime.date(2025, 9, 30)
QUARTER = (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))  # figures for every team: a whole quarter


def _rows(table):
    return {row[0]: row[1:] for row in table.as_rows()[1:]}


def _three_overdue_reviews_in_north_and_many_in_south(world):
    for _ in range(3):
        quick_family(world, opened_on=datetime.date(2025, 4, 2), reviews=[(datetime.date(2025, 6, 1), None)])
    for _ in range(12):
        quick_family(world, team=world.south, opened_on=datetime.date(2025, 4, 2),
                     reviews=[(datetime.date(2025, 6, 1), None)])


def test_a_manager_sees_their_own_team_and_the_data_team_every_team(world):
    assert [t.name for t in service.scope_of(world.manager).teams] == ["North Early Help"]
    assert not service.scope_of(world.manager).council_wide
    assert [t.name for t in service.scope_of(world.data_team).teams] == ["North Early Help", "South Early Help"]
    for who in ("lead", "partner", "dpo", "front_door"):
        with pytest.raises(PermissionDenied):
            service.scope_of(world.users[who])


def test_council_wide_tables_never_show_a_3_but_the_managers_own_team_does(world):
    _three_overdue_reviews_in_north_and_many_in_south(world)
    council = service.report(by=world.data_team, start=QUARTER[0], end=QUARTER[1])
    assert council.protected
    overdue = _rows(council.table(service.OVERDUE_BY_TEAM))
    assert overdue["North Early Help"] == ["c"] and overdue["South Early Help"] == ["c"]
    assert overdue["Total"] == ["15"]
    team = service.report(by=world.manager, start=START, end=END)
    assert not team.protected
    assert _rows(team.table(service.OVERDUE_BY_TEAM)) == {"North Early Help": ["3"], "Total": ["3"]}


def test_the_council_wide_page_and_every_download_hide_the_3(world, client):
    _three_overdue_reviews_in_north_and_many_in_south(world)
    query = {"start_day": 1, "start_month": 4, "start_year": 2025, "end_day": 30, "end_month": 6, "end_year": 2025}
    client.force_login(world.data_team)
    page = client.get(reverse("reporting:performance"), query).content.decode()
    assert "Small numbers are hidden" in page
    assert '<th scope="row" class="govuk-table__header">North Early Help</th><td class="govuk-table__cell govuk-table__cell--numeric">c</td>' in page
    download = client.get(reverse("reporting:performance-download"), query)
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    overdue = rows[rows.index([service.OVERDUE_BY_TEAM]) + 1:]
    assert ["North Early Help", "c"] in overdue[:3]
    assert ["North Early Help", "3"] not in rows
    # A team's own figures are for the screen only: its manager cannot download them (an audited 404).
    client.force_login(world.manager)
    assert client.get(reverse("reporting:performance-download"), query).status_code == 404
    assert "Download as CSV" not in client.get(reverse("reporting:performance"), query).content.decode()


def test_figures_for_every_team_are_for_a_whole_ended_quarter_and_published_once(world):
    """Two publications that overlap could be subtracted to find a small count; a second look at a quarter shows
    the figures as first published, even after the records change."""
    for start, end in [(datetime.date(2025, 4, 1), datetime.date(2025, 6, 29)),  # one day short
                       (datetime.date(2025, 4, 2), datetime.date(2025, 6, 30)),
                       (datetime.date(2025, 4, 1), datetime.date(2025, 9, 30))]:  # two quarters
        with pytest.raises(ValidationError) as refused:
            service.report(by=world.data_team, start=start, end=end)
        assert refused.value.message_dict["start"] == [service.WHOLE_QUARTER]
    _three_overdue_reviews_in_north_and_many_in_south(world)
    first = service.report(by=world.data_team, start=QUARTER[0], end=QUARTER[1])
    quick_family(world, opened_on=datetime.date(2025, 4, 2), reviews=[(datetime.date(2025, 6, 1), None)])
    again = service.report(by=world.data_team, start=QUARTER[0], end=QUARTER[1])
    assert [t.as_rows() for t in again.tables] == [t.as_rows() for t in first.tables]
    assert again.published_at == first.published_at
    assert PublishedReturn.objects.filter(kind=ReturnKind.PERFORMANCE).count() == 1
    # What the quarterly return publishes (families by stage, outcomes) is not published here a second time.
    assert {t.title for t in first.tables} == set(service.COUNCIL_WIDE)


def test_every_council_wide_table_passes_through_protect_tables(world, monkeypatch):
    seen = []
    real = _protect.protect_tables

    def spy(publication):
        seen.extend(spec.title for spec in publication.tables)
        return real(publication)

    monkeypatch.setattr(service, "protect_tables", spy)
    built = service.report(by=world.data_team, start=QUARTER[0], end=QUARTER[1])
    assert set(service.COUNCIL_WIDE) <= set(seen)
    assert [table.title for table in built.tables] == [title for title in seen if title in service.COUNCIL_WIDE]


@override_settings(EARLYHELP_ASSESSMENT_TARGET_DAYS=21)
def test_assessment_timeliness_against_the_target(world):
    started = datetime.date(2025, 5, 1)
    for days in [21] * 6 + [22] * 7:
        quick_family(world, opened_on=started, assessment_started=started,
                     assessment_completed=started + datetime.timedelta(days=days))
    built = service.report(by=world.manager, start=START, end=END)
    assert built.target_days == 21
    by_team = built.table(service.TIMELINESS_BY_TEAM)
    assert by_team.as_rows()[0] == ["", "Within 21 days", "Over 21 days", "Total"]
    assert _rows(by_team)["North Early Help"] == ["6", "7", "13"]
    assert service.percent_within(by_team) == [("North Early Help", "46%")]
    by_month = _rows(built.table(service.TIMELINESS_BY_MONTH))
    assert by_month["May 2025"] == ["6", "7", "13"] and by_month["June 2025"] == ["0", "0", "0"]


def test_the_share_within_target_is_never_worked_out_from_a_hidden_figure(world):
    started = datetime.date(2025, 5, 1)
    for days in [3] * 2 + [40] * 12:
        quick_family(world, opened_on=started, assessment_started=started,
                     assessment_completed=started + datetime.timedelta(days=days))
    built = service.report(by=world.data_team, start=QUARTER[0], end=QUARTER[1])
    shares = dict(service.percent_within(built.table(service.TIMELINESS_BY_TEAM)))
    assert shares["North Early Help"] == "c"


def test_open_families_by_stage_on_the_last_day(world):
    opened = datetime.date(2025, 4, 2)
    for _ in range(6):
        quick_family(world, opened_on=opened, assessment_started=opened)
    for _ in range(7):
        quick_family(world, opened_on=opened, assessment_started=opened, plan=True)
    quick_family(world, opened_on=opened, closed_on=datetime.date(2025, 8, 1))  # closed: not open
    built = service.report(by=world.manager, start=START, end=END)
    assert _rows(built.table(service.OPEN_BY_STAGE)) == {"Contact": ["0"], "Assessment": ["6"], "Plan": ["7"],
                                                         "Review": ["0"], "Total": ["13"]}


def test_re_referrals_within_12_months(world):
    for _ in range(6):  # previous episode closed in January, contacted again in May: a re-referral
        family = quick_family(world, opened_on=datetime.date(2024, 6, 1), closed_on=datetime.date(2025, 1, 10))
        family["household"].contacts.create(
            subject=family["people"][1][0], channel="phone", source="school", reason="Synthetic",
            received_at=datetime.datetime(2025, 5, 2, 10, tzinfo=datetime.UTC), consent_at_referral="given",
            recorded_by=world.front_door, team=world.north)
    for _ in range(7):  # a first contact
        quick_family(world, opened_on=datetime.date(2025, 5, 2), contact_on=datetime.date(2025, 5, 2))
    built = service.report(by=world.manager, start=START, end=END)
    assert _rows(built.table(service.RE_REFERRALS_BY_TEAM))["North Early Help"] == ["6", "7", "13"]


@pytest.mark.parametrize("start, end, field, message", [
    (END, START, "start", service.FROM_AFTER_TO),
    (START, today() + datetime.timedelta(days=1), "end", service.TO_IN_FUTURE),
    (datetime.date(2020, 1, 1), datetime.date(2024, 1, 1), "start", service.TOO_LONG),
])
def test_a_period_that_is_not_one_is_refused(world, start, end, field, message):
    with pytest.raises(ValidationError) as refused:
        service.report(by=world.manager, start=start, end=end)
    assert refused.value.message_dict[field] == [message]


def test_the_page_shows_a_period_error(world, client):
    client.force_login(world.manager)
    response = client.get(reverse("reporting:performance"), {
        "start_day": 1, "start_month": 10, "start_year": 2025, "end_day": 1, "end_month": 4, "end_year": 2025})
    assert response.status_code == 200
    assert service.FROM_AFTER_TO in response.content.decode()
    response = client.get(reverse("reporting:performance"), {
        "start_day": 1, "start_month": 13, "start_year": 2025, "end_day": 1, "end_month": 4, "end_year": 2025})
    assert "must be a real date" in response.content.decode()
