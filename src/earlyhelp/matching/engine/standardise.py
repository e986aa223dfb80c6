"""Record linkage: partner records to the council's person index, with Splink 5 on DuckDB or Apache Spark.

    result = link(records, people, backend="duckdb")       # train, then score every blocked pair
    result.predictions.pairs()                             # record_id, person_id, match_probability, match_weight
    for candidate in result.predictions.candidates(): ...  # with a plain-English explanation

Design, and why:

* Standardisation happens here, in Python, before either backend sees the data (case, punctuation, postcode
  format, identifier check digits, street abbreviations, nickname groups), so both backends compare exactly
  the same strings.
* Splink does the blocking, the comparison vectors, the term-frequency tables and the scoring. Training is
  done from *counts* of comparison vectors (integers, the same on every backend) with a small numpy EM, and
  the samples it uses are drawn in Python from a seeded generator. So DuckDB and Spark learn the same model
  to the last bit, and score pairs with it to ~1e-15.
* The household trap: family members share a surname, an address and (twins) a date of birth. EM is trained
  on person-level blocks (date of birth; full name), never on address; the address is ONE comparison; the
  given-name comparison is what tells twins apart, with a nickname level so Bill still matches William.
* Nothing personal is logged or put into an exception message.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import logging
import math
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..nicknames import name_group

INPUT_COLUMNS = ("unique_id", "given_name", "family_name", "date_of_birth", "address_line_1", "postcode",
                 "nhs_number", "ni_number", "upn", "pnc")
BACKENDS = ("duckdb", "spark")
# Review threshold (match probability). Every pair at or above it goes to a person to confirm. Once a better
# candidate has been taken into account, scores are bimodal (family members near 0, the same person near 1):
# on household data F1 hardly moves between 0.5 and 0.95; 0.9 keeps the review queue short while missing almost
# nothing a reviewer would accept.
DEFAULT_THRESHOLD = 0.9
MODEL_VERSION = 1

# Samples: enough pairs for stable estimates, few enough for a laptop.
U_MAX_PAIRS = 4_000_000  # random pairs for u (both sides sampled to sqrt of this)
EM_MAX_RECORDS = 40_000  # records (with all people) in each EM block
MIN_LABELLED_MATCHES = 50  # confirmed pairs before reviewed labels inform m
LABEL_PRIOR_STRENGTH = 50.0  # pseudo-counts of the EM estimate when blending in labels
PREDICT_CHUNK_ROWS = 500_000
SPARK_PERSIST_BELOW_ROWS = 2_000_000  # per side, per predict chunk (memory)

logger = logging.getLogger(__name__)


def _quiet():
    """Splink sets its own loggers to INFO on import (SQL and timings): keep them to warnings."""
    import splink  # noqa: F401

    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.WARNING)

Progress = Callable[[str, float], None] | None


# --- Standardisation ---------------------------------------------------------------------------------

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
    check = (11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1))) % 11) % 11
    return digits if check != 10 and check == int(digits[9]) else None  # a typo fails the check: unknown


_NI = re.compile(r"^([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])([0-9]{6})[A-D]?$")


def _ni(value) -> str | None:
    match = _NI.match(re.sub(r"[^A-Z0-9]", "", str(value).upper()))
    # The suffix letter is often left off or wrong in partner data and never tells two people apart.
    return match.group(1) + match.group(2) if match else None


_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def _upn(value) -> str | None:
    text = re.sub(r"[^A-Z0-9]", "", str(value).upper())
    if re.fullmatch(r"[A-Z][0-9]{12}", text):  # permanent UPN: DfE check letter
        check = sum(int(d) * w for d, w in zip(text[1:], range(2, 14))) % 23
        return text if _UPN_LETTERS[check] == text[0] else None
    if re.fullmatch(r"[A-Z][0-9]{11}[A-Z]", text):  # temporary UPN: no check letter to test
        return text
    return None


_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def _pnc(value) -> str | None:
    match = re.fullmatch(r"([0-9]{2}|[0-9]{4})/?([0-9]{1,7})([A-Z])", re.sub(r"[^A-Z0-9/]", "", str(value).upper()))
    if not match:
        return None
    year, serial, letter = match.group(1)[-2:], match.group(2).zfill(7), match.group(3)
    return f"{year}/{serial}{letter}" if _PNC_LETTERS[int(year + serial) % 23] == letter else None


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


# --- The model: comparisons and blocking ---------------------------------------------------------------

# Plain-English names for the explanation shown to reviewers.
COMPARISON_LABELS = {"given_name": "Given name", "family_name": "Family name", "date_of_birth": "Date of birth",
                     "address": "Address", "nhs_number": "NHS number", "ni_number": "National Insurance number",
                     "upn": "Unique pupil number", "pnc": "Police National Computer ID"}
IDENTIFIERS = (("nhs_number", "nhs"), ("ni_number", "ni"), ("upn", "upn"), ("pnc", "pnc"))


def _comparisons():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def null(*cols):
        return cll.CustomLevel(" or ".join(f"{c}_l is null or {c}_r is null" for c in cols),
                               "Missing on one side").configure(is_null_level=True)

    def level(sql, label, **kwargs):
        return cll.CustomLevel(sql, label, base_dialect_str="duckdb").configure(**kwargs)

    given = cl.CustomComparison(output_column_name="given_name", comparison_levels=[
        null("given"),
        level("given_l = given_r", "Exact match", tf_adjustment_column="given"),
        cll.ArrayIntersectLevel("given_group", 1).configure(label_for_charts="Nickname or other spelling"),
        cll.DamerauLevenshteinLevel("given", 1).configure(label_for_charts="One letter different"),
        level("given_l = family_r or family_l = given_r", "Swapped with family name"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    family = cl.CustomComparison(output_column_name="family_name", comparison_levels=[
        null("family"),
        level("family_l = family_r", "Exact match", tf_adjustment_column="family"),
        cll.DamerauLevenshteinLevel("family", 1).configure(label_for_charts="One letter different"),
        cll.Or(cll.ArrayIntersectLevel("family_parts", 1),
               level("least(length(family_l), length(family_r)) >= 4 and (strpos(family_l, family_r) > 0 "
                     "or strpos(family_r, family_l) > 0)", "contains")
               ).configure(label_for_charts="Shares part of a double-barrelled name"),
        level("given_l = family_r or family_l = given_r", "Swapped with given name"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    dob = cl.CustomComparison(output_column_name="date_of_birth", comparison_levels=[
        null("dob"),
        level("dob_l = dob_r", "Exact match"),
        level("dob_l = dob_swap_r", "Day and month swapped"),
        cll.DamerauLevenshteinLevel("dob", 1).configure(label_for_charts="One digit different"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    address = cl.CustomComparison(output_column_name="address", comparison_levels=[
        # Null unless at least one part (postcode or first line) is on both sides.
        cll.CustomLevel("(pc_l is null or pc_r is null) and (addr_l is null or addr_r is null)",
                        "Missing on one side").configure(is_null_level=True),
        level("pc_l = pc_r and addr_l = addr_r", "Same first line and postcode"),
        level("pc_l = pc_r and addr_num_l = addr_num_r", "Same postcode and house number"),
        level("pc_l = pc_r", "Same postcode"),
        level("addr_l = addr_r", "Same first line, different postcode"),
        level("pc_sector_l = pc_sector_r", "Same postcode sector"),
        level("pc_district_l = pc_district_r", "Same postcode district"),
        cll.ElseLevel().configure(label_for_charts="Different"),
    ])
    identifiers = [cl.CustomComparison(output_column_name=name, comparison_levels=[
        null(col), level(f"{col}_l = {col}_r", "Exact match"), cll.ElseLevel().configure(label_for_charts="Different"),
    ]) for name, col in IDENTIFIERS]
    return [given, family, dob, address, *identifiers]


# Blocking for prediction: every rule is an equi-join on person-level keys, so 1M x 1M stays small.
PREDICT_BLOCKING = (
    "l.nhs = r.nhs", "l.ni = r.ni", "l.upn = r.upn", "l.pnc = r.pnc",
    "l.dob = r.dob and l.family_key = r.family_key",
    "l.dob = r.dob and l.given_key = r.given_key",
    "l.dob = r.dob and l.pc = r.pc",
    "l.dob = r.dob_swap and l.family_key = r.family_key",
    "l.given = r.given and l.family = r.family and l.pc_district = r.pc_district",
    "l.pc = r.pc and l.given_key = r.given_key",
    "l.pc = r.pc and l.family_key = r.family_key",
    "l.addr = r.addr and l.given_key = r.given_key",
    "l.given = r.given and l.family = r.family and l.dob_year = r.dob_year",
    "l.given = r.family and l.family = r.given",
)
# EM blocks: about the person, never the household (see the module docstring).
EM_BLOCKS = (("date_of_birth", "l.dob = r.dob and l.em_key = r.em_key"),
             ("full_name", "l.given = r.given and l.family = r.family and l.em_key = r.em_key"))
U_BLOCK = "l.u_key = r.u_key"


def _settings_creator(blocking_rules, *, retain=False):
    from splink import SettingsCreator

    return SettingsCreator(link_type="link_only", comparisons=_comparisons(),
                           blocking_rules_to_generate_predictions=list(blocking_rules),
                           retain_matching_columns=retain, retain_intermediate_calculation_columns=retain,
                           unique_id_column_name="unique_id", probability_two_random_records_match=1e-4)


def _levels(settings_dict) -> list[tuple[str, list[dict]]]:
    """(comparison name, its non-null levels) in order; gamma value = position counted from the last."""
    out = []
    for comparison in settings_dict["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        out.append((comparison["output_column_name"], levels))
    return out


# --- Backends ------------------------------------------------------------------------------------------

_TABLE_NUMBERS = itertools.count(1)


class _Session:
    """One backend connection for one call: registers the prepared tables, runs Splink, cleans up."""

    def __init__(self, backend: str, rows: int = 0):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}")
        self.backend = backend
        _quiet()
        self._tmp = tempfile.TemporaryDirectory(prefix="earlyhelp-linkage-")
        if backend == "duckdb":
            import duckdb
            from splink import DuckDBAPI

            # Two threads and a memory cap (spilling to a temp directory) keep 1M x 1M under 4 GB.
            self._con = duckdb.connect(config={"threads": 2, "memory_limit": os.environ.get(
                "EARLYHELP_LINKAGE_DUCKDB_MEMORY", "2500MB"), "temp_directory": self._tmp.name,
                "preserve_insertion_order": False})
            self.db_api = DuckDBAPI(connection=self._con)
        else:
            from splink.backends.spark import SparkAPI

            self.spark = spark_session()
            # Keeping intermediate tables in memory (not writing Parquet) makes small runs several times faster;
            # large ones write to the checkpoint directory so a lost executor does not recompute everything.
            lineage = "persist" if rows < SPARK_PERSIST_BELOW_ROWS else "parquet"
            self.db_api = SparkAPI(spark_session=self.spark, break_lineage_method=lineage,
                                   num_partitions_on_repartition=max(
                                       1, int(self.spark.conf.get("spark.sql.shuffle.partitions", "4"))))

    def register(self, table: pa.Table, display_name: str):
        data = self.spark.createDataFrame(table) if self.backend == "spark" else table
        # Spark's temporary views outlive this session: a fresh name each time.
        return self.db_api.register(data, dataset_display_name=display_name,
                                    table_name=f"{display_name}_{next(_TABLE_NUMBERS)}")

    def close(self):
        if self.backend == "duckdb":
            self._con.close()
        self._tmp.cleanup()


def spark_session():
    """The active SparkSession, or a small local one with Splink's similarity functions."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:  # pragma: no cover - depends on the machine
        raise RuntimeError("The Spark backend needs pyspark: `uv sync` installs it (and Java 17+ on the PATH)") from error
    spark = SparkSession.getActiveSession()
    if spark is None:
        spark = (SparkSession.builder.master(os.environ.get("EARLYHELP_SPARK_MASTER", "local[2]"))
                 .appName("earlyhelp-linkage")
                 .config("spark.jars", similarity_jar_location())
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", "4")
                 .config("spark.default.parallelism", "4")
                 .config("spark.sql.adaptive.enabled", "true")
                 .config("spark.driver.memory", os.environ.get("EARLYHELP_SPARK_DRIVER_MEMORY", "2g"))
                 .getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
    if spark.sparkContext._jsc.sc().getCheckpointDir().isEmpty():
        spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="earlyhelp-spark-checkpoints-"))
    return spark


