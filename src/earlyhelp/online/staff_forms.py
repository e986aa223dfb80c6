from django import forms

from earlyhelp.casework.models import ContactSource
from earlyhelp.organisations.models import Team
from earlyhelp.records.text import TextRulesForm

from . import messages


class RecordForm(TextRulesForm):
    """Recording a request made online as a contact about the person the officer picked from their search."""

    source = forms.ChoiceField(label="Who made the request?", choices=[("", "Select who"), *ContactSource.choices],
                               error_messages={"required": messages.CHOOSE_SOURCE})
    team = forms.ModelChoiceField(label="Team to send it to", queryset=Team.objects.all(), empty_label="Select a team",
                                  error_messages={"required": messages.CHOOSE_TEAM,
                                                  "invalid_choice": "Select a team from the list"})


class CloseForm(TextRulesForm):
    reason = forms.CharField(label="Why is no contact needed?", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example, it repeats a request already recorded, or it is a test",
                             error_messages={"required": messages.ENTER_CLOSE_REASON})
