"""UK identifier normalising, validation, display and synthetic generators. No database needed.

Expected check characters below are either published examples or worked by hand in the comments,
so the tests do not merely repeat the module's own arithmetic.
"""

import random

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from earlyhelp.people.identifiers import (
    NI_PREFIXES,
    PNC_LETTERS,
    UPN_LETTERS,
    IdentifierScheme,
    display,
    make_nhs_number,
    make_ni_number,
    make_pnc,
    make_upn,
    nhs_check_digit,
    normalise,
    normalise_postcode,
    pnc_check_value,
    postcode_district,
    upn_check_value,
    validate,
    validate_postcode,
)

NHS, NI, UPN, PNC = IdentifierScheme.NHS, IdentifierScheme.NI, IdentifierScheme.UPN, IdentifierScheme.PNC

seeds = st.integers(min_value=0, max_value=2**32 - 1)
GENERATORS = {
    NHS: make_nhs_number,
    NI: make_ni_number,
    UPN: make_upn,
    PNC: make_pnc,
}


def error_code(scheme, raw):
    with pytest.raises(ValidationError) as excinfo:
        validate(scheme, raw)
    return excinfo.value.code


def _nhs_with_check(first_nine: str) -> str | None:
    # Independent restatement of the NHS rule, used only to build inputs for property tests.
    check = (11 - sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1))) % 11) % 11
    return None if check == 10 else first_nine + str(check)


valid_nhs_numbers = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .map(_nhs_with_check)
    .filter(lambda n: n is not None and len(set(n)) > 1)
)


# --- The scheme choices --------------------------------------------------------------------------

def test_scheme_values_and_labels():
    assert [(s.value, s.label) for s in IdentifierScheme] == [
        ("nhs", "NHS number"),
        ("ni", "National Insurance number"),
        ("upn", "Unique Pupil Number"),
        ("pnc", "Police National Computer number"),
    ]


def test_scheme_may_be_given_as_its_stored_string():
    assert validate("nhs", "943 476 5919") == "9434765919"


# --- Generators: always valid, already normalised, deterministic --------------------------------

@pytest.mark.parametrize("scheme", list(GENERATORS))
@given(seed=seeds)
def test_generated_values_validate_and_are_normalised(scheme, seed):
    value = GENERATORS[scheme](random.Random(seed))
    assert normalise(scheme, value) == value
    assert validate(scheme, value) == value


@pytest.mark.parametrize("scheme", list(GENERATORS))
def test_generators_are_deterministic_for_a_seed(scheme):
    def run(seed):
        rng = random.Random(seed)
        return [GENERATORS[scheme](rng) for _ in range(20)]

    assert run(7) == run(7)
    assert run(7) != run(8)


@given(seed=seeds)
def test_generated_nhs_numbers_are_in_the_range_reserved_for_testing(seed):
    assert 999_000_0000 <= int(make_nhs_number(random.Random(seed))) <= 999_999_9999


@given(seed=seeds, la_code=st.integers(0, 999))
def test_generated_upn_carries_the_la_code(seed, la_code):
    assert make_upn(random.Random(seed), la_code=la_code)[1:4] == f"{la_code:03d}"


def test_generated_upn_defaults_to_la_999():
    assert make_upn(random.Random(1))[1:4] == "999"


@pytest.mark.parametrize("la_code", [-1, 1000])
def test_generated_upn_refuses_an_impossible_la_code(la_code):
    with pytest.raises(ValueError):
        make_upn(random.Random(1), la_code=la_code)


@given(seed=seeds, year=st.integers(1960, 2099))
def test_generated_pnc_uses_the_given_year(seed, year):
    assert make_pnc(random.Random(seed), year=year)[:3] == f"{year % 100:02d}/"


# --- normalise ------------------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", list(IdentifierScheme))
@given(raw=st.text())
def test_normalise_is_idempotent_on_any_text(scheme, raw):
    once = normalise(scheme, raw)
    assert normalise(scheme, once) == once


def _messy(value: str, rng: random.Random) -> str:
    """How people type identifiers: lower case, with spaces and hyphens here and there."""
    out = []
    for ch in value.lower():
        out.append(ch)
        if rng.random() < 0.3:
            out.append(rng.choice([" ", "-", "  "]))
    return " " + "".join(out) + " "


@pytest.mark.parametrize("scheme", list(GENERATORS))
@given(seed=seeds)
def test_messy_input_normalises_to_the_stored_value(scheme, seed):
    rng = random.Random(seed)
    value = GENERATORS[scheme](rng)
    assert validate(scheme, _messy(value, rng)) == value


