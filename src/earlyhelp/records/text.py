"""The rules for text a record holds, in one place: what people type on every form (staff and public), what the API
takes and what partners send in their files.

* `normalise_text`: Unicode NFC, so "Zoë" typed on one keyboard and pasted from another is the same name, found by
  the same search and given the same phonetic key.
* `refuse_control_characters`: control characters (C0 and C1; tab and line breaks are allowed in multi-line text)
  and the invisible characters that change how text is shown (bidirectional overrides and isolates, zero-width
  characters, byte order marks). They carry pasted binary, terminal escapes and text that reads differently from
  what is stored.
* `refuse_bad_name`: a person's name holds letters and combining marks of any script, spaces, hyphens,
  apostrophes (' and ’) and full stops (initials, "St. John"); never digits, symbols or a formula.
* Length limits: `NAME_MAX_LENGTH`, `SHORT_TEXT_MAX_LENGTH`, `LONG_TEXT_MAX_LENGTH`.
* `PersonNameField` and `FreeTextField`: model fields that apply the rules whenever a row is saved (`save()` and
  `bulk_create()`), so no door (a form, the API, a partner file, the admin, a script) can store what the rules
  refuse.
* `neutralise_cell`: every cell written to a CSV or XLSX file goes through it, so a value such as `=cmd|' /C
  calc'!A0` is shown as text by a spreadsheet, never run as a formula.

Messages follow the GOV.UK Design System: they name the answer and say what to change.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

# --- Length limits ------------------------------------------------------------------------------------------------
NAME_MAX_LENGTH = 100
# A reason, a comment, the grounds of a decision: a few paragraphs (about 800 words).
SHORT_TEXT_MAX_LENGTH = 5_000
# A case note, an assessment's analysis, a review's summary: about 3,000 words, longer than any note typed at one
# sitting. A longer piece (a report, a letter) is attached as a document. Big enough never to cut off real writing,
# small enough that one answer cannot fill a page, a pack or the database (a 1 MB note was accepted before).
LONG_TEXT_MAX_LENGTH = 20_000

# --- Characters ---------------------------------------------------------------------------------------------------
# C0 controls except tab, line feed and carriage return; DEL; C1 controls. No typed answer holds them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS_AND_TABS = re.compile(r"[\t\n\r]")
# Invisible characters that change how text is shown or compared: bidirectional embeddings, overrides and isolates
# (U+202A–U+202E, U+2066–U+2069, the "Trojan Source" characters), zero-width space, non-joiner, joiner, left-to-right
# and right-to-left marks (U+200B–U+200F), word joiner (U+2060) and the byte order mark (U+FEFF).
HIDDEN_CHARACTERS = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]")
# Multi-line free text may hold the joiners and direction marks: Persian and Indic writing needs the joiners, mixed
# Arabic and English text the marks, and pasted emoji the joiner. The overrides and isolates are still refused.
HIDDEN_CHARACTERS_IN_FREE_TEXT = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")

CONTROL_CHARACTERS_MESSAGE = "%(Name)s must only include letters, numbers, spaces and punctuation"
LINE_BREAKS_MESSAGE = "%(Name)s must be on one line"
HIDDEN_CHARACTERS_MESSAGE = ("%(Name)s must not include hidden formatting characters: type it in again instead of "
                             "copying and pasting it")
NAME_CHARACTERS_MESSAGE = "%(Name)s must only include letters, spaces, hyphens, apostrophes and full stops"
NAME_LETTER_MESSAGE = "%(Name)s must include at least one letter"
TOO_LONG_MESSAGE = "%(Name)s must be %(limit)s characters or fewer"

# Punctuation a name may hold besides letters, marks and spaces: hyphen (and the Unicode hyphens), apostrophe (straight,
# typographic ’ and the modifier letter ʼ, which is a letter anyway), full stop for initials.
NAME_PUNCTUATION = frozenset("-\u2010\u2011'\u2019.")
_SPACES = re.compile(r"[^\S\t\n\r\x0b\x0c\x1c-\x1f\x85]+")  # runs of spaces (U+0020, no-break space...), not controls


def _sentence_name(name) -> str:
    text = str(name).strip().rstrip("?").strip()
    return text[:1].upper() + text[1:]


def _refusal(message: str, code: str, name, **params) -> ValidationError:
    return ValidationError(message, code=code, params={"Name": _sentence_name(name), **params})


def normalise_text(value):
    """NFC: one form for every character that Unicode can write in two ways (é as one character, or e and an
    accent). Anything that is not a string is returned as it is."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def normalise_name(value):
    """NFC, runs of spaces (a no-break space pasted from a document too) as one space, none at either end."""
    if not isinstance(value, str):
        return value
    return _SPACES.sub(" ", normalise_text(value)).strip(" ")


