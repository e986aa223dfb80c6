"""What each partner dataset may contain: its columns, their types and allowed values, and the rules across them.

The schema is data: `SCHEMAS` holds one `DatasetSchema` per `DatasetType`, so adding a dataset is adding an
entry (and a fact generator in `demo.partner_files` for synthetic files). Every dataset has the person columns
(`person_columns`), with the identifiers that partner holds; the rest are the dataset's facts, kept in
`SourceRecord.facts`.

The sharing agreement says what a partner may send, so a column that is not in the schema is an error, not
something to ignore (data minimisation). Headers are matched ignoring case, spaces, underscores and hyphens,
with a few common aliases ("Forename", "Surname", "DOB").

Cleaning never puts a value from the file into a message: problems name the column and say what is wrong.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import datetime
import random
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from earlyhelp.people import identifiers
from earlyhelp.records import text
from earlyhelp.people.identifiers import IdentifierScheme

from .models import DatasetType

EARLIEST_DATE = datetime.date(1900, 1, 1)
DATE_EXAMPLE = "Enter a real date, like 27/03/2015"
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class CellProblem(Exception):
    """A cell's value is not acceptable; the message names no value from the file."""


def header_key(text: str) -> str:
    """How headers are compared: case, spaces, underscores and hyphens ignored."""
    return re.sub(r"[\s_\-]+", "", str(text).replace("\ufeff", "")).lower()


