"""Ofsted ILACS Annex A, List 2 (early help), and the List 1 contact source codes.

List 2 is "all early help assessments in the six months before the date of inspection, plus current early help
interventions coordinated by the local authority". Here that is:

- every assessment started from six calendar months before the inspection date (`records.calendar.add_months`,
  so 31 August counts back to 28 or 29 February) up to and including the inspection date: an assessment started
  exactly six months before is **in**; one started the day before that is out;
- plus every assessment of an episode that is open now (open, or its closure awaiting approval), whenever it
  started: the family is a current intervention and its assessment has been started.

One row per child in the assessment: an assessment member recorded as a child, or anyone under 18 on the
inspection date. An unborn child has no date of birth and is left out (Annex A asks for one). A child whose record
is restricted (UK GDPR Article 18) is left out and counted, so the data team can decide with the data protection
officer what Ofsted is told.

Columns (exactly, in order) are `COLUMNS`. `Child Unique ID` is the person's internal record number, prefixed
(`EH` + the number): stable for as long as the record exists and never an NHS number. `Age of Child (Years)` is the
age in whole years on the inspection date, the date of the list (the column is a snapshot at the date of the list).
Dates are text `dd/mm/yyyy`, as Ofsted's templates expect, in the CSV and the spreadsheet alike.

Nothing here is statistics: List 2 is a list of named children for the inspectors, so it is not put through
disclosure control; it is an export, audited with every family in it.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from earlyhelp.access import policy
from earlyhelp.access.restrictions import restricted_person_ids
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework.models import Assessment, AssessmentMember, ContactSource, episode_is_open
from earlyhelp.people.models import Ethnicity, Gender, MemberRole, age_on
from earlyhelp.records.calendar import add_months
from earlyhelp.records.text import NeutralisedWriter, neutralise_cell
from earlyhelp.ui.forms import format_date, today

# The list is for the inspection of the council's early help: the casework purpose. (The register has no separate
# "inspection" purpose; see the report of this change.)
PURPOSE = Purpose.EARLY_HELP_CASEWORK

COLUMNS = (
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Assessment start date",
    "Assessment completion date",
    "Organisation completing assessment",
)

# Annex A values, written once as data. Gender: the four Annex A codes.
ANNEX_A_GENDER = {
    Gender.MALE: "a) Male",
    Gender.FEMALE: "b) Female",
    Gender.NOT_STATED: "c) Not stated/recorded",
    Gender.NEITHER: "d) Neither",
}

# Ethnicity: the DfE codes lettered a) to t) in the DfE's standard order (the order of `people.Ethnicity`).
ANNEX_A_ETHNICITY = {
    Ethnicity.WBRI: "a) WBRI",
    Ethnicity.WIRI: "b) WIRI",
    Ethnicity.WIRT: "c) WIRT",
    Ethnicity.WOTH: "d) WOTH",
    Ethnicity.WROM: "e) WROM",
    Ethnicity.MWBC: "f) MWBC",
    Ethnicity.MWBA: "g) MWBA",
    Ethnicity.MWAS: "h) MWAS",
    Ethnicity.MOTH: "i) MOTH",
    Ethnicity.AIND: "j) AIND",
    Ethnicity.APKN: "k) APKN",
    Ethnicity.ABAN: "l) ABAN",
    Ethnicity.AOTH: "m) AOTH",
    Ethnicity.BCRB: "n) BCRB",
    Ethnicity.BAFR: "o) BAFR",
    Ethnicity.BOTH: "p) BOTH",
    Ethnicity.CHNE: "q) CHNE",
    Ethnicity.OOTH: "r) OOTH",
    Ethnicity.REFU: "s) REFU",
    Ethnicity.NOBT: "t) NOBT",
}

# List 1 (contacts) "Contact source": the children in need census referral source codes, which Annex A List 1
# uses. Where our source is coarser than the census's, the code is the census's "other" for that group, and the
# entry says so. Uncertain entries are marked: a council may prefer another reading.
LIST_1_SOURCE_CODES = {
    # We do not record whether the child, a parent or a relative made the contact: 1A (family member, relative or
    # carer) is the usual case. Uncertain: a young person's own contact is 1C (self).
    ContactSource.SELF: "1A",
    # 1D (individual: other). Uncertain: a neighbour or childminder is 1B (acquaintance).
    ContactSource.MEMBER_OF_PUBLIC: "1D",
    ContactSource.SCHOOL: "2A",
    # 2B (education services). Uncertain: a childminder is 1B.
    ContactSource.EARLY_YEARS: "2B",
    # 3F (health services: other): we do not record whether it was a GP, health visitor, school nurse or A&E.
    ContactSource.HEALTH: "3F",
    ContactSource.HOUSING: "4",
    # 5A (local authority services: social care), a step-down from children's social care.
    ContactSource.CSC: "5A",
    # 5C (local authority services: external), another council.
    ContactSource.OTHER_LA: "5C",
    ContactSource.POLICE: "6",
    # 8 (other): the census has no voluntary sector code.
    ContactSource.VOLUNTARY: "8",
    ContactSource.OTHER: "8",
}

NOT_A_DATE = "Enter the inspection date as a real date, for example 27 3 2026"
FUTURE_DATE = "The inspection date must be today or in the past"
FILE_FORMATS = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
UNKNOWN_FORMAT = "Choose CSV or Excel spreadsheet"


def nothing_to_list(inspection_date: datetime.date) -> str:
    return (f"There were no early help assessments in the six months before {format_date(inspection_date)}, "
            "and no current early help interventions with an assessment: no file was produced")


def list_1_source_code(source: str) -> str:
    return LIST_1_SOURCE_CODES[ContactSource(source)]


def child_unique_id(person_id: int) -> str:
    return f"EH{person_id}"


def as_dd_mm_yyyy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass(frozen=True)
class List2:
    inspection_date: datetime.date
    window_start: datetime.date
    rows: list[list[str]]
    household_ids: list[int]
    left_out_restricted: int

    @property
    def file_stem(self) -> str:
        return f"annex-a-list-2-{self.inspection_date:%Y-%m-%d}"


def clean_inspection_date(value) -> datetime.date:
    """The inspection date, or a ValidationError keyed `inspection_date`: not a date, or a date in the future."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({"inspection_date": NOT_A_DATE}) from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({"inspection_date": NOT_A_DATE})
    if value > today():
        raise ValidationError({"inspection_date": FUTURE_DATE})
    return value


