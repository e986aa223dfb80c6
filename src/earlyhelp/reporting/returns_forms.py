"""Forms for the Ofsted list, the Supporting Families returns and the performance period. They check the shape of
the answers; the rules (and their messages) are the services' (`annex_a`, `returns`, `performance`)."""

from django import forms

from earlyhelp.ui.forms import GovukDateField, today

from .services import annex_a, performance, returns


class AnnexAForm(forms.Form):
    inspection_date = GovukDateField(
        label="Date of the inspection", error_name="the inspection date", max_date=today,
        help_text="The list covers assessments started in the six months before this date, and families supported "
                  "now. For example, 27 3 2026",
        error_messages={"required": "Enter the inspection date", "invalid": annex_a.NOT_A_DATE,
                        "max_date_today": annex_a.FUTURE_DATE})
    file_format = forms.ChoiceField(
        label="File type", widget=forms.RadioSelect,
        choices=[("xlsx", "Excel spreadsheet (XLSX)"), ("csv", "CSV")],
        error_messages={"required": annex_a.UNKNOWN_FORMAT, "invalid_choice": annex_a.UNKNOWN_FORMAT})


def _year_field():
    return forms.IntegerField(
        label="Financial year starting in", min_value=2000, max_value=2100,
        help_text="For example, 2025 for April 2025 to March 2026",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={"required": returns.ENTER_YEAR, "invalid": returns.ENTER_YEAR,
                        "min_value": returns.ENTER_YEAR, "max_value": returns.ENTER_YEAR})


class QuarterlyReturnForm(forms.Form):
    year = _year_field()
    quarter = forms.ChoiceField(
        label="Quarter", widget=forms.RadioSelect,
        choices=[("1", "Quarter 1: April to June"), ("2", "Quarter 2: July to September"),
                 ("3", "Quarter 3: October to December"), ("4", "Quarter 4: January to March")],
        error_messages={"required": returns.CHOOSE_QUARTER, "invalid_choice": returns.CHOOSE_QUARTER})


class FamilyProgressForm(forms.Form):
    year = _year_field()
    half = forms.ChoiceField(
        label="Six months", widget=forms.RadioSelect,
        choices=[("1", "April to September"), ("2", "October to March")],
        error_messages={"required": returns.CHOOSE_HALF, "invalid_choice": returns.CHOOSE_HALF})


class PeriodForm(forms.Form):
    start = GovukDateField(label="From", error_name="the start of the period")
    end = GovukDateField(label="To", error_name="the end of the period", max_date=today,
                         error_messages={"max_date_today": performance.TO_IN_FUTURE})
