"""Ofsted ILACS Annex A, List 2 (early help): columns, codes, dates, the six-month window and the refusals."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework.models import ContactSource
from earlyhelp.people.models import Ethnicity, Gender
from earlyhelp.records.calendar import add_months
from earlyhelp.reporting.services import annex_a
from earlyhelp.ui.forms import today

from .test_returns_world import quick_family

pytestmark = pytest.mark.django_db

EXPECTED_COLUMNS = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                    "Assessment start date", "Assessment completion date", "Organisation completing assessment"]
INSPECTION = datetime.date(2025, 8, 31)  # six months before: 28 February 2025


def _csv_rows(content: bytes):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _closed_family(world, started, **extra):
    """A family whose episode closed before the inspection: on the list only through the six-month window."""
    return quick_family(world, opened_on=started, closed_on=started + datetime.timedelta(days=40),
                        assessment_started=started, assessment_completed=started + datetime.timedelta(days=10),
                        **extra)


def test_the_columns_are_exactly_annex_as_in_order(world):
    _closed_family(world, datetime.date(2025, 5, 1))
    _, _, content = annex_a.export_list_2(by=world.data_team, inspection_date=INSPECTION, file_format="csv")
    assert _csv_rows(content)[0] == EXPECTED_COLUMNS
    _, content_type, content = annex_a.export_list_2(by=world.data_team, inspection_date=INSPECTION,
                                                     file_format="xlsx")
    assert content_type.startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[1]] == EXPECTED_COLUMNS
    assert all(cell.font.bold for cell in sheet[1])


def test_every_gender_and_ethnicity_has_its_annex_a_code_in_dfe_order():
    assert [annex_a.ANNEX_A_GENDER[g] for g in Gender] == ["a) Male", "b) Female", "c) Not stated/recorded",
                                                          "d) Neither"]
    letters = "abcdefghijklmnopqrst"
    assert [annex_a.ANNEX_A_ETHNICITY[e] for e in Ethnicity] == [f"{letter}) {e.value}"
                                                                for letter, e in zip(letters, Ethnicity)]
    assert annex_a.ANNEX_A_ETHNICITY[Ethnicity.WIRT] == "c) WIRT"
    assert annex_a.ANNEX_A_ETHNICITY[Ethnicity.NOBT] == "t) NOBT"


def test_a_row_per_child_with_codes_and_dd_mm_yyyy_dates(world):
    family = _closed_family(world, datetime.date(2025, 5, 1),
                            children=[("female", "BAFR", datetime.date(2012, 9, 1)),
                                      ("neither", "MWAS", datetime.date(2016, 3, 15))])
    listed = annex_a.build_list_2(by=world.data_team, inspection_date=INSPECTION)
    child = family["people"][1][0]
    assert [row[0] for row in listed.rows] == [f"EH{family['people'][1][0].pk}", f"EH{family['people'][2][0].pk}"]
    assert listed.rows[0] == [f"EH{child.pk}", "b) Female", "o) BAFR", "01/09/2012", "12", "01/05/2025",
                              "11/05/2025", "Test Borough Council"]
    assert listed.rows[1][1:5] == ["d) Neither", "h) MWAS", "15/03/2016", "9"]  # age on the inspection date


def test_the_spreadsheet_keeps_dates_as_text(world):
    _closed_family(world, datetime.date(2025, 5, 1))
    _, _, content = annex_a.export_list_2(by=world.data_team, inspection_date=INSPECTION, file_format="xlsx")
    row = [cell for cell in load_workbook(io.BytesIO(content)).active[2]]
    assert row[3].value == "02/01/2015" and row[3].data_type == "s"
    assert row[5].value == "01/05/2025" and row[6].value == "11/05/2025"


def test_an_assessment_not_yet_completed_has_a_blank_completion_date(world):
    quick_family(world, opened_on=datetime.date(2025, 6, 1), assessment_started=datetime.date(2025, 6, 2))
    listed = annex_a.build_list_2(by=world.data_team, inspection_date=INSPECTION)
    assert listed.rows[0][6] == ""


def test_the_six_month_window_includes_its_first_day_and_not_the_day_before(world):
    first_day = add_months(INSPECTION, -6)
    assert first_day == datetime.date(2025, 2, 28)
    inside = _closed_family(world, first_day)
    _closed_family(world, first_day - datetime.timedelta(days=1))
    on_the_day = _closed_family(world, INSPECTION - datetime.timedelta(days=50))
    listed = annex_a.build_list_2(by=world.data_team, inspection_date=INSPECTION)
    assert {row[0] for row in listed.rows} == {f"EH{inside['people'][1][0].pk}", f"EH{on_the_day['people'][1][0].pk}"}


def test_current_interventions_are_listed_whenever_their_assessment_started(world):
    family = quick_family(world, opened_on=datetime.date(2023, 1, 1), assessment_started=datetime.date(2023, 1, 5))
    listed = annex_a.build_list_2(by=world.data_team, inspection_date=INSPECTION)
    assert [row[0] for row in listed.rows] == [f"EH{family['people'][1][0].pk}"]


def test_adults_are_not_listed_and_the_id_is_never_an_nhs_number(world):
    family = _closed_family(world, datetime.date(2025, 5, 1))
    listed = annex_a.build_list_2(by=world.data_team, inspection_date=INSPECTION)
    assert len(listed.rows) == 1
    assert listed.rows[0][0] == f"EH{family['people'][1][0].pk}"
    assert not listed.rows[0][0].isdigit()


@pytest.mark.promise("P2")
def test_an_empty_period_is_refused_clearly_and_no_file_is_made(world, client):
    _closed_family(world, datetime.date(2024, 1, 1))  # long before the window, and closed
    with pytest.raises(ValidationError) as refused:
        annex_a.export_list_2(by=world.data_team, inspection_date=INSPECTION, file_format="csv")
    assert refused.value.message_dict["inspection_date"] == [
        "There were no early help assessments in the six months before 31 August 2025, and no current early help "
        "interventions with an assessment: no file was produced"]
    client.force_login(world.data_team)
    response = client.post(reverse("reporting:annex-a"), {"inspection_date_day": "31", "inspection_date_month": "8",
                                                          "inspection_date_year": "2025", "file_format": "csv"})
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert "no early help assessments in the six months before 31 August 2025" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("value, message", [
    (lambda: today() + datetime.timedelta(days=1), annex_a.FUTURE_DATE),
    (lambda: "31/02/2025", annex_a.NOT_A_DATE),
    (lambda: "not a date", annex_a.NOT_A_DATE),
    (lambda: 20250101, annex_a.NOT_A_DATE),
])
def test_a_future_date_or_not_a_date_is_refused(world, value, message):
    with pytest.raises(ValidationError) as refused:
        annex_a.build_list_2(by=world.data_team, inspection_date=value())
    assert refused.value.message_dict == {"inspection_date": [message]}


def test_the_page_refuses_a_future_date_and_downloads_a_real_list(world, client):
    client.force_login(world.data_team)
    tomorrow = today() + datetime.timedelta(days=1)
    response = client.post(reverse("reporting:annex-a"), {
        "inspection_date_day": tomorrow.day, "inspection_date_month": tomorrow.month,
        "inspection_date_year": tomorrow.year, "file_format": "xlsx"})
    assert "The inspection date must be today or in the past" in response.content.decode()
    _closed_family(world, datetime.date(2025, 5, 1))
    response = client.post(reverse("reporting:annex-a"), {"inspection_date_day": "31", "inspection_date_month": "8",
                                                          "inspection_date_year": "2025", "file_format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="annex-a-list-2-2025-08-31.csv"'
    assert _csv_rows(response.content)[0] == EXPECTED_COLUMNS
    event = AuditEvent.objects.get(action=Action.EXPORT, event="annex_a.list_2.export")
    assert event.actor == world.data_team and event.metadata["rows"] == 1


def test_only_the_data_team_may_produce_the_list(world):
    _closed_family(world, datetime.date(2025, 5, 1))
    with pytest.raises(PermissionDenied):
        annex_a.build_list_2(by=world.manager, inspection_date=INSPECTION)


def test_every_contact_source_has_a_list_1_code():
    assert set(annex_a.LIST_1_SOURCE_CODES) == set(ContactSource)
    assert annex_a.list_1_source_code("school") == "2A"
    assert annex_a.list_1_source_code("police") == "6"