@pytest.mark.parametrize(
    "scheme, raw, expected",
    [
        (NHS, "943 476 5919", "9434765919"),
        (NHS, "943-476-5919", "9434765919"),
        (NI, "ab 12 34 56 c", "AB123456C"),
        (NI, "AB 12 34 56", "AB123456"),  # suffix omitted: accepted and stored without
        (UPN, "h801 2000 0100 1", "H801200001001"),
        (PNC, "1999/0000001G", "99/0000001G"),  # 4-digit year
        (PNC, "99/1g", "99/0000001G"),  # serial missing its leading zeros
        (PNC, "19990000001G", "99/0000001G"),  # no slash, 4-digit year, full serial
        (PNC, "990000001G", "99/0000001G"),  # no slash, 2-digit year, full serial
        (PNC, "20/1G", "20/0000001G"),  # "20" is the year here, not a century
    ],
)
def test_normalise_examples(scheme, raw, expected):
    assert normalise(scheme, raw) == expected


# --- Published and hand-worked valid examples ----------------------------------------------------

@pytest.mark.parametrize(
    "scheme, raw",
    [
        (NHS, "943 476 5919"),  # NHS Digital's documented example
        (NI, "AB 12 34 56 C"),
        (NI, "AB 12 34 56"),
        # DfE UPN guidance examples: permanent, and temporary (final letter A counts as 0).
        (UPN, "H801200001001"),
        (UPN, "G80120000101A"),
        (UPN, "B801200005001"),  # python-stdnum's example
        # Temporary UPN ending T, which counts as 16 (its place in the 23-letter table, not 19):
        # 8×2 + 1×4 + 2×5 + 1×10 + 1×12 + 16×13 = 260; 260 mod 23 = 7 → H.
        (UPN, "H80120000101T"),
        # PNC, hand-worked: 990000001 = 23 × 43043478 + 7 → 7th after Z: G.
        (PNC, "99/0000001G"),
        (PNC, "00/0000023Z"),  # remainder 0 → Z
        (PNC, "00/0000014P"),  # remainder 14 → P (I and O skipped)
        (PNC, "00/0000017T"),  # remainder 17 → T (S skipped)
        (PNC, "00/0000022Y"),  # remainder 22 → Y
        (PNC, "09/0012345E"),  # the example the format message gives: 90012345 mod 23 = 5 → E
    ],
)
def test_known_valid_examples(scheme, raw):
    assert validate(scheme, raw) == normalise(scheme, raw)


# --- Every error code, with its message -----------------------------------------------------------

ERROR_EXAMPLES = [
    (NHS, "943 476 591", "nhs_length"),
    (NHS, "943 476 59191", "nhs_length"),
    (NHS, "", "nhs_length"),
    (NHS, "94347659I9", "nhs_not_digits"),
    (NHS, "943/476/5919", "nhs_not_digits"),
    (NHS, "٩٤٣٤٧٦٥٩١٩", "nhs_not_digits"),  # Arabic-Indic digits are not accepted as digits
    (NHS, "943 476 5918", "nhs_check_digit"),
    # 9×10 + 9×9 + 9×8 = 243; 243 mod 11 = 1; 11 − 1 = 10: no check digit can be right.
    (NHS, "999 000 0000", "nhs_check_digit"),
    (NHS, "000 000 0000", "nhs_not_issued"),
    (NHS, "999 999 9999", "nhs_not_issued"),
    (NI, "A1234567C", "ni_format"),
    (NI, "AB12345C", "ni_format"),
    (NI, "AB1234567", "ni_format"),
    (NI, "AB123456CD", "ni_format"),
    (NI, "DA123456C", "ni_first_letter"),
    (NI, "QQ123456C", "ni_first_letter"),  # HMRC's own example is deliberately never issued
    (NI, "AO123456C", "ni_second_letter"),
    (NI, "TN123456C", "ni_prefix_not_allocated"),  # temporary numbers
    (NI, "ZZ123456", "ni_prefix_not_allocated"),
    (NI, "AB123456E", "ni_suffix"),
    (UPN, "H80120000100", "upn_length"),
    (UPN, "H8012000010011", "upn_length"),
    (UPN, "H8012X0001001", "upn_format"),
    (UPN, "1801200001001", "upn_format"),
    (UPN, "I801200001001", "upn_format"),  # I, O and S are never check letters
    (UPN, "H80120000101O", "upn_format"),  # nor final letters of temporary UPNs
    (UPN, "Z801200001001", "upn_check_letter"),  # DfE guidance's wrong-check example
    (PNC, "99/12345678G", "pnc_format"),
    (PNC, "99/0000001", "pnc_format"),
    (PNC, "1899/0000001G", "pnc_format"),
    (PNC, "9900001G", "pnc_format"),  # no slash and a short serial: year and serial ambiguous
    (PNC, "99/0000001H", "pnc_check_letter"),
]

