"""Synthetic partner files for tests and the demonstration: made-up rows that pass their dataset's schema.

    rows = rows_for(DatasetType.POLICE_ASB, people, seed=1)   # people: dicts of what the partner knows
    content = to_csv(rows, DatasetType.POLICE_ASB)             # or to_xlsx(...)

Everything here is invented (Faker's en_GB locale and `people.identifiers`' generators, whose NHS numbers are in
the range reserved for testing). Never put real data through it. Facts are realistic for each dataset: a
suspension has days, sessions missed never exceed sessions possible, an end date follows its start date.
"""

import csv
import datetime
import io
import random
from decimal import Decimal

import openpyxl
from django.utils import timezone
from faker import Faker

from earlyhelp.matching import schemas
from earlyhelp.matching.models import DatasetType
from earlyhelp.people import identifiers

# Ages of the people each partner holds records about, for a date of birth a person dict does not give.
AGE_RANGE = {
    DatasetType.POLICE_DOMESTIC_ABUSE: (18, 60), DatasetType.POLICE_ASB: (12, 45),
    DatasetType.POLICE_OFFENDING: (18, 50), DatasetType.YOUTH_CRIME: (10, 17),
    DatasetType.SCHOOL_ATTENDANCE: (5, 15), DatasetType.SCHOOL_EXCLUSIONS: (5, 15), DatasetType.EHCP: (3, 18),
    DatasetType.EARLY_YEARS_TWO: (2, 2), DatasetType.EARLY_YEARS_THREE_FOUR: (3, 4),
    DatasetType.CSC_INVOLVEMENT: (0, 17), DatasetType.DWP_OUT_OF_WORK: (18, 60),
    DatasetType.HOUSING_ARREARS: (20, 65), DatasetType.HOUSING_HOMELESSNESS: (18, 60), DatasetType.NEET: (16, 18),
}
RECORD_PREFIX = {
    DatasetType.POLICE_DOMESTIC_ABUSE: "DA", DatasetType.POLICE_ASB: "ASB", DatasetType.POLICE_OFFENDING: "OFF",
    DatasetType.YOUTH_CRIME: "YJ", DatasetType.SCHOOL_ATTENDANCE: "ATT", DatasetType.SCHOOL_EXCLUSIONS: "EXC",
    DatasetType.EHCP: "EHCP", DatasetType.EARLY_YEARS_TWO: "EY2", DatasetType.EARLY_YEARS_THREE_FOUR: "EY34",
    DatasetType.CSC_INVOLVEMENT: "CSC", DatasetType.DWP_OUT_OF_WORK: "DWP", DatasetType.HOUSING_ARREARS: "RENT",
    DatasetType.HOUSING_HOMELESSNESS: "HOM", DatasetType.NEET: "NEET",
}
_GENERATORS = {"upn": identifiers.make_upn, "ni_number": identifiers.make_ni_number,
               "nhs_number": identifiers.make_nhs_number, "pnc": identifiers.make_pnc}


def rows_for(dataset_type: str, people: list[dict], *, seed: int, as_of: datetime.date | None = None) -> list[dict]:
    """One valid row per person, by column name. A person's own details are used where given (given_name,
    family_name, date_of_birth, gender, address_line_1, postcode and identifiers); names and the columns the
    dataset requires are made up where missing, and optional ones left empty. Dates are on or before `as_of` (default today), as the import requires."""
    schema = schemas.SCHEMAS[dataset_type]
    as_of = as_of or timezone.localdate()
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rows = []
    for number, person in enumerate(people, start=1):
        row = _person_part(dataset_type, schema, person, rng, fake, as_of)
        row["source_record_id"] = f"{RECORD_PREFIX[dataset_type]}-{seed}-{number:06d}"
        row.update(FACTS[dataset_type](rng, row, as_of))
        rows.append(row)
    return rows