def _require(by):
    if not policy.has_permission(by, policy.Permission.MAKE_RETURNS):
        raise PermissionDenied("Only the data team may produce the Ofsted list")


def window_start(inspection_date: datetime.date) -> datetime.date:
    """The first day in the list's window: six calendar months before the inspection date, included."""
    return add_months(inspection_date, -6)


def assessments_in_scope(inspection_date: datetime.date):
    start = window_start(inspection_date)
    return Assessment.objects.filter(Q(started_on__gte=start, started_on__lte=inspection_date)
                                     | (episode_is_open("episode") & Q(started_on__lte=inspection_date)))


def build_list_2(*, by, inspection_date) -> List2:
    """The rows of List 2 (not yet exported). Refuses, with a clear message, when there is nothing to list.
    One query, read as plain values: a council's list runs to tens of thousands of children."""
    _require(by)
    inspection_date = clean_inspection_date(inspection_date)
    members = (AssessmentMember.objects
               .filter(assessment__in=assessments_in_scope(inspection_date).values("pk"),
                       person__date_of_birth__isnull=False, person__date_of_birth__lte=inspection_date)
               .order_by("assessment__started_on", "assessment_id", "person_id")
               .values_list("person_id", "role", "person__date_of_birth", "person__gender", "person__ethnicity",
                            "assessment__started_on", "assessment__completed_on",
                            "assessment__completed_by__organisation__name", "assessment__episode__household_id"))
    restricted = set(restricted_person_ids().values_list("person_id", flat=True))
    rows, households, left_out = [], set(), 0
    for (person_id, role, born, gender, ethnicity, started, completed, organisation,
         household_id) in members.iterator(chunk_size=5000):
        age = age_on(born, inspection_date)
        if role != MemberRole.CHILD and age >= 18:
            continue
        if person_id in restricted:
            left_out += 1
            continue
        rows.append([
            child_unique_id(person_id), ANNEX_A_GENDER[Gender(gender)], ANNEX_A_ETHNICITY[Ethnicity(ethnicity)],
            as_dd_mm_yyyy(born), str(age), as_dd_mm_yyyy(started),
            as_dd_mm_yyyy(completed if completed and completed <= inspection_date else None), organisation,
        ])
        households.add(household_id)
    if not rows:
        raise ValidationError({"inspection_date": nothing_to_list(inspection_date)})
    return List2(inspection_date=inspection_date, window_start=window_start(inspection_date), rows=rows,
                 household_ids=sorted(households), left_out_restricted=left_out)


def render_csv(listed: List2) -> bytes:
    out = io.StringIO()
    writer = NeutralisedWriter(csv.writer(out, lineterminator="\r\n"))
    writer.writerow(COLUMNS)
    writer.writerows(listed.rows)
    return out.getvalue().encode("utf-8-sig")  # with a byte order mark, so Excel reads it as UTF-8


def render_xlsx(listed: List2) -> bytes:
    """The list as a workbook: a bold header and every value stored as text (dates included, as the templates
    expect), written row by row in constant memory."""
    import xlsxwriter  # most of a second to import: only this download needs it, not every web worker

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("List 2 Early help")
    bold, text = workbook.add_format({"bold": True}), workbook.add_format({"num_format": "@"})
    for index, title in enumerate(COLUMNS):
        sheet.set_column(index, index, max(14, len(title) + 2))
        sheet.write_string(0, index, title, bold)
    for row_number, row in enumerate(listed.rows, start=1):
        for index, value in enumerate(row):
            if value:  # an empty value stays an empty cell
                sheet.write_string(row_number, index, neutralise_cell(value), text)
    workbook.close()
    return out.getvalue()


@transaction.atomic
def export_list_2(*, by, inspection_date, file_format: str) -> tuple[str, str, bytes]:
    """List 2 as a file: (file name, content type, content). The export is audited with every family in it."""
    _require(by)
    if file_format not in FILE_FORMATS:
        raise ValidationError({"file_format": UNKNOWN_FORMAT})
    listed = build_list_2(by=by, inspection_date=inspection_date)
    content = render_csv(listed) if file_format == "csv" else render_xlsx(listed)
    audit.record(actor=by, action=Action.EXPORT, event="annex_a.list_2.export", purpose=PURPOSE,
                 objects=[("people.household", pk) for pk in listed.household_ids],
                 metadata={"inspection_date": listed.inspection_date.isoformat(), "rows": len(listed.rows),
                           "format": file_format, "left_out_restricted": listed.left_out_restricted})
    return f"{listed.file_stem}.{file_format}", FILE_FORMATS[file_format], content
