"""The base of every form on a public page: every text answer has a maximum length and refuses control characters.

A field's length limit is its form field's `max_length` (a CharField without one is a programming error, refused
when the form is made, so a new public question cannot forget it); the limit is also the input's `maxlength`, and a
longer answer gets the GOV.UK message "<Name> must be <n> characters or fewer". Control characters (NUL and the
rest, `earlyhelp.ui.forms.CONTROL_CHARACTERS`) get "<Name> must only include letters, numbers, spaces and
punctuation" instead of Django's generic "Null characters are not allowed"; and an answer shown again with its
error has its control characters taken out (the page reflects nothing a browser or a screen reader could act on).
"""

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import ProhibitNullCharactersValidator

from earlyhelp.ui.forms import CONTROL_CHARACTERS, plain_text_validator


class PublicForm(forms.Form):
    # What an error message calls an answer whose label is a question, e.g. {"reason": "What you need help with"}.
    error_names: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            if not field.max_length:
                raise ImproperlyConfigured(f"{type(self).__name__}.{field_name} has no max_length: every answer on a "
                                           "public page needs one")
            name = str(self.error_names.get(field_name) or field.label or field_name.replace("_", " "))
            name = name.strip().rstrip("?").strip()
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
            field.validators.insert(0, plain_text_validator(name))
            field.error_messages.setdefault(
                "max_length", f"{name[:1].upper() + name[1:]} must be {field.max_length} characters or fewer")

    def full_clean(self):
        super().full_clean()
        if not self._errors or not hasattr(self.data, "copy"):
            return
        shown = self.data.copy()  # what the page shows again: the answers as typed, without control characters
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field, forms.CharField) and isinstance(shown.get(key), str):
                shown[key] = CONTROL_CHARACTERS.sub("", shown.get(key))
        self.data = shown