ALL_CODES = {
    "nhs_length", "nhs_not_digits", "nhs_check_digit", "nhs_not_issued",
    "ni_format", "ni_first_letter", "ni_second_letter", "ni_prefix_not_allocated", "ni_suffix",
    "upn_length", "upn_format", "upn_check_letter",
    "pnc_format", "pnc_check_letter",
}


@pytest.mark.parametrize("scheme, raw, code", ERROR_EXAMPLES)
def test_error_examples(scheme, raw, code):
    assert error_code(scheme, raw) == code


def test_every_error_code_has_an_example():
    assert {code for _, _, code in ERROR_EXAMPLES} == ALL_CODES


def test_each_code_has_one_message_and_no_two_codes_share_one():
    messages_by_code = {}
    for scheme, raw, code in ERROR_EXAMPLES:
        with pytest.raises(ValidationError) as excinfo:
            validate(scheme, raw)
        messages_by_code.setdefault(code, set()).add(excinfo.value.message)
    assert all(len(messages) == 1 for messages in messages_by_code.values())
    all_messages = [next(iter(messages)) for messages in messages_by_code.values()]
    assert len(set(all_messages)) == len(all_messages)


def test_nhs_messages_are_worded_as_agreed():
    with pytest.raises(ValidationError) as excinfo:
        validate(NHS, "123")
    assert excinfo.value.message == "An NHS number must be 10 digits"
    with pytest.raises(ValidationError) as excinfo:
        validate(NHS, "9434765918")
    assert excinfo.value.message == (
        "This NHS number's check digit is wrong: check it has been copied correctly"
    )


@pytest.mark.parametrize("letter", "DFIQUV")
def test_ni_refused_first_letters(letter):
    assert error_code(NI, f"{letter}A123456C") == "ni_first_letter"


@pytest.mark.parametrize("letter", "DFIOQUV")
def test_ni_refused_second_letters(letter):
    assert error_code(NI, f"A{letter}123456C") == "ni_second_letter"


@pytest.mark.parametrize("prefix", ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"])
def test_ni_unallocated_prefixes(prefix):
    assert error_code(NI, f"{prefix}123456C") == "ni_prefix_not_allocated"


@pytest.mark.parametrize("suffix", "ABCD")
def test_ni_suffixes_a_to_d_are_kept(suffix):
    assert validate(NI, f"AB123456{suffix}") == f"AB123456{suffix}"


@pytest.mark.parametrize("digit", "0123456789")
def test_every_repeated_digit_nhs_number_is_not_issued(digit):
    # They all pass modulus 11 (10 × d … 2 × d sums to 54d, leaving check d), so only the
    # explicit rule stops them.
    assert error_code(NHS, digit * 10) == "nhs_not_issued"


# --- Error detection: single-digit changes and transpositions -----------------------------------

@given(number=valid_nhs_numbers, position=st.integers(0, 9), digit=st.sampled_from("0123456789"))
def test_any_single_digit_change_to_an_nhs_number_is_detected(number, position, digit):
    assume(number[position] != digit)
    changed = number[:position] + digit + number[position + 1:]
    assert error_code(NHS, changed) == "nhs_check_digit"


@given(number=valid_nhs_numbers, position=st.integers(0, 8))
def test_adjacent_transposition_in_an_nhs_number_is_detected(number, position):
    assume(number[position] != number[position + 1])
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2:]
    assert error_code(NHS, swapped) == "nhs_check_digit"


@given(seed=seeds, position=st.integers(1, 12), digit=st.sampled_from("0123456789"))
def test_any_single_digit_change_to_a_upn_is_detected(seed, position, digit):
    upn = make_upn(random.Random(seed))
    assume(upn[position] != digit)
    assert error_code(UPN, upn[:position] + digit + upn[position + 1:]) == "upn_check_letter"