def _person_part(dataset_type, schema, person: dict, rng, fake, as_of) -> dict:
    given = {name: value for name, value in person.items() if value not in (None, "")}
    row = {"given_name": given.get("given_name") or fake.first_name(),
           "family_name": given.get("family_name") or fake.last_name()}
    born = given.get("date_of_birth")
    if born is None and schema.column("date_of_birth").required:
        youngest, oldest = AGE_RANGE[dataset_type]
        born = as_of - datetime.timedelta(days=rng.randint(youngest * 365 + 1, oldest * 365 + 360))
    if isinstance(born, str):
        born = datetime.date.fromisoformat(born)
    row["date_of_birth"] = born
    row["gender"] = given.get("gender")
    row["address_line_1"] = given.get("address_line_1")
    row["postcode"] = given.get("postcode")
    for name in schemas.IDENTIFIER_COLUMNS:
        if name not in schema.column_names:
            continue
        if name in given:
            row[name] = given[name]
        elif schema.column(name).required:
            row[name] = _GENERATORS[name](rng)
    return row


# --- Facts, dataset by dataset ------------------------------------------------------------------------------

def _date_since(rng, as_of, *, days: int, not_before: datetime.date | None = None) -> datetime.date:
    earliest = max(as_of - datetime.timedelta(days=days), not_before or datetime.date.min)
    return earliest + datetime.timedelta(days=rng.randint(0, max(0, (as_of - earliest).days)))


def _weighted(rng, options: dict):
    return rng.choices(list(options), weights=list(options.values()))[0]


def _age(row, as_of) -> int:
    born = row.get("date_of_birth")
    return (as_of - born).days // 365 if isinstance(born, datetime.date) else 30


def _domestic_abuse(rng, row, as_of):
    involvement = "child_present" if _age(row, as_of) < 18 else _weighted(rng, {"victim": 6, "perpetrator": 4})
    return {"incident_date": _date_since(rng, as_of, days=365, not_before=row.get("date_of_birth")),
            "risk_level": _weighted(rng, {"standard": 6, "medium": 3, "high": 1}), "involvement": involvement}


def _asb(rng, row, as_of):
    return {"incident_date": _date_since(rng, as_of, days=365, not_before=row.get("date_of_birth")),
            "category": _weighted(rng, {"personal": 3, "nuisance": 6, "environmental": 1})}


def _offending(rng, row, as_of):
    return {"offence_date": _date_since(rng, as_of, days=730, not_before=row.get("date_of_birth")),
            "offence_category": _weighted(rng, {"violence": 4, "theft": 3, "criminal_damage": 2, "drugs": 2,
                                                "public_order": 2, "weapons": 1, "robbery": 1})}


def _youth_crime(rng, row, as_of):
    return {"offence_date": _date_since(rng, as_of, days=540, not_before=row.get("date_of_birth")),
            "outcome": _weighted(rng, {"community_resolution": 5, "youth_caution": 3, "youth_conditional_caution": 2,
                                       "referral_order": 3, "youth_rehabilitation_order": 1, "custody": 1})}


def _last_academic_year(as_of) -> str:
    start = as_of.year - 1 if as_of.month >= 9 else as_of.year - 2
    return f"{start}/{(start + 1) % 100:02d}"


def _attendance(rng, row, as_of):
    possible = rng.randint(300, 380)  # a school year is 190 days of two sessions
    authorised = rng.randint(0, 40)
    unauthorised = rng.randint(0, min(80, possible - authorised))
    return {"academic_year": _last_academic_year(as_of), "sessions_possible": possible,
            "sessions_authorised_absence": authorised, "sessions_unauthorised_absence": unauthorised}


def _exclusions(rng, row, as_of):
    kind = _weighted(rng, {"suspension": 9, "permanent_exclusion": 1})
    return {"exclusion_date": _date_since(rng, as_of, days=300, not_before=row.get("date_of_birth")),
            "exclusion_type": kind, "days": rng.choice([0.5, 1, 2, 3, 5]) if kind == "suspension" else None}


