"""Standardisation: the columns the comparisons use, made in Python before either backend sees the data.

Case, punctuation, postcode format, identifier check digits, street abbreviations and nickname groups are dealt
with here, once, so DuckDB and Spark compare exactly the same strings. An identifier that fails its check digit
is treated as missing: a typo must not look like a different person.
"""

import datetime
import math
import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from earlyhelp.people import identifiers

from ..nicknames import name_group

INPUT_COLUMNS = ("unique_id", "given_name", "family_name", "date_of_birth", "address_line_1", "postcode",
                 "nhs_number", "ni_number", "upn", "pnc")


def _ascii_upper(value: str) -> str:
    value = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in value if not unicodedata.combining(ch)).upper()


def _name_tokens(value) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    text = re.sub(r"['’`]", "", _ascii_upper(str(value)))
    return re.findall(r"[A-Z]+", text)


def _given(value) -> tuple:
    """(given, group, key): the first given name (hyphenated parts joined), its nickname group, a block key."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None, None
    words = re.sub(r"['’`.-]", "", _ascii_upper(str(value))).split()
    words = ["".join(re.findall(r"[A-Z]+", w)) for w in words]
    words = [w for w in words if w]
    if not words:
        return None, None, None
    first = words[0]
    group = list(name_group(first))
    formal = [g for g in group if g != first]
    return first, group, (formal[0] if formal else first)[:3]


def _family(value) -> tuple:
    tokens = _name_tokens(value)
    if not tokens:
        return None, None, None
    joined = "".join(tokens)
    parts = sorted({t for t in tokens if len(t) > 1} | {joined})
    return joined, parts, _soundex(joined)


_SOUNDEX = {**dict.fromkeys("BFPV", "1"), **dict.fromkeys("CGJKQSXZ", "2"), **dict.fromkeys("DT", "3"),
            "L": "4", **dict.fromkeys("MN", "5"), "R": "6"}


def _soundex(word: str) -> str:
    code, last = word[0], _SOUNDEX.get(word[0], "")
    for ch in word[1:]:
        digit = _SOUNDEX.get(ch, "")
        if digit and digit != last:
            code += digit
        if ch not in "HW":
            last = digit
    return (code + "000")[:4]


_STREET_WORDS = {"RD": "ROAD", "ST": "STREET", "STR": "STREET", "LN": "LANE", "AVE": "AVENUE", "AV": "AVENUE",
                 "CL": "CLOSE", "DR": "DRIVE", "DRV": "DRIVE", "CRES": "CRESCENT", "CRESC": "CRESCENT",
                 "CR": "CRESCENT", "GDNS": "GARDENS", "GDN": "GARDEN", "CT": "COURT", "CRT": "COURT",
                 "PL": "PLACE", "GR": "GROVE", "GRV": "GROVE", "TERR": "TERRACE", "TER": "TERRACE",
                 "TCE": "TERRACE", "SQ": "SQUARE", "PDE": "PARADE", "WY": "WAY", "WK": "WALK", "HSE": "HOUSE",
                 "MWS": "MEWS", "PK": "PARK", "GRN": "GREEN", "HTS": "HEIGHTS", "APT": "FLAT"}


def _address(value) -> tuple:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    tokens = re.findall(r"[A-Z0-9]+", re.sub(r"['’`]", "", _ascii_upper(str(value))))
    tokens = [_STREET_WORDS.get(t, t) for t in tokens]
    if not tokens:
        return None, None
    number = next((t for t in tokens if any(c.isdigit() for c in t)), None)
    return " ".join(tokens), number


_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def _postcode(value) -> tuple:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None, None
    text = re.sub(r"[^A-Z0-9]", "", str(value).upper())
    if not text:
        return None, None, None
    if not _POSTCODE.match(text):
        return text, None, None
    outward, inward = text[:-3], text[-3:]
    return f"{outward} {inward}", f"{outward} {inward[0]}", outward


def _nhs(value) -> str | None:
    digits = re.sub(r"\D", "", str(value))
    if len(digits) != 10:
        return None
    # A typo fails the check: unknown.
    return digits if identifiers.nhs_check_digit(digits[:9]) == int(digits[9]) else None


# The letters HMRC allows (`people.identifiers`); prefixes that are never issued are not refused here.
_NI = re.compile(rf"^([{identifiers.NI_FIRST_LETTERS}][{identifiers.NI_SECOND_LETTERS}])([0-9]{{6}})"
                 rf"[{identifiers.NI_SUFFIXES}]?$")


def _ni(value) -> str | None:
    match = _NI.match(re.sub(r"[^A-Z0-9]", "", str(value).upper()))
    # The suffix letter is often left off or wrong in partner data and never tells two people apart.
    return match.group(1) + match.group(2) if match else None


def _upn(value) -> str | None:
    text = re.sub(r"[^A-Z0-9]", "", str(value).upper())
    if re.fullmatch(r"[A-Z][0-9]{12}", text):  # permanent UPN: DfE check letter
        return text if identifiers.upn_check_letter(text[1:]) == text[0] else None
    if re.fullmatch(r"[A-Z][0-9]{11}[A-Z]", text):  # temporary UPN: no check letter to test
        return text
    return None


def _pnc(value) -> str | None:
    match = re.fullmatch(r"([0-9]{2}|[0-9]{4})/?([0-9]{1,7})([A-Z])", re.sub(r"[^A-Z0-9/]", "", str(value).upper()))
    if not match:
        return None
    year, serial, letter = match.group(1)[-2:], match.group(2).zfill(7), match.group(3)
    return f"{year}/{serial}{letter}" if identifiers.pnc_check_letter(year, serial) == letter else None


_STRINGS = pa.list_(pa.string())


def _per_value(values: pa.ChunkedArray, func, types: tuple) -> list[pa.Array]:
    """Apply func once per distinct value (names and postcodes repeat a lot); one output per type."""
    encoded = pc.dictionary_encode(values).combine_chunks()
    results = [func(value) for value in encoded.dictionary.to_pylist()]
    if len(types) == 1:
        results = [(r,) for r in results]
    return [pa.array([r[i] for r in results], type=kind).take(encoded.indices) for i, kind in enumerate(types)]


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """As strings, trimmed, with blanks as null."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = column.cast(pa.string()) if not pa.types.is_null(column.type) else pa.chunked_array(
            [pa.nulls(len(column), pa.string())])
    column = pc.utf8_trim_whitespace(column.cast(pa.string()))
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _python_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _date_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        return column.cast(pa.date32())
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), pa.date32())])
    return pa.chunked_array([pa.array([_python_date(v) for v in column.to_pylist()], pa.date32())])


