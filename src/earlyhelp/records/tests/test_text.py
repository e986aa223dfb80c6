"""The text rules (`records.text`): names, control and hidden characters, NFC, limits and export cells."""

import csv
import io
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from earlyhelp.records import text

FORMULA = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("name", ["O'Brien", "O’Brien", "Nguyễn", "Zoë", "Jean-Luc", "Mary Ann", "محمد",
                                  "李小龙", "Ngā", "Łukasz", "J. R.", "St. John", "D'Artagnan", "Ólafsdóttir"])
def test_real_names_are_accepted(name):
    assert text.clean_name(name, name="Given name") == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("value, message", [
    ("Smith2", text.NAME_CHARACTERS_MESSAGE), (FORMULA, text.NAME_CHARACTERS_MESSAGE),
    ("Smith@", text.NAME_CHARACTERS_MESSAGE), ("Smith_Jones", text.NAME_CHARACTERS_MESSAGE),
    ("<b>", text.NAME_CHARACTERS_MESSAGE), ("'-.", text.NAME_LETTER_MESSAGE),
    ("Sm\u202eith", text.HIDDEN_CHARACTERS_MESSAGE), ("Sm\u200bith", text.HIDDEN_CHARACTERS_MESSAGE),
    ("Sm\u2066ith", text.HIDDEN_CHARACTERS_MESSAGE), ("\ufeffSmith", text.HIDDEN_CHARACTERS_MESSAGE),
    ("Sm\x00ith", text.CONTROL_CHARACTERS_MESSAGE), ("Sm\x85ith", text.CONTROL_CHARACTERS_MESSAGE),
    ("Smith\nJones", text.LINE_BREAKS_MESSAGE),
])
def test_names_breaking_the_rule_are_refused_saying_what_to_change(value, message):
    with pytest.raises(ValidationError) as refused:
        text.clean_name(value, name="Family name")
    assert refused.value.messages == [message % {"Name": "Family name"}]


def test_the_name_message_says_what_a_name_may_hold():
    with pytest.raises(ValidationError) as refused:
        text.clean_name("Smith2", name="family name")
    assert refused.value.messages == ["Family name must only include letters, spaces, hyphens, apostrophes and "
                                      "full stops"]


def test_a_name_is_kept_in_nfc_with_its_spaces_tidied():
    decomposed = "Zoe\u0308\u00a0 Mary "
    assert text.clean_name(decomposed, name="Given name") == "Zoë Mary"
    assert text.normalise_name("Nguye\u0302\u0303n") == "Nguyễn"


NAME_PUNCTUATION = sorted(text.NAME_PUNCTUATION | {" "})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo")), min_size=1, max_size=20),
       st.text(alphabet=st.characters(categories=("Mn", "Mc")) | st.sampled_from(NAME_PUNCTUATION), max_size=5))
def test_letters_marks_and_name_punctuation_are_always_accepted(letters, rest):
    value = text.normalise_name(letters + rest)
    assert text.clean_name(value, name="Given name") == value


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=20), st.characters(categories=("Nd", "Sm", "Sc", "Cc", "Cf", "Pd", "Po", "Ps")))
def test_anything_else_in_a_name_is_refused(letters, intruder):
    if intruder in text.NAME_PUNCTUATION:
        return
    with pytest.raises(ValidationError):
        text.clean_name("A" + letters + intruder, name="Given name")


def test_free_text_keeps_line_breaks_tabs_and_joiners_and_refuses_overrides():
    note = "First line\n\tSecond line: مرحبا\u200f and \u0645\u200c\u0646 👨\u200d👩\u200d👧"
    assert text.clean_free_text(note, name="Case note", limit=100) == unicodedata.normalize("NFC", note)
    for hidden in ("\u202e", "\u2066", "\u200b", "\u2060", "\ufeff"):
        with pytest.raises(ValidationError) as refused:
            text.clean_free_text(f"a{hidden}b", name="Case note", limit=100)
        assert refused.value.code == "hidden_characters"
    with pytest.raises(ValidationError) as refused:
        text.clean_free_text("a\x1bb", name="Case note", limit=100)
    assert refused.value.messages == ["Case note must only include letters, numbers, spaces and punctuation"]


def test_free_text_over_its_limit_is_refused_with_the_limit():
    with pytest.raises(ValidationError) as refused:
        text.clean_free_text("x" * 20_001, name="Case note", limit=text.LONG_TEXT_MAX_LENGTH)
    assert refused.value.messages == ["Case note must be 20,000 characters or fewer"]


@pytest.mark.parametrize("value", [FORMULA, "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "＝1+1"])
def test_a_formula_is_made_inert(value):
    assert text.neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", [-3, -1.5, 0, 12, "-3", "+44", "-1.25", "Smith", "", None, "O'Brien"])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert text.neutralise_cell(value) == value


def test_the_csv_writer_neutralises_every_cell_and_keeps_numbers():
    out = io.StringIO()
    writer = text.NeutralisedWriter(csv.writer(out))
    writer.writerows([[FORMULA, -4, "-4"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'" + FORMULA, "-4", "-4"]]