def _linker(session: _Session, people_sdf, records_sdf, settings: dict):
    from splink import Linker

    return Linker([people_sdf, records_sdf], settings, validate_settings=False, log_level=None)


def _gamma_counts(session: _Session, linker, gamma_columns: list[str], blocked=None) -> pd.DataFrame:
    """How many blocked pairs fall into each combination of comparison levels: integers, same on every backend."""
    from splink.internals.comparison_vector_values import (
        compute_comparison_vector_values_from_id_pairs_sqls,
    )
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    settings = linker._settings_obj
    own_blocked = blocked is None
    if own_blocked:
        blocked = linker.inference.compute_blocked_pairs_for_predict()
    pipeline = CTEPipeline([blocked])
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_list_of_sqls(compute_comparison_vector_values_from_id_pairs_sqls(
        settings._columns_to_select_for_blocking, settings._columns_to_select_for_comparison_vector_values,
        input_tablename_l="__splink__df_concat_with_tf", input_tablename_r="__splink__df_concat_with_tf",
        source_dataset_input_column=settings.column_info_settings.source_dataset_input_column,
        unique_id_input_column=settings.column_info_settings.unique_id_input_column,
        link_type=settings._link_type, sql_dialect_str=linker._sql_dialect_str))
    cols = ", ".join(gamma_columns)
    pipeline.enqueue_sql(f"select {cols}, count(*) as n from __splink__df_comparison_vectors group by {cols}",
                         "__splink__gamma_counts")
    result = session.db_api.sql_pipeline_to_splink_dataframe(pipeline)
    frame = result.as_pandas_dataframe()
    result.drop_table_from_database_and_remove_from_cache()
    if own_blocked:
        blocked.drop_table_from_database_and_remove_from_cache()
    frame = frame.astype({c: "int64" for c in [*gamma_columns, "n"]})
    return frame.sort_values(gamma_columns, kind="stable").reset_index(drop=True)


