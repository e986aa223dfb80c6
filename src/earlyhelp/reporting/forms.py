"""Forms for the reporting pages. They check the shape of the answers; the rules are the services'."""

from django import forms

from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField

from .services import research


class NisTransferForm(TextRulesForm):
    period_start = GovukDateField(label="Period start")
    period_end = GovukDateField(label="Period end")


def _column_choices(allowed=None):
    return [(code, f"{code}: {label}") for code, label in research.CATALOGUE.items()
            if allowed is None or code in allowed]


class ResearchColumnsForm(TextRulesForm):
    columns = forms.MultipleChoiceField(
        label="Columns the project may receive", widget=forms.CheckboxSelectMultiple,
        help_text="Only these research columns can ever be sent. Names, dates of birth, addresses and NHS, NI, UPN "
                  "or PNC numbers are never sent",
        error_messages={"required": "Choose at least one column",
                        "invalid_choice": "Choose columns from the list"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = _column_choices()


class ResearchProjectForm(ResearchColumnsForm):
    reference = forms.SlugField(label="Project reference", max_length=40,
                                help_text="Lower-case letters, numbers and hyphens, for example eval-2026",
                                error_messages={"required": "Enter a reference for the project",
                                                "invalid": "Use only lower-case letters, numbers and hyphens"})
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the project's title"})
    recipient = forms.ChoiceField(label="Recipient", widget=forms.RadioSelect,
                                  error_messages={"required": "Choose a recipient",
                                                  "invalid_choice": "Choose a recipient from the list"})
    recipient_name = forms.CharField(label="Organisation receiving the extracts", max_length=200,
                                     error_messages={"required": "Enter the organisation receiving the extracts"})
    purpose = forms.CharField(label="What the research is for", widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Enter what the research is for"})
    starts_on = GovukDateField(label="Start date")
    ends_on = GovukDateField(label="End date", help_text="On the day after this, the project's key is destroyed")

    field_order = ["reference", "title", "recipient", "recipient_name", "purpose", "starts_on", "ends_on", "columns"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = research.recipient_choices()


class ResearchExtractForm(NisTransferForm):
    columns = forms.MultipleChoiceField(
        label="Columns in this extract", widget=forms.CheckboxSelectMultiple, required=False,
        help_text="Leave all unticked to send every column the project may receive")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = _column_choices(project.columns)
