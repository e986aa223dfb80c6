"""Values in words, for what the public reads (a subject access pack): UK style, in the council's time zone."""

import datetime

from django.utils import timezone


def date_in_words(value) -> str:
    """"6 December 2026" for a date; "6 December 2026, 7:13am" for a moment (in Europe/London)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        hour = value.hour % 12 or 12
        return f"{value.day} {value:%B %Y}, {hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"
    return f"{value.day} {value:%B %Y}"


def yes_or_no(value: bool) -> str:
    return "Yes" if value else "No"