def _ehcp(rng, row, as_of):
    born = row.get("date_of_birth")
    earliest = born + datetime.timedelta(days=730) if isinstance(born, datetime.date) else None
    return {"ehcp_start_date": _date_since(rng, as_of, days=2000, not_before=earliest)}


def _term(as_of) -> str:
    season = "Spring" if as_of.month <= 3 else "Summer" if as_of.month <= 8 else "Autumn"
    return f"{season} {as_of.year}"


def _early_years_two(rng, row, as_of):
    return {"funded_term": _term(as_of), "funded_hours": 15}


def _early_years_three_four(rng, row, as_of):
    return {"funded_term": _term(as_of), "funded_hours": _weighted(rng, {15: 4, 30: 6})}


def _csc(rng, row, as_of):
    start = _date_since(rng, as_of, days=900, not_before=row.get("date_of_birth"))
    ended = rng.random() < 0.4
    return {"involvement_type": _weighted(rng, {"assessment": 5, "child_in_need": 3, "child_protection": 1,
                                                "looked_after": 1}),
            "start_date": start, "end_date": _date_since(rng, as_of, days=900, not_before=start) if ended else None}


def _dwp(rng, row, as_of):
    return {"benefit_type": _weighted(rng, {"universal_credit": 8, "employment_support_allowance": 1,
                                            "jobseekers_allowance": 1}),
            "out_of_work_since": _date_since(rng, as_of, days=1500, not_before=row.get("date_of_birth"))}


def _arrears(rng, row, as_of):
    weeks = rng.randint(1, 40)
    return {"arrears_amount": Decimal(weeks * rng.randint(8000, 22000)) / 100, "weeks_in_arrears": weeks}


def _homelessness(rng, row, as_of):
    return {"duty": _weighted(rng, {"prevention": 6, "relief": 4}),
            "duty_date": _date_since(rng, as_of, days=240)}


def _neet(rng, row, as_of):
    return {"neet_status": _weighted(rng, {"neet": 7, "not_known": 3}),
            "status_since": _date_since(rng, as_of, days=400, not_before=row.get("date_of_birth"))}


FACTS = {
    DatasetType.POLICE_DOMESTIC_ABUSE: _domestic_abuse, DatasetType.POLICE_ASB: _asb,
    DatasetType.POLICE_OFFENDING: _offending, DatasetType.YOUTH_CRIME: _youth_crime,
    DatasetType.SCHOOL_ATTENDANCE: _attendance, DatasetType.SCHOOL_EXCLUSIONS: _exclusions, DatasetType.EHCP: _ehcp,
    DatasetType.EARLY_YEARS_TWO: _early_years_two, DatasetType.EARLY_YEARS_THREE_FOUR: _early_years_three_four,
    DatasetType.CSC_INVOLVEMENT: _csc, DatasetType.DWP_OUT_OF_WORK: _dwp, DatasetType.HOUSING_ARREARS: _arrears,
    DatasetType.HOUSING_HOMELESSNESS: _homelessness, DatasetType.NEET: _neet,
}
if set(FACTS) != set(DatasetType.values):
    raise RuntimeError("Every dataset type needs a fact generator")


# --- Files -------------------------------------------------------------------------------------------------

def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")  # as partners' spreadsheets write dates
    return str(value)


def to_csv(rows: list[dict], dataset_type: str) -> bytes:
    """A UTF-8 CSV with the schema's columns, in its order; dates as DD/MM/YYYY."""
    columns = schemas.SCHEMAS[dataset_type].column_names
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_as_text(row.get(name)) for name in columns])
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict], dataset_type: str) -> bytes:
    """An Excel workbook, one sheet, the schema's columns; dates as date cells shown DD/MM/YYYY."""
    columns = schemas.SCHEMAS[dataset_type].column_names
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(name) for name in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