# --- Training ------------------------------------------------------------------------------------------

def _report(progress: Progress, stage: str, fraction: float):
    if progress is not None:
        progress(stage, fraction)


def _with_keys(table: pa.Table, u_rows: np.ndarray, em_rows: np.ndarray | None) -> pa.Table:
    """Sample markers as equi-join keys, so the backend joins only the sampled rows."""
    n = table.num_rows
    u_key = np.full(n, None, dtype=object)
    u_key[u_rows] = "1"
    em_key = np.full(n, "1", dtype=object) if em_rows is None else np.full(n, None, dtype=object)
    if em_rows is not None:
        em_key[em_rows] = "1"
    return table.append_column("u_key", pa.array(u_key, pa.string())).append_column(
        "em_key", pa.array(em_key, pa.string()))


def _sample(rng, n: int, size: int) -> np.ndarray:
    size = min(n, size)
    return np.arange(n) if size == n else np.sort(rng.choice(n, size=size, replace=False))


class _Structure:
    """Comparison levels and how Splink numbers them (gamma), read from the Settings object."""

    def __init__(self, settings_dict: dict):
        from splink.internals.settings_creator import SettingsCreator

        settings_dict = {key: value for key, value in settings_dict.items() if key != "earlyhelp"}
        settings = SettingsCreator.from_path_or_dict(settings_dict).get_settings("duckdb")
        self.names, self.gammas, self.labels = [], [], []
        for comparison in settings.comparisons:
            levels = comparison._comparison_levels_excluding_null
            self.names.append(comparison.output_column_name)
            self.gammas.append([int(lv.comparison_vector_value) for lv in levels])
            self.labels.append([lv.label_for_charts for lv in levels])
        self.gamma_columns = [f"gamma_{name}" for name in self.names]

    def level_index(self, k: int, gamma: np.ndarray) -> np.ndarray:
        """Position in the non-null level list for each gamma value; -1 for null."""
        lookup = {g: i for i, g in enumerate(self.gammas[k])}
        return np.array([lookup.get(int(g), -1) for g in gamma], dtype=np.int64)

    def index_matrix(self, counts: pd.DataFrame) -> np.ndarray:
        return np.stack([self.level_index(k, counts[col].to_numpy()) for k, col in enumerate(self.gamma_columns)],
                        axis=1) if len(counts) else np.zeros((0, len(self.names)), dtype=np.int64)