def refuse_control_characters(value, *, name, multiline: bool = False) -> None:
    """Raise a ValidationError naming the answer (`name`, e.g. "Case note") if `value` holds a control character or
    a hidden formatting character. Multi-line text may hold tabs, line breaks, joiners and direction marks."""
    if not isinstance(value, str):
        return
    if CONTROL_CHARACTERS.search(value):
        raise _refusal(CONTROL_CHARACTERS_MESSAGE, "control_characters", name)
    if not multiline and LINE_BREAKS_AND_TABS.search(value):
        raise _refusal(LINE_BREAKS_MESSAGE, "line_breaks", name)
    if (HIDDEN_CHARACTERS_IN_FREE_TEXT if multiline else HIDDEN_CHARACTERS).search(value):
        raise _refusal(HIDDEN_CHARACTERS_MESSAGE, "hidden_characters", name)


def _is_name_character(character: str) -> bool:
    return (character == " " or character in NAME_PUNCTUATION
            or unicodedata.category(character)[0] in "LM")  # letters and combining marks of every script


def refuse_bad_name(value, *, name) -> None:
    """The person-name rule: raise a ValidationError naming the answer (`name`, e.g. "Family name") unless `value`
    (already normalised, see `normalise_name`) is letters and marks of any script, spaces, hyphens, apostrophes and
    full stops, with at least one letter. An empty value passes: whether a name is required is the caller's rule."""
    if not isinstance(value, str) or not value:
        return
    refuse_control_characters(value, name=name)
    if not all(_is_name_character(c) for c in value):
        raise _refusal(NAME_CHARACTERS_MESSAGE, "name_characters", name)
    if not any(unicodedata.category(c)[0] == "L" for c in value):
        raise _refusal(NAME_LETTER_MESSAGE, "name_letter", name)


def refuse_too_long(value, *, name, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise _refusal(TOO_LONG_MESSAGE, "max_length", name, limit=f"{limit:,}")


def clean_name(value, *, name, limit: int = NAME_MAX_LENGTH) -> str:
    """A person's name as it is kept: normalised, then checked (`refuse_bad_name`, `refuse_too_long`)."""
    value = normalise_name(value)
    refuse_bad_name(value, name=name)
    refuse_too_long(value, name=name, limit=limit)
    return value


def clean_free_text(value, *, name, limit: int, multiline: bool = True):
    """Free text as it is kept: NFC, then checked (`refuse_control_characters`, `refuse_too_long`)."""
    value = normalise_text(value)
    refuse_control_characters(value, name=name, multiline=multiline)
    refuse_too_long(value, name=name, limit=limit)
    return value


# --- Validators for forms -----------------------------------------------------------------------------------------

def plain_text_validator(name, *, multiline: bool = False):
    """A form field validator refusing control and hidden characters, with a message naming the answer."""

    def validate(value):
        refuse_control_characters(value, name=name, multiline=multiline)

    return validate


def person_name_validator(name):
    """A form field validator for a person's name (`refuse_bad_name`), checked as it will be kept."""

    def validate(value):
        refuse_bad_name(normalise_name(value), name=name)

    return validate


def too_long_message(name, limit: int) -> str:
    """A form field's `max_length` message, e.g. "Case note must be 20,000 characters or fewer"."""
    return TOO_LONG_MESSAGE % {"Name": _sentence_name(name), "limit": f"{limit:,}"}


def apply_text_rules(form, *, person_names=(), error_names=None) -> None:
    """The rules on every text answer of a Django form, by its label (or `error_names[field]` where the label is a
    question): control and hidden characters refused (tabs and line breaks allowed in a text area), the person-name
    rule on the fields in `person_names`, and a length limit with its GOV.UK message. A text area without a
    `max_length` gets `LONG_TEXT_MAX_LENGTH` (the model keeps its own, possibly lower, limit on save)."""
    error_names = error_names or {}
    for field_name, field in form.fields.items():
        if not isinstance(field, forms.CharField):
            continue
        name = str(error_names.get(field_name) or field.label or field_name.replace("_", " "))
        multiline = isinstance(field.widget, forms.Textarea)
        if not field.max_length and multiline:
            # Set after the field was made, so its validator is added here; no `maxlength` on the text area, which
            # would cut a pasted note short without saying so (GOV.UK's advice).
            field.max_length = LONG_TEXT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(field.max_length))
        field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        field.validators.insert(0, plain_text_validator(name, multiline=multiline))
        if field_name in person_names:
            field.validators.insert(1, person_name_validator(name))
        if field.max_length:
            field.error_messages.setdefault("max_length", too_long_message(name, field.max_length))


