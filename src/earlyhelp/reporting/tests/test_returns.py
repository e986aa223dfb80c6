"""Supporting Families returns: financial periods, stages, needs, outcomes, programme families, distance travelled;
every table through disclosure control; refusals that write nothing; later returns protected against earlier ones."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.programme.models import HeadlineArea, NeedStatus
from earlyhelp.reporting.models import PublishedReturn, ReturnKind
from earlyhelp.reporting.services import returns
from earlyhelp.supporting_families.models import ProgrammeFamily
from earlyhelp.ui.forms import today

from .test_returns_world import BASELINE, REVIEW, quick_family, quick_need

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P11")]

Q1_2025 = (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))


def _rows(published, title):
    return {row[0]: row[1:] for row in published.tables[title][1:]}


def _all_cells(published):
    return [cell for rows in published.tables.values() for row in rows[1:] for cell in row[1:]]


@pytest.mark.parametrize("year, quarter, period", [
    (2025, 1, (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))),
    (2025, 3, (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))),
    (2024, 4, (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))),
])
def test_financial_quarters(year, quarter, period):
    assert returns.quarter_period(year, quarter) == period


def test_halves_of_the_financial_year():
    assert returns.half_year_period(2024, 2) == (datetime.date(2024, 10, 1), datetime.date(2025, 3, 31))


@pytest.mark.parametrize("year, quarter, field", [(2025, 5, "quarter"), ("twenty", 1, "year"), (1990, 1, "year")])
def test_a_quarter_that_is_not_one_is_refused(year, quarter, field):
    with pytest.raises(ValidationError) as refused:
        returns.quarter_period(year, quarter)
    assert field in refused.value.message_dict


def test_a_future_quarter_is_refused_and_nothing_is_written(world):
    next_year = today().year + 1
    with pytest.raises(ValidationError) as refused:
        returns.make_quarterly_return(by=world.data_team, year=next_year, quarter=1)
    assert refused.value.messages == [returns.FUTURE_PERIOD]
    assert not PublishedReturn.objects.exists()


def test_a_quarter_with_nothing_to_count_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as refused:
        returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    assert refused.value.messages == [
        "There is nothing to return for 1 April 2025 to 30 June 2025: no families, needs or outcomes were recorded "
        "in that period, so no return was made"]
    assert not PublishedReturn.objects.exists()
    assert not AuditEvent.objects.filter(event__startswith="return.").exists()


def test_only_the_data_team_makes_returns(world):
    with pytest.raises(PermissionDenied):
        returns.make_quarterly_return(by=world.manager, year=2025, quarter=1)


def _quarter_of_families(world):
    """In Q1 2025: 8 families at contact stage, 3 with an assessment, 7 with a plan, 6 reviewed, 9 closed."""
    opened = datetime.date(2025, 4, 2)
    for _ in range(8):
        quick_family(world, opened_on=opened)
    for _ in range(3):
        quick_family(world, opened_on=opened, assessment_started=opened)
    for _ in range(7):
        quick_family(world, opened_on=opened, assessment_started=opened, plan=True)
    for _ in range(6):
        quick_family(world, opened_on=opened, assessment_started=opened, reviews=[(opened, datetime.date(2025, 5, 1))])
    closed = [quick_family(world, opened_on=datetime.date(2025, 1, 5), closed_on=datetime.date(2025, 5, 20))
              for _ in range(9)]
    return closed


def test_the_quarterly_return_counts_stages_and_hides_small_numbers(world):
    _quarter_of_families(world)
    published = returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    assert (published.kind, published.period_start, published.period_end) == (ReturnKind.QUARTERLY, *Q1_2025)
    stages = _rows(published, returns.QUARTERLY_TITLES[0])
    assert stages["Assessment"] == ["c"]  # 3 families
    assert stages["Contact"] == ["8"] or stages["Contact"] == ["c"]
    assert stages["Total"] == ["33"]
    assert [cells for label, cells in stages.items() if label != "Total"].count(["c"]) >= 2  # never a lone c
    assert "3" not in _all_cells(published)
    event = AuditEvent.objects.get(event="return.quarterly.publish")
    assert event.actor == world.data_team


def test_needs_and_outcomes_by_headline(world):
    closed = _quarter_of_families(world)
    for family in closed[:6]:
        quick_need(world, family, area_code="EDUCATION", identified_on=datetime.date(2025, 4, 10),
                   status=NeedStatus.MET)
    for family in closed[6:8]:
        quick_need(world, family, area_code="HOUSING", identified_on=datetime.date(2025, 4, 10),
                   status=NeedStatus.MET)
    published = returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    education = HeadlineArea.objects.get(code="EDUCATION").label
    housing = HeadlineArea.objects.get(code="HOUSING").label
    needs = _rows(published, returns.QUARTERLY_TITLES[1])
    outcomes = _rows(published, returns.QUARTERLY_TITLES[2])
    assert needs[housing] == ["c"] and needs[education] == ["c"]  # 2 housing; education hidden beside it
    assert needs["Total"] == ["8"] and outcomes["Total"] == ["8"]
    assert len(needs) == HeadlineArea.objects.count() + 1  # every headline listed, a zero as 0


def test_families_on_the_programme(world):
    families = _quarter_of_families(world)
    for family in families[:7]:
        ProgrammeFamily.objects.create(household=family["household"], screened_on=datetime.date(2025, 4, 3),
                                       criteria_met=["EDUCATION"], decided_by=world.data_team,
                                       decided_at=datetime.datetime(2025, 4, 3, 10, tzinfo=datetime.UTC))
    published = returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    assert _rows(published, returns.QUARTERLY_TITLES[3]) == {returns.ON_PROGRAMME: ["7"], returns.CLAIMED: ["0"],
                                                             "Total": ["7"]}


def test_a_return_is_made_once_for_its_period_so_two_versions_cannot_be_compared(world):
    opened = datetime.date(2025, 4, 2)
    for _ in range(3):
        quick_family(world, opened_on=opened, assessment_started=opened)
    for _ in range(20):
        quick_family(world, opened_on=opened)
    first = returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    assert _rows(first, returns.QUARTERLY_TITLES[0])["Assessment"] == ["c"]
    for _ in range(4):  # recorded late: a second version would show 7 against 3, revealing the late four
        quick_family(world, opened_on=opened, assessment_started=opened)
    with pytest.raises(ValidationError, match="published once"):
        returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    assert PublishedReturn.objects.count() == 1


def test_families_by_stage_and_by_stage_and_team_are_protected_together(world):
    opened = datetime.date(2025, 4, 2)
    for _ in range(3):
        quick_family(world, opened_on=opened, assessment_started=opened)
    for _ in range(9):
        quick_family(world, opened_on=opened)
    for _ in range(12):
        quick_family(world, team=world.south, opened_on=opened)
    published = returns.make_quarterly_return(by=world.data_team, year=2025, quarter=1)
    by_team = _rows(published, returns.QUARTERLY_TITLES[4])
    stages = _rows(published, returns.QUARTERLY_TITLES[0])
    assert stages["Assessment"] == ["c"] and "3" not in by_team["Assessment"]
    # The stage's row by team adds up to the stage's count, so neither table may give the other away.
    assert by_team["Assessment"][-1] == "c"


def test_the_family_progress_data_counts_distance_travelled(world):
    families = [quick_family(world, opened_on=datetime.date(2025, 1, 5)) for _ in range(13)]
    for family in families[:7]:
        quick_need(world, family, area_code="HEALTH", identified_on=datetime.date(2025, 1, 10),
                   scores=[(BASELINE, 2, datetime.date(2025, 1, 10)), (REVIEW, 4, datetime.date(2025, 6, 1))])
    for family in families[7:]:
        quick_need(world, family, area_code="HEALTH", identified_on=datetime.date(2025, 1, 10),
                   scores=[(BASELINE, 3, datetime.date(2025, 1, 10)), (REVIEW, 3, datetime.date(2025, 6, 1))])
    # Progress recorded only before the half: not counted.
    quick_need(world, families[0], area_code="FINANCE", identified_on=datetime.date(2025, 1, 10),
               scores=[(BASELINE, 2, datetime.date(2025, 1, 10)), (REVIEW, 1, datetime.date(2025, 2, 1))])
    published = returns.make_family_progress_return(by=world.data_team, year=2025, half=1)
    health = HeadlineArea.objects.get(code="HEALTH").label
    rows = published.tables[returns.PROGRESS_TITLE]
    assert rows[0] == ["", returns.IMPROVED, returns.SAME, returns.WORSE, "Total"]
    table = {row[0]: row[1:] for row in rows[1:]}
    assert table[health] == ["7", "6", "0", "13"]
    assert table["Total"] == ["7", "6", "0", "13"]


def test_a_half_year_without_progress_is_refused(world):
    with pytest.raises(ValidationError):
        returns.make_family_progress_return(by=world.data_team, year=2025, half=1)
    assert not PublishedReturn.objects.exists()


def test_the_pages_make_show_and_download_a_return(world, client):
    _quarter_of_families(world)
    client.force_login(world.data_team)
    response = client.post(reverse("reporting:return-quarterly-new"), {"year": "2025", "quarter": "1"})
    published = PublishedReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reporting:return", args=[published.pk])
    page = client.get(reverse("reporting:return", args=[published.pk])).content.decode()
    assert "Small numbers are hidden" in page and returns.QUARTERLY_TITLES[0] in page
    download = client.get(reverse("reporting:return-download", args=[published.pk]))
    text = download.content.decode("utf-8-sig")
    assert download["Content-Disposition"].startswith('attachment; filename="quarterly-2025-04-01-')
    assert "Assessment,c" in text and "Assessment,3" not in text
    assert AuditEvent.objects.filter(action=Action.EXPORT, event="return.quarterly.download").exists()


def test_the_page_shows_the_refusal_for_a_future_quarter(world, client):
    client.force_login(world.data_team)
    response = client.post(reverse("reporting:return-quarterly-new"), {"year": str(today().year + 1), "quarter": "1"})
    assert response.status_code == 200 and returns.FUTURE_PERIOD in response.content.decode()
    assert not PublishedReturn.objects.exists()


@pytest.mark.parametrize("day, quarter, half", [
    (datetime.date(2025, 4, 1), (2025, 1), (2025, 1)), (datetime.date(2025, 6, 30), (2025, 1), (2025, 1)),
    (datetime.date(2025, 7, 1), (2025, 2), (2025, 1)), (datetime.date(2025, 9, 30), (2025, 2), (2025, 1)),
    (datetime.date(2025, 10, 1), (2025, 3), (2025, 2)), (datetime.date(2026, 1, 1), (2025, 4), (2025, 2)),
    (datetime.date(2026, 3, 31), (2025, 4), (2025, 2)),
])
def test_the_quarter_and_half_holding_a_day(day, quarter, half):
    assert returns.quarter_of(day) == quarter and returns.half_of(day) == half
    assert returns.quarter_period(*quarter)[0] <= day <= returns.quarter_period(*quarter)[1]