def _as_text(raw) -> str:
    """A cell as text: spreadsheets give numbers for numeric-looking references (12345.0 means "12345")."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw).strip()


# --- Kinds of value -------------------------------------------------------------------------------------
# Each kind turns a non-empty cell (text from a CSV, or a typed cell from a spreadsheet) into the value kept,
# or raises CellProblem. `label` is the column's name in a sentence ("date of birth").

@dataclasses.dataclass(frozen=True)
class Text:
    max_length: int
    example: str = "ABC-123"

    @property
    def format(self) -> str:
        return f"Text, up to {self.max_length} characters"

    def clean(self, raw, label: str):
        value = text.normalise_text(_as_text(raw))
        if len(value) > self.max_length:
            raise CellProblem(f"The {label} must be {self.max_length} characters or fewer")
        _refuse(text.refuse_control_characters, value, label, multiline=True)  # an address cell may hold lines
        return value


def _refuse(rule, value, label: str, **kwargs):
    """A rule of `records.text` as a cell problem: its message, naming the column ("The given name must ...")."""
    try:
        rule(value, name=label, **kwargs)
    except ValidationError as error:
        raise CellProblem("The " + error.messages[0][:1].lower() + error.messages[0][1:]) from None


@dataclasses.dataclass(frozen=True)
class PersonName:
    """A person's name: the person-name rule of `records.text` (letters, spaces, hyphens, apostrophes and full
    stops), so a name that breaks it never reaches the person index."""

    max_length: int = text.NAME_MAX_LENGTH
    format = "A name: letters, spaces, hyphens, apostrophes and full stops"
    example = "Example"

    def clean(self, raw, label: str) -> str:
        value = text.normalise_name(_as_text(raw))
        if len(value) > self.max_length:
            raise CellProblem(f"The {label} must be {self.max_length} characters or fewer")
        _refuse(text.refuse_bad_name, value, label)
        return value


@dataclasses.dataclass(frozen=True)
class Date:
    """DD/MM/YYYY or YYYY-MM-DD (or a date cell); from 1900, and never in the future: every date a partner
    sends is of something that has happened."""

    format = "A date as DD/MM/YYYY or YYYY-MM-DD, not in the future"
    example = "27/03/2015"

    def clean(self, raw, label: str) -> datetime.date:
        if isinstance(raw, datetime.datetime):
            value = raw.date()
        elif isinstance(raw, datetime.date):
            value = raw
        else:
            value = self._parse(_as_text(raw))
        if value < EARLIEST_DATE:
            raise CellProblem(f"The {label} must be 1900 or later")
        if value > timezone.localdate():
            raise CellProblem(f"The {label} must be today or in the past")
        return value

    @staticmethod
    def _parse(text: str) -> datetime.date:
        if match := _DMY.fullmatch(text):
            day, month, year = (int(part) for part in match.groups())
        elif match := _ISO.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        else:
            raise CellProblem(DATE_EXAMPLE)
        try:
            return datetime.date(year, month, day)
        except ValueError:  # 31/02, month 13
            raise CellProblem(DATE_EXAMPLE) from None


@dataclasses.dataclass(frozen=True)
class Choice:
    """One of a fixed list, given as its code or its label (or an alias), case and spacing ignored."""

    options: tuple[tuple[str, str], ...]  # (code, label)
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, code)

    @property
    def format(self) -> str:
        return "One of: " + "; ".join(name for _, name in self.options)

    @property
    def example(self) -> str:
        return self.options[0][1]

    def clean(self, raw, label: str) -> str:
        accepted = {header_key(code): code for code, _ in self.options}
        accepted |= {header_key(name): code for code, name in self.options}
        accepted |= {header_key(alias): code for alias, code in self.aliases}
        code = accepted.get(header_key(_as_text(raw)))
        if code is None:
            names = [name.lower() for _, name in self.options]
            listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
            raise CellProblem(f"The {label} must be {listed}")
        return code

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.options)


@dataclasses.dataclass(frozen=True)
class Number:
    """A whole number (or, with `places`, a decimal such as 2.5 days or £1,250.50), within limits."""

    minimum: int
    maximum: int
    places: int = 0
    unit: str = ""  # "pounds": a £ sign and thousands commas are allowed

    @property
    def format(self) -> str:
        if self.unit == "pounds":
            return f"An amount in pounds, from {self.minimum:,} to {self.maximum:,}"
        kind = "A number" if self.places else "A whole number"
        return f"{kind} from {self.minimum:,} to {self.maximum:,}"

    @property
    def example(self) -> str:
        if self.unit == "pounds":
            return "1250.50"
        return "2.5" if self.places else str(min(self.maximum, max(self.minimum, 12)))

    def clean(self, raw, label: str):
        if isinstance(raw, bool):
            raise CellProblem(self._problem(label))
        text = _as_text(raw)
        if self.unit == "pounds":
            text = text.replace("£", "").replace(",", "").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise CellProblem(self._problem(label)) from None
        if not value.is_finite():
            raise CellProblem(self._problem(label))
        # The range first: a huge value (1E+30) cannot be rounded to the column's places at all.
        if not self.minimum <= value <= self.maximum:
            raise CellProblem(f"The {label} must be between {self.minimum:,} and {self.maximum:,}")
        if value != value.quantize(Decimal(1).scaleb(-self.places)):
            raise CellProblem(self._problem(label))
        if self.unit == "pounds":
            return f"{value:.2f}"  # kept as text: JSON numbers are floats, and money must stay exact
        return int(value) if value == value.to_integral_value() else float(value)

    def _problem(self, label: str) -> str:
        if self.unit == "pounds":
            return f"The {label} must be an amount in pounds, like 1250.50"
        if self.places:
            return f"The {label} must be a number, like 2.5"
        return f"The {label} must be a whole number, like 12"


@dataclasses.dataclass(frozen=True)
class AcademicYear:
    """2025/26, 2025/2026 or 2025-26; kept as 2025/26."""

    format = "An academic year, like 2025/26"
    example = "2025/26"

    def clean(self, raw, label: str) -> str:
        match = re.fullmatch(r"(20[0-9]{2})\s*[/\-]\s*([0-9]{2}|20[0-9]{2})", _as_text(raw))
        if not match or int(match[2][-2:]) != (int(match[1]) + 1) % 100:
            raise CellProblem(f"The {label} must be like 2025/26")
        if int(match[1]) > timezone.localdate().year:
            raise CellProblem(f"The {label} must not be in the future")
        return f"{match[1]}/{match[2][-2:]}"


@dataclasses.dataclass(frozen=True)
class Term:
    """A funded early years term: Autumn, Spring or Summer and a year, like Autumn 2026."""

    format = "Autumn, Spring or Summer and a year, like Autumn 2026"
    example = "Autumn 2026"

    def clean(self, raw, label: str) -> str:
        match = re.fullmatch(r"(autumn|spring|summer)\s*(?:term)?\s*(20[0-9]{2})", _as_text(raw).lower())
        if not match:
            raise CellProblem(f"The {label} must be a term and a year, like Autumn 2026")
        if int(match[2]) > timezone.localdate().year + 1:
            raise CellProblem(f"The {label} is too far in the future")
        return f"{match[1].title()} {match[2]}"


@dataclasses.dataclass(frozen=True)
class Identifier:
    """An NHS, National Insurance, Unique Pupil or PNC number, checked and normalised by `people.identifiers`."""

    scheme: str

    @property
    def format(self) -> str:
        return IDENTIFIER_FORMATS[self.scheme][0]

    @property
    def example(self) -> str:
        return IDENTIFIER_FORMATS[self.scheme][1]

    def clean(self, raw, label: str) -> str:
        try:
            return identifiers.validate(self.scheme, _as_text(raw))
        except ValidationError as error:
            raise CellProblem(error.messages[0]) from None


@dataclasses.dataclass(frozen=True)
class Postcode:
    format = "A UK postcode"
    example = "SY1 1AA"

    def clean(self, raw, label: str) -> str:
        try:
            return identifiers.validate_postcode(_as_text(raw))
        except ValidationError as error:
            raise CellProblem(error.messages[0]) from None


# How each identifier is written, with a synthetic example that passes its check (NHS numbers from the 999
# range set aside for testing; UPNs with the made-up authority number 999).
_EXAMPLES = random.Random(0)
IDENTIFIER_FORMATS = {
    IdentifierScheme.NHS: ("10 digits, spaces allowed", identifiers.make_nhs_number(_EXAMPLES)),
    IdentifierScheme.NI: ("2 letters, 6 digits and a letter A to D", identifiers.make_ni_number(_EXAMPLES)),
    IdentifierScheme.UPN: ("A letter and 12 digits", identifiers.make_upn(_EXAMPLES)),
    IdentifierScheme.PNC: ("Year, a slash, 7 digits and a letter", identifiers.make_pnc(_EXAMPLES, year=2010)),
}


# --- Columns and rules across them ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Column:
    name: str  # the header partners are asked to use; also the SourceRecord field or the facts key
    label: str  # in a sentence: "date of birth"
    kind: Text | Date | Choice | Number | AcademicYear | Term | Identifier | Postcode
    required: bool = False
    aliases: tuple[str, ...] = ()
    is_fact: bool = True
    sample: str = ""  # the template's example value, where the kind's own would break a rule across columns

    @property
    def format(self) -> str:
        return self.kind.format

    @property
    def example(self) -> str:
        return self.sample or self.kind.example

    def clean(self, raw):
        """The value kept, None for an empty optional cell; CellProblem otherwise."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise CellProblem(f"The {self.label} is missing")
            return None
        return self.kind.clean(raw, self.label)

    def header_keys(self) -> set[str]:
        return {header_key(self.name), header_key(self.label), *(header_key(alias) for alias in self.aliases)}


