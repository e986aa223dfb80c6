from django import forms

from . import services


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=40, strip=True,
                           error_messages={"required": services.ENTER_CODE},
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false",
                                                         "class": "govuk-input govuk-input--width-10"}))
