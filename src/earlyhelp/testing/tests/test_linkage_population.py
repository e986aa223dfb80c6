"""The synthetic population for linkage: deterministic, household-structured, corrupted at its documented rates."""

import dataclasses
import datetime
import math
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from django.core.exceptions import ValidationError

from earlyhelp.people import identifiers
from earlyhelp.testing.linkage_population import (
    _SIMILAR_TWIN_NAMES,
    ABBREVIATIONS,
    DEFAULT_CORRUPTION,
    INPUT_COLUMNS,
    NICKNAMES,
    NO_CORRUPTION,
    REFERENCE_DATE,
    _nhs_with_check,
    partner_extract,
    population,
)

REF = REFERENCE_DATE


def _age(dob: datetime.date | None) -> float | None:
    return None if dob is None else (REF - dob).days / 365.25


@pytest.fixture(scope="module")
def people():
    return population(30_000, seed=11)


@pytest.fixture(scope="module")
def extract(people):
    """20,000 records of all ages (no identifier-driven age filter) with the default corruption."""
    return partner_extract(people, 20_000, seed=12, identifiers=("nhs_number",), match_rate=0.8)


@pytest.fixture(scope="module")
def joined(people, extract):
    """Each matched record beside the index row it is, as Python rows."""
    records, truth = extract
    rec = {r["unique_id"]: r for r in records.to_pylist()}
    per = {r["unique_id"]: r for r in people.to_pylist()}
    return [(rec[t["record_id"]], per[t["person_id"]], set(filter(None, t["corruptions"].split(","))))
            for t in truth.to_pylist()]


def test_columns_and_types(people, extract):
    records, truth = extract
    assert people.column_names == [*INPUT_COLUMNS, "household_id"]
    assert records.column_names == list(INPUT_COLUMNS)
    assert people.schema.field("date_of_birth").type == pa.date32()
    assert records.schema.field("date_of_birth").type == pa.date32()
    assert people.column("unique_id")[0].as_py() == "P0000001"
    assert records.column("unique_id")[0].as_py() == "R0000001"
    assert people.num_rows == 30_000 and records.num_rows == 20_000
    assert truth.column_names[:2] == ["record_id", "person_id"]
    assert len(set(people.column("unique_id").to_pylist())) == people.num_rows


def test_deterministic_for_a_seed():
    a, b, c = population(3000, 5), population(3000, 5), population(3000, 6)
    assert a.equals(b)
    assert not a.equals(c)
    r1, t1 = partner_extract(a, 1000, 9)
    r2, t2 = partner_extract(b, 1000, 9)
    r3, _ = partner_extract(a, 1000, 10)
    assert r1.equals(r2) and t1.equals(t2)
    assert not r1.equals(r3)


def test_truth_points_at_real_rows(people, extract):
    records, truth = extract
    assert truth.num_rows == 16_000
    assert pc.all(pc.is_in(truth.column("record_id"), records.column("unique_id"))).as_py()
    assert pc.all(pc.is_in(truth.column("person_id"), people.column("unique_id"))).as_py()
    assert len(set(truth.column("record_id").to_pylist())) == truth.num_rows  # one person per record
    # A few people appear twice (duplicates in the partner's file), most once.
    persons = truth.column("person_id").to_pylist()
    dup_share = 1 - len(set(persons)) / len(persons)
    assert 0.003 < dup_share < 0.02


def test_households_share_address_and_postcode(people):
    rows = people.select(["household_id", "address_line_1", "postcode"]).to_pylist()
    by_household: dict[str, set] = {}
    for r in rows:
        if r["address_line_1"] and r["postcode"]:
            by_household.setdefault(r["household_id"], set()).add((r["address_line_1"], r["postcode"]))
    assert max(len(v) for v in by_household.values()) == 1
    sizes = pc.value_counts(people.column("household_id")).field("counts").to_numpy()
    assert sizes.max() <= 7 and (sizes == 1).any() and (sizes >= 5).any()
    assert 2.0 < sizes.mean() < 3.5
    # Different households share postcodes (and sectors), but not full addresses.
    postcodes = {a for v in by_household.values() for a in v}
    assert len({p for _, p in postcodes}) < len(by_household) / 5
    assert len(postcodes) == len(by_household)
    for postcode in [p for _, p in list(postcodes)[:50]]:
        identifiers.validate_postcode(postcode)


def test_common_names_are_common(people):
    names = pc.value_counts(people.column("family_name")).to_pylist()
    counts = {n["values"]: n["counts"] for n in names}
    assert counts["Smith"] > 150  # about 1.15% of people
    assert counts["Smith"] > counts.get("Fleming", 0) * 10
    assert len(counts) > 1000  # and a long tail of rare ones
    full = pc.value_counts(pc.binary_join_element_wise(people.column("given_name"), people.column("family_name"), " "))
    assert max(full.field("counts").to_pylist()) >= 5  # several people share a full name