@dataclasses.dataclass(frozen=True)
class RowRule:
    """A rule across columns, checked only when each column it reads is present and valid."""

    columns: tuple[str, ...]
    column: str  # where the problem is reported
    problem: str
    holds: Callable[..., bool]  # called with the cleaned values of `columns` (None where empty), in order


def end_not_before_start(start: str, end: str, what: str) -> RowRule:
    return RowRule((start, end), end, f"The {what} must be the same as or after the start date",
                   lambda started, ended: started is None or ended is None or ended >= started)


@dataclasses.dataclass(frozen=True)
class DatasetSchema:
    dataset_type: str
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...] = ()

    def __post_init__(self):
        keys = [key for column in self.columns for key in column.header_keys()]
        if len(keys) != len(set(keys)):
            raise ValueError(f"Two columns of {self.dataset_type} share a header or alias")

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def fact_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.is_fact)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def find_column(self, header: str) -> Column | None:
        key = header_key(header)
        return next((column for column in self.columns if key in column.header_keys()), None)


# --- The person columns ------------------------------------------------------------------------------------

REQUIRED, OPTIONAL = True, False
# The template's example row says what it is in its first cell, so that nobody sends it as a real record.
EXAMPLE_ROW_MARK = "EXAMPLE - delete this row"
IDENTIFIER_COLUMNS = {
    "nhs_number": Column("nhs_number", "NHS number", Identifier(IdentifierScheme.NHS), aliases=("nhs", "nhs no"),
                         is_fact=False),
    "ni_number": Column("ni_number", "National Insurance number", Identifier(IdentifierScheme.NI),
                        aliases=("nino", "ni", "ni no"), is_fact=False),
    "upn": Column("upn", "Unique Pupil Number", Identifier(IdentifierScheme.UPN), aliases=("pupil number",),
                  is_fact=False),
    "pnc": Column("pnc", "PNC number", Identifier(IdentifierScheme.PNC),
                  aliases=("pnc id", "police national computer number"), is_fact=False),
}