def _level_sums(idx: np.ndarray, weights: np.ndarray, n_levels: int) -> np.ndarray:
    keep = idx >= 0
    return np.bincount(idx[keep], weights=weights[keep], minlength=n_levels).astype(float)


def _u_from_random_pairs(structure: _Structure, counts: pd.DataFrame) -> tuple[list[np.ndarray], dict]:
    idx = structure.index_matrix(counts)
    n = counts["n"].to_numpy().astype(float)
    # Random pairs include a few true matches; drop pairs agreeing on most of who someone is, or u for exact
    # levels would be inflated (badly so on small inputs, where every pair is compared).
    names = structure.names
    top = {k: idx[:, k] == 0 for k in range(len(names))}
    score = sum(top[names.index(c)].astype(int) for c in ("given_name", "family_name", "date_of_birth"))
    score = score + (idx[:, names.index("address")] <= 2) * (idx[:, names.index("address")] >= 0)
    score = score + 2 * sum(top[names.index(c)].astype(int) for c, _ in IDENTIFIERS)
    likely_match = score >= 3
    n_kept = n * ~likely_match
    total = float(n_kept.sum())
    u = []
    for k in range(len(names)):
        sums = _level_sums(idx[:, k], n_kept, len(structure.gammas[k]))
        denominator = max(sums.sum(), 1.0)
        # A level never seen among random pairs is very rare among non-matches: half a pair, not zero.
        floor = 0.5 / max(denominator, 1.0)
        u.append(np.maximum(sums / denominator, floor))
        u[-1] = u[-1] / u[-1].sum()
    return u, {"pairs": int(n.sum()), "pairs_used": int(total), "likely_matches_left_out": int(n.sum() - total)}


def _initial_m(n_levels: int) -> np.ndarray:
    if n_levels == 2:
        return np.array([0.9, 0.1])
    return np.array([0.8] + [0.15 / (n_levels - 2)] * (n_levels - 2) + [0.05])