class TextRulesForm(forms.Form):
    """A staff form with `apply_text_rules` on its text answers; `person_names` lists the answers that are names."""

    person_names: tuple[str, ...] = ()
    error_names: dict[str, str] = {}

    def full_clean(self):
        # Here rather than in __init__, so that fields a form adds in its own __init__ (one per headline area) are
        # covered too.
        if not getattr(self, "_text_rules_applied", False):
            apply_text_rules(self, person_names=self.person_names, error_names=self.error_names)
            self._text_rules_applied = True
        super().full_clean()


# --- Model fields: the rules whenever a row is saved ---------------------------------------------------------------

def _field_name(field) -> str:
    return str(field.verbose_name)


class PersonNameField(models.CharField):
    """A person's name: normalised (`normalise_name`) and checked (`refuse_bad_name`) whenever the row is saved."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        try:
            value = clean_name(value, name=_field_name(self), limit=self.max_length)
        except ValidationError as error:
            raise ValidationError({self.name: error.messages}) from None
        setattr(model_instance, self.attname, value)
        return value


class FreeTextField(models.TextField):
    """Free text with a length limit (`max_length` is required), normalised (NFC) and checked
    (`refuse_control_characters`, multi-line) whenever the row is saved. The limit is not a database constraint:
    the model refuses a longer text on every save, and forms and the API say so before."""

    def __init__(self, *args, **kwargs):
        if not kwargs.get("max_length"):
            raise TypeError("A FreeTextField needs a max_length")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        try:
            value = clean_free_text(value, name=_field_name(self), limit=self.max_length)
        except ValidationError as error:
            raise ValidationError({self.name: error.messages}) from None
        setattr(model_instance, self.attname, value)
        return value


# --- Exports --------------------------------------------------------------------------------------------------------
# A cell a spreadsheet reads as a formula (OWASP "CSV injection"): =, +, -, @, tab or carriage return first, and the
# full-width =, +, - and @ that some spreadsheets treat the same.
FORMULA_LEADING = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# A string that is only a number ("-3", "+1.5") is read as that number, never run: it is left as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def neutralise_cell(value):
    """A value as it may go into a CSV or XLSX cell: a string a spreadsheet would read as a formula gets a leading
    apostrophe, so it is shown as typed and never run. Numbers, dates and other values are returned as they are,
    and so is a string that is only a number: a negative number stays a number."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADING) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(values):
    """`neutralise_cell` for each value of a row."""
    return [neutralise_cell(value) for value in values]


class NeutralisedWriter:
    """A `csv.writer` whose every cell goes through `neutralise_cell`: the one way this product writes a CSV row."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, values):
        return self._writer.writerow(neutralise_row(values))

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)
