"""Partner dataset imports: every dataset imports from CSV and Excel; a bad file is refused with its row, column
and problem (never a value from the file) and nothing is imported; the file is never kept."""

import datetime
import decimal
import io
import json
import random
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone
from faker import Faker

from earlyhelp.audit.models import AuditEvent
from earlyhelp.demo import partner_files
from earlyhelp.matching import imports, schemas
from earlyhelp.matching.models import (
    BatchStatus,
    DatasetType,
    FileFormat,
    ImportBatch,
    SourceRecord,
)
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.people import identifiers
from earlyhelp.privacy.models import ProcessingPurpose
from earlyhelp.testing.agreements import sharing_agreement

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
# A made-up name no generator produces: if it appears in an error report, a value leaked from the file.
TELLTALE = "Zebedeeqxv"


def _people(count=3, seed=7) -> list[dict]:
    """Made-up people as the council might know them; the last has names only (the rest must be invented)."""
    fake, rng = Faker("en_GB"), random.Random(seed)
    fake.seed_instance(seed)
    people = [{"given_name": fake.first_name(), "family_name": fake.last_name(),
               "date_of_birth": datetime.date(2012, 5, 1 + index), "gender": "Female",
               "address_line_1": f"{index + 1} Test Street", "postcode": "sy1 1aa",
               "nhs_number": identifiers.make_nhs_number(rng), "ni_number": identifiers.make_ni_number(rng),
               "upn": identifiers.make_upn(rng), "pnc": identifiers.make_pnc(rng)} for index in range(count - 1)]
    return people + [{"given_name": fake.first_name(), "family_name": fake.last_name()}]


def _csv(header: list[str], rows: list[list]) -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _file(dataset, rows, fmt="csv") -> bytes:
    return partner_files.to_xlsx(rows, dataset) if fmt == "xlsx" else partner_files.to_csv(rows, dataset)


def _stored_files() -> set[str]:
    try:
        return set(default_storage.listdir(imports.STORAGE_FOLDER)[1])
    except FileNotFoundError:
        return set()


@pytest.fixture
def partner(db):
    return Organisation.objects.create(name="Test Partner", type=OrganisationType.POLICE, reference="TP-1")


@pytest.fixture
def purpose(db):
    return ProcessingPurpose.objects.get(code="data_matching")


@pytest.fixture
def agreement(world, partner):
    return sharing_agreement(parties=[partner], recorded_by=world.dpo, reference="ISA-TEST-1")


@pytest.fixture
def upload(world, partner, purpose, agreement):
    """Start an import as the data team; any argument of `start_import` can be changed."""
    def start(content, *, dataset=DatasetType.POLICE_ASB, fmt="csv", **changes):
        arguments = {"by": world.data_team, "dataset_type": dataset, "source_organisation": partner,
                     "received_on": TODAY, "purpose": purpose, "agreement": agreement,
                     "file_name": f"partner_file.{fmt}", "content": content, **changes}
        return imports.start_import(**arguments)
    return start


@pytest.fixture
def nothing_left():
    """After the test: no stored file left behind."""
    before = _stored_files()
    yield
    assert _stored_files() == before


def _rejected(batch, *expected):
    """The batch is rejected with exactly these (row, column, problem), and nothing was imported."""
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED
    assert [(error["row"], error["column"], error["problem"]) for error in batch.errors] == list(expected)
    assert batch.error_count == len(expected)
    assert SourceRecord.objects.count() == 0
    assert batch.stored_file == ""


