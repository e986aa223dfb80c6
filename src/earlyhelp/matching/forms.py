"""The data team's forms. They check the shape of the answers; the rules are the services' (`imports`, `review`)."""

from django import forms

from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.governance.agreements import CHOOSE_AGREEMENT
from earlyhelp.privacy.governance.models import AgreementStatus
from earlyhelp.privacy.models import DataSharingAgreement, ProcessingPurpose
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField, long_list, today

from . import messages
from .models import DatasetType


class ImportForm(TextRulesForm):
    dataset_type = forms.ChoiceField(
        label="Which dataset is it", choices=[("", "Choose a dataset"), *DatasetType.choices],
        error_messages={"required": "Choose which dataset the file holds",
                        "invalid_choice": "Choose which dataset the file holds"})
    source_organisation = forms.ModelChoiceField(
        label="Which partner sent it", empty_label="Choose a partner", widget=long_list(),
        queryset=Organisation.objects.filter(is_active=True).exclude(type=OrganisationType.LOCAL_AUTHORITY),
        error_messages={"required": messages.CHOOSE_PARTNER, "invalid_choice": messages.CHOOSE_PARTNER})
    received_on = GovukDateField(label="When did the partner send it", error_name="the date the file was sent",
                                 max_date=today)
    purpose = forms.ModelChoiceField(
        label="What will it be used for", empty_label="Choose a purpose from the processing register",
        queryset=ProcessingPurpose.objects.filter(is_active=True),
        help_text="The purpose in the processing register the sharing agreement allows",
        error_messages={"required": messages.CHOOSE_PURPOSE, "invalid_choice": messages.CHOOSE_PURPOSE})
    agreement = forms.ModelChoiceField(
        label="Which data-sharing agreement did it arrive under", empty_label="Choose an agreement",
        queryset=DataSharingAgreement.objects.exclude(status=AgreementStatus.DRAFT).order_by("reference"),
        help_text="From the DPO's register of agreements. It must name the partner, cover the purpose and be in "
                  "force on the day the file was sent",
        error_messages={"required": CHOOSE_AGREEMENT, "invalid_choice": CHOOSE_AGREEMENT})
    file = forms.FileField(label="Upload the file", help_text="A CSV or Excel (XLSX) file with a header row",
                           error_messages={"required": messages.CHOOSE_FILE, "empty": messages.FILE_EMPTY,
                                           "invalid": messages.CHOOSE_FILE})


class MatchDecisionForm(TextRulesForm):
    decision = forms.ChoiceField(
        label="Is this the same person?", widget=forms.RadioSelect,
        choices=[("confirm", "Yes, link the partner's record to this person"),
                 ("reject", "No, this is someone else")],
        error_messages={"required": "Choose whether this is the same person",
                        "invalid_choice": "Choose whether this is the same person"})
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text="For example, which details you checked. Do not copy personal details here.",
                             error_messages={"required": messages.ENTER_REASON, "max_length": messages.REASON_TOO_LONG})

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "confirm"


class NeedDecisionForm(TextRulesForm):
    decision = forms.ChoiceField(
        label="Does the family have this need?", widget=forms.RadioSelect,
        choices=[("confirm", "Yes, record the need on the family's record"),
                 ("reject", "No, reject the suggestion")],
        error_messages={"required": "Choose whether to confirm the need",
                        "invalid_choice": "Choose whether to confirm the need"})
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text="For example, what you checked in the partner's record. Do not copy personal "
                                       "details here.",
                             error_messages={"required": messages.ENTER_REASON, "max_length": messages.REASON_TOO_LONG})

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "confirm"


class NewPersonForm(TextRulesForm):
    reason = forms.CharField(label="Why is this someone the council does not know?",
                             widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             help_text="For example, the searches you made. Do not copy personal details here.",
                             error_messages={"required": messages.ENTER_REASON, "max_length": messages.REASON_TOO_LONG})