def person_columns(*, date_of_birth: bool, **identifiers_held: bool) -> tuple[Column, ...]:
    """The columns about who a row is, with `date_of_birth` and each identifier REQUIRED or OPTIONAL."""
    columns = [
        Column("source_record_id", "source record ID", Text(60), REQUIRED, is_fact=False,
               aliases=("record id", "source id", "partner reference"), sample=EXAMPLE_ROW_MARK),
        Column("given_name", "given name", PersonName(), REQUIRED, is_fact=False,
               aliases=("forename", "first name", "firstname"), sample="Example"),
        Column("family_name", "family name", PersonName(), REQUIRED, is_fact=False,
               aliases=("surname", "last name", "lastname"), sample="Testperson"),
        Column("date_of_birth", "date of birth", Date(), date_of_birth, is_fact=False, aliases=("dob", "birth date")),
        Column("gender", "gender", Text(20), OPTIONAL, is_fact=False, aliases=("sex",), sample="Female"),
        Column("address_line_1", "address line 1", Text(200), OPTIONAL, is_fact=False,
               aliases=("address", "address 1", "address line1"), sample="1 Example Street"),
        Column("postcode", "postcode", Postcode(), OPTIONAL, is_fact=False, aliases=("post code",)),
    ]
    for name, required in identifiers_held.items():
        columns.append(dataclasses.replace(IDENTIFIER_COLUMNS[name], required=required))
    return tuple(columns)


PERSON_FIELDS = ("source_record_id", "given_name", "family_name", "date_of_birth", "gender", "address_line_1",
                 "postcode", *IDENTIFIER_COLUMNS)

# --- Allowed values -------------------------------------------------------------------------------------------

DASH_RISK = Choice((("standard", "Standard"), ("medium", "Medium"), ("high", "High")))
DOMESTIC_ABUSE_INVOLVEMENT = Choice((("victim", "Victim"), ("perpetrator", "Perpetrator"),
                                     ("child_present", "Child present")), aliases=(("child", "child_present"),))