def test_twins_share_dob_surname_and_address(people):
    rows = people.to_pylist()
    children = [r for r in rows if r["date_of_birth"] and _age(r["date_of_birth"]) < 18]
    seen: dict[tuple, list] = {}
    for r in children:
        seen.setdefault((r["household_id"], r["date_of_birth"], r["family_name"]), []).append(r)
    twins = [g for g in seen.values() if len(g) >= 2]
    share = sum(len(g) for g in twins) / len(children)
    assert 0.015 < share < 0.045, share
    for group in twins:
        assert len({r["given_name"] for r in group}) == len(group)  # never the same given name
        assert len({(r["address_line_1"], r["postcode"]) for r in group if r["postcode"] and r["address_line_1"]}) <= 1
    similar = [g for g in twins if {g[0]["given_name"], g[1]["given_name"]} in
               [set(p) for p in _SIMILAR_TWIN_NAMES]]
    assert similar, "some twins should have similar names"


def test_family_structure_is_plausible(people):
    rows = people.to_pylist()
    by_household: dict[str, list] = {}
    for r in rows:
        by_household.setdefault(r["household_id"], []).append(r)
    blended = 0
    for members in by_household.values():
        if not all(r["date_of_birth"] for r in members):
            continue
        ages = [_age(r["date_of_birth"]) for r in members]
        adults = [r for r in members if r["date_of_birth"] and _age(r["date_of_birth"]) >= 25]
        kids = [r for r in members if r["date_of_birth"] and _age(r["date_of_birth"]) < 16]
        if kids and ages:
            assert max(ages) >= 16 + min(_age(k["date_of_birth"]) for k in kids)  # a parent old enough
        if adults and kids and any(k["family_name"] not in {a["family_name"] for a in adults} for k in kids):
            blended += 1
    assert blended / len(by_household) > 0.05


def test_identifiers_valid_where_present(people):
    rows = people.to_pylist()
    nhs = [r["nhs_number"] for r in rows if r["nhs_number"]]
    assert 0.9 < len(nhs) / len(rows) < 0.99
    invalid = 0
    for value in nhs:
        try:
            identifiers.validate("nhs", value)
        except ValidationError:
            invalid += 1
    assert invalid / len(nhs) < 0.02
    assert len(set(nhs)) > len(nhs) * 0.999
    for r in rows:
        age = _age(r["date_of_birth"]) if r["date_of_birth"] else None
        if r["upn"]:
            identifiers.validate("upn", r["upn"])
            assert age is None or 4 <= age < 19
        if r["ni_number"]:
            identifiers.validate("ni", r["ni_number"])
            assert age is None or age >= 16
        if r["pnc"]:
            identifiers.validate("pnc", r["pnc"])
            assert age is None or age >= 10
    school_age = [r for r in rows if r["date_of_birth"] and 5 <= _age(r["date_of_birth"]) < 16]
    assert sum(bool(r["upn"]) for r in school_age) / len(school_age) > 0.75
    assert 0 < sum(bool(r["pnc"]) for r in rows) / len(rows) < 0.05


def test_unknown_people_are_not_in_truth(people, extract):
    records, truth = extract
    matched = set(truth.column("record_id").to_pylist())
    unknown = [r for r in records.to_pylist() if r["unique_id"] not in matched]
    assert len(unknown) == 4000
    index_nhs = set(people.column("nhs_number").drop_null().to_pylist())
    assert not any(r["nhs_number"] in index_nhs for r in unknown if r["nhs_number"])
    # Unknown people are drawn from the same distributions: they share surnames and postcode districts
    # with the index, but are rarely an exact copy of someone in it.
    index_keys = {(r["given_name"], r["family_name"], r["date_of_birth"]) for r in people.to_pylist()}
    copies = sum((r["given_name"], r["family_name"], r["date_of_birth"]) in index_keys for r in unknown)
    assert copies / len(unknown) < 0.01
    index_districts = {p.split(" ")[0] for p in people.column("postcode").drop_null().to_pylist()}
    districts = [r["postcode"].upper().replace(" ", "")[:-3] for r in unknown if r["postcode"]]
    assert sum(d in index_districts for d in districts) / len(districts) > 0.9
    index_surnames = set(people.column("family_name").to_pylist())
    assert sum(r["family_name"] in index_surnames for r in unknown) / len(unknown) > 0.6


def _within(observed: int, trials: int, rate: float, label: str):
    """Binomial: observed within five standard deviations (and a little slack) of rate * trials."""
    expected = rate * trials
    slack = 5 * math.sqrt(trials * rate * (1 - rate)) + 0.002 * trials + 3
    assert abs(observed - expected) <= slack, f"{label}: {observed}/{trials}, expected about {expected:.0f}"


