"""The data team's Supporting Families forms (framework, shortlist, sustainment). They check the shape of the
answers; the rules are the services' (`services.framework`, `services.shortlist`, `services.sustainment`)."""

from django import forms

from earlyhelp.matching.models import DatasetType
from earlyhelp.programme.models import DatasetNeedRule, Descriptor, EligibilityCounting, HeadlineArea, ProgrammeRules
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField, today

from .models import SustainmentMethod
from .services import framework as framework_services
from .services import sustainment as sustainment_services

REASON_HELP = "This is kept with the change. Do not copy personal details here."


def _reason(label="Why are you making this change?", required=True):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                           required=required, help_text=REASON_HELP,
                           error_messages={"required": framework_services.ENTER_REASON,
                                           "max_length": "The reason must be 2000 characters or fewer"})


class ReasonForm(TextRulesForm):
    reason = _reason()


class LabelForm(TextRulesForm):
    label = forms.CharField(label="Headline label", max_length=120,
                            error_messages={"required": framework_services.ENTER_LABEL,
                                            "max_length": framework_services.LABEL_TOO_LONG.format(limit=120)})


class DescriptorForm(TextRulesForm):
    label = forms.CharField(label="The need", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                            help_text="As practitioners and families read it",
                            error_messages={"required": framework_services.ENTER_DESCRIPTOR_LABEL,
                                            "max_length": framework_services.LABEL_TOO_LONG.format(limit=200)})
    progress_evidence = forms.CharField(
        label="What shows significant and sustained progress", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": framework_services.ENTER_PROGRESS_EVIDENCE})


class LocalDescriptorForm(DescriptorForm):
    area = forms.ModelChoiceField(label="Headline outcome", queryset=HeadlineArea.objects.all(),
                                  empty_label="Choose a headline outcome",
                                  error_messages={"required": framework_services.CHOOSE_AREA,
                                                  "invalid_choice": framework_services.CHOOSE_AREA})
    code = forms.CharField(label="Code", max_length=60, help_text="Letters, numbers and hyphens, for example "
                                                                  "young-carer-local",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
                           error_messages={"required": framework_services.ENTER_DESCRIPTOR_CODE})
    field_order = ["area", "code", "label", "progress_evidence"]


class DatasetRuleForm(TextRulesForm):
    dataset_type = forms.ChoiceField(label="Partner dataset", choices=[("", "Choose a dataset"), *DatasetType.choices],
                                     error_messages={"required": framework_services.CHOOSE_DATASET,
                                                     "invalid_choice": framework_services.CHOOSE_DATASET})
    descriptor = forms.ModelChoiceField(label="Suggests the need", queryset=Descriptor.objects.none(),
                                        empty_label="Choose a descriptor",
                                        error_messages={"required": framework_services.CHOOSE_DESCRIPTOR,
                                                        "invalid_choice": framework_services.CHOOSE_DESCRIPTOR})
    comparison = forms.ChoiceField(label="Which records", widget=forms.RadioSelect,
                                   choices=DatasetNeedRule.Comparison.choices,
                                   error_messages={"required": framework_services.CHOOSE_COMPARISON,
                                                   "invalid_choice": framework_services.CHOOSE_COMPARISON})
    fact = forms.CharField(label="Fact", max_length=60, required=False,
                           help_text="As the dataset names it, for example attendance_percent")
    value = forms.CharField(label="Value", max_length=60, required=False)
    is_active = forms.TypedChoiceField(label="Is the rule in use?", widget=forms.RadioSelect,
                                       choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes",
                                       initial="yes", error_messages={"required": "Choose whether the rule is in use"})
    reason = _reason()

    def __init__(self, *args, current_descriptor_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = Descriptor.objects.filter(is_active=True, version__is_current=True)
        if current_descriptor_id:
            active = Descriptor.objects.filter(pk=current_descriptor_id) | active
        self.fields["descriptor"].queryset = active.select_related("area").order_by("area__order", "order", "label")
        self.fields["descriptor"].label_from_instance = lambda d: f"{d.area.label}: {d.label}"


YES_NO = [("yes", "Yes"), ("no", "No")]


class ProgrammeRulesForm(TextRulesForm):
    minimum_needs = forms.IntegerField(label="A family is eligible with needs in at least", min_value=1,
                                       max_value=10, widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                                   "class": "govuk-input--width-3"}))
    counting = forms.ChoiceField(label="Counting", widget=forms.RadioSelect, choices=EligibilityCounting.choices)
    requires_dependent_child_or_expectant_parent = forms.TypedChoiceField(
        label="Must the family include a dependent child or an expectant parent?", widget=forms.RadioSelect,
        choices=YES_NO, coerce=lambda v: v == "yes")
    dependent_child_under = forms.IntegerField(label="A dependent child is younger than (years)", min_value=1,
                                               max_value=25, widget=forms.TextInput(attrs={
                                                   "inputmode": "numeric", "class": "govuk-input--width-3"}))
    positive_score = forms.IntegerField(label="A positive outcome is a progress score of at least (1 to 5)",
                                        min_value=2, max_value=5, widget=forms.TextInput(attrs={
                                            "inputmode": "numeric", "class": "govuk-input--width-3"}))
    sustainment_months = forms.IntegerField(label="Months after closure before a sustainment check",
                                            min_value=1, max_value=24, widget=forms.TextInput(attrs={
                                                "inputmode": "numeric", "class": "govuk-input--width-3"}))
    sustainment_reminder_days = forms.IntegerField(label="Remind the data team this many days before a check is due",
                                                   min_value=0, max_value=90, widget=forms.TextInput(attrs={
                                                       "inputmode": "numeric", "class": "govuk-input--width-3"}))
    reason = _reason()

    @classmethod
    def initial_from(cls, rules: ProgrammeRules) -> dict:
        initial = {name: getattr(rules, name) for name in framework_services.RULE_FIELDS}
        initial["requires_dependent_child_or_expectant_parent"] = (
            "yes" if rules.requires_dependent_child_or_expectant_parent else "no")
        return initial


