"""Synthetic UK household data with known truth, for testing and benchmarking record linkage.

    people = population(1_000_000, seed=1)                    # the council's person index
    records, truth = partner_extract(people, 200_000, seed=2)  # a partner's file and its true links

Everything is made up: names are sampled from Faker's en_GB lists (plus a tail of invented surnames and
recent baby names), postcodes and streets are invented (they look like UK ones and may by chance equal real
ones, but no person here exists), NHS numbers start with 9, which England does not issue. Nothing is
downloaded. Vectorised with numpy and pyarrow: a million people take a few seconds.

The council index is household-structured (couples with children, lone parents, blended families,
multi-generational households, twins), because the hard part of linking Early Help data is telling a
person from their siblings, parents and twins at the same address, not from strangers.

`partner_extract` corrupts records at the rates in `Corruption` (documented there) and returns the truth
with a `corruptions` column naming what was done to each matched record, so misses can be explained.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from earlyhelp.people import identifiers

INPUT_COLUMNS = ("unique_id", "given_name", "family_name", "date_of_birth", "address_line_1", "postcode",
                 "nhs_number", "ni_number", "upn", "pnc")
IDENTIFIER_COLUMNS = ("nhs_number", "ni_number", "upn", "pnc")
# A fixed date, not today, so that a seed gives the same data next year.
REFERENCE_DATE = datetime.date(2026, 9, 1)
_REF_DAYS = (REFERENCE_DATE - datetime.date(1970, 1, 1)).days
_YEAR = 365.25

# --- Names ---------------------------------------------------------------------------------------

# Faker's en_GB surnames are the 500 commonest (with their frequency in per cent), covering about 40%
# of people; the rest of the UK has rarer names. Without a tail, every surname would be common and term
# frequency adjustments would have nothing to work with, so a tail of invented but plausible surnames
# (toponymic stem + suffix, patronymic) carries the other 60%.
_TAIL_SHARE = 0.6
_STEMS = ("Ash", "Brad", "Brom", "Bur", "Cal", "Carr", "Chad", "Chol", "Cran", "Dal", "Dun", "Eld", "Fair",
          "Farn", "Fen", "Gar", "Glad", "Grim", "Hal", "Hart", "Hath", "Hol", "Horn", "Kel", "Kings", "Lang",
          "Lid", "Lock", "Mar", "Mel", "Mid", "Mill", "Nor", "Oak", "Ord", "Pen", "Pick", "Red", "Rom", "Rud",
          "Sal", "Sand", "Shel", "Stan", "Sum", "Thorn", "Thur", "Wad", "Wal", "Wen", "Whit", "Wil", "Wim",
          "Wood", "Yar", "Brack", "Cop", "Dent", "Elm", "Frod", "Gos", "Hux", "Ick", "Kin", "Lud", "Mox")
_SUFFIXES = ("ford", "ley", "ton", "worth", "by", "field", "wood", "ham", "ridge", "combe", "well", "stone",
             "hurst", "bury", "shaw", "cliffe", "dale", "more", "den", "brook", "thorpe", "wick", "ington")

# Baby names of the last twenty years (ONS top-100 style), mixed with Faker's list for children, whose
# lists are mostly of adults' generations. Invented lists, weighted by position.
_RECENT_MALE = ("Oliver", "Noah", "George", "Harry", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie",
                "Jacob", "Thomas", "Henry", "William", "Freddie", "Alfie", "Theo", "Archie", "Joshua", "James",
                "Lucas", "Isaac", "Ethan", "Logan", "Mason", "Max", "Teddy", "Finley", "Harrison", "Alexander",
                "Reuben", "Tommy", "Daniel", "Edward", "Riley", "Jaxon", "Ronnie", "Louie", "Harvey", "Dylan",
                "Jake", "Finn", "Rory", "Hugo", "Elijah", "Jude", "Toby", "Albie", "Frankie", "Sonny")
_RECENT_FEMALE = ("Olivia", "Amelia", "Isla", "Ava", "Ivy", "Freya", "Lily", "Florence", "Mia", "Willow",
                  "Rosie", "Sophia", "Isabella", "Grace", "Daisy", "Sienna", "Poppy", "Elsie", "Emily", "Ella",
                  "Evelyn", "Phoebe", "Sofia", "Evie", "Charlotte", "Harper", "Millie", "Matilda", "Maya",
                  "Sophie", "Alice", "Emilia", "Isabelle", "Ruby", "Luna", "Maisie", "Aria", "Penelope", "Mila",
                  "Bonnie", "Eva", "Hallie", "Eliza", "Ellie", "Esme", "Lottie", "Layla", "Jessica", "Molly",
                  "Chloe")

# Twins are sometimes given names that differ by a letter or two; linkage must not merge them.
_SIMILAR_TWIN_NAMES = (("Jack", "Jake"), ("Ella", "Ellie"), ("Isla", "Ella"), ("Lily", "Lilly"),
                       ("Harry", "Harvey"), ("Ava", "Eva"), ("Leo", "Theo"), ("Finn", "Flynn"), ("Amy", "Amie"),
                       ("Sophie", "Sophia"), ("Ryan", "Rhys"), ("Millie", "Mollie"), ("Evie", "Eve"),
                       ("Alfie", "Archie"), ("Lewis", "Louis"), ("Connor", "Conor"), ("Megan", "Morgan"),
                       ("Holly", "Hollie"), ("Daniel", "Danielle"), ("Rosie", "Rose"))

# UK diminutives: the formal name a record may hold, and what a partner may have written instead.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy", "Liam"), "Robert": ("Rob", "Bob", "Bobby", "Robbie"),
    "Richard": ("Rich", "Rick", "Richie"), "James": ("Jim", "Jamie", "Jimmy"), "John": ("Johnny", "Jack"),
    "Thomas": ("Tom", "Tommy"), "Christopher": ("Chris", "Kit"), "Michael": ("Mike", "Mick", "Micky"),
    "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Joshua": ("Josh",), "Samuel": ("Sam", "Sammy"),
    "Benjamin": ("Ben", "Benny"), "Alexander": ("Alex", "Xander"), "Anthony": ("Tony", "Ant"),
    "Antony": ("Tony",), "Andrew": ("Andy", "Drew"), "Stephen": ("Steve",), "Steven": ("Steve",),
    "Joseph": ("Joe", "Joey"), "Nicholas": ("Nick", "Nicky"), "Jonathan": ("Jon", "Jonny"),
    "Edward": ("Ed", "Eddie", "Ted"), "Peter": ("Pete",), "David": ("Dave", "Davy"), "Philip": ("Phil",),
    "Phillip": ("Phil",), "Kenneth": ("Ken", "Kenny"), "Gerald": ("Gerry",), "Timothy": ("Tim",),
    "Frederick": ("Fred", "Freddie"), "Henry": ("Harry", "Hal"), "Alfred": ("Alfie", "Alf"),
    "Charles": ("Charlie", "Chas"), "Oliver": ("Ollie",), "Harrison": ("Harry",), "Nathan": ("Nate",),
    "Jacob": ("Jake",), "Callum": ("Cal",), "Lewis": ("Lew",), "Leonard": ("Len", "Lenny"),
    "Terence": ("Terry",), "Raymond": ("Ray",), "Ronald": ("Ron", "Ronnie"), "Donald": ("Don",),
    "Patrick": ("Pat", "Paddy"), "Gregory": ("Greg",), "Geoffrey": ("Geoff",), "Jeffrey": ("Jeff",),
    "Douglas": ("Doug", "Dougie"), "Francis": ("Frank",), "Bradley": ("Brad",), "Cameron": ("Cam",),
    "Theodore": ("Theo",), "Archibald": ("Archie",), "Reuben": ("Ruben",), "Muhammad": ("Mohammed",),
    "Katherine": ("Kate", "Katie", "Kath"), "Catherine": ("Cath", "Cathy", "Kate"), "Kathryn": ("Kate", "Kath"),
    "Elizabeth": ("Liz", "Lizzie", "Beth", "Betty"), "Margaret": ("Maggie", "Peggy", "Meg"),
    "Jennifer": ("Jen", "Jenny"), "Rebecca": ("Becky", "Becca"), "Samantha": ("Sam", "Sammy"),
    "Victoria": ("Vicky", "Tori"), "Jacqueline": ("Jackie",), "Deborah": ("Debbie", "Debs"),
    "Debra": ("Debbie",), "Patricia": ("Pat", "Trish"), "Christine": ("Chris", "Chrissie"),
    "Susan": ("Sue", "Suzy"), "Charlotte": ("Lottie", "Charlie"), "Alexandra": ("Alex", "Lexi"),
    "Nicola": ("Nicky", "Nikki"), "Joanne": ("Jo",), "Joanna": ("Jo",), "Amanda": ("Mandy",),
    "Abigail": ("Abbie", "Abi"), "Jessica": ("Jess",), "Eleanor": ("Ellie", "Nell"), "Olivia": ("Liv",),
    "Amelia": ("Millie", "Amy"), "Isabella": ("Bella", "Izzy"), "Isabelle": ("Izzy", "Belle"),
    "Kimberley": ("Kim",), "Natalie": ("Nat",), "Stephanie": ("Steph",), "Danielle": ("Dani",),
    "Georgina": ("Georgie", "Gina"), "Frances": ("Fran",), "Francesca": ("Fran", "Frankie"),
    "Teresa": ("Tess",), "Pamela": ("Pam",), "Barbara": ("Barb",), "Dorothy": ("Dot",),
    "Josephine": ("Jo", "Josie"), "Florence": ("Flo",), "Matilda": ("Tilly",), "Penelope": ("Penny",),
    "Evelyn": ("Evie",), "Sophia": ("Sophie",), "Emily": ("Em", "Emmy"), "Gillian": ("Gill",),
    "Suzanne": ("Sue",), "Jasmine": ("Jas",), "Rosemary": ("Rose", "Rosie"), "Sandra": ("Sandy",),
}

# Addresses: invented street names, and the abbreviations partners use.
_STREET_STEMS = ("Church", "Station", "Victoria", "Park", "High", "Mill", "School", "Green", "Manor", "Kings",
                 "Queens", "New", "North", "South", "London", "Chapel", "Grange", "Albert", "York", "Windsor",
                 "Elm", "Oak", "Beech", "Ash", "Willow", "Meadow", "Orchard", "Springfield", "Highfield",
                 "Westfield", "Brook", "Hill", "Bridge", "Castle", "Market", "West", "East", "Cross", "Stanley",
                 "Moor", "Wood", "Cedar", "Holly", "Lime", "Poplar", "Rowan", "Hawthorn", "Clarence", "Nelson",
                 "Princess", "Alexandra", "Cambridge", "Richmond", "Garden", "Valley", "Lake", "Heath", "Forest",
                 "Farm", "Mount", "Well", "Abbey", "Priory", "Canal", "Railway", "Fore", "Back", "Tower", "Lark")
_STREET_TYPES = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Gardens", "Court",
                 "Place", "Grove", "Terrace", "View", "Walk", "Rise", "Mews", "Hill", "Green", "Park")
_STREET_TYPE_WEIGHTS = (20, 16, 10, 8, 10, 8, 5, 5, 4, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1)
ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Lane": "Ln", "Avenue": "Ave", "Close": "Cl", "Drive": "Dr",
                 "Crescent": "Cres", "Gardens": "Gdns", "Court": "Ct", "Place": "Pl", "Grove": "Gr",
                 "Terrace": "Terr"}
_POSTCODE_AREAS = ("LS", "BD", "WF", "HD", "HX", "S", "DN", "HG", "YO", "M", "OL", "BL")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters inward codes use (no C, I, K, M, O, V)


@functools.lru_cache(maxsize=1)
def _name_tables():
    # Faker is loaded when names are first drawn, not on import: it takes about 70 MB.
    from faker.providers.person.en_GB import Provider

    def zipf(n, s=0.5):  # Faker's first-name lists are roughly in order of popularity
        w = 1.0 / np.arange(1, n + 1) ** s
        return w / w.sum()

    def mix(faker_names, recent):  # children: half Faker's list, half recent baby names
        names = list(dict.fromkeys(list(faker_names) + list(recent)))
        index = {n: i for i, n in enumerate(names)}
        adult = np.zeros(len(names))
        adult[: len(faker_names)] = zipf(len(faker_names))
        child = adult * 0.5
        for n, w in zip(recent, zipf(len(recent), 0.7)):
            child[index[n]] += 0.5 * w
        return np.array(names, dtype=object), adult, child / child.sum()

    male, male_adult, male_child = mix(Provider.first_names_male, _RECENT_MALE)
    female, female_adult, female_child = mix(Provider.first_names_female, _RECENT_FEMALE)
    given = np.concatenate([male, female])
    zeros_m, zeros_f = np.zeros(len(male)), np.zeros(len(female))
    given_p = {  # (sex, is_child) -> probabilities over `given`; sex 0 male, 1 female
        (0, False): np.concatenate([male_adult, zeros_f]), (0, True): np.concatenate([male_child, zeros_f]),
        (1, False): np.concatenate([zeros_m, female_adult]), (1, True): np.concatenate([zeros_m, female_child])}
    common = list(Provider.last_names.keys())
    common_w = np.array(list(Provider.last_names.values()), dtype=float)
    tail = [s + m + x for s in _STEMS for m in ("", "er", "in", "el", "an") for x in _SUFFIXES]
    tail += [n + "son" for n in Provider.first_names_male[:60]] + [n + "s" for n in Provider.first_names_male[60:120]]
    tail = [t for t in dict.fromkeys(tail) if t not in Provider.last_names]
    rng = np.random.default_rng(0)  # a fixed shuffle so tail frequencies are not alphabetical
    tail = list(rng.permutation(np.array(tail, dtype=object)))
    surnames = np.array(common + tail, dtype=object)
    surname_p = np.concatenate([common_w / common_w.sum() * (1 - _TAIL_SHARE), _flat(len(tail)) * _TAIL_SHARE])
    return given, given_p, surnames, surname_p / surname_p.sum()


def _flat(n):
    """Gently falling weights: the commonest tail name is about ten times the rarest, and rarer than
    the rarest of Faker's 500 (each tail name is a few hundredths of a per cent of people)."""
    w = 1.0 / (np.arange(n) + n / 10)
    return w / w.sum()


