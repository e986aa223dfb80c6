"""Forms for the earlyhelp web interface, and fields that follow the GOV.UK Design System.

Render any bound field with ``{% include "ui/includes/field.html" with field=form.name %}`` and
the error summary with ``{% include "ui/includes/error_summary.html" %}``: those templates choose
the GOV.UK markup from the widget, so ordinary Django fields need nothing special.

Dates are the exception: use :class:`GovukDateField`, which renders as the GOV.UK date input
(separate day, month and year boxes) and gives the GOV.UK "Dates" pattern error messages.
"""

import datetime
import re
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils import timezone

def long_list() -> forms.Select:
    """A select for a long list (organisations, practitioners): the browser's script makes it an accessible
    autocomplete (GOV.UK's accessible-autocomplete, started by static/earlyhelp/init.js), so typing part of a name
    finds it; without the script it stays a plain select."""
    return forms.Select(attrs={"data-module": "eh-autocomplete"})


DATE_PARTS = ("day", "month", "year")

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Users may type the month as a word: accept full and 3-letter names (and "sept").
_MONTH_LOOKUP = {name.lower(): i for i, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_LOOKUP.update({name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, start=1)})
_MONTH_LOOKUP["sept"] = 9

_DIGITS = re.compile(r"[0-9]+")


def today() -> datetime.date:
    """Today's date in the service's time zone (for ``max_date=today``)."""
    if settings.USE_TZ:
        return timezone.localdate()
    return datetime.date.today()


