"""UK identifiers used in children's services: NHS, National Insurance, UPN, PNC, postcodes.

Pure functions, no database. `normalise` never raises; `validate` returns the normalised value
or raises `ValidationError` with a specific message and a stable `code` that callers may test.
Generators make synthetic values for tests and demos only.

The check digit and letter rules are written here once, for validation, the linkage engine and
the synthetic data generators. `nhs_check_digit`, `upn_check_value` and `pnc_check_value` use
only arithmetic, so they take numpy arrays (one per digit position) as readily as single values.
"""

import random
import re
import string
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db.models import TextChoices


class IdentifierScheme(TextChoices):
    NHS = "nhs", "NHS number"
    NI = "ni", "National Insurance number"
    UPN = "upn", "Unique Pupil Number"
    PNC = "pnc", "Police National Computer number"


# Separators people type or copy in. Patterns below use [0-9], not \d, so that digits from other
# scripts (which \d and str.isdigit accept) are refused rather than stored.
_SEPARATORS = re.compile(r"[\s\-]+")


def _compact(raw: str) -> str:
    return _SEPARATORS.sub("", raw).upper()


def _fail(message: str, code: str) -> NoReturn:
    raise ValidationError(message, code=code)


# --- NHS number: modulus 11, weights 10..2 on the first nine digits -------------------------

def nhs_check_digit(first_nine) -> int:
    """The check digit for a string of nine digits, or for nine arrays of digits (one per position).
    10 means no check digit can make the number valid: such numbers are never issued."""
    digits = [int(d) for d in first_nine] if isinstance(first_nine, str) else first_nine
    remainder = sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
    return (11 - remainder) % 11


def _validate_nhs(value: str) -> None:
    if not re.fullmatch(r"[0-9]*", value):
        _fail("An NHS number must contain only digits", "nhs_not_digits")
    if len(value) != 10:
        _fail("An NHS number must be 10 digits", "nhs_length")
    if nhs_check_digit(value[:9]) != int(value[9]):
        _fail("This NHS number's check digit is wrong: check it has been copied correctly",
              "nhs_check_digit")
    # Every repeated-digit number (0000000000 … 9999999999) passes modulus 11, but none is issued.
    if len(set(value)) == 1:
        _fail("This is not a real NHS number: check it has been copied correctly", "nhs_not_issued")


# --- National Insurance number: HMRC National Insurance Manual NIM39110 ----------------------

_NI_BAD_FIRST = "DFIQUV"
_NI_BAD_SECOND = "DFIOQUV"
_NI_UNALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}  # TN: temporary numbers
NI_FIRST_LETTERS = "".join(c for c in string.ascii_uppercase if c not in _NI_BAD_FIRST)
NI_SECOND_LETTERS = "".join(c for c in string.ascii_uppercase if c not in _NI_BAD_SECOND)
NI_SUFFIXES = "ABCD"
# Every prefix that may be issued, in alphabetical order.
NI_PREFIXES = tuple(a + b for a in NI_FIRST_LETTERS for b in NI_SECOND_LETTERS
                    if a + b not in _NI_UNALLOCATED)