def _sample_given(rng, sex, is_child):
    given, given_p, _, _ = _name_tables()
    out = np.empty(len(sex), dtype=object)
    for s in (0, 1):
        for c in (False, True):
            m = (sex == s) & (is_child == c)
            out[m] = given[rng.choice(len(given), size=int(m.sum()), p=given_p[(s, c)])]
    return out


def _sample_surnames(rng, n):
    _, _, surnames, p = _name_tables()
    return surnames[rng.choice(len(surnames), size=n, p=p)]


# --- Identifiers (vectorised) ----------------------------------------------------------------------

def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) array of the decimal digits of each value, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def _unique_ints(rng, n, low, high, exclude=None):
    """n distinct ints in [low, high), none in `exclude`, in random order."""
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        extra = rng.integers(low, high, size=int((n - len(out)) * 1.05) + 16, dtype=np.int64)
        out = np.concatenate([out, extra])
        _, first = np.unique(out, return_index=True)
        out = out[np.sort(first)]
        if exclude is not None and len(exclude):
            out = out[~np.isin(out, exclude)]
    return out[:n]


def _nhs_numbers(rng, n, *, high_range: bool, exclude=None):
    """Valid NHS numbers starting 90-94 (index) or 95-98 (unknown people): England issues 4 and 6-7."""
    low, high = (900_000_000, 950_000_000) if not high_range else (950_000_000, 990_000_000)
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        nine = _unique_ints(rng, int((n - len(out)) * 1.12) + 16, low, high, exclude=exclude)
        check = identifiers.nhs_check_digit(_digits(nine, 9).T)
        keep = check != 10  # such numbers are never issued
        out = np.concatenate([out, nine[keep] * 10 + check[keep]])
        out = out[np.sort(np.unique(out, return_index=True)[1])]
    return out[:n]