@given(seed=seeds, letter=st.sampled_from("ABCDEFGHJKLMNPQRTUVWXYZ"))
def test_a_wrong_upn_check_letter_is_detected(seed, letter):
    upn = make_upn(random.Random(seed))
    assume(upn[0] != letter)
    assert error_code(UPN, letter + upn[1:]) == "upn_check_letter"


@given(seed=seeds, position=st.sampled_from([0, 1, 3, 4, 5, 6, 7, 8, 9]),
       digit=st.sampled_from("0123456789"))
def test_any_single_digit_change_to_a_pnc_is_detected(seed, position, digit):
    pnc = make_pnc(random.Random(seed))
    assume(pnc[position] != digit)
    assert error_code(PNC, pnc[:position] + digit + pnc[position + 1:]) == "pnc_check_letter"


# --- display ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "scheme, value, shown",
    [
        (NHS, "9991234567", "999 123 4567"),
        (NI, "QQ123456C", "QQ 12 34 56 C"),
        (NI, "AB123456", "AB 12 34 56"),
        (UPN, "H801200001001", "H801200001001"),
        (PNC, "99/0000001G", "99/0000001G"),
    ],
)
def test_display(scheme, value, shown):
    assert display(scheme, value) == shown


@pytest.mark.parametrize("scheme", list(GENERATORS))
@given(seed=seeds)
def test_displayed_values_validate_back_to_the_stored_value(scheme, seed):
    value = GENERATORS[scheme](random.Random(seed))
    assert validate(scheme, display(scheme, value)) == value


# --- Postcodes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, expected",
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  SW1A   1AA ", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("DN551PT", "DN55 1PT"),
        ("w1a 0ax", "W1A 0AX"),
        ("EC1A1BB", "EC1A 1BB"),
        ("GIR0AA", "GIR 0AA"),
    ],
)
def test_valid_postcodes(raw, expected):
    assert validate_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "SW1A", "SW1A 1A", "12345", "SW1A 1CA", "SW1A 1AI", "SWW1A 1AA", "1W1A 1AA"],
)
def test_invalid_postcodes(raw):
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode(raw)
    assert excinfo.value.code == "postcode_format"
    assert excinfo.value.message == "Enter a full UK postcode, like SW1A 1AA"


@given(raw=st.text())
def test_normalise_postcode_is_idempotent(raw):
    once = normalise_postcode(raw)
    assert normalise_postcode(once) == once


@pytest.mark.parametrize(
    "postcode, district",
    [("sw1a1aa", "SW1A"), ("M1 1AE", "M1"), ("b33 8th", "B33"), ("DN55 1PT", "DN55")],
)
def test_postcode_district(postcode, district):
    assert postcode_district(postcode) == district


def test_postcode_district_refuses_an_invalid_postcode():
    with pytest.raises(ValidationError) as excinfo:
        postcode_district("not a postcode")
    assert excinfo.value.code == "postcode_format"


# --- Check rules as the linkage engine and the synthetic generators use them -------------------------

@given(first_nine=st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_check_digit_agrees_with_the_independent_rule(first_nine):
    check = nhs_check_digit(first_nine)
    assert _nhs_with_check(first_nine) == (None if check == 10 else first_nine + str(check))


@given(first_nines=st.lists(st.text(alphabet="0123456789", min_size=9, max_size=9), min_size=1, max_size=20))
def test_nhs_check_digits_of_many_numbers_at_once(first_nines):
    columns = np.array([[int(d) for d in first_nine] for first_nine in first_nines]).T
    assert nhs_check_digit(columns).tolist() == [nhs_check_digit(first_nine) for first_nine in first_nines]


@given(seed=seeds)
def test_upn_and_pnc_check_letters_of_many_numbers_at_once(seed):
    rng = random.Random(seed)
    upns = [make_upn(rng) for _ in range(20)]
    columns = np.array([[int(c) for c in upn[1:]] for upn in upns]).T
    assert [UPN_LETTERS[i] for i in upn_check_value(columns)] == [upn[0] for upn in upns]
    pncs = [make_pnc(rng) for _ in range(20)]
    years, serials = np.array([int(p[:2]) for p in pncs]), np.array([int(p[3:10]) for p in pncs])
    assert [PNC_LETTERS[i] for i in pnc_check_value(years, serials)] == [p[10] for p in pncs]


def test_ni_prefixes_are_the_ones_validation_accepts():
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    accepted = []
    for prefix in (a + b for a in letters for b in letters):
        try:
            validate(NI, prefix + "123456C")
        except ValidationError:
            continue
        accepted.append(prefix)
    assert list(NI_PREFIXES) == accepted
