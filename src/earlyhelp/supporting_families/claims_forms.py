"""The claims pages' forms. They check the shape of the answers; the rules are the claims service's."""

from decimal import Decimal

from django import forms

from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField

from .services import claims


class BatchForm(TextRulesForm):
    period_start = GovukDateField(label="Start of the period", error_name="the start of the period",
                                  error_messages={"required": claims.ENTER_PERIOD_START})
    period_end = GovukDateField(label="End of the period", error_name="the end of the period",
                                help_text="Families whose outcomes were sustained by this date are proposed",
                                error_messages={"required": claims.ENTER_PERIOD_END})
    sample_percent = forms.DecimalField(
        label="Assurance sample (% of accepted claims)", initial=10, min_value=1, max_value=100, decimal_places=1,
        help_text="The internal audit checks this share of the accepted claims, at least one",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "decimal"}),
        error_messages={"required": claims.SAMPLE_FRACTION_RANGE, "invalid": claims.SAMPLE_FRACTION_RANGE,
                        "min_value": claims.SAMPLE_FRACTION_RANGE, "max_value": claims.SAMPLE_FRACTION_RANGE,
                        "max_decimal_places": claims.SAMPLE_FRACTION_RANGE,
                        "max_digits": claims.SAMPLE_FRACTION_RANGE})

    @property
    def sample_fraction(self) -> Decimal:
        return self.cleaned_data["sample_percent"] / 100


class DecisionForm(TextRulesForm):
    decision = forms.ChoiceField(
        label="Do you claim for this family?", widget=forms.RadioSelect,
        choices=[("accept", "Yes, claim for the needs listed"), ("refuse", "No, do not claim")],
        error_messages={"required": claims.CHOOSE_DECISION, "invalid_choice": claims.CHOOSE_DECISION})
    reason = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=claims.REASON_MAX_LENGTH,
        help_text="For example, the evidence you checked. Do not copy personal details here.",
        error_messages={"required": claims.ENTER_DECISION_REASON, "max_length": claims.REASON_TOO_LONG})

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


class SubmitForm(TextRulesForm):
    confirm = forms.BooleanField(
        label="I confirm every claim in this batch has been decided and the evidence checked",
        error_messages={"required": "Confirm that every claim has been decided and the evidence checked"})