def _nhs_with_check(value: str) -> str:
    nine = value[:9]
    return nine + str(identifiers.nhs_check_digit(nine))


def _strs(values, fmt):
    return np.array([fmt.format(v) for v in values.tolist()], dtype=object)


_UPN_LETTERS = np.array(list(identifiers.UPN_LETTERS))


def _upns(rng, n, exclude_serials=None):
    """UPN: check letter + LA code (3) + establishment (4) + year (2) + serial (3)."""
    la = rng.choice(np.array([380, 381, 382, 383, 384, 999]), size=n, p=[.7, .08, .06, .06, .05, .05])
    serial = _unique_ints(rng, n, 0, 10**9, exclude=exclude_serials)  # establishment, year, serial
    body = la.astype(np.int64) * 10**9 + serial
    check = identifiers.upn_check_value(_digits(body, 12).T)
    return np.char.add(_UPN_LETTERS[check].astype(object), _strs(body, "{:012d}")), serial


_NI_PREFIXES = np.array(identifiers.NI_PREFIXES)
_NI_SUFFIXES = np.array(list(identifiers.NI_SUFFIXES))


def _ni_numbers(rng, n, exclude=None):
    code = _unique_ints(rng, n, 0, len(_NI_PREFIXES) * 10**6, exclude=exclude)
    suffix = _NI_SUFFIXES[rng.integers(0, len(_NI_SUFFIXES), n)]
    out = np.char.add(np.char.add(_NI_PREFIXES[code // 10**6], _strs(code % 10**6, "{:06d}").astype(str)), suffix)
    return out.astype(object), code


_PNC_LETTERS = np.array(list(identifiers.PNC_LETTERS))


def _pncs(rng, n, exclude=None):
    code = _unique_ints(rng, n, 90 * 10**7, 126 * 10**7, exclude=exclude)  # years 90..99, 00..25
    year, serial = (code // 10**7) % 100, code % 10**7
    letter = _PNC_LETTERS[identifiers.pnc_check_value(year, serial)]
    text = [f"{y:02d}/{s:07d}{c}" for y, s, c in zip(year.tolist(), serial.tolist(), letter.tolist())]
    return np.array(text, dtype=object), code


# --- Households -------------------------------------------------------------------------------------

# Household types in an Early Help person index: mostly families with children (the service's
# caseload), with some single adults and couples (relatives, carers, young people living alone).
_H_SINGLE, _H_COUPLE, _H_COUPLE_KIDS, _H_LONE, _H_BLENDED, _H_MULTIGEN = range(6)
_H_TYPE_P = (0.14, 0.10, 0.36, 0.24, 0.08, 0.08)
_N_CHILDREN_P = (0.35, 0.37, 0.18, 0.07, 0.03)  # 1..5 children
TWIN_RATE = 0.023  # chance a later-born child is the twin of the one before: ~2.5-3% of children are twins

# Roles within a household.
ADULT1, ADULT2, CHILD, GRANDPARENT = range(4)


def _people_arrays(n_people: int, rng) -> dict[str, np.ndarray]:
    """Person-level arrays for households filling n_people: household, role, sex, names, DOB (days)."""
    h = _households(n_people, rng)
    hh = np.repeat(np.arange(h["n"]), h["size"])[:n_people]
    pos = np.arange(len(hh)) - np.repeat(h["end"] - h["size"], h["size"])[:n_people]
    a, k = h["adults"][hh], h["kids"][hh]
    role = np.select([pos == 0, (pos == 1) & (a == 2), pos < a + k], [ADULT1, ADULT2, CHILD], GRANDPARENT)
    n = len(hh)
    t = h["type"][hh]
    u = rng.random(n)

    sex = np.select([role == ADULT1, role == ADULT2], [h["female1"][hh], h["female2"][hh]], rng.random(n) < 0.5)
    parent_age = np.minimum(h["age1"][hh], np.where(a == 2, h["age2"][hh], 99))
    max_child_age = np.clip(parent_age - 17, 0.3, 18)
    # ~8% of "children" are grown-up sons and daughters (18-24) still at home.
    child_age = np.where(rng.random(n) < 0.08, np.minimum(rng.uniform(18, 25, n), parent_age - 18),
                         rng.uniform(0, 1, n) * max_child_age)
    age = np.select([role == ADULT1, role == ADULT2, role == CHILD],
                    [h["age1"][hh], h["age2"][hh], child_age], parent_age + rng.uniform(20, 34, n))
    age = np.minimum(age, 100)

    family, surname2, other_parent = h["family"][hh], h["surname2"][hh], h["other_parent"][hh]
    child_surname = np.select(
        [t == _H_COUPLE_KIDS, t == _H_LONE, t == _H_BLENDED],
        [np.where(u < 0.9, family, surname2),
         np.where(u < 0.6, family, other_parent),
         np.where(u < 0.45, family, np.where(u < 0.6, surname2, other_parent))],
        np.where(u < 0.85, family, other_parent))
    gp_surname = np.where(u < 0.6, family, _sample_surnames(rng, n))
    surname = np.select([role == ADULT1, role == ADULT2, role == CHILD], [family, surname2, child_surname], gp_surname)

    dob = np.floor(_REF_DAYS - age * _YEAR - rng.uniform(0, 1, n)).astype(np.int64)
    is_child = dob > _REF_DAYS - 20 * _YEAR
    given = _sample_given(rng, sex.astype(int), is_child)
    twin_of = _twins(rng, hh, role, sex, given, surname, dob)
    return {"household": hh, "role": role, "sex": sex, "given": given, "family": surname, "dob": dob,
            "twin_of": twin_of}


def _households(n_people: int, rng) -> dict[str, np.ndarray]:
    """Households filling n_people: type, how many adults, children and grandparents, and per household
    the adults' ages and sexes and the surnames in use."""
    n_h = max(1, int(n_people / 2.4 * 1.15) + 8)
    htype = rng.choice(6, size=n_h, p=_H_TYPE_P)
    kids = np.where(np.isin(htype, [_H_COUPLE_KIDS, _H_LONE, _H_BLENDED, _H_MULTIGEN]),
                    rng.choice(5, size=n_h, p=_N_CHILDREN_P) + 1, 0)
    adults = np.where(np.isin(htype, [_H_SINGLE, _H_LONE]), 1, 2)
    adults = np.where((htype == _H_MULTIGEN) & (rng.random(n_h) < 0.35), 1, adults)  # lone parent + grandparent
    grand = np.where(htype == _H_MULTIGEN, rng.choice([1, 2], size=n_h, p=[0.55, 0.45]), 0)
    kids = np.minimum(kids, 7 - adults - grand)
    size = adults + kids + grand
    end = np.cumsum(size)
    n_h = int(np.searchsorted(end, n_people) + 1)
    htype, kids, adults, grand, size = htype[:n_h], kids[:n_h], adults[:n_h], grand[:n_h], size[:n_h]

    # Household-level: adult ages, sexes and surnames.
    with_kids = kids > 0
    # Parents of dependent children are mostly 20-50; others span adult life.
    age1 = np.where(with_kids, rng.normal(36, 7, n_h).clip(18, 58), rng.uniform(18, 88, n_h))
    age1 = np.where(htype == _H_COUPLE, rng.uniform(20, 85, n_h), age1)
    age2 = (age1 + rng.normal(2, 4, n_h)).clip(18, 95)
    female1 = np.where(htype == _H_LONE, rng.random(n_h) < 0.88, rng.random(n_h) < 0.5)
    female2 = np.where(rng.random(n_h) < 0.96, ~female1, female1)  # some same-sex couples
    family = _sample_surnames(rng, n_h)
    surname2 = np.where(rng.random(n_h) < 0.7, family, _sample_surnames(rng, n_h))  # married or not
    other_parent = _sample_surnames(rng, n_h)  # an absent or previous partner's surname
    return {"n": n_h, "type": htype, "kids": kids, "adults": adults, "size": size, "end": end[:n_h],
            "age1": age1, "age2": age2, "female1": female1, "female2": female2, "family": family,
            "surname2": surname2, "other_parent": other_parent}


def _twins(rng, hh, role, sex, given, surname, dob) -> np.ndarray:
    """Twins: a child born at the same time as the previous child of the same household, with their surname and
    a name that differs (sometimes only just). Changes the arrays in place; returns each twin's elder's row (or -1)."""
    n = len(hh)
    prev_is_child = np.zeros(n, dtype=bool)
    prev_is_child[1:] = (role[:-1] == CHILD) & (hh[:-1] == hh[1:])
    twin = (role == CHILD) & prev_is_child & (rng.random(n) < TWIN_RATE)
    for i in np.flatnonzero(twin):  # a few thousand per million: a loop keeps it readable
        dob[i], surname[i] = dob[i - 1], surname[i - 1]
        pair = [p for p in _SIMILAR_TWIN_NAMES if given[i - 1] in p]
        r = rng.random()
        if r < 0.3 and pair:  # a name like the twin's
            given[i] = pair[0][1] if pair[0][0] == given[i - 1] else pair[0][0]
        elif r < 0.4:  # a similar pair for both
            given[i - 1], given[i] = _SIMILAR_TWIN_NAMES[rng.integers(len(_SIMILAR_TWIN_NAMES))]
        else:
            if rng.random() < 0.67:  # two in three twin pairs are the same sex
                sex[i] = sex[i - 1]
            given[i] = given[i - 1]
            while given[i] == given[i - 1]:
                given[i] = _sample_given(rng, np.array([int(sex[i])]), np.array([True]))[0]
    return np.where(twin, np.arange(n) - 1, -1)


# --- Geography ---------------------------------------------------------------------------------------

def _addresses(n_h: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(address_line_1, postcode) per household: ~14 households a postcode, ~150 postcodes a sector,
    ~5 sectors a district, so many households share a sector and some a full postcode; streets span
    one to three postcodes; some postcodes are blocks of flats (same building number)."""
    n_pc = max(1, round(n_h / 14))
    per_sector = 150
    n_sectors = -(-n_pc // per_sector)
    n_districts = -(-n_sectors // 5)
    sector_district = np.arange(n_sectors) // 5
    district_name = [f"{_POSTCODE_AREAS[(d // 20) % len(_POSTCODE_AREAS)]}{d % 20 + 1}" for d in range(n_districts)]
    units = np.array([a + b for a in _INWARD_LETTERS for b in _INWARD_LETTERS])
    postcodes = []
    for s in range(n_sectors):
        count = min(per_sector, n_pc - s * per_sector)
        letters = rng.choice(units, size=count, replace=False)
        postcodes += [f"{district_name[sector_district[s]]} {s % 5 + 1}{u}" for u in letters]
    postcodes = np.array(postcodes, dtype=object)

    street_len = rng.choice([1, 2, 3], size=n_pc, p=[0.55, 0.3, 0.15])
    street_of_pc = np.repeat(np.arange(n_pc), street_len)[:n_pc]
    n_streets = street_of_pc[-1] + 1
    stems = np.array(_STREET_STEMS + tuple(_name_tables()[2][:150]), dtype=object)
    types = np.array(_STREET_TYPES, dtype=object)
    tw = np.array(_STREET_TYPE_WEIGHTS, dtype=float)
    street_names = (stems[rng.integers(0, len(stems), n_streets)] + " "
                    + types[rng.choice(len(types), size=n_streets, p=tw / tw.sum())])

    pc_of_h = rng.integers(0, n_pc, n_h)
    order = np.lexsort((rng.random(n_h), pc_of_h))  # house numbers in no particular household order
    counts = np.bincount(pc_of_h, minlength=n_pc)
    pc_start = np.cumsum(counts) - counts
    rank = np.empty(n_h, dtype=np.int64)
    rank[order] = np.arange(n_h) - pc_start[pc_of_h[order]]
    # House numbers run on along a street from one postcode to the next.
    street_start = np.zeros(n_pc, dtype=np.int64)
    for i in range(1, n_pc):
        if street_of_pc[i] == street_of_pc[i - 1]:
            street_start[i] = street_start[i - 1] + counts[i - 1]
    block = rng.random(n_pc) < 0.12
    number = street_start[pc_of_h] + rank + 1
    street = street_names[street_of_pc[pc_of_h]]
    flats = block[pc_of_h]
    building = street_start[pc_of_h] + 1
    addr = np.where(flats,
                    "Flat " + (rank + 1).astype(str).astype(object) + ", " + building.astype(str).astype(object)
                    + " " + street,
                    number.astype(str).astype(object) + " " + street)
    return addr, postcodes[pc_of_h]


def _ids(prefix: str, n: int, start: int = 1) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(start, start + n)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, 7, "0"), "")


def _dates(days: np.ndarray, missing: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.int32(), mask=missing).cast(pa.date32())


def _strings(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.string(), mask=missing, from_pandas=True)


def _identifiers(rng, dob, *, unknown: bool, exclude: dict | None = None):
    """NHS, NI, UPN and PNC for people born on `dob` (days), as object arrays with None where absent, plus
    the numeric codes (for keeping unknown people's numbers apart from the index's)."""
    n = len(dob)
    age = (_REF_DAYS - dob) / _YEAR
    exclude = exclude or {}
    nhs = _nhs_numbers(rng, n, high_range=unknown).astype(str).astype(object)
    upn, upn_code = _upns(rng, n, exclude.get("upn"))
    ni, ni_code = _ni_numbers(rng, n, exclude.get("ni_number"))
    pnc, pnc_code = _pncs(rng, n, exclude.get("pnc"))
    return ({"nhs_number": nhs, "upn": np.where((age >= 4) & (age < 19), upn, None),
             "ni_number": np.where(age >= 16, ni, None), "pnc": np.where(age >= 10, pnc, None)},
            {"upn": upn_code, "ni_number": ni_code, "pnc": pnc_code})


# Shares of the council index holding each identifier (where the person would have one): NHS numbers
# come with health referrals and the NHS Spine, UPNs from the schools census, NI numbers only when a
# benefit or employment link was made, PNCs only for people with police contact.
INDEX_IDENTIFIER_SHARE = {"nhs_number": 0.95, "upn": 0.85, "ni_number": 0.6, "pnc": 0.04}
INDEX_NHS_INVALID = 0.005  # mistyped at entry, so the check digit fails
INDEX_MISSING = {"date_of_birth": 0.003, "postcode": 0.01, "address_line_1": 0.01}


def population(n_people: int, seed: int) -> pa.Table:
    """The council's person index: INPUT_COLUMNS plus household_id, n_people rows, deterministic for a seed."""
    rng = np.random.default_rng([seed, 0])
    p = _people_arrays(n_people, rng)
    n = len(p["household"])
    n_h = int(p["household"][-1]) + 1 if n else 0
    addr, postcode = _addresses(max(n_h, 1), rng)
    ids, _ = _identifiers(rng, p["dob"], unknown=False)
    columns = {"unique_id": _ids("P", n), "given_name": _strings(p["given"]), "family_name": _strings(p["family"]),
               "date_of_birth": _dates(p["dob"], rng.random(n) < INDEX_MISSING["date_of_birth"]),
               "address_line_1": _strings(addr[p["household"]], rng.random(n) < INDEX_MISSING["address_line_1"]),
               "postcode": _strings(postcode[p["household"]], rng.random(n) < INDEX_MISSING["postcode"])}
    for col in IDENTIFIER_COLUMNS:
        values = ids[col]
        if col == "nhs_number":
            bad = rng.random(n) < INDEX_NHS_INVALID
            values = values.copy()
            values[bad] = [v[:9] + str((int(v[9]) + 1 + rng.integers(9)) % 10) for v in values[bad]]
        columns[col] = _strings(values, (rng.random(n) >= INDEX_IDENTIFIER_SHARE[col]))
    columns["household_id"] = _ids("H", n, 0).take(pa.array(p["household"]))
    return pa.table(columns)


# --- Partner extracts -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Corruption:
    """Chance of each kind of difference between a partner's record and the council's.

    Rates are per record (or per name field, or per household for moves) and are meant to be realistic
    for English local administrative data, not kind to a matcher. Intuition from: studies of linking HES,
    the National Pupil Database and police data (ECHILD, Libuy et al. 2021; Harron et al. 2017 on
    linkage error), which find a few per cent of names and dates of birth disagreeing between
    sources; ONS mid-year estimates (about one person in ten moves house a year, families in need of
    early help more often); and the spelling, format and nickname variation caseworkers see in referrals.
    """

    name_typo: float = 0.03  # per name field: one edit (two in a fifth of cases)
    nickname: float = 0.08  # of given names that have a diminutive in NICKNAMES
    surname_change_adult: float = 0.04  # 16+: marriage, separation, back to a maiden name, double-barrelling
    surname_change_child: float = 0.025  # under 16: step-parent's surname or double-barrelled
    moved: float = 0.10  # per household: one side's address is older than the other's
    moved_same_district: float = 0.6  # share of moves within the same postcode district
    missing_dob: float = 0.02
    missing_postcode: float = 0.03
    missing_address: float = 0.03
    missing_identifier: float = 0.08  # of records whose partner would hold the identifier
    identifier_typo: float = 0.005  # one character changed
    swapped_names: float = 0.01  # given and family name entered the wrong way round
    dob_day_month_swap: float = 0.015  # of dates where day <= 12 and day != month
    dob_typo: float = 0.015  # one digit of day, month or year
    postcode_typo: float = 0.01  # one character changed
    postcode_format: float = 0.15  # no space, lower case, extra spaces
    casing: float = 0.20  # upper or lower case names and addresses
    punctuation: float = 0.5  # of names with an apostrophe, hyphen or space: dropped or changed
    street_abbreviation: float = 0.25  # of addresses with an abbreviable street type
    duplicate: float = 0.01  # the same person twice in the partner's file


DEFAULT_CORRUPTION = Corruption()
NO_CORRUPTION = Corruption(**{f.name: 0.0 for f in dataclasses.fields(Corruption)})

# Who a partner's file holds, by the identifier it carries: a school's pupils, police contacts (10+,
# the age of criminal responsibility), DWP claimants (16+); otherwise all ages.
_AGES_BY_IDENTIFIER = {"upn": (4, 19), "pnc": (10, 120), "ni_number": (16, 120), "nhs_number": (0, 120)}
# Share of eligible people for whom a partner holds the identifier when the index does not (a school
# always knows its pupils' UPNs; police hold PNCs only for people arrested or charged).
_PARTNER_IDENTIFIER_SHARE = {"upn": 1.0, "ni_number": 0.97, "nhs_number": 0.98, "pnc": 0.25}

_KEYBOARD = {c: n for c, n in zip("qwertyuiopasdfghjklzxcvbnm",
                                  ["wa", "qes", "wrd", "etf", "ryg", "tuh", "yij", "uok", "ipl", "ol", "qsz",
                                   "awdx", "sefc", "drgv", "fthb", "gyjn", "hukm", "jil", "kop", "xas",
                                   "zcsd", "xvdf", "cbfg", "vngh", "bmhj", "njk"])}


def _typo(word: str, rng) -> str:
    """One or two character edits: keyboard-neighbour substitution, deletion, doubling or transposition."""
    chars = list(word)
    for _ in range(2 if rng.random() < 0.2 else 1):
        if len(chars) < 2:
            break
        i = int(rng.integers(1, len(chars))) if len(chars) > 2 else 1  # first letters are rarely wrong
        kind = rng.integers(4)
        c = chars[i].lower()
        if kind == 0 and c in _KEYBOARD:
            chars[i] = _KEYBOARD[c][rng.integers(len(_KEYBOARD[c]))]
        elif kind == 1 and len(chars) > 3:
            del chars[i]
        elif kind == 2:
            chars.insert(i, c)
        elif i < len(chars) - 1 and chars[i] != chars[i + 1]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = "aeiou"[rng.integers(5)] if c not in "aeiou" else "bcdlmnrst"[rng.integers(9)]
    out = "".join(chars)
    return out if out != word else word[:-1] + ("e" if word[-1] != "e" else "a")


def _char_typo(value: str, rng, alphabet: str) -> str:
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    i = positions[rng.integers(len(positions))]
    pool = alphabet.replace(value[i], "")
    return value[:i] + pool[rng.integers(len(pool))] + value[i + 1:]


def _date_parts(days):
    d = np.asarray(days).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, day


def _days(y, m, d):
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def _dob_typo(days: int, rng) -> int:
    """One digit of the day, month or year changed, still a real date before the reference date."""
    y, m, d = (int(v) for v in (x[0] for x in _date_parts([days])))
    for _ in range(20):
        part, digit = rng.integers(3), int(rng.integers(10))
        ny, nm, nd = y, m, d
        if part == 0:
            nd = (d // 10) * 10 + digit if rng.random() < 0.7 else digit * 10 + d % 10
        elif part == 1:
            nm = (m // 10) * 10 + digit
        else:
            ny = (y // 10) * 10 + digit
        try:
            new = _days(ny, nm, nd)
        except ValueError:
            continue
        if new != days and new < _REF_DAYS:
            return new
    return days + 1


def _select(rng, table_households: np.ndarray, eligible: np.ndarray, n: int, share: float) -> np.ndarray:
    """Row indices of n people, whole households at a time: each eligible member of a chosen household
    comes along with chance `share` (at least one does), so files hold siblings and parents together.
    Eligible people first; if there are too few, others make up the number."""
    m = len(table_households)
    key = rng.random(int(table_households.max()) + 1 if m else 1)[table_households]
    first = np.zeros(m, dtype=bool)
    order = np.lexsort((rng.random(m), ~eligible, table_households))  # per household: eligible first
    hh_sorted = table_households[order]
    first[order[np.r_[True, hh_sorted[1:] != hh_sorted[:-1]]]] = True
    take = eligible & (first | (rng.random(m) < share))
    tier = np.where(take, 0, np.where(eligible, 1, 2))
    order = np.lexsort((rng.random(m), key, tier))
    return order[:n]


class _AddressPool:
    """The index's streets and postcodes, by district, for moves and for placing unknown people."""

    def __init__(self, people: pa.Table):
        ok = pc.and_(pc.is_valid(people.column("postcode")), pc.is_valid(people.column("address_line_1")))
        kept = people.filter(ok)
        self.postcode = kept.column("postcode").to_numpy(zero_copy_only=False)
        self.street = pc.replace_substring_regex(kept.column("address_line_1"), r"^(Flat \d+, )?\d+ ", "")
        self.street = self.street.to_numpy(zero_copy_only=False)
        district = pc.utf8_rtrim(pc.utf8_slice_codeunits(kept.column("postcode"), 0, 4), " ")
        self.order = np.argsort(district.to_numpy(zero_copy_only=False), kind="stable")
        self.sorted_district = district.to_numpy(zero_copy_only=False)[self.order]

    def draw(self, rng, mover_postcodes: np.ndarray, same_district: float):
        """New (address, postcode) per mover: a real street and postcode of the index, in the mover's
        district with chance same_district, with a house number of its own."""
        n = len(mover_postcodes)
        pick = rng.integers(0, len(self.postcode), n)
        local = (rng.random(n) < same_district) & _notnull(mover_postcodes)
        for j in np.flatnonzero(local):
            d = mover_postcodes[j].split(" ")[0]
            lo = np.searchsorted(self.sorted_district, d, "left")
            hi = np.searchsorted(self.sorted_district, d, "right")
            if hi > lo:
                pick[j] = self.order[rng.integers(lo, hi)]
        number = rng.integers(1, 160, n).astype(str).astype(object)
        return number + " " + self.street[pick], self.postcode[pick]


def _notnull(values: np.ndarray) -> np.ndarray:
    if values.dtype != object:
        return ~np.isnan(values)
    return np.fromiter((v is not None for v in values), dtype=bool, count=len(values))


def partner_extract(people: pa.Table, n_records: int, seed: int, *, match_rate: float = 0.8,
                    identifiers: tuple[str, ...] = ("upn",), corruption: Corruption = DEFAULT_CORRUPTION,
                    ages: tuple[float, float] | None = None, household_share: float = 0.5,
                    unknown_at_known_address: float = 0.1) -> tuple[pa.Table, pa.Table]:
    """A partner's file about n_records people and the truth.

    records: INPUT_COLUMNS, unique_id R0000001...; identifier columns not in `identifiers` are null.
    truth: record_id, person_id for the records that are someone in `people` (about match_rate of
    them), plus `corruptions`, a comma-separated list of what was done to that record.

    The others are people unknown to the council from the same name, date and address distributions;
    `unknown_at_known_address` of them live at the address of someone in the index (a new partner, a
    lodger, a baby born since), half of those with that household's surname. `ages` limits who the
    file is about (default by the first identifier: pupils for UPN, 16+ for NI, 10+ for PNC).
    """
    for col in identifiers:
        if col not in IDENTIFIER_COLUMNS:
            raise ValueError(f"unknown identifier {col!r}; choose from {IDENTIFIER_COLUMNS}")
    rng = np.random.default_rng([seed, 1])
    ages = ages or (_AGES_BY_IDENTIFIER[identifiers[0]] if identifiers else (0, 120))
    n_known = int(round(n_records * match_rate))
    n_dup = int(round(n_known * corruption.duplicate))
    if people.num_rows < n_known - n_dup:
        raise ValueError("the index holds fewer people than the file's known records: lower n_records or match_rate")
    index = _index_arrays(people)

    # Known people: whole households at a time, a few twice.
    age = (_REF_DAYS - index["dob"]) / _YEAR
    eligible = (age >= ages[0]) & (age < ages[1])
    known_rows = _select(rng, index["household"], eligible, n_known - n_dup, household_share)
    if n_dup:
        known_rows = np.concatenate([known_rows, rng.choice(known_rows, n_dup)])

    pool = _AddressPool(people)
    known_codes = {"upn": None, "ni_number": None, "pnc": None}  # filled once, on first use
    unknown = _unknown_people(rng, people, index, pool, known_codes, n=n_records - n_known, seed=seed, ages=ages,
                              household_share=household_share, at_known_address=unknown_at_known_address)
    records = _Records(index, known_rows, unknown)
    ids = _partner_identifiers(rng, records, identifiers, index, known_rows, unknown["ids"],
                               _index_codes(people, known_codes), corruption)
    _change_surnames(rng, records, corruption)
    _move_households(rng, records, pool, corruption)
    _nicknames_typos_and_swaps(rng, records, corruption)
    _corrupt_dates(rng, records, corruption)
    _corrupt_postcodes_and_leave_out_fields(rng, records, corruption)
    # Formatting noise: every system writes names and postcodes its own way.
    records.given, records.family, records.addr, records.postcode = _format_noise(
        rng, corruption, records.given, records.family, records.addr, records.postcode, records.note)
    return _shuffled_tables(rng, records, ids, people, known_rows)


def _index_arrays(people: pa.Table) -> dict[str, np.ndarray]:
    """The index as numpy arrays: its columns, each person's address (the household's where the index lost
    it, as the partner still knows it), date of birth in days (missing: far in the past) and household."""
    arrays = {c: people.column(c).to_numpy(zero_copy_only=False) for c in INPUT_COLUMNS if c != "date_of_birth"}
    home = people.group_by("household_id", use_threads=False).aggregate(
        [("address_line_1", "first"), ("postcode", "first")])
    lookup = pc.index_in(people.column("household_id"), home.column("household_id"))
    true_addr = pc.coalesce(people.column("address_line_1"), home.column("address_line_1_first").take(lookup))
    true_pc = pc.coalesce(people.column("postcode"), home.column("postcode_first").take(lookup))
    arrays["true_addr"] = true_addr.to_numpy(zero_copy_only=False)
    arrays["true_pc"] = true_pc.to_numpy(zero_copy_only=False)
    arrays["dob"] = people.column("date_of_birth").cast(pa.int32()).fill_null(-(10**6)).to_numpy()
    arrays["household"] = pc.cast(pc.utf8_slice_codeunits(people.column("household_id"), 1), pa.int64()).to_numpy()
    return arrays


def _unknown_people(rng, people: pa.Table, index: dict, pool: _AddressPool, known_codes: dict, *, n: int, seed: int,
                    ages: tuple[float, float], household_share: float, at_known_address: float) -> dict:
    """n people unknown to the council: households generated afresh, living at addresses from the index's
    geography, some of them at the address of someone in the index."""
    unk = _people_arrays(max(4 * n, 64), np.random.default_rng([seed, 2]))
    unk_age = (_REF_DAYS - unk["dob"]) / _YEAR
    rows = _select(rng, unk["household"], (unk_age >= ages[0]) & (unk_age < ages[1]), n, household_share)
    n_unk_h = int(unk["household"].max()) + 1
    unk_addr, unk_pc = pool.draw(rng, np.full(n_unk_h, None, dtype=object), 0.0)
    unk_hh = unk["household"][rows]
    addr, postcode, family = unk_addr[unk_hh], unk_pc[unk_hh], unk["family"][rows].copy()
    at_known = rng.random(n) < at_known_address
    host = rng.integers(0, len(people), n)
    addr = np.where(at_known, index["true_addr"][host], addr)
    postcode = np.where(at_known, index["true_pc"][host], postcode)
    family = np.where(at_known & (rng.random(n) < 0.5), index["family_name"][host], family)
    ids, _ = _identifiers(rng, unk["dob"][rows], unknown=True, exclude=_index_codes(people, known_codes))
    return {"given": unk["given"][rows], "family": family, "dob": unk["dob"][rows], "addr": addr,
            "postcode": postcode, "household": unk_hh, "ids": ids}


class _Records:
    """The partner's records while they are corrupted: the known people first, then the unknown ones.
    `notes` says what was done to each known person's record."""

    def __init__(self, index: dict, known_rows: np.ndarray, unknown: dict):
        self.n_known = len(known_rows)
        self.given = np.concatenate([index["given_name"][known_rows], unknown["given"]])
        self.family = np.concatenate([index["family_name"][known_rows], unknown["family"]])
        self.dob = np.concatenate([index["dob"][known_rows], unknown["dob"]])
        self.dob_missing = self.dob < -(10**5)
        self.addr = np.concatenate([index["true_addr"][known_rows], unknown["addr"]])
        self.postcode = np.concatenate([index["true_pc"][known_rows], unknown["postcode"]])
        self.household = np.concatenate([index["household"][known_rows],
                                         index["household"].max() + 1 + unknown["household"]])
        self.age = (_REF_DAYS - self.dob) / _YEAR
        self.miss_dob = np.zeros(len(self.dob), dtype=bool)
        self.notes = np.full(self.n_known, "", dtype=object)

    def __len__(self):
        return len(self.given)

    def note(self, mask, label):
        m = np.asarray(mask)[:self.n_known]
        self.notes[m] = self.notes[m] + (label + ",")


def _partner_identifiers(rng, records: _Records, columns: tuple[str, ...], index: dict, known_rows: np.ndarray,
                         unknown_ids: dict, index_codes: dict, corruption: Corruption) -> dict[str, np.ndarray]:
    """The partner's own identifier values: the index's where it has them, fresh ones where it has none."""
    n, n_unknown = len(records), len(records) - records.n_known
    fresh, _ = _identifiers(rng, records.dob, unknown=True, exclude=index_codes)
    ids = {}
    for col in columns:
        # Unknown people hold their own numbers as often as the index would have held them, so that
        # having an identifier says nothing about being known.
        unk_vals = np.where(rng.random(n_unknown) < INDEX_IDENTIFIER_SHARE[col], unknown_ids[col], None)
        index_vals = np.concatenate([index[col][known_rows], unk_vals])
        held = _notnull(index_vals)
        gets_fresh = ~held & _notnull(fresh[col]) & (rng.random(n) < _PARTNER_IDENTIFIER_SHARE[col])
        vals = np.where(held, index_vals, np.where(gets_fresh, fresh[col], None))
        if col == "nhs_number":  # the index mistyped a few check digits; the partner has them right
            vals = np.array([_nhs_with_check(v) if v is not None else None for v in vals], dtype=object)
        gone = _notnull(vals) & (rng.random(n) < corruption.missing_identifier)
        records.note(gone, f"missing_{col}")
        vals = np.where(gone, None, vals)
        typo = _notnull(vals) & (rng.random(n) < corruption.identifier_typo)
        for i in np.flatnonzero(typo):
            vals[i] = _char_typo(vals[i], rng, "0123456789")
        records.note(typo, f"typo_{col}")
        ids[col] = vals
    return ids


def _change_surnames(rng, records: _Records, corruption: Corruption):
    n = len(records)
    adult = records.age >= 16
    change = np.where(adult, rng.random(n) < corruption.surname_change_adult,
                      rng.random(n) < corruption.surname_change_child)
    new_surname = _sample_surnames(rng, n)
    hyphen = rng.random(n) < 0.25
    records.family = np.where(change, np.where(hyphen, records.family + "-" + new_surname, new_surname),
                              records.family)
    records.note(change, "surname_change")


def _move_households(rng, records: _Records, pool: _AddressPool, corruption: Corruption):
    """House moves, per household so siblings in the file move together: one new address per household."""
    hh_ids, hh_index = np.unique(records.household, return_inverse=True)
    moved = (rng.random(len(hh_ids)) < corruption.moved)[hh_index] & _notnull(records.postcode)
    moved_rows = np.flatnonzero(moved)
    if len(moved_rows):
        heads, slot = np.unique(hh_index[moved_rows], return_inverse=True)
        head_row = {}
        for i in moved_rows:
            head_row.setdefault(hh_index[i], i)
        head_rows = np.array([head_row[h] for h in heads])
        new_addr, new_pc = pool.draw(rng, records.postcode[head_rows], corruption.moved_same_district)
        records.addr[moved_rows], records.postcode[moved_rows] = new_addr[slot], new_pc[slot]
    records.note(moved, "moved")


def _nicknames_typos_and_swaps(rng, records: _Records, corruption: Corruption):
    n, given = len(records), records.given
    nick = np.array([g in NICKNAMES for g in given]) & (rng.random(n) < corruption.nickname)
    for i in np.flatnonzero(nick):
        options = NICKNAMES[given[i]]
        given[i] = options[rng.integers(len(options))]
    records.note(nick, "nickname")

    for label, arr in (("typo_given", given), ("typo_family", records.family)):
        typo = rng.random(n) < corruption.name_typo
        for i in np.flatnonzero(typo):
            arr[i] = _typo(arr[i], rng)
        records.note(typo, label)

    swap = rng.random(n) < corruption.swapped_names
    records.given, records.family = np.where(swap, records.family, given), np.where(swap, given, records.family)
    records.note(swap, "swapped_names")


def _corrupt_dates(rng, records: _Records, corruption: Corruption):
    n, dob, dob_missing = len(records), records.dob, records.dob_missing
    y, m, d = _date_parts(np.where(dob_missing, 0, dob))
    can_swap = ~dob_missing & (d <= 12) & (d != m)
    dswap = can_swap & (rng.random(n) < corruption.dob_day_month_swap)
    for i in np.flatnonzero(dswap):
        dob[i] = _days(int(y[i]), int(d[i]), int(m[i]))
    records.note(dswap, "dob_day_month_swap")
    dtypo = ~dob_missing & ~dswap & (rng.random(n) < corruption.dob_typo)
    for i in np.flatnonzero(dtypo):
        dob[i] = _dob_typo(int(dob[i]), rng)
    records.note(dtypo, "dob_typo")


def _corrupt_postcodes_and_leave_out_fields(rng, records: _Records, corruption: Corruption):
    n, postcode = len(records), records.postcode
    ptypo = _notnull(postcode) & (rng.random(n) < corruption.postcode_typo)
    for i in np.flatnonzero(ptypo):
        postcode[i] = _char_typo(postcode[i], rng, "ABDEFGHJLNPQRSTUWXYZ0123456789")
    records.note(ptypo, "postcode_typo")

    records.miss_dob = ~records.dob_missing & (rng.random(n) < corruption.missing_dob)
    miss_pc = _notnull(postcode) & (rng.random(n) < corruption.missing_postcode)
    miss_addr = _notnull(records.addr) & (rng.random(n) < corruption.missing_address)
    records.note(records.miss_dob, "missing_dob")
    records.note(miss_pc, "missing_postcode")
    records.note(miss_addr, "missing_address")
    records.postcode = np.where(miss_pc, None, postcode)
    records.addr = np.where(miss_addr, None, records.addr)


def _shuffled_tables(rng, records: _Records, ids: dict, people: pa.Table,
                     known_rows: np.ndarray) -> tuple[pa.Table, pa.Table]:
    """The records as a table, shuffled so matched and unknown people are interleaved, and the truth."""
    n, n_known, dob = len(records), records.n_known, records.dob
    table = pa.table({
        "unique_id": _ids("R", n),
        "given_name": _strings(records.given), "family_name": _strings(records.family),
        "date_of_birth": _dates(np.where(records.dob_missing, 0, dob), records.dob_missing | records.miss_dob),
        "address_line_1": _strings(records.addr), "postcode": _strings(records.postcode),
        **{c: _strings(ids[c]) if c in ids else pa.nulls(n, pa.string()) for c in IDENTIFIER_COLUMNS}})
    perm = rng.permutation(n)
    table = table.take(pa.array(perm)).set_column(0, "unique_id", _ids("R", n))
    new_pos = np.empty(n, dtype=np.int64)
    new_pos[perm] = np.arange(n)
    truth_order = np.argsort(new_pos[:n_known])
    truth = pa.table({
        "record_id": table.column("unique_id").take(pa.array(new_pos[:n_known][truth_order])),
        "person_id": people.column("unique_id").take(pa.array(known_rows[truth_order])),
        "corruptions": pc.utf8_rtrim(pa.array(records.notes[truth_order], type=pa.string()), ",")})
    return table, truth


def _index_codes(people: pa.Table, cache: dict) -> dict:
    """Numeric codes of the index's UPNs, NI and PNC numbers, so unknown people never share one."""
    if cache.get("done"):
        return cache
    upn = people.column("upn").drop_null()
    cache["upn"] = np.array([int(v[4:]) for v in upn.to_pylist() if v[4:].isdigit()], dtype=np.int64)
    ni = people.column("ni_number").drop_null().to_pylist()
    prefix = {p: i for i, p in enumerate(_NI_PREFIXES.tolist())}
    cache["ni_number"] = np.array([prefix.get(v[:2], 0) * 10**6 + int(v[2:8]) for v in ni], dtype=np.int64)
    pnc = people.column("pnc").drop_null().to_pylist()
    cache["pnc"] = np.array([(int(v[:2]) + (100 if int(v[:2]) < 90 else 0)) * 10**7 + int(v[3:10]) for v in pnc],
                            dtype=np.int64)
    cache["done"] = True
    return cache


_APOSTROPHE = re.compile(r"['’]")


def _format_noise(rng, c: Corruption, given, family, addr, postcode, note):
    n = len(given)
    punct = np.array([bool(re.search(r"['\- ]", f or "")) for f in family]) & (rng.random(n) < c.punctuation)
    for i in np.flatnonzero(punct):
        f = family[i]
        family[i] = _APOSTROPHE.sub("" if rng.random() < 0.6 else " ", f).replace("-", " " if rng.random() < 0.5 else "")
    note(punct, "punctuation")
    abbrev_re = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")$")
    can_abbrev = np.array([a is not None and bool(abbrev_re.search(a)) for a in addr])
    abbrev = can_abbrev & (rng.random(n) < c.street_abbreviation)
    for i in np.flatnonzero(abbrev):
        a = abbrev_re.sub(lambda m: ABBREVIATIONS[m.group(1)] + ("." if rng.random() < 0.2 else ""), addr[i])
        addr[i] = a.replace(",", "") if rng.random() < 0.5 else a
    note(abbrev, "street_abbreviation")
    case = rng.random(n) < c.casing
    upper = rng.random(n) < 0.75
    for arr in (given, family, addr):
        for i in np.flatnonzero(case & _notnull(arr)):
            arr[i] = arr[i].upper() if upper[i] else arr[i].lower()
    note(case, "casing")
    fmt = _notnull(postcode) & (rng.random(n) < c.postcode_format)
    for i in np.flatnonzero(fmt):
        p = postcode[i]
        r = rng.random()
        postcode[i] = p.replace(" ", "") if r < 0.5 else p.lower() if r < 0.8 else p.replace(" ", "  ")
    note(fmt, "postcode_format")
    return given, family, addr, postcode