ASB_CATEGORY = Choice((("personal", "Personal"), ("nuisance", "Nuisance"), ("environmental", "Environmental")))
OFFENCE_CATEGORY = Choice((
    ("violence", "Violence against the person"), ("sexual", "Sexual offences"), ("robbery", "Robbery"),
    ("theft", "Theft"), ("criminal_damage", "Criminal damage and arson"), ("drugs", "Drug offences"),
    ("weapons", "Possession of weapons"), ("public_order", "Public order offences"),
    ("other", "Miscellaneous crimes against society")),
    aliases=(("violence against the person", "violence"), ("criminal damage", "criminal_damage"),
             ("drug offences", "drugs"), ("public order", "public_order")))
YOUTH_OUTCOME = Choice((
    ("community_resolution", "Community resolution"), ("youth_caution", "Youth caution"),
    ("youth_conditional_caution", "Youth conditional caution"), ("referral_order", "Referral order"),
    ("youth_rehabilitation_order", "Youth rehabilitation order"), ("custody", "Custodial sentence")),
    aliases=(("yco", "youth_conditional_caution"), ("yro", "youth_rehabilitation_order"),
             ("dto", "custody"), ("detention and training order", "custody")))
EXCLUSION_TYPE = Choice((("suspension", "Suspension"), ("permanent_exclusion", "Permanent exclusion")),
                        aliases=(("fixed term exclusion", "suspension"), ("fixed term", "suspension"),
                                 ("permanent", "permanent_exclusion")))
CSC_INVOLVEMENT = Choice((
    ("assessment", "Assessment"), ("child_in_need", "Child in need plan"),
    ("child_protection", "Child protection plan"), ("looked_after", "Looked after")),
    aliases=(("cin", "child_in_need"), ("child in need", "child_in_need"), ("cp", "child_protection"),
             ("cpp", "child_protection"), ("child protection", "child_protection"), ("cla", "looked_after"),
             ("lac", "looked_after"), ("child looked after", "looked_after")))
BENEFIT_TYPE = Choice((
    ("universal_credit", "Universal Credit"), ("jobseekers_allowance", "Jobseeker's Allowance"),
    ("employment_support_allowance", "Employment and Support Allowance"), ("income_support", "Income Support")),
    aliases=(("uc", "universal_credit"), ("jsa", "jobseekers_allowance"), ("jobseekers allowance",
             "jobseekers_allowance"), ("esa", "employment_support_allowance")))
HOMELESSNESS_DUTY = Choice((("prevention", "Prevention duty"), ("relief", "Relief duty")),
                           aliases=(("prevention duty", "prevention"), ("relief duty", "relief")))
NEET_STATUS = Choice((("neet", "NEET"), ("not_known", "Not known")),
                     aliases=(("not in education employment or training", "neet"), ("unknown", "not_known")))


def _sessions_missed_within_possible(possible, authorised, unauthorised) -> bool:
    return authorised + unauthorised <= possible


# --- The datasets ----------------------------------------------------------------------------------------------