def _validate_ni(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{2}[0-9]{6}[A-Z]?", value):
        _fail("A National Insurance number must be 2 letters, 6 digits and then A, B, C or D, "
              "like QQ 12 34 56 C", "ni_format")
    if value[0] in _NI_BAD_FIRST:
        _fail("A National Insurance number cannot start with D, F, I, Q, U or V", "ni_first_letter")
    if value[1] in _NI_BAD_SECOND:
        _fail("The second letter of a National Insurance number cannot be D, F, I, O, Q, U or V",
              "ni_second_letter")
    if value[:2] in _NI_UNALLOCATED:
        _fail("National Insurance numbers starting BG, GB, KN, NK, NT, TN or ZZ are never issued",
              "ni_prefix_not_allocated")
    if len(value) == 9 and value[8] not in NI_SUFFIXES:
        _fail("The last letter of a National Insurance number must be A, B, C or D", "ni_suffix")


# --- Unique Pupil Number -----------------------------------------------------------------------
# Check letter per the DfE "Unique Pupil Numbers (UPN)" guidance, as restated in the GovTalk Data
# Standards Catalogue (UniquePupilNumber 2.0): characters 2-13 weighted 2..13, sum mod 23,
# 0 = A ... 22 = Z skipping I, O and S; a final letter counts as its index in that table.
# Verified against the guidance's worked examples H801200001001 and G80120000101A (temporary),
# as quoted in DfE's MTC test suite, and python-stdnum's B801200005001.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_PATTERN = re.compile(rf"[{UPN_LETTERS}][0-9]{{11}}[0-9{UPN_LETTERS}]")


def upn_check_value(values) -> int:
    """The check letter's index in UPN_LETTERS, from the values of characters 2-13 (numbers, or
    arrays of them)."""
    return sum(v * w for v, w in zip(values, range(2, 14))) % 23


def upn_check_letter(last_twelve: str) -> str:
    values = (int(c) if c.isdigit() else UPN_LETTERS.index(c) for c in last_twelve)
    return UPN_LETTERS[upn_check_value(values)]


def _validate_upn(value: str) -> None:
    if len(value) != 13:
        _fail("A Unique Pupil Number must be 13 characters", "upn_length")
    if not _UPN_PATTERN.fullmatch(value):
        _fail("A Unique Pupil Number must be a check letter, 11 digits, then a digit or a letter "
              "(but not I, O or S)", "upn_format")
    if upn_check_letter(value[1:]) != value[0]:
        _fail("This Unique Pupil Number's check letter is wrong: check it has been copied correctly",
              "upn_check_letter")


# --- Police National Computer number ------------------------------------------------------------
# Check letter per the Criminal Justice Hub data definition "Police National Computer Id": the
# 2-digit year and 7-digit zero-padded serial as one number, mod 23, 0 = Z, 1 = A ... (no I, O, S).
# Verified against the valid-PNC test vectors in ministryofjustice/hmpps-person-record
# (PNCIdValidatorTest.kt). Canonical form here is YY/NNNNNNNL: the form the check is computed on.
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
# With a slash the serial may have lost its leading zeros; without one it must be full width,
# otherwise year and serial cannot be told apart.
_PNC_PATTERN = re.compile(
    r"(?:(?:19|20)?(?P<y1>[0-9]{2})/(?P<s1>[0-9]{1,7})|(?:19|20)?(?P<y2>[0-9]{2})(?P<s2>[0-9]{7}))"
    r"(?P<letter>[A-Z])"
)


def pnc_check_value(year, serial) -> int:
    """The check letter's index in PNC_LETTERS, from the 2-digit year and the serial (numbers, or
    arrays of them)."""
    return (year * 10**7 + serial) % 23


def pnc_check_letter(year: str, serial: str) -> str:
    return PNC_LETTERS[pnc_check_value(int(year), int(serial))]


def _normalise_pnc(compact: str) -> str:
    match = _PNC_PATTERN.fullmatch(compact)
    if not match:
        return compact
    year = match["y1"] or match["y2"]
    serial = (match["s1"] or match["s2"]).zfill(7)
    return f"{year}/{serial}{match['letter']}"


def _validate_pnc(value: str) -> None:
    if not re.fullmatch(r"[0-9]{2}/[0-9]{7}[A-Z]", value):
        _fail("A Police National Computer number must be a 2- or 4-digit year, a slash, "
              "up to 7 digits and a check letter, like 09/0012345E", "pnc_format")
    if pnc_check_letter(value[:2], value[3:10]) != value[10]:
        _fail("This Police National Computer number's check letter is wrong: "
              "check it has been copied correctly", "pnc_check_letter")


_VALIDATORS = {
    IdentifierScheme.NHS: _validate_nhs,
    IdentifierScheme.NI: _validate_ni,
    IdentifierScheme.UPN: _validate_upn,
    IdentifierScheme.PNC: _validate_pnc,
}


def normalise(scheme: str, raw: str) -> str:
    """The stored form: no spaces or hyphens, upper case; PNC as YY/NNNNNNNL. Never raises."""
    compact = _compact(raw)
    if IdentifierScheme(scheme) == IdentifierScheme.PNC:
        return _normalise_pnc(compact)
    return compact


def validate(scheme: str, raw: str) -> str:
    """Return the normalised value, or raise ValidationError with a specific message and code."""
    value = normalise(scheme, raw)
    _VALIDATORS[IdentifierScheme(scheme)](value)
    return value


def display(scheme: str, value: str) -> str:
    """How a stored value is shown to people: NHS 999 123 4567, NI QQ 12 34 56 C."""
    scheme = IdentifierScheme(scheme)
    if scheme == IdentifierScheme.NHS and len(value) == 10:
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    if scheme == IdentifierScheme.NI and len(value) in (8, 9):
        return " ".join([value[:2], value[2:4], value[4:6], value[6:8], value[8:]]).strip()
    return value


# --- Postcodes ----------------------------------------------------------------------------------
# Structure only (outward A9, A99, AA9, AA99, A9A, AA9A; inward 9AA, whose letters never include
# C, I, K, M, O or V). Stricter per-position letter rules are left out: rejecting a real address
# would stop a caseworker recording where a child lives.
_POSTCODE_PATTERN = re.compile(r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) [0-9][ABD-HJLNP-UW-Z]{2}")


def normalise_postcode(raw: str) -> str:
    compact = re.sub(r"\s+", "", raw).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


def validate_postcode(raw: str) -> str:
    value = normalise_postcode(raw)
    if not _POSTCODE_PATTERN.fullmatch(value):
        _fail("Enter a full UK postcode, like SW1A 1AA", "postcode_format")
    return value


def postcode_district(postcode: str) -> str:
    """The outward code (SW1A for SW1A 1AA); raises ValidationError for an invalid postcode."""
    return validate_postcode(postcode).split(" ")[0]


# --- Synthetic data generators ------------------------------------------------------------------
# Deterministic for a given rng. NHS numbers come from 999 000 0000 - 999 999 9999, which the NHS
# reserves for testing. The other schemes have no valid reserved range, so a generated value may
# match a real person's by chance: never use them outside tests and demonstrations.

def make_nhs_number(rng: random.Random) -> str:
    while True:
        first_nine = "999" + "".join(rng.choice("0123456789") for _ in range(6))
        check = nhs_check_digit(first_nine)
        if check != 10 and first_nine + str(check) != "9999999999":
            return first_nine + str(check)


def make_ni_number(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(NI_FIRST_LETTERS) + rng.choice(NI_SECOND_LETTERS)
        if prefix not in _NI_UNALLOCATED:
            break
    digits = "".join(rng.choice("0123456789") for _ in range(6))
    return prefix + digits + rng.choice(NI_SUFFIXES)


def make_upn(rng: random.Random, la_code: int = 999) -> str:
    if not 0 <= la_code <= 999:
        raise ValueError("la_code must be a 3-digit local authority number")
    body = f"{la_code:03d}{rng.randrange(10_000):04d}{rng.randrange(100):02d}{rng.randrange(1000):03d}"
    return upn_check_letter(body) + body


def make_pnc(rng: random.Random, year: int | None = None) -> str:
    yy = f"{(rng.randrange(100) if year is None else year) % 100:02d}"
    serial = f"{rng.randrange(1, 10_000_000):07d}"
    return f"{yy}/{serial}{pnc_check_letter(yy, serial)}"