def _em(structure: _Structure, counts: pd.DataFrame, u: list[np.ndarray], excluded: set[int],
        m_start: list[np.ndarray], *, max_iterations: int = 500, tolerance: float = 1e-9):
    """Expectation maximisation on counts of comparison patterns; u fixed, m and lambda estimated."""
    idx = structure.index_matrix(counts)
    n = counts["n"].to_numpy().astype(float)
    active = [k for k in range(len(structure.names)) if k not in excluded]
    m = [mk.copy() for mk in m_start]
    lam = 0.1
    log_u = np.zeros(len(n))
    for k in active:
        present = idx[:, k] >= 0
        log_u[present] += np.log(u[k][idx[present, k]])
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        log_m = np.zeros(len(n))
        for k in active:
            present = idx[:, k] >= 0
            log_m[present] += np.log(m[k][idx[present, k]])
        a = np.log(lam) + log_m
        b = np.log1p(-lam) + log_u
        p = np.exp(a - np.logaddexp(a, b))
        w = n * p
        change = 0.0
        for k in active:
            sums = _level_sums(idx[:, k], w, len(m[k]))
            # Half a pair per comparison as a prior, so no level is ever "impossible" for a match.
            new = (sums + 0.5 / len(m[k])) / (sums.sum() + 0.5)
            change = max(change, float(np.abs(new - m[k]).max()))
            m[k] = new
        new_lam = float(min(max(w.sum() / n.sum(), 1e-9), 1 - 1e-9))
        change = max(change, abs(new_lam - lam))
        lam = new_lam
        if change < tolerance:
            break
    return m, lam, {"pairs": int(n.sum()), "iterations": iterations, "lambda_in_block": lam}


def _clean_labels(labels, record_ids: set, person_ids: set) -> list[tuple[str, str, bool]]:
    out = set()
    for record_id, person_id, is_match in labels or ():
        record_id, person_id = str(record_id), str(person_id)
        if record_id in record_ids and person_id in person_ids:
            out.add((record_id, person_id, bool(is_match)))
    return sorted(out)