def _fact(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return f"{value:.2f}" if isinstance(value, decimal.Decimal) else value


# --- Every dataset, both formats -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dataset", DatasetType.values)
def test_every_dataset_imports_whole_from_csv_and_excel(upload, world, partner, purpose, nothing_left, dataset,
                                                        fmt):
    rows = partner_files.rows_for(dataset, _people(), seed=11)
    content = _file(dataset, rows, fmt)
    batch = upload(content, dataset=dataset, fmt=fmt)

    assert (batch.status, batch.errors, batch.error_count) == (BatchStatus.IMPORTED, [], 0)
    assert batch.total_rows == batch.processed_rows == 3
    # Provenance: who sent it, when, under which agreement and purpose, which file, who imported it.
    assert (batch.dataset_type, batch.source_organisation, batch.received_on, batch.purpose) == (
        dataset, partner, TODAY, purpose)
    assert (batch.sharing_agreement_reference, batch.file_name, batch.file_format) == (
        "ISA-TEST-1", f"partner_file.{fmt}", fmt)
    assert batch.file_sha256 == imports._sha256(content) and batch.imported_by == world.data_team
    assert batch.finished_at is not None and batch.stored_file == ""

    schema = schemas.SCHEMAS[dataset]
    records = list(batch.records.order_by("row_number"))
    assert [record.row_number for record in records] == [2, 3, 4]
    for record, row in zip(records, rows):
        assert (record.source_record_id, record.given_name, record.family_name) == (
            row["source_record_id"], row["given_name"], row["family_name"])
        assert record.date_of_birth == row["date_of_birth"]
        assert (record.postcode, record.gender) == (("SY1 1AA", "Female") if row["postcode"] else ("", ""))
        for name in schemas.IDENTIFIER_COLUMNS:
            assert getattr(record, name) == (row.get(name) or "")
        assert record.facts == {column.name: _fact(row[column.name]) for column in schema.fact_columns}
        assert [label for label, _ in record.fact_rows]  # labelled from the schema for the pages
    audit = AuditEvent.objects.get(event="import_batch.imported")
    assert audit.metadata == {"dataset_type": dataset, "rows": 3, "imported": 3, "errors": 0}
    assert audit.object_ids == [batch.pk]


def test_headers_match_whatever_their_case_and_spacing_and_common_aliases(upload):
    content = _csv(["Source Record ID", "Forename", "SURNAME", "DOB", "Post-Code", "incident_date", "ASB Category"],
                   [["A-1", "Ada", "Testperson", "27/03/2015", "sy11aa", "2026-10-01", "Nuisance"]])
    batch = upload(content)
    assert batch.status == BatchStatus.IMPORTED
    record = batch.records.get()
    assert (record.given_name, record.family_name, record.date_of_birth, record.postcode) == (
        "Ada", "Testperson", datetime.date(2015, 3, 27), "SY1 1AA")
    assert record.facts == {"incident_date": "2026-10-01", "category": "nuisance"}


CSV_TEXT = "source_record_id,given_name,family_name,incident_date,category\r\nA-1,Zoë,Testperson,01/10/2026,personal\r\n"


@pytest.mark.parametrize("content", [CSV_TEXT.encode(), b"\xef\xbb\xbf" + CSV_TEXT.encode(), CSV_TEXT.encode("cp1252")],
                         ids=["utf-8", "utf-8 with byte order mark", "windows-1252"])
def test_csv_is_read_as_utf8_with_or_without_bom_or_as_windows_1252(upload, content):
    batch = upload(content)
    assert batch.status == BatchStatus.IMPORTED
    assert batch.records.get().given_name == "Zoë"


def test_excel_dates_may_be_date_cells_or_text_and_blank_rows_are_skipped(upload):
    content = _xlsx([["source_record_id", "given_name", "family_name", "date_of_birth", "incident_date", "category"],
                     ["A-1", "Ada", "Testperson", "27/03/2015", datetime.datetime(2026, 10, 1), "personal"],
                     [None, None, None, None, None, None],
                     [1234, "Bo", "Testperson", datetime.date(2015, 3, 28), "2026-10-02", "Environmental"]])
    batch = upload(content, fmt="xlsx")
    assert batch.status == BatchStatus.IMPORTED and batch.total_rows == 2
    first, second = batch.records.order_by("row_number")
    assert (first.row_number, first.date_of_birth, first.facts["incident_date"]) == (
        2, datetime.date(2015, 3, 27), "2026-10-01")
    assert (second.row_number, second.source_record_id, second.date_of_birth, second.facts["category"]) == (
        4, "1234", datetime.date(2015, 3, 28), "environmental")


# --- The header ---------------------------------------------------------------------------------------------------

ASB_HEADER = ["source_record_id", "given_name", "family_name", "incident_date", "category"]
ASB_ROW = ["A-1", "Ada", "Testperson", "01/10/2026", "personal"]


def test_a_missing_required_column_is_named_by_its_header(upload, nothing_left):
    batch = upload(_csv(ASB_HEADER[:-1], [ASB_ROW[:-1]]))
    _rejected(batch, (1, "category", "Missing column 'category' (ASB category): add it and send the file again"))


def test_a_column_the_agreement_does_not_allow_is_named_by_its_heading_when_the_first_row_is_a_header(upload):
    batch = upload(_csv([*ASB_HEADER, "Postcode2", "Notes"], [[*ASB_ROW, "x", "y"]]))
    _rejected(batch, *[(1, "", f"Unexpected column '{heading}' (column {letter}) is not one the sharing agreement "
                                "allows for this dataset: remove it and send the file again")
                       for heading, letter in [("Postcode2", "F"), ("Notes", "G")]])


@pytest.mark.parametrize("header", [
    ["source_record_id", "given_name", TELLTALE, "01/10/2026", "Zed", "Other"],  # mostly not headings
    [*ASB_HEADER, "27/03/2015"], [*ASB_HEADER, "ada@example.org"], [*ASB_HEADER, "9991234567"],
], ids=["not clearly a header", "a date", "an e-mail address", "a number"])
def test_an_unknown_cell_that_may_be_data_is_named_by_its_letter_only(upload, header):
    batch = upload(_csv(header, [[*ASB_ROW, "x"]]))
    assert batch.status == BatchStatus.REJECTED
    unknown = [error["problem"] for error in batch.errors if "sharing agreement allows" in error["problem"]]
    assert unknown and all(problem.startswith("Column ") for problem in unknown)
    assert not any(value in json.dumps(batch.errors) for value in (TELLTALE, "Zed", "27/03", "ada@", "99912"))


def test_a_column_twice_and_values_without_a_heading_are_problems(upload):
    batch = upload(_csv([*ASB_HEADER, "Surname"], [[*ASB_ROW, "Other"]]))
    _rejected(batch, (1, "family_name", "Two columns are the family name: keep only one"))
    batch = upload(_csv([*ASB_HEADER, ""], [[*ASB_ROW, ""], ["B-2", *ASB_ROW[1:], "stray", "more"]]))
    _rejected(batch, (3, "", "Column F has a value but no heading"), (3, "", "Column G has a value but no heading"))


def test_a_file_without_its_header_is_refused_without_echoing_the_first_row(upload):
    rows = [[f"A-{n}", TELLTALE, "Testperson", "01/10/2026", "personal"] for n in range(3)]
    batch = upload(_csv(rows[0], rows[1:]))
    _rejected(batch, (1, "", "The first row must be the header, naming the columns, like source_record_id, "
                             "given_name, family_name, date_of_birth"))
    assert TELLTALE not in json.dumps(batch.errors)


# --- Files that cannot be read --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,content,problem", [
    ("xlsx", b"PK\x03\x04" + bytes(range(256)) * 8,
     "The Excel workbook is damaged and cannot be read: save it again from Excel and upload it again"),
    ("csv", b"\r\n\r\n", "The file has no header row: the first row must name the columns"),
    ("csv", ",".join(ASB_HEADER).encode() + b"\r\n\r\n", imports.NO_ROWS),
    ("csv", b"source_record_id\x01\x02\x03,given_name\r\n",
     "The file is not a CSV file: it holds characters that are not text"),
    ("csv", b"\x81\x8d\x8f\x90\x9d" * 10,
     "The file's characters cannot be read: save it as CSV UTF-8 and upload it again"),
], ids=["corrupt workbook", "no header", "header only", "control characters", "undecodable"])
def test_an_unreadable_file_is_rejected_with_a_file_level_problem(upload, nothing_left, fmt, content, problem):
    _rejected(upload(content, fmt=fmt), (1, "", problem))