def _dates(column: pa.ChunkedArray) -> tuple:
    """ISO date, the date with day and month swapped (when that is another valid date), and the year."""
    days = _date_column(column)
    year = pc.cast(pc.year(days), pa.string())
    month = pc.utf8_lpad(pc.cast(pc.month(days), pa.string()), 2, "0")
    day = pc.utf8_lpad(pc.cast(pc.day(days), pa.string()), 2, "0")
    iso = pc.binary_join_element_wise(year, month, day, "-")
    swappable = pc.and_(pc.less_equal(pc.day(days), 12), pc.not_equal(pc.day(days), pc.month(days)))
    swapped = pc.if_else(swappable, pc.binary_join_element_wise(year, day, month, "-"),
                         pa.scalar(None, pa.string()))
    return iso, swapped, year


def _as_arrow(table) -> pa.Table:
    if isinstance(table, pd.DataFrame):
        frame = table.loc[:, list(INPUT_COLUMNS)]
        columns = {}
        for name in INPUT_COLUMNS:
            values = frame[name]
            if name == "date_of_birth":
                columns[name] = pa.array([_python_date(v) if not isinstance(v, pd.Timestamp) else v.date()
                                          for v in values.tolist()], pa.date32())
            else:
                columns[name] = pa.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
                                          for v in values.tolist()], pa.string())
        return pa.table(columns)
    if isinstance(table, pa.Table):
        return table.select(list(INPUT_COLUMNS))
    raise TypeError("records and people must be a pyarrow.Table or pandas.DataFrame")


PREPARED_SCHEMA = pa.schema([
    ("unique_id", pa.string()), ("given", pa.string()), ("given_group", _STRINGS), ("given_key", pa.string()),
    ("family", pa.string()), ("family_parts", _STRINGS), ("family_key", pa.string()), ("dob", pa.string()),
    ("dob_swap", pa.string()), ("dob_year", pa.string()), ("addr", pa.string()), ("addr_num", pa.string()),
    ("pc", pa.string()), ("pc_sector", pa.string()), ("pc_district", pa.string()), ("nhs", pa.string()),
    ("ni", pa.string()), ("upn", pa.string()), ("pnc", pa.string()),
])


def prepare(table) -> pa.Table:
    """Standardised columns the comparisons use, sorted by unique_id so input order never matters."""
    table = _as_arrow(table)
    table = table.set_column(0, "unique_id", table.column("unique_id").cast(pa.string()))
    if pc.count_distinct(table.column("unique_id")).as_py() != table.num_rows:
        raise ValueError("unique_id must be unique within each input")
    table = table.sort_by("unique_id")
    given = _per_value(_text(table.column("given_name")), _given, (pa.string(), _STRINGS, pa.string()))
    family = _per_value(_text(table.column("family_name")), _family, (pa.string(), _STRINGS, pa.string()))
    address = _per_value(_text(table.column("address_line_1")), _address, (pa.string(),) * 2)
    postcode = _per_value(_text(table.column("postcode")), _postcode, (pa.string(),) * 3)
    dob, dob_swap, dob_year = _dates(table.column("date_of_birth"))
    columns = {"unique_id": table.column("unique_id"), "given": given[0], "given_group": given[1],
               "given_key": given[2], "family": family[0], "family_parts": family[1], "family_key": family[2],
               "dob": dob, "dob_swap": dob_swap, "dob_year": dob_year, "addr": address[0], "addr_num": address[1],
               "pc": postcode[0], "pc_sector": postcode[1], "pc_district": postcode[2]}
    for out, col, func in (("nhs", "nhs_number", _nhs), ("ni", "ni_number", _ni), ("upn", "upn", _upn),
                           ("pnc", "pnc", _pnc)):
        columns[out] = _per_value(_text(table.column(col)), func, (pa.string(),))[0]
    return pa.table({name: columns[name] for name in PREPARED_SCHEMA.names}).cast(PREPARED_SCHEMA)


def febrl_to_input(df: pd.DataFrame) -> pd.DataFrame:
    """FEBRL's columns mapped onto INPUT_COLUMNS; its soc_sec_id is left out (it is no UK identifier)."""
    def text(col):
        return df[col].fillna("").astype(str).str.strip()

    dob = pd.to_datetime(df["date_of_birth"], format="%Y%m%d", errors="coerce")
    line_1 = (text("street_number") + " " + text("address_1")).str.strip()
    return pd.DataFrame({
        "unique_id": df.index.astype(str), "given_name": text("given_name"), "family_name": text("surname"),
        "date_of_birth": [d.date() if not pd.isna(d) else None for d in dob], "address_line_1": line_1,
        "postcode": text("postcode"), "nhs_number": None, "ni_number": None, "upn": None, "pnc": None,
    })
