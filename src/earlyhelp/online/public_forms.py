"""The base of every form on a public page: every text answer has a maximum length and refuses control characters;
person names follow the person-name rule.

A field's length limit is its form field's `max_length` (a CharField without one is a programming error, refused
when the form is made, so a new public question cannot forget it); the limit is also the input's `maxlength`, and a
longer answer gets the GOV.UK message "<Name> must be <n> characters or fewer". Control and hidden formatting
characters (the rules of `earlyhelp.records.text`) get "<Name> must only include letters, numbers, spaces and
punctuation" (or the hidden-character message) instead of Django's generic "Null characters are not allowed"; and
an answer shown again with its error has its control characters taken out (the page reflects nothing a browser or a
screen reader could act on). The fields a form lists in `person_names` follow the person-name rule
(`records.text.refuse_bad_name`). Every text answer is kept in Unicode NFC, a name with its spaces tidied.
"""

from django import forms
from django.core.exceptions import ImproperlyConfigured

from earlyhelp.records import text


class PublicForm(forms.Form):
    # What an error message calls an answer whose label is a question, e.g. {"reason": "What you need help with"}.
    error_names: dict[str, str] = {}
    # The answers that are a person's name (their own, a child's, a guardian's, a referrer's).
    person_names: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            if not field.max_length:
                raise ImproperlyConfigured(f"{type(self).__name__}.{field_name} has no max_length: every answer on a "
                                           "public page needs one")
        text.apply_text_rules(self, person_names=self.person_names, error_names=self.error_names)

    def full_clean(self):
        super().full_clean()
        for name, value in getattr(self, "cleaned_data", {}).items():
            if isinstance(value, str):
                self.cleaned_data[name] = (text.normalise_name if name in self.person_names
                                           else text.normalise_text)(value)
        if not self._errors or not hasattr(self.data, "copy"):
            return
        shown = self.data.copy()  # what the page shows again: the answers as typed, without control characters
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field, forms.CharField) and isinstance(shown.get(key), str):
                shown[key] = text.CONTROL_CHARACTERS.sub("", shown.get(key))
        self.data = shown