def test_every_corruption_appears_at_its_rate(joined):
    c = DEFAULT_CORRUPTION
    n = len(joined)
    count = {}
    for _, _, kinds in joined:
        for k in kinds:
            count[k] = count.get(k, 0) + 1
    for kind, rate in [("typo_given", c.name_typo), ("typo_family", c.name_typo), ("swapped_names", c.swapped_names),
                       ("dob_typo", c.dob_typo * (1 - 0.003)), ("casing", c.casing),
                       ("postcode_format", c.postcode_format * (1 - c.missing_postcode))]:
        _within(count.get(kind, 0), n, rate, kind)
    # Rates with their own denominators, counted from the data rather than the labels.
    has_nick = [k for r, p, k in joined if p["given_name"] in NICKNAMES]
    _within(sum("nickname" in k for k in has_nick), len(has_nick), c.nickname, "nickname")
    adults = [k for r, p, k in joined if p["date_of_birth"] and _age(p["date_of_birth"]) >= 16]
    kids = [k for r, p, k in joined if p["date_of_birth"] and _age(p["date_of_birth"]) < 16]
    _within(sum("surname_change" in k for k in adults), len(adults), c.surname_change_adult, "adult surname")
    _within(sum("surname_change" in k for k in kids), len(kids), c.surname_change_child, "child surname")
    swappable = [k for r, p, k in joined if p["date_of_birth"] and p["date_of_birth"].day <= 12
                 and p["date_of_birth"].day != p["date_of_birth"].month]
    _within(sum("dob_day_month_swap" in k for k in swappable), len(swappable), c.dob_day_month_swap, "dob swap")
    # Moves are per household, so allow for clustering.
    moved = sum("moved" in k for _, _, k in joined)
    assert abs(moved / n - c.moved) < 0.03
    with_punct = [k for r, p, k in joined if any(ch in p["family_name"] for ch in "'- ")]
    assert with_punct and abs(sum("punctuation" in k for k in with_punct) / len(with_punct) - c.punctuation) < 0.2
    abbreviable = [k for r, p, k in joined if p["address_line_1"] and p["address_line_1"].rsplit(" ", 1)[-1]
                   in ABBREVIATIONS and "moved" not in k]
    _within(sum("street_abbreviation" in k for k in abbreviable), len(abbreviable),
            c.street_abbreviation * (1 - c.missing_address), "street abbreviation")
    missing_nhs = [k for r, p, k in joined]
    _within(sum("missing_nhs_number" in k for k in missing_nhs), n, c.missing_identifier * 0.98, "missing nhs")


def test_corruptions_are_what_they_say(joined):
    """The labels describe the data: each kind of difference is really there, and absent without it."""
    n = len(joined)
    missing_dob = [r["date_of_birth"] is None for r, p, k in joined if p["date_of_birth"]]
    _within(sum(missing_dob), len(missing_dob), DEFAULT_CORRUPTION.missing_dob, "missing dob (data)")
    missing_pc = [r["postcode"] is None for r, p, k in joined if p["postcode"]]
    _within(sum(missing_pc), len(missing_pc), DEFAULT_CORRUPTION.missing_postcode, "missing postcode (data)")
    missing_addr = [r["address_line_1"] is None for r, p, k in joined if p["address_line_1"]]
    _within(sum(missing_addr), len(missing_addr), DEFAULT_CORRUPTION.missing_address, "missing address (data)")
    clean_name = lambda s: (s or "").upper()  # noqa: E731
    for r, p, k in joined:
        name_kinds = {"nickname", "typo_given", "typo_family", "swapped_names", "surname_change", "punctuation"}
        if not k & name_kinds:
            assert clean_name(r["given_name"]) == clean_name(p["given_name"])
            assert clean_name(r["family_name"]) == clean_name(p["family_name"])
        if k & {"nickname"} and not k & {"typo_given", "swapped_names"}:
            assert r["given_name"].upper() in {v.upper() for v in NICKNAMES[p["given_name"]]}
        if "typo_given" in k and not k & {"nickname", "swapped_names"}:
            assert clean_name(r["given_name"]) != clean_name(p["given_name"])
        if k == {"swapped_names"}:
            assert (r["given_name"], r["family_name"]) == (p["family_name"], p["given_name"])
        if not k & {"dob_typo", "dob_day_month_swap", "missing_dob"}:
            assert r["date_of_birth"] == p["date_of_birth"]
        if "dob_day_month_swap" in k and "missing_dob" not in k:
            d = p["date_of_birth"]
            assert r["date_of_birth"] == datetime.date(d.year, d.day, d.month)
        if "dob_typo" in k and "missing_dob" not in k:
            assert r["date_of_birth"] != p["date_of_birth"]
            a, b = r["date_of_birth"].strftime("%Y%m%d"), p["date_of_birth"].strftime("%Y%m%d")
            assert sum(x != y for x, y in zip(a, b)) <= 2  # one digit (a day/month rollover may touch two)
        if "moved" in k and r["postcode"] and "postcode_typo" not in k:
            assert (r["address_line_1"] or "").upper() != (p["address_line_1"] or "").upper() or \
                r["postcode"].upper().replace(" ", "") != p["postcode"].replace(" ", "")
        if not k & {"moved", "postcode_typo", "missing_postcode"} and p["postcode"]:
            assert r["postcode"].upper().replace(" ", "") == p["postcode"].replace(" ", "")
        if "postcode_typo" in k and not k & {"moved", "missing_postcode"} and p["postcode"]:
            assert r["postcode"].upper().replace(" ", "") != p["postcode"].replace(" ", "")
        if not k & {"missing_nhs_number", "typo_nhs_number"} and p["nhs_number"]:
            assert r["nhs_number"] == _nhs_with_check(p["nhs_number"])  # the index mistyped a few
    # Clean records exist too.
    assert sum(not k for _, _, k in joined) > 0.2 * n