def format_date(value: datetime.date) -> str:
    """A date as GOV.UK writes it, for example '1 March 2024' (independent of locale)."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year text boxes with a numeric keyboard.

    The posted names are ``<name>_day``, ``<name>_month`` and ``<name>_year``; the ids
    ``<id>_day``, ``<id>_month`` and ``<id>_year``. The boxes are ``type="text"`` with
    ``inputmode="numeric"``, as GOV.UK recommends (not ``type="number"``).

    ``autocomplete="bday"`` adds ``bday-day``, ``bday-month`` and ``bday-year`` for a date
    of birth. Rendered by ``ui/includes/field.html``, which recognises ``govuk_date``.
    """

    govuk_date = True
    use_fieldset = True

    def __init__(self, attrs=None, autocomplete: str | None = None):
        self.autocomplete = autocomplete
        part_attrs = {"inputmode": "numeric", "spellcheck": "false"}
        super().__init__({part: forms.TextInput(attrs=dict(part_attrs)) for part in DATE_PARTS}, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for part, sub in zip(DATE_PARTS, context["widget"]["subwidgets"]):
            sub_attrs = sub["attrs"]
            sub_attrs.pop("required", None)  # GOV.UK forms validate on the server only
            if id_:
                sub_attrs["id"] = f"{id_}_{part}"
            if self.autocomplete:
                sub_attrs["autocomplete"] = f"{self.autocomplete}-{part}"
            sub["part"] = part
            sub["label"] = part.capitalize()
            sub["width_class"] = "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
        return context

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else ""


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, returning a :class:`datetime.date`.

    Error messages follow the GOV.UK "Dates" pattern, using the field's label (or
    ``error_name``, for when the label is a question such as "When did you first meet?"):

    - nothing entered (and required): "Enter date of birth"
    - part missing: "Date of birth must include a month" / "... a day and month"
    - year not 4 digits: "Year must include 4 numbers"
    - impossible date (31/02/2024, month 13): "Date of birth must be a real date"
    - ``max_date`` (a date or a callable returning one, such as :func:`today`):
      "Date of birth must be today or in the past" when the limit is today, "... must be in
      the past" when it is yesterday, else "... must be the same as or before 1 March 2024"
    - ``min_date``: "... must be today or in the future" / "... must be in the future" /
      "... must be the same as or after 1 March 2024"

    Any message can be replaced with ``error_messages={code: text}``; the text may use
    ``%(name)s`` (lower-case first letter), ``%(Name)s``, ``%(missing)s`` and ``%(date)s``.

    After cleaning, ``error_parts`` names the boxes to highlight (empty: the whole date);
    the templates use it for the error classes and the error summary link.
    """

    widget = GovukDateWidget
    default_error_messages = {
        "required": "Enter %(name)s",
        "incomplete": "%(Name)s must include a %(missing)s",
        "year_length": "Year must include 4 numbers",
        "invalid": "%(Name)s must be a real date",
        "max_date_today": "%(Name)s must be today or in the past",
        "max_date_past": "%(Name)s must be in the past",
        "max_date": "%(Name)s must be the same as or before %(date)s",
        "min_date_today": "%(Name)s must be today or in the future",
        "min_date_future": "%(Name)s must be in the future",
        "min_date": "%(Name)s must be the same as or after %(date)s",
    }
    error_parts: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        max_date: datetime.date | Callable[[], datetime.date] | None = None,
        min_date: datetime.date | Callable[[], datetime.date] | None = None,
        error_name: str | None = None,
        **kwargs,
    ):
        self.max_date = max_date
        self.min_date = min_date
        self.error_name = error_name
        self._field_name = None
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def get_bound_field(self, form, field_name):
        # Remember the field name so messages can fall back to it when there is no label.
        self._field_name = field_name
        return super().get_bound_field(form, field_name)

    # --- messages ------------------------------------------------------------------------------

    def _name(self) -> str:
        name = self.error_name or self.label or (pretty_name(self._field_name) if self._field_name else "date")
        return str(name).strip().rstrip("?").strip()

    def _error(self, code: str, parts=(), **params) -> ValidationError:
        self.error_parts = tuple(parts)
        name = self._name()
        # Keep acronyms ("DBS check date") and already lower-case names as they are.
        lower = name if len(name) > 1 and name[1].isupper() else name[:1].lower() + name[1:]
        params = {"name": lower, "Name": name[:1].upper() + name[1:], **params}
        return ValidationError(self.error_messages[code], code=code, params=params)

    # --- cleaning ------------------------------------------------------------------------------

    def compress(self, data_list):
        # Not used by clean() below; kept for MultiValueField's interface.
        if not data_list or not all(data_list):
            return None
        return datetime.date(int(data_list[2]), int(data_list[1]), int(data_list[0]))

    def clean(self, value):
        self.error_parts = ()
        result = self._to_date(value)
        if result is None and self.required:
            raise self._error("required")
        if result is not None:
            self._check_limits(result)
        self.validate(result)
        self.run_validators(result)
        return result

    def _to_date(self, value) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if not isinstance(value, (list, tuple)):
            value = self.widget.decompress(value)
        return self._parse(value)

    def _parse(self, value) -> datetime.date | None:
        raw = [("" if v is None else str(v)).strip() for v in (list(value) + [None] * 3)[:3]]
        if not any(raw):
            return None

        missing = [part for part, text in zip(DATE_PARTS, raw) if not text]
        if missing:
            raise self._error("incomplete", missing, missing=" and ".join(missing))

        day_text, month_text, year_text = raw
        too_long = [part for part, text in zip(DATE_PARTS, raw) if len(text) > 9]  # "September" is the longest
        if too_long:
            raise self._error("invalid", too_long)
        if _DIGITS.fullmatch(year_text) and len(year_text) != 4:
            raise self._error("year_length", ["year"])

        day = int(day_text) if _DIGITS.fullmatch(day_text) else None
        if _DIGITS.fullmatch(month_text):
            month = int(month_text)
        else:
            month = _MONTH_LOOKUP.get(month_text.lower().rstrip("."))
        year = int(year_text) if _DIGITS.fullmatch(year_text) else None

        wrong = []
        if day is None or not 1 <= day <= 31:
            wrong.append("day")
        if month is None or not 1 <= month <= 12:
            wrong.append("month")
        if year is None:
            wrong.append("year")
        if wrong:
            raise self._error("invalid", wrong)
        try:
            return datetime.date(year, month, day)
        except ValueError:
            # For example 31/02: no single box is wrong, so highlight the whole date.
            raise self._error("invalid") from None

    @staticmethod
    def _limit(limit):
        return limit() if callable(limit) else limit

    def _check_limits(self, value: datetime.date) -> None:
        maximum = self._limit(self.max_date)
        if maximum is not None and value > maximum:
            now = today()
            if maximum == now:
                raise self._error("max_date_today")
            if maximum == now - datetime.timedelta(days=1):
                raise self._error("max_date_past")
            raise self._error("max_date", date=format_date(maximum))
        minimum = self._limit(self.min_date)
        if minimum is not None and value < minimum:
            now = today()
            if minimum == now:
                raise self._error("min_date_today")
            if minimum == now + datetime.timedelta(days=1):
                raise self._error("min_date_future")
            raise self._error("min_date", date=format_date(minimum))

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        saved = self.error_parts  # keep what clean() found for the templates
        try:
            return self._to_date(initial) != self._to_date(data)
        except ValidationError:
            return True
        finally:
            self.error_parts = saved