SCHEMAS: dict[str, DatasetSchema] = {schema.dataset_type: schema for schema in [
    DatasetSchema(DatasetType.POLICE_DOMESTIC_ABUSE, (
        *person_columns(date_of_birth=OPTIONAL, pnc=OPTIONAL),
        Column("incident_date", "incident date", Date(), REQUIRED),
        Column("risk_level", "DASH risk level", DASH_RISK, REQUIRED, aliases=("dash risk", "risk")),
        Column("involvement", "involvement", DOMESTIC_ABUSE_INVOLVEMENT, REQUIRED, aliases=("role",)),
    )),
    DatasetSchema(DatasetType.POLICE_ASB, (
        *person_columns(date_of_birth=OPTIONAL, pnc=OPTIONAL),
        Column("incident_date", "incident date", Date(), REQUIRED),
        Column("category", "ASB category", ASB_CATEGORY, REQUIRED, aliases=("asb type",)),
    )),
    DatasetSchema(DatasetType.POLICE_OFFENDING, (
        *person_columns(date_of_birth=REQUIRED, pnc=OPTIONAL),
        Column("offence_date", "offence date", Date(), REQUIRED),
        Column("offence_category", "offence category", OFFENCE_CATEGORY, REQUIRED, aliases=("offence type",)),
    )),
    DatasetSchema(DatasetType.YOUTH_CRIME, (
        *person_columns(date_of_birth=REQUIRED, pnc=OPTIONAL),
        Column("offence_date", "offence date", Date(), REQUIRED),
        Column("outcome", "youth justice outcome", YOUTH_OUTCOME, REQUIRED, aliases=("disposal",)),
    )),
    DatasetSchema(DatasetType.SCHOOL_ATTENDANCE, (
        *person_columns(date_of_birth=REQUIRED, upn=REQUIRED),
        Column("academic_year", "academic year", AcademicYear(), REQUIRED),
        Column("sessions_possible", "sessions possible", Number(0, 500), REQUIRED, sample="300"),
        Column("sessions_authorised_absence", "sessions missed with authorisation", Number(0, 500), REQUIRED,
               aliases=("authorised absence", "authorised absences"), sample="10"),
        Column("sessions_unauthorised_absence", "sessions missed without authorisation", Number(0, 500), REQUIRED,
               aliases=("unauthorised absence", "unauthorised absences"), sample="4"),
    ), rules=(
        RowRule(("sessions_possible", "sessions_authorised_absence", "sessions_unauthorised_absence"),
                "sessions_unauthorised_absence",
                "The sessions missed, authorised and unauthorised together, must not be more than the sessions "
                "possible", _sessions_missed_within_possible),
    )),
    DatasetSchema(DatasetType.SCHOOL_EXCLUSIONS, (
        *person_columns(date_of_birth=REQUIRED, upn=REQUIRED),
        Column("exclusion_date", "exclusion start date", Date(), REQUIRED, aliases=("start date",)),
        Column("exclusion_type", "exclusion type", EXCLUSION_TYPE, REQUIRED, aliases=("type",)),
        # A suspension is at most 45 school days in a year (DfE statutory guidance), in half days.
        Column("days", "number of days", Number(0, 45, places=1), OPTIONAL, aliases=("days excluded", "length")),
    ), rules=(
        RowRule(("exclusion_type", "days"), "days", "A suspension must have its number of days, like 2.5",
                lambda kind, days: kind != "suspension" or (days or 0) > 0),
    )),
    DatasetSchema(DatasetType.EHCP, (
        *person_columns(date_of_birth=REQUIRED, upn=OPTIONAL, nhs_number=OPTIONAL),
        Column("ehcp_start_date", "EHCP start date", Date(), REQUIRED, aliases=("plan start date", "start date")),
    )),
    DatasetSchema(DatasetType.EARLY_YEARS_TWO, (
        *person_columns(date_of_birth=REQUIRED, nhs_number=OPTIONAL),
        Column("funded_term", "funded term", Term(), REQUIRED, aliases=("term",)),
        Column("funded_hours", "funded hours a week", Number(1, 15), REQUIRED, aliases=("hours",)),
    )),
    DatasetSchema(DatasetType.EARLY_YEARS_THREE_FOUR, (
        *person_columns(date_of_birth=REQUIRED, nhs_number=OPTIONAL),
        Column("funded_term", "funded term", Term(), REQUIRED, aliases=("term",)),
        Column("funded_hours", "funded hours a week", Number(1, 30), REQUIRED, aliases=("hours",)),
    )),
    DatasetSchema(DatasetType.CSC_INVOLVEMENT, (
        *person_columns(date_of_birth=REQUIRED, nhs_number=OPTIONAL, upn=OPTIONAL),
        Column("involvement_type", "type of involvement", CSC_INVOLVEMENT, REQUIRED, aliases=("involvement",)),
        Column("start_date", "start date", Date(), REQUIRED),
        Column("end_date", "end date", Date(), OPTIONAL),
    ), rules=(end_not_before_start("start_date", "end_date", "end date"),)),
    DatasetSchema(DatasetType.DWP_OUT_OF_WORK, (
        *person_columns(date_of_birth=REQUIRED, ni_number=REQUIRED),
        Column("benefit_type", "benefit", BENEFIT_TYPE, REQUIRED, aliases=("benefit",)),
        Column("out_of_work_since", "out-of-work start date", Date(), REQUIRED, aliases=("claim start date",)),
    )),
    DatasetSchema(DatasetType.HOUSING_ARREARS, (
        *person_columns(date_of_birth=OPTIONAL, ni_number=OPTIONAL),
        Column("arrears_amount", "rent arrears", Number(0, 1_000_000, places=2, unit="pounds"), REQUIRED,
               aliases=("arrears", "rent arrears", "arrears gbp")),
        Column("weeks_in_arrears", "weeks in arrears", Number(0, 520), REQUIRED, aliases=("weeks",)),
    )),
    DatasetSchema(DatasetType.HOUSING_HOMELESSNESS, (
        *person_columns(date_of_birth=OPTIONAL, ni_number=OPTIONAL),
        Column("duty", "homelessness duty", HOMELESSNESS_DUTY, REQUIRED, aliases=("duty owed",)),
        Column("duty_date", "date the duty started", Date(), REQUIRED, aliases=("duty start date",)),
    )),
    DatasetSchema(DatasetType.NEET, (
        *person_columns(date_of_birth=REQUIRED, upn=OPTIONAL),
        Column("neet_status", "NEET status", NEET_STATUS, REQUIRED, aliases=("status",)),
        Column("status_since", "date the status began", Date(), REQUIRED, aliases=("since",)),
    )),
]}