def _label_counts(session: _Session, linker, structure: _Structure, pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """Comparison pattern counts for labelled pairs: a table of blocked pairs handed to Splink."""
    table = pa.table({"join_key_l": [f"people-__-{p}" for _, p in pairs],
                      "join_key_r": [f"records-__-{r}" for r, _ in pairs], "match_key": ["0"] * len(pairs)})
    registered = session.register(table, "labelled_pairs")
    blocked = session.db_api.table_to_splink_dataframe("__splink__blocked_id_pairs", registered.physical_name)
    return _gamma_counts(session, linker, structure.gamma_columns, blocked=blocked)


def train(records, people, *, backend: str = "duckdb", labels=None, seed: int = 42, progress: Progress = None) -> dict:
    """Train the model; returns Splink settings with m and u values (JSON-able), the same on every backend."""
    started = time.perf_counter()
    _report(progress, "Preparing the records", 0.02)
    prepared_r, prepared_p = prepare(records), prepare(people)
    model, _ = _train_prepared(prepared_r, prepared_p, backend=backend, labels=labels, seed=seed,
                               progress=progress, started=started)
    return model


def _train_prepared(prepared_r, prepared_p, *, backend, labels, seed, progress, started) -> dict:
    n_r, n_p = prepared_r.num_rows, prepared_p.num_rows
    if n_r == 0 or n_p == 0:
        raise ValueError("Both inputs need at least one row to train a model")
    rng = np.random.default_rng([seed, 7])
    side = math.isqrt(U_MAX_PAIRS)
    u_r = _sample(rng, n_r, side)
    u_p = _sample(rng, n_p, max(side, U_MAX_PAIRS // len(u_r)))
    em_r = _sample(rng, n_r, EM_MAX_RECORDS)
    timings = {"prepare": round(time.perf_counter() - started, 3)}

    creator = _settings_creator([U_BLOCK])
    settings_dict = creator.create_settings_dict("duckdb")
    structure = _Structure(settings_dict)
    session = _Session(backend, n_r + n_p)
    try:
        people_sdf = session.register(_with_keys(prepared_p, u_p, None), "people")
        records_sdf = session.register(_with_keys(prepared_r, u_r, em_r), "records")
        dialect = "spark" if backend == "spark" else "duckdb"

        def counts_for(rule):
            linker = _linker(session, people_sdf, records_sdf, _settings_creator([rule]).create_settings_dict(dialect))
            return _gamma_counts(session, linker, structure.gamma_columns), linker

        _report(progress, "Estimating how often people who are not the same agree", 0.1)
        tick = time.perf_counter()
        u_counts, _ = counts_for(U_BLOCK)
        u, u_stats = _u_from_random_pairs(structure, u_counts)
        timings["u"] = round(time.perf_counter() - tick, 3)

        m_estimates: dict[int, list[np.ndarray]] = {k: [] for k in range(len(structure.names))}
        sessions = {}
        block_lambda = {}
        m_start = [_initial_m(len(g)) for g in structure.gammas]
        for i, (block_name, rule) in enumerate(EM_BLOCKS):
            _report(progress, "Learning how often the same person's details agree", 0.2 + 0.15 * i)
            tick = time.perf_counter()
            counts, linker = counts_for(rule)
            excluded = {structure.names.index("date_of_birth")} if block_name == "date_of_birth" else {
                structure.names.index("given_name"), structure.names.index("family_name")}
            if counts.empty:
                sessions[block_name] = {"pairs": 0}
                continue
            m, lam, info = _em(structure, counts, u, excluded, m_start)
            for k in range(len(structure.names)):
                if k not in excluded:
                    m_estimates[k].append(m[k])
            block_lambda[block_name] = (lam, info["pairs"])
            sessions[block_name] = info
            timings[f"em_{block_name}"] = round(time.perf_counter() - tick, 3)
        m_final = [np.mean(m_estimates[k], axis=0) if m_estimates[k] else m_start[k] for k in range(len(m_start))]

        # Probability two random records match, from the date-of-birth block: matches found there, divided by
        # the share of matches whose dates of birth agree (learnt in the name block).
        k_dob = structure.names.index("date_of_birth")
        if "date_of_birth" in block_lambda:
            lam_block, pairs_block = block_lambda["date_of_birth"]
            has_dob_r = prepared_r.column("dob").take(pa.array(em_r)).null_count
            share_r = 1 - has_dob_r / max(len(em_r), 1)
            share_p = 1 - prepared_p.column("dob").null_count / n_p
            matches = lam_block * pairs_block / max(m_final[k_dob][0] * share_r * share_p, 1e-9)
            lam = matches / (len(em_r) * n_p)
        else:
            lam = 1.0 / max(n_p, 1)
        lam = float(min(max(lam, 1e-12), 0.5))

        labelled = _clean_labels(labels, set(prepared_r.column("unique_id").to_pylist()),
                                 set(prepared_p.column("unique_id").to_pylist()))
        confirmed = [(r, p) for r, p, is_match in labelled if is_match]
        label_info = {"labels": len(labelled), "confirmed": len(confirmed), "used": False}
        if len(confirmed) >= MIN_LABELLED_MATCHES:
            _report(progress, "Learning from the pairs people have reviewed", 0.5)
            linker = _linker(session, people_sdf, records_sdf, _settings_creator([U_BLOCK]).create_settings_dict(dialect))
            counts = _label_counts(session, linker, structure, confirmed)
            idx = structure.index_matrix(counts)
            n = counts["n"].to_numpy().astype(float)
            for k in range(len(m_final)):
                sums = _level_sums(idx[:, k], n, len(m_final[k]))
                m_final[k] = (sums + LABEL_PRIOR_STRENGTH * m_final[k]) / (sums.sum() + LABEL_PRIOR_STRENGTH)
            label_info["used"] = True
    finally:
        session.close()

    model = _settings_creator(PREDICT_BLOCKING).create_settings_dict("duckdb")
    model["probability_two_random_records_match"] = lam
    for k, (_, levels) in enumerate(_levels(model)):
        for i, level in enumerate(levels):
            level["m_probability"] = float(m_final[k][i])
            level["u_probability"] = float(u[k][i])
    timings["total"] = round(time.perf_counter() - started, 3)
    model["earlyhelp"] = {"version": MODEL_VERSION, "seed": seed, "records": n_r, "people": n_p,
                          "u": u_stats, "em": sessions, "labels": label_info}
    _report(progress, "Model trained", 0.55)
    logger.info("Linkage model trained on %s records and %s people in %.1fs", n_r, n_p, timings["total"])
    return model, timings


# --- Prediction ----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Candidate:
    record_id: str
    person_id: str
    match_probability: float
    match_weight: float
    explanation: list[dict]


class Predictions:
    """Scored pairs at or above the threshold; explanations are built when asked for (1M pairs fit in memory)."""

    def __init__(self, table: pa.Table, levels: list[list[str]], weights: np.ndarray, stats: dict):
        self._table = table
        self._levels = levels  # per comparison: the level label of each pair
        self._weights = weights  # pairs x (comparisons + 1): weight of each, then the competition penalty
        self.stats = stats

    def pairs(self) -> pa.Table:
        return self._table

    def explanation(self, i: int) -> list[dict]:
        items = [{"comparison": COMPARISON_LABELS[name], "level": self._levels[k][i],
                  "match_weight": round(float(self._weights[i, k]), 2)} for k, name in enumerate(COMPARISON_LABELS)]
        if self._weights[i, -1] > 0.005:
            items.append({"comparison": "Other people in the index", "level": "Someone else fits this record better",
                          "match_weight": round(-float(self._weights[i, -1]), 2)})
        return items

    def candidates(self) -> Iterator[Candidate]:
        columns = [self._table.column(c).to_pylist() for c in
                   ("record_id", "person_id", "match_probability", "match_weight")]
        for i, (record_id, person_id, probability, weight) in enumerate(zip(*columns)):
            yield Candidate(record_id, person_id, probability, weight, self.explanation(i))

    def __len__(self):
        return self._table.num_rows


@dataclasses.dataclass(frozen=True)
class LinkageResult:
    model: dict
    predictions: Predictions


PAIRS_SCHEMA = pa.schema([("record_id", pa.string()), ("person_id", pa.string()),
                          ("match_probability", pa.float64()), ("match_weight", pa.float64())])


def _settings_for(model: dict, dialect: str) -> dict:
    """The stored model's parameters on comparisons written for this backend's SQL dialect."""
    if model.get("earlyhelp", {}).get("version") != MODEL_VERSION:
        raise ValueError("This model was trained by a different version of the engine: train again")
    settings = _settings_creator(PREDICT_BLOCKING, retain=True).create_settings_dict(dialect)
    settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    stored = _levels(model)
    for k, (name, levels) in enumerate(_levels(settings)):
        if stored[k][0] != name or len(stored[k][1]) != len(levels):
            raise ValueError("The model's comparisons do not match this engine's: train again")
        for level, trained in zip(levels, stored[k][1]):
            level["m_probability"] = trained["m_probability"]
            level["u_probability"] = trained["u_probability"]
    return settings


def predict(records, people, model: dict, *, backend: str = "duckdb", threshold: float, progress: Progress = None
            ) -> Predictions:
    started = time.perf_counter()
    _report(progress, "Preparing the records", 0.6)
    return _predict_prepared(prepare(records), prepare(people), model, backend=backend, threshold=threshold,
                             progress=progress, started=started)


def _predict_prepared(prepared_r, prepared_p, model, *, backend, threshold, progress, started) -> Predictions:
    if not 0 <= threshold <= 1:
        raise ValueError("threshold is a match probability between 0 and 1")
    dialect = "spark" if backend == "spark" else "duckdb"
    settings = _settings_for(model, dialect)
    structure = _Structure(model)
    stats = {"records": prepared_r.num_rows, "people": prepared_p.num_rows, "threshold": threshold,
             "seconds_prepare": round(time.perf_counter() - started, 3)}
    frames, pairs_compared = [], 0
    session = _Session(backend, prepared_r.num_rows + prepared_p.num_rows)
    tick = time.perf_counter()
    try:
        people_sdf = session.register(prepared_p, "people")
        records_sdf = session.register(prepared_r, "records")
        linker = _linker(session, people_sdf, records_sdf, settings)
        # Chunk the larger inputs on both sides so no step holds all blocked pairs at once.
        chunks_l = max(1, math.ceil(prepared_p.num_rows / PREDICT_CHUNK_ROWS))
        chunks_r = max(1, math.ceil(prepared_r.num_rows / PREDICT_CHUNK_ROWS))
        total = chunks_l * chunks_r
        for number, (left, right) in enumerate(((a, b) for a in range(1, chunks_l + 1) for b in range(1, chunks_r + 1))):
            _report(progress, "Comparing records with the person index", 0.6 + 0.35 * number / total)
            left_chunk, right_chunk = (left, chunks_l), (right, chunks_r)
            blocked = linker.inference.compute_blocked_pairs_for_predict_chunk(left_chunk=left_chunk,
                                                                               right_chunk=right_chunk)
            count = session.db_api.query_sql(f"select count(*) as n from {blocked.physical_name}", "pandas")
            pairs_compared += int(count["n"].iloc[0])
            scored = linker.inference.predict_chunk(left_chunk=left_chunk, right_chunk=right_chunk,
                                                    threshold_match_probability=threshold, warning_mode="never")
            wanted = ["unique_id_l", "unique_id_r", "source_dataset_l", "match_weight",
                      *structure.gamma_columns, *[f"mw_{n}" for n in structure.names],
                      *[f"mw_tf_adj_{n}" for n in ("given_name", "family_name")]]
            frames.append(session.db_api.query_sql(
                f"select {', '.join(wanted)} from {scored.physical_name}", "pandas"))
            scored.drop_table_from_database_and_remove_from_cache()
            blocked.drop_table_from_database_and_remove_from_cache()
    finally:
        session.close()
    stats["seconds_predict"] = round(time.perf_counter() - tick, 3)
    stats["pairs_compared"] = pairs_compared
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    predictions = _results(frame, structure, threshold, stats)
    table = predictions.pairs()
    stats["pairs_at_threshold"] = table.num_rows
    stats["records_with_candidates"] = pc.count_distinct(table.column("record_id")).as_py() if table.num_rows else 0
    stats["seconds_total"] = round(time.perf_counter() - started, 3)
    _report(progress, "Scored", 0.97)
    return predictions


TIE = 1e-6  # match weights closer than this are the same score (the two backends differ by ~1e-15)


def _competition(record_ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """How much to lower each pair's weight because a better-fitting person competes for the same record.

    The index holds each person once, so a record is at most one of its candidates: a twin, sibling or parent
    scoring well only because they share a surname, an address and (twins) a birthday loses to the person who
    fits better. With pairwise odds o = 2**w, a pair's odds become o / (1 + S), S the sum of the odds of the
    record's candidates scoring higher. Near-equal scores do not compete, so a person held twice in the index
    (a duplicate to merge) keeps both candidates for review. Input sorted by record_id.
    """
    out = np.zeros(len(weights))
    if len(weights) < 2:
        return out
    starts = np.flatnonzero(np.r_[True, record_ids[1:] != record_ids[:-1]])
    sizes = np.diff(np.r_[starts, len(weights)])
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        group = weights[start:start + size]
        for i in range(size):
            stronger = group[group > group[i] + TIE]
            if len(stronger):
                out[start + i] = float(np.logaddexp2.reduce(np.concatenate([[0.0], stronger])))
    return out


def _results(frame: pd.DataFrame, structure: _Structure, threshold: float, stats: dict) -> Predictions:
    if frame.empty:
        return Predictions(PAIRS_SCHEMA.empty_table(), [[] for _ in structure.names],
                           np.zeros((0, len(structure.names) + 1)), stats)
    records_on_left = (frame["source_dataset_l"] == "records").to_numpy()
    left, right = frame["unique_id_l"].astype(str).to_numpy(), frame["unique_id_r"].astype(str).to_numpy()
    frame = frame.assign(record_id=np.where(records_on_left, left, right),
                         person_id=np.where(records_on_left, right, left))
    frame = frame.sort_values(["record_id", "person_id"], kind="stable").reset_index(drop=True)
    pairwise = frame["match_weight"].to_numpy(dtype=float)
    competition = _competition(frame["record_id"].to_numpy(), pairwise)
    weight = pairwise - competition
    probability = 1.0 / (1.0 + np.exp2(-weight))
    keep = probability >= threshold
    frame = frame[keep].reset_index(drop=True)
    weights = np.zeros((len(frame), len(structure.names) + 1))
    levels = []
    for k, name in enumerate(structure.names):
        gamma = frame[f"gamma_{name}"].to_numpy(dtype=np.int64)
        labels = np.array(["Missing on one side", *structure.labels[k]], dtype=object)
        position = {g: i + 1 for i, g in enumerate(structure.gammas[k])}
        levels.append(labels[[position.get(int(g), 0) for g in gamma]].tolist())
        mw = frame[f"mw_{name}"].to_numpy(dtype=float)
        if f"mw_tf_adj_{name}" in frame:
            mw = mw + frame[f"mw_tf_adj_{name}"].fillna(0.0).to_numpy(dtype=float)
        weights[:, k] = np.where(gamma < 0, 0.0, mw)
    weights[:, -1] = competition[keep]
    table = pa.table({"record_id": frame["record_id"].tolist(), "person_id": frame["person_id"].tolist(),
                      "match_probability": probability[keep], "match_weight": weight[keep]}, schema=PAIRS_SCHEMA)
    return Predictions(table, levels, weights, stats)


def link(records, people, *, backend: str = "duckdb", threshold: float = DEFAULT_THRESHOLD, labels=None,
         seed: int = 42, progress: Progress = None) -> LinkageResult:
    """Train on these inputs, then score them: the model and the pairs at or above the threshold."""
    started = time.perf_counter()
    _report(progress, "Preparing the records", 0.02)
    prepared_r, prepared_p = prepare(records), prepare(people)
    model, timings = _train_prepared(prepared_r, prepared_p, backend=backend, labels=labels, seed=seed,
                                     progress=progress, started=started)
    predictions = _predict_prepared(prepared_r, prepared_p, model, backend=backend, threshold=threshold,
                                    progress=progress, started=time.perf_counter())
    predictions.stats.update({f"seconds_train_{key}": value for key, value in timings.items()})
    return LinkageResult(model=model, predictions=predictions)


def evaluate(predicted_pairs, true_pairs) -> dict:
    """Precision, recall and F1 of predicted (record_id, person_id) pairs against the true ones."""
    predicted = {(str(r), str(p)) for r, p in predicted_pairs}
    truth = {(str(r), str(p)) for r, p in true_pairs}
    tp = len(predicted & truth)
    fp, fn = len(predicted - truth), len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