def test_an_unexpected_failure_rejects_the_batch_and_logs_only_the_kind_of_error(upload, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise ValueError(f"{TELLTALE} broke it")
    monkeypatch.setattr(schemas, "match_header", explode)
    batch = upload(_csv(ASB_HEADER, [ASB_ROW]))
    _rejected(batch, (1, "", imports.GENERIC_PROBLEM))
    assert "ValueError" in caplog.text and TELLTALE not in caplog.text


# --- Checks made at upload -----------------------------------------------------------------------------------------

VALID_ASB = _csv(ASB_HEADER, [ASB_ROW])


@pytest.mark.parametrize("changes,field,problem", [
    ({"file_name": "", "content": b""}, "file", "Choose the file to upload"),
    ({"content": b""}, "file", "The file is empty: choose the file the partner sent"),
    ({"file_name": "partner.xls", "content": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100}, "file",
     "Older Excel files (XLS) cannot be read: save it as an Excel workbook (XLSX) or CSV"),
    ({"file_name": "partner.txt"}, "file", "The file must be a CSV or an Excel workbook (XLSX)"),
    ({"file_name": "partner"}, "file", "The file must be a CSV or an Excel workbook (XLSX)"),
    ({"file_name": "partner.xlsx"}, "file", "The file's name ends in .xlsx but it is not an Excel workbook: save it "
                                            "from Excel as XLSX or CSV and upload it again"),
    ({"file_name": "partner.XLSX", "content": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100}, "file",
     "The Excel file is password-protected or in an older format: remove the password, save it as an Excel "
     "workbook (XLSX) and upload it again"),
    ({"content": b"PK\x03\x04rest of a workbook"}, "file", "The file's name ends in .csv but it is a spreadsheet: "
                                                            "save it as CSV, or upload the Excel workbook with its "
                                                            ".xlsx name"),
    ({"content": b"source_record_id\x00,\x00g\x00"}, "file",
     "The file's name ends in .csv but it is not text: save it as CSV UTF-8 and upload it again"),
    ({"dataset_type": "police_gossip"}, "dataset_type",
     "This is not a dataset the council imports: choose one from the list"),
    ({"received_on": TODAY + datetime.timedelta(days=1)}, "received_on",
     "The date the file was sent must be today or in the past"),
    ({"received_on": None}, "received_on", "Enter the date the file was sent"),
    ({"agreement": None}, "agreement", "Choose the data-sharing agreement the file arrived under"),
    ({"source_organisation": None}, "source_organisation", "Choose the partner that sent the file"),
])
def test_a_request_that_cannot_be_imported_is_refused_at_once(upload, nothing_left, changes, field, problem):
    with pytest.raises(ValidationError) as raised:
        upload(**{"content": VALID_ASB, **changes})
    assert raised.value.message_dict == {field: [problem]}
    assert ImportBatch.objects.count() == 0 and SourceRecord.objects.count() == 0


def test_an_inactive_purpose_an_inactive_partner_and_the_council_itself_are_refused(upload, world, purpose,
                                                                                   partner):
    purpose.is_active = False
    purpose.save()
    partner.is_active = False
    partner.save()
    with pytest.raises(ValidationError) as raised:
        upload(VALID_ASB)
    assert raised.value.message_dict == {
        "purpose": ["This purpose is no longer in use in the processing register: choose another"],
        "source_organisation": ["This partner is no longer active: choose the partner that sent the file"]}
    purpose.is_active = True
    purpose.save()
    with pytest.raises(ValidationError) as raised:
        upload(VALID_ASB, source_organisation=world.council)
    assert raised.value.message_dict == {
        "source_organisation": ["The council is not a partner: choose the partner that sent the file"]}
    assert ImportBatch.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(upload, settings, nothing_left):
    settings.MATCHING_MAX_UPLOAD_BYTES = 2 * 1024
    with pytest.raises(ValidationError) as raised:
        upload(VALID_ASB + b"A-2,Bo,Testperson,01/10/2026,personal\r\n" * 100)
    assert raised.value.message_dict == {"file": ["The file must be smaller than 2 KB"]}
    assert ImportBatch.objects.count() == 0


def test_the_same_file_twice_is_refused_with_the_batch_it_was_imported_as(upload, nothing_left):
    first = upload(VALID_ASB)
    assert first.status == BatchStatus.IMPORTED
    with pytest.raises(ValidationError) as raised:
        upload(VALID_ASB, file_name="renamed.csv")
    assert raised.value.message_dict == {"file": [f"This file has already been imported as {first.reference}"]}
    assert ImportBatch.objects.count() == 1 and SourceRecord.objects.count() == 1


def test_a_file_rejected_once_may_be_sent_again(upload):
    bad = _csv(ASB_HEADER, [[*ASB_ROW[:3], "soon", "personal"]])
    assert upload(bad).status == BatchStatus.REJECTED
    assert upload(bad).status == BatchStatus.REJECTED
    assert ImportBatch.objects.count() == 2


def test_two_uploads_of_one_file_checked_together_import_it_once(upload, monkeypatch):
    class NotRun:
        @staticmethod
        def enqueue(**kwargs):
            return None
    monkeypatch.setattr("earlyhelp.matching.tasks.import_task", NotRun)
    first, second = upload(VALID_ASB), upload(VALID_ASB)
    assert first.status == second.status == BatchStatus.QUEUED
    assert imports.run_import(first.pk).status == BatchStatus.IMPORTED
    second = imports.run_import(second.pk)
    assert second.status == BatchStatus.REJECTED
    assert second.errors == [{"row": 1, "column": "",
                                        "problem": f"This file has already been imported as {first.reference}"}]
    assert SourceRecord.objects.count() == 1


@pytest.mark.parametrize("role", ["lead", "manager", "dpo", "admin", "partner"])
def test_only_the_data_team_may_import(upload, world, role, nothing_left):
    with pytest.raises(PermissionDenied):
        upload(VALID_ASB, by=world.users[role])
    assert ImportBatch.objects.count() == 0 and SourceRecord.objects.count() == 0


# --- Rows ------------------------------------------------------------------------------------------------------------

def _with(dataset, changes_by_row: dict[int, dict], fmt="csv") -> bytes:
    """A valid file for `dataset` (three rows: file rows 2-4), with cells changed by file row number."""
    rows = partner_files.rows_for(dataset, _people(), seed=5)
    for row_number, changes in changes_by_row.items():
        rows[row_number - 2].update(changes)
    return _file(dataset, rows, fmt)


def test_bad_dates_are_named_by_row_and_column(upload, nothing_left):
    future = TODAY + datetime.timedelta(days=1)
    content = _with(DatasetType.CSC_INVOLVEMENT, {
        2: {"date_of_birth": "next Tuesday", "start_date": "2024-02-30"},
        3: {"date_of_birth": "31/02/2015", "start_date": datetime.date(2025, 5, 1),
            "end_date": datetime.date(2025, 4, 30)},
        4: {"date_of_birth": future, "start_date": "1899-12-31"},
    })
    batch = upload(content, dataset=DatasetType.CSC_INVOLVEMENT)
    _rejected(batch,
              (2, "date_of_birth", "Enter a real date, like 27/03/2015"),
              (2, "start_date", "Enter a real date, like 27/03/2015"),
              (3, "date_of_birth", "Enter a real date, like 27/03/2015"),
              (3, "end_date", "The end date must be the same as or after the start date"),
              (4, "date_of_birth", "The date of birth must be today or in the past"),
              (4, "start_date", "The start date must be 1900 or later"))


@pytest.mark.parametrize("dataset,column,value,problem", [
    (DatasetType.SCHOOL_ATTENDANCE, "upn", "A801200005001",
     "This Unique Pupil Number's check letter is wrong: check it has been copied correctly"),
    (DatasetType.SCHOOL_ATTENDANCE, "upn", "", "The Unique Pupil Number is missing"),
    (DatasetType.DWP_OUT_OF_WORK, "ni_number", "QQ123456C",
     "A National Insurance number cannot start with D, F, I, Q, U or V"),
    (DatasetType.POLICE_OFFENDING, "pnc", "09/0012345A",
     "This Police National Computer number's check letter is wrong: check it has been copied correctly"),
    (DatasetType.EHCP, "nhs_number", "9434765918",
     "This NHS number's check digit is wrong: check it has been copied correctly"),
    (DatasetType.POLICE_ASB, "postcode", "SY1", "Enter a full UK postcode, like SW1A 1AA"),
    (DatasetType.POLICE_ASB, "given_name", "", "The given name is missing"),
    (DatasetType.POLICE_ASB, "family_name", "x" * 101, "The family name must be 100 characters or fewer"),
    # The person-name rule (records.text): a name that breaks it never reaches the person index.
    (DatasetType.POLICE_ASB, "family_name", "=cmd|' /C calc'!A0",
     "The family name must only include letters, spaces, hyphens, apostrophes and full stops"),
    (DatasetType.POLICE_ASB, "given_name", "Sam2",
     "The given name must only include letters, spaces, hyphens, apostrophes and full stops"),
    (DatasetType.POLICE_ASB, "given_name", "Sa\u202em",
     "The given name must not include hidden formatting characters: type it in again instead of copying and "
     "pasting it"),
    (DatasetType.POLICE_ASB, "family_name", "Jo\u200bnes",
     "The family name must not include hidden formatting characters: type it in again instead of copying and "
     "pasting it"),
    (DatasetType.POLICE_ASB, "address_line_1", "1 High Street\u202e",
     "The address line 1 must not include hidden formatting characters: type it in again instead of copying and "
     "pasting it"),
])
def test_bad_identifiers_and_details_are_named_by_row_and_column(upload, nothing_left, dataset, column, value,
                                                                 problem):
    batch = upload(_with(dataset, {3: {column: value}}), dataset=dataset)
    _rejected(batch, (3, column, problem))


@pytest.mark.parametrize("dataset,changes,column,problem", [
    (DatasetType.POLICE_DOMESTIC_ABUSE, {"risk_level": "very high"}, "risk_level",
     "The DASH risk level must be standard, medium or high"),
    (DatasetType.SCHOOL_ATTENDANCE, {"sessions_possible": 10, "sessions_authorised_absence": 6,
                                     "sessions_unauthorised_absence": 5}, "sessions_unauthorised_absence",
     "The sessions missed, authorised and unauthorised together, must not be more than the sessions possible"),
    (DatasetType.SCHOOL_ATTENDANCE, {"sessions_possible": "12.5"}, "sessions_possible",
     "The sessions possible must be a whole number, like 12"),
    (DatasetType.SCHOOL_ATTENDANCE, {"academic_year": "2025/27"}, "academic_year",
     "The academic year must be like 2025/26"),
    (DatasetType.SCHOOL_EXCLUSIONS, {"exclusion_type": "Suspension", "days": ""}, "days",
     "A suspension must have its number of days, like 2.5"),
    (DatasetType.SCHOOL_EXCLUSIONS, {"exclusion_type": "suspension", "days": "46"}, "days",
     "The number of days must be between 0 and 45"),
    (DatasetType.HOUSING_ARREARS, {"arrears_amount": "-12.00"}, "arrears_amount",
     "The rent arrears must be between 0 and 1,000,000"),
    (DatasetType.HOUSING_ARREARS, {"arrears_amount": "lots"}, "arrears_amount",
     "The rent arrears must be an amount in pounds, like 1250.50"),
    (DatasetType.EARLY_YEARS_TWO, {"funded_hours": 30}, "funded_hours",
     "The funded hours a week must be between 1 and 15"),
    (DatasetType.EARLY_YEARS_TWO, {"funded_term": "Michaelmas"}, "funded_term",
     "The funded term must be a term and a year, like Autumn 2026"),
    (DatasetType.NEET, {"status_since": ""}, "status_since", "The date the status began is missing"),
    # A number too large to round to the column's places was a "tell the system administrator" for the whole file.
    (DatasetType.HOUSING_ARREARS, {"arrears_amount": "1E+30"}, "arrears_amount",
     "The rent arrears must be between 0 and 1,000,000"),
    (DatasetType.EARLY_YEARS_TWO, {"funded_hours": "1E+30"}, "funded_hours",
     "The funded hours a week must be between 1 and 15"),
    (DatasetType.SCHOOL_EXCLUSIONS, {"exclusion_type": "suspension", "days": "-1E+30"}, "days",
     "The number of days must be between 0 and 45"),
])
def test_bad_facts_are_named_by_row_and_column(upload, nothing_left, dataset, changes, column, problem):
    _rejected(upload(_with(dataset, {4: changes}), dataset=dataset), (4, column, problem))


def test_a_huge_number_in_an_excel_cell_is_named_by_row_and_column(upload, nothing_left):
    content = _with(DatasetType.HOUSING_ARREARS, {3: {"arrears_amount": 1e30}}, fmt="xlsx")
    _rejected(upload(content, dataset=DatasetType.HOUSING_ARREARS, fmt="xlsx"),
              (3, "arrears_amount", "The rent arrears must be between 0 and 1,000,000"))


def _asb_lines() -> list[str]:
    return _with(DatasetType.POLICE_ASB, {}).decode().split("\r\n")


def test_an_unclosed_quote_is_named_by_its_row(upload, nothing_left):
    lines = _asb_lines()
    lines[2] = '"' + lines[2]  # row 3 opens a quote that is never closed
    _rejected(upload("\r\n".join(lines).encode()),
              (3, "", "A quote mark (\") in this row is never closed, so the rest of the file reads as one cell: "
                      "close it, or remove it"))


def test_text_after_a_closing_quote_is_named_by_its_row(upload, nothing_left):
    lines = _asb_lines()
    lines[3] = '"A-9"x' + lines[3][lines[3].index(","):]
    _rejected(upload("\r\n".join(lines).encode()),
              (4, "", "A quote mark (\") in this row is followed by more text in the same cell: a cell that starts "
                      "with a quote mark must end with one, and quote marks inside it must be doubled (\"\")"))


def test_a_very_long_cell_is_too_long_for_its_column_not_a_quote_problem(upload, nothing_left):
    content = _with(DatasetType.POLICE_ASB, {3: {"given_name": "x" * 200_000}})
    _rejected(upload(content), (3, "given_name", "The given name must be 100 characters or fewer"))


@pytest.mark.parametrize("separator,name", [(";", "semicolons (;)"), ("\t", "tabs")])
def test_a_file_separated_by_semicolons_or_tabs_is_said_to_be(upload, nothing_left, separator, name):
    text = _with(DatasetType.POLICE_ASB, {}).decode().replace(",", separator)
    _rejected(upload(text.encode()),
              (1, "", f"The file's columns are separated by {name}, not commas: save it as \"CSV (comma delimited)\" "
                      "or \"CSV UTF-8\" and upload it again"))


def test_facts_are_accepted_by_label_alias_or_code_and_kept_as_codes(upload):
    content = _with(DatasetType.HOUSING_ARREARS, {2: {"arrears_amount": "£1,250.5"}})
    record = upload(content, dataset=DatasetType.HOUSING_ARREARS).records.get(row_number=2)
    assert record.facts["arrears_amount"] == "1250.50"
    content = _with(DatasetType.CSC_INVOLVEMENT, {2: {"involvement_type": "CPP"}, 3: {"involvement_type": "Looked "
                                                                                                          "After"}})
    batch = upload(content, dataset=DatasetType.CSC_INVOLVEMENT)
    assert [record.facts["involvement_type"] for record in batch.records.order_by("row_number")][:2] == [
        "child_protection", "looked_after"]


def test_the_same_source_record_id_twice_in_a_file_is_a_problem(upload, nothing_left):
    content = _with(DatasetType.POLICE_ASB, {3: {"source_record_id": "ASB-SAME"}, 4: {"source_record_id": "ASB-SAME"}})
    _rejected(upload(content), (4, "source_record_id", "Row 3 has the same source record ID: each row must have its "
                                                       "own"))


def test_problems_never_carry_a_value_from_the_file(upload, caplog):
    telltale = {"source_record_id": TELLTALE * 7, "given_name": TELLTALE * 11, "family_name": TELLTALE * 11,
                "date_of_birth": TELLTALE, "postcode": TELLTALE, "pnc": TELLTALE, "incident_date": TELLTALE,
                "category": TELLTALE}
    for fmt in ("csv", "xlsx"):
        batch = upload(_with(DatasetType.POLICE_ASB, {2: telltale, 3: telltale}, fmt), fmt=fmt)
        _rejected(batch, *[(row, column, problem) for row in (2, 3) for column, problem in [
            ("source_record_id", "The source record ID must be 60 characters or fewer"),
            ("given_name", "The given name must be 100 characters or fewer"),
            ("family_name", "The family name must be 100 characters or fewer"),
            ("date_of_birth", "Enter a real date, like 27/03/2015"),
            ("postcode", "Enter a full UK postcode, like SW1A 1AA"),
            ("pnc", "A Police National Computer number must be a 2- or 4-digit year, a slash, up to 7 digits and "
                    "a check letter, like 09/0012345E"),
            ("incident_date", "Enter a real date, like 27/03/2015"),
            ("category", "The ASB category must be personal, nuisance or environmental")]])
    events = json.dumps(list(AuditEvent.objects.values("event", "metadata", "object_ids")))
    assert TELLTALE.lower() not in (events + caplog.text).lower()


def test_the_error_report_is_capped_but_the_count_is_exact(upload, monkeypatch):
    monkeypatch.setattr(imports, "MAX_STORED_ERRORS", 3)
    content = _csv(ASB_HEADER, [[f"A-{n}", "Ada", "Testperson", "soon", "personal"] for n in range(5)])
    batch = upload(content)
    assert batch.status == BatchStatus.REJECTED and batch.error_count == 5
    assert [error["row"] for error in batch.errors] == [2, 3, 4]
    assert AuditEvent.objects.get(event="import_batch.rejected").metadata == {
        "dataset_type": "police_asb", "rows": 5, "imported": 0, "errors": 5}


# --- All or nothing, progress, the stored file ---------------------------------------------------------------------

def test_a_failure_while_inserting_leaves_no_rows(upload, monkeypatch, caplog, nothing_left):
    monkeypatch.setattr(imports, "INSERT_CHUNK", 2)
    real_bulk_create, calls = SourceRecord.objects.bulk_create, []

    def fail_on_second_chunk(objects, *args, **kwargs):
        calls.append(len(objects))
        if len(calls) == 2:
            raise DatabaseError(f"disk full while writing {TELLTALE}")
        return real_bulk_create(objects, *args, **kwargs)
    monkeypatch.setattr(SourceRecord.objects, "bulk_create", fail_on_second_chunk)
    content = _csv(ASB_HEADER, [[f"A-{n}", TELLTALE, "Testperson", "01/10/2026", "personal"] for n in range(5)])

    batch = upload(content)
    assert calls == [2, 2]  # the first chunk was written before the failure, and rolled back with it
    _rejected(batch, (1, "", imports.GENERIC_PROBLEM))
    assert "DatabaseError" in caplog.text and TELLTALE not in caplog.text


def test_progress_is_saved_as_rows_are_checked_and_ends_at_the_row_count(world, partner, purpose, agreement,
                                                                         monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    seen = []

    def watch(processed, total):  # what the batch's page would read at that moment
        stored = ImportBatch.objects.get()
        seen.append((processed, total, stored.processed_rows, stored.total_rows, stored.status))
    content = _csv(ASB_HEADER, [[f"A-{n}", "Ada", "Testperson", "01/10/2026", "personal"] for n in range(5)])
    batch = imports.import_file(by=world.data_team, dataset_type=DatasetType.POLICE_ASB, source_organisation=partner,
                                received_on=TODAY, purpose=purpose, agreement=agreement,
                                file_name="asb.csv", content=content, on_progress=watch)
    assert [(processed, total) for processed, total, *_ in seen] == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert all(tuple(page) == (processed, total, "validating") for processed, total, *page in seen)
    assert (batch.status, batch.processed_rows, batch.total_rows) == (BatchStatus.IMPORTED, 5, 5)


@pytest.mark.parametrize("content", [VALID_ASB, _csv(ASB_HEADER, [[*ASB_ROW[:3], "soon", "personal"]])],
                         ids=["imported", "rejected"])
def test_the_file_is_stored_under_a_random_name_while_checked_then_deleted(world, partner, purpose, agreement,
                                                                           content):
    names = []

    def watch(processed, total):
        stored_file = ImportBatch.objects.get().stored_file
        assert default_storage.exists(stored_file)
        names.append(stored_file)
    before = _stored_files()
    batch = imports.import_file(by=world.data_team, dataset_type=DatasetType.POLICE_ASB, source_organisation=partner,
                                received_on=TODAY, purpose=purpose, agreement=agreement,
                                file_name="Ada Testperson.csv", content=content, on_progress=watch)
    assert re.fullmatch(rf"{imports.STORAGE_FOLDER}/[0-9a-f]{{32}}\.csv", names[0])
    assert not default_storage.exists(names[0]) and _stored_files() == before
    assert batch.stored_file == "" and batch.file_format == FileFormat.CSV


def test_a_batch_already_checked_is_left_as_it_is(upload):
    batch = upload(VALID_ASB)
    assert imports.run_import(batch.pk).status == BatchStatus.IMPORTED
    assert SourceRecord.objects.count() == 1
    assert AuditEvent.objects.filter(event="import_batch.imported").count() == 1


def test_queueing_is_audited_with_counts_and_codes_only(upload):
    batch = upload(VALID_ASB)
    event = AuditEvent.objects.get(event="import_batch.queue")
    assert event.object_ids == [batch.pk]
    assert event.metadata == {"dataset_type": "police_asb", "file_format": "csv", "bytes": len(VALID_ASB)}


# --- The management command -------------------------------------------------------------------------------------------

def _command(tmp_path, content, *, name="partner.csv", **changes):
    """Run the command on `content` (None: no file at the path); its output is left in _command.out and .err."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    options = {"dataset": "police_asb", "organisation": "TP-1", "received": TODAY.isoformat(),
               "agreement": "ISA-TEST-1", "user": "data_analyst", **changes}
    out, err = io.StringIO(), io.StringIO()
    arguments = [str(path)] + [part for key, value in options.items() for part in (f"--{key}", value)]
    try:
        call_command("import_partner_data", *arguments, stdout=out, stderr=err)
    finally:
        _command.out, _command.err = out.getvalue(), err.getvalue()


def test_the_command_imports_a_file_and_prints_progress(world, partner, agreement, tmp_path, nothing_left):
    rows = partner_files.rows_for(DatasetType.POLICE_ASB, _people(), seed=3)
    _command(tmp_path, partner_files.to_xlsx(rows, DatasetType.POLICE_ASB), name="asb.xlsx")
    batch = ImportBatch.objects.get()
    assert _command.out.splitlines() == ["Checked 0 of 3 rows", "Checked 3 of 3 rows",
                                         f"Imported 3 rows as {batch.reference}"]
    assert (batch.status, batch.source_organisation, batch.sharing_agreement_reference, batch.file_name) == (
        BatchStatus.IMPORTED, partner, "ISA-TEST-1", "asb.xlsx")
    assert batch.agreement == agreement
    assert SourceRecord.objects.count() == 3


def test_the_command_prints_the_problems_and_fails(world, partner, agreement, tmp_path, nothing_left):
    content = _csv(ASB_HEADER, [ASB_ROW, ["A-2", *ASB_ROW[1:3], "31/02/2026", "gossip"]])
    with pytest.raises(CommandError, match=r"^DM-\d{5} rejected with 2 problems: nothing was imported$"):
        _command(tmp_path, content, organisation=str(partner.pk))
    assert _command.err.splitlines() == [
        "Row 3, incident_date: Enter a real date, like 27/03/2015",
        "Row 3, category: The ASB category must be personal, nuisance or environmental"]
    assert SourceRecord.objects.count() == 0


@pytest.mark.parametrize("changes,message", [
    ({"content": None}, "There is no file at the path given"),
    ({"dataset": "gossip"}, "--dataset must be one of: police_domestic_abuse"),
    ({"organisation": "NOPE"}, "No partner organisation has that id or reference"),
    ({"received": "1/11/2026"}, "--received must be a date like 2026-11-01"),
    ({"received": (TODAY + datetime.timedelta(days=3)).isoformat()},
     "The date the file was sent must be today or in the past"),
    ({"purpose": "gossip"}, "There is no purpose with that code in the processing register"),
    ({"user": "nobody"}, "There is no user with that username"),
    ({"user": "lead_north"}, "Only a member of the data team may import partner data"),
    ({"agreement": "ISA-NONE"}, "There is no data-sharing agreement with that reference in the register"),
])
def test_the_command_refuses_bad_arguments(world, partner, agreement, tmp_path, changes, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        _command(tmp_path, **{"content": VALID_ASB, **changes})
    assert ImportBatch.objects.count() == 0


def test_a_check_interrupted_by_a_dead_worker_is_rejected_and_its_file_deleted(world, partner, purpose):
    stored = default_storage.save(f"{imports.STORAGE_FOLDER}/{'a' * 32}.csv", io.BytesIO(VALID_ASB))
    batch = ImportBatch.objects.create(
        dataset_type=DatasetType.POLICE_ASB, source_organisation=partner, received_on=TODAY, purpose=purpose,
        sharing_agreement_reference="ISA-1", file_name="asb.csv", file_format=FileFormat.CSV, file_sha256="f" * 64,
        stored_file=stored, status=BatchStatus.VALIDATING, imported_by=world.data_team)
    assert imports.end_stale_batches().failed == 0  # still within the time a check may take
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - imports.STALE_AFTER)
    assert imports.end_stale_batches().failed == 1
    batch.refresh_from_db()
    assert (batch.status, batch.errors[0]["problem"], batch.stored_file) == (
        BatchStatus.REJECTED, imports.INTERRUPTED, "")
    assert not default_storage.exists(stored) and not SourceRecord.objects.exists()