if set(SCHEMAS) != set(DatasetType.values):
    raise RuntimeError("Every dataset type needs a schema")


def schema_for(dataset_type: str) -> DatasetSchema | None:
    return SCHEMAS.get(dataset_type)


def template_csv(schema: DatasetSchema, *, with_example: bool = False) -> str:
    """A CSV template for the dataset: the header row, and optionally one synthetic example row marked as such."""
    out = io.StringIO()
    writer = text.NeutralisedWriter(csv.writer(out, lineterminator="\r\n"))
    writer.writerow(schema.column_names)
    if with_example:
        writer.writerow([column.example for column in schema.columns])
    return out.getvalue()


def fact_labels(dataset_type: str) -> dict[str, str]:
    """Each fact's name as a page shows it ("Incident date"), for `SourceRecord.fact_rows`."""
    schema = SCHEMAS.get(dataset_type)
    if schema is None:
        return {}
    return {column.name: column.label[:1].upper() + column.label[1:] for column in schema.fact_columns}


# --- Reading a file against a schema -----------------------------------------------------------------------

def clean_row(schema: DatasetSchema, raw: dict[str, object]) -> tuple[dict, list[tuple[str, str]]]:
    """The row's cleaned values by column name, and its problems as (column, problem)."""
    cleaned, problems = {}, []
    for column in schema.columns:
        try:
            cleaned[column.name] = column.clean(raw.get(column.name))
        except CellProblem as problem:
            problems.append((column.name, str(problem)))
    failed = {column for column, _ in problems}
    for rule in schema.rules:
        if failed.isdisjoint(rule.columns) and not rule.holds(*(cleaned[name] for name in rule.columns)):
            problems.append((rule.column, rule.problem))
    return cleaned, problems


def fact_value(value):
    """A fact as JSON keeps it: dates as YYYY-MM-DD."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def column_letter(index: int) -> str:
    """A 0-based column position as a spreadsheet names it (0 → A, 26 → AA): how people find a column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def is_blank_row(cells) -> bool:
    return all(_is_blank(cell) for cell in cells)