def test_no_corruption_means_exact_copies(people):
    records, truth = partner_extract(people, 2000, seed=3, corruption=NO_CORRUPTION, identifiers=("nhs_number",))
    rec = {r["unique_id"]: r for r in records.to_pylist()}
    per = {r["unique_id"]: r for r in people.to_pylist()}
    home = {}
    for p in per.values():
        for col in ("address_line_1", "postcode"):
            if p[col]:
                home.setdefault(p["household_id"], {})[col] = p[col]
    for t in truth.to_pylist():
        r, p = rec[t["record_id"]], per[t["person_id"]]
        assert t["corruptions"] == ""
        for col in ("given_name", "family_name", "date_of_birth"):
            assert r[col] == p[col], col
        for col in ("address_line_1", "postcode"):  # the partner knows an address the index lost
            assert r[col] == (p[col] or home.get(p["household_id"], {}).get(col)), col
        if p["nhs_number"]:
            assert r["nhs_number"] == _nhs_with_check(p["nhs_number"])  # the index mistyped a few


def test_flavours_hold_the_right_people_and_siblings(people):
    per = {r["unique_id"]: r for r in people.to_pylist()}
    records, truth = partner_extract(people, 3000, seed=4, identifiers=("upn",))
    pupils = [per[p] for p in truth.column("person_id").to_pylist()]
    assert all(4 <= _age(p["date_of_birth"]) < 19 for p in pupils if p["date_of_birth"])
    households = [p["household_id"] for p in pupils]
    assert len(set(households)) < 0.85 * len(households)  # siblings together
    assert pc.sum(pc.is_valid(records.column("upn"))).as_py() > 0.8 * records.num_rows
    assert pc.sum(pc.is_valid(records.column("ni_number"))).as_py() == 0
    records, truth = partner_extract(people, 3000, seed=4, identifiers=("ni_number",))
    assert all(_age(per[p]["date_of_birth"]) >= 16 for p in truth.column("person_id").to_pylist()
               if per[p]["date_of_birth"])
    records, truth = partner_extract(people, 3000, seed=4, identifiers=("pnc",))
    assert 0.05 < pc.sum(pc.is_valid(records.column("pnc"))).as_py() / 3000 < 0.6
    # Holding an identifier must not give away whether someone is in the index.
    known = pc.is_in(records.column("unique_id"), truth.column("record_id"))
    for col in ("pnc",):
        has = pc.is_valid(records.column(col))
        share_known = pc.mean(pc.filter(has, known)).as_py()
        share_unknown = pc.mean(pc.filter(has, pc.invert(known))).as_py()
        assert abs(share_known - share_unknown) < 0.08, (col, share_known, share_unknown)


def test_corruption_is_configurable(people):
    heavy = dataclasses.replace(DEFAULT_CORRUPTION, missing_dob=0.5)
    records, _ = partner_extract(people, 2000, seed=5, corruption=heavy)
    assert 0.4 < pc.sum(pc.is_null(records.column("date_of_birth"))).as_py() / 2000 < 0.6


def test_small_populations_are_fast():
    population(1000, seed=1)  # imports and name tables, once
    started = time.perf_counter()
    people = population(1000, seed=2)
    partner_extract(people, 500, seed=3)
    assert time.perf_counter() - started < 0.3
    assert np.all(pc.is_valid(people.column("household_id")).to_numpy(zero_copy_only=False))