class EligibilityDecisionForm(TextRulesForm):
    decision = forms.ChoiceField(
        label="Does the family join the programme?", widget=forms.RadioSelect,
        choices=[("support", "Yes, and is offered support"),
                 ("comparison", "Yes, in the comparison group (eligible, not offered support)"),
                 ("reject", "No")],
        error_messages={"required": "Choose whether the family joins the programme",
                        "invalid_choice": "Choose whether the family joins the programme"})
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text="For example, what you checked. Do not copy personal details here.",
                             error_messages={"required": "Enter the reason for your decision",
                                             "max_length": "The reason must be 2000 characters or fewer"})

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] != "reject"

    @property
    def comparison_group(self) -> bool | None:
        return None if not self.accept else self.cleaned_data["decision"] == "comparison"



class SustainmentCheckForm(TextRulesForm):
    method = forms.ChoiceField(label="How did you check?", widget=forms.RadioSelect,
                               choices=SustainmentMethod.choices,
                               error_messages={"required": sustainment_services.CHOOSE_METHOD,
                                               "invalid_choice": sustainment_services.CHOOSE_METHOD})
    source_record = forms.TypedChoiceField(label="Which partner record did you re-check?", required=False,
                                           widget=forms.RadioSelect, coerce=int, empty_value=None,
                                           error_messages={"invalid_choice": sustainment_services.CHOOSE_SOURCE_RECORD})
    sustained = forms.TypedChoiceField(label="Was the outcome sustained?", widget=forms.RadioSelect,
                                       choices=YES_NO, coerce=lambda v: v == "yes",
                                       error_messages={"required": sustainment_services.CHOOSE_SUSTAINED})
    evidence = forms.CharField(label="What did the check find?", widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": sustainment_services.ENTER_EVIDENCE})
    checked_on = GovukDateField(label="Date of the check", max_date=today,
                                error_messages={"required": sustainment_services.ENTER_CHECKED_ON})

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_record"].choices = [
            (record.pk, f"{record.batch.get_dataset_type_display()}, received "
                        f"{record.batch.received_on.day} {record.batch.received_on:%B %Y} (row {record.row_number})")
            for record in records]