@dataclasses.dataclass(frozen=True)
class HeaderMatch:
    """Where each schema column is in the file, and what is wrong with the header (as (column, problem))."""

    schema: DatasetSchema
    positions: dict[str, int]  # column name → 0-based position in a row
    unnamed: tuple[int, ...]  # positions with no heading: allowed while every cell under them is empty
    width: int
    problems: tuple[tuple[str, str], ...]


HEADING_MAX_LENGTH = 40
_NOT_A_HEADING = re.compile(r"[0-9]{3}|@|/[0-9]")  # digits in a run, e-mail addresses and dates are data


def _heading_text(cell) -> str | None:
    """An unknown cell's text when it reads as a heading (short, and not like a date, number or e-mail address)."""
    text = _as_text(cell)
    if len(text) > HEADING_MAX_LENGTH or not re.search(r"[A-Za-z]", text) or _NOT_A_HEADING.search(text):
        return None
    return text


def _is_clearly_a_header(matched: int, cells: int) -> bool:
    """A first row where at least two cells, and at least half, are the schema's headings is a header: its other
    cells are headings too, not a person's details, and can be named in a problem."""
    return matched >= 2 and matched * 2 >= cells


SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _separator_problem(schema: DatasetSchema, header: list) -> str:
    """A header whose columns are split by another character than the comma (Excel writes semicolons where the
    comma is the decimal mark): said so, rather than that the first row is not a header."""
    for separator, name in SEPARATORS.items():
        cells = [part for cell in header if isinstance(cell, str) for part in cell.split(separator)]
        if sum(schema.find_column(part.strip()) is not None for part in cells) >= 2:
            return (f"The file's columns are separated by {name}, not commas: save it as \"CSV (comma delimited)\" "
                    "or \"CSV UTF-8\" and upload it again")
    return ""


def match_header(schema: DatasetSchema, header: list) -> HeaderMatch:
    """Match the header row to the schema. Problems name columns by the schema's name; an unknown column by its
    heading only when the row is clearly a header (a file sent without its header has a person's details in its
    first row), otherwise by its letter."""
    positions, unnamed, unknown, problems = {}, [], [], []
    for index, cell in enumerate(header):
        if _is_blank(cell):
            unnamed.append(index)
            continue
        column = schema.find_column(_as_text(cell))
        if column is None:
            unknown.append(index)
        elif column.name in positions:
            problems.append((column.name, f"Two columns are the {column.label}: keep only one"))
        else:
            positions[column.name] = index
    if not positions:
        problems = [("", _separator_problem(schema, header) or "The first row must be the header, naming the columns, "
                                                                 "like " + ", ".join(schema.column_names[:4]))]
    else:
        named = _is_clearly_a_header(len(positions), len(header) - len(unnamed))
        for index in unknown:
            heading = _heading_text(header[index]) if named else None
            where = (f"Unexpected column '{heading}' (column {column_letter(index)})" if heading
                     else f"Column {column_letter(index)}")
            problems.append(("", f"{where} is not one the sharing agreement allows for this dataset: remove it and "
                                 "send the file again"))
        problems += [(column.name, f"Missing column '{column.name}' ({column.label}): add it and send the file again")
                     for column in schema.columns if column.required and column.name not in positions]
    return HeaderMatch(schema, positions, tuple(unnamed), len(header), tuple(problems))


def read_row(header: HeaderMatch, cells: list) -> tuple[dict, list[tuple[str, str]]]:
    """A data row's cleaned values by column name, and its problems as (column, problem)."""
    raw = {name: cells[index] if index < len(cells) else None for name, index in header.positions.items()}
    cleaned, problems = clean_row(header.schema, raw)
    stray = [index for index in header.unnamed if index < len(cells) and not _is_blank(cells[index])]
    stray += [index for index in range(header.width, len(cells)) if not _is_blank(cells[index])]
    problems += [("", f"Column {column_letter(index)} has a value but no heading") for index in stray]
    return cleaned, problems
