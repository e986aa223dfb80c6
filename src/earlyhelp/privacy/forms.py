from django import forms

from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.web.forms import GovukDateField, today

from .consent import WITHDRAWAL_CHANNELS
from .models import DisclosureBasis, DisclosureSection, EvidenceType, ProcessingPurpose


class ConsentForm(forms.Form):
    """Every question says whether answering is required or a choice (P3)."""

    subject = forms.ChoiceField(label="Whose information is this consent about?",
                                error_messages={"required": "Choose whose information the consent is about"})
    given_by = forms.ChoiceField(label="Who gave consent?", error_messages={"required": "Choose who gave consent"})
    covers_support = forms.BooleanField(label="They agree to early help support", required=False)
    sharing_partner_types = forms.MultipleChoiceField(
        label="Who may we share information with?", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[c for c in OrganisationType.choices if c[0] != OrganisationType.LOCAL_AUTHORITY],
        help_text="The family's choice: leave them all unticked to share with nobody on the strength of consent")
    must_not_see = forms.CharField(label="People or agencies who must not see the assessment", required=False,
                                   widget=forms.Textarea, help_text="In the family's own words")
    national_evaluation_opt_out = forms.BooleanField(
        label="They do not want to be included in the national evaluation of Supporting Families", required=False)
    evidence_type = forms.ChoiceField(label="How was consent given?", choices=EvidenceType.choices,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": "Choose how consent was given"})
    evidence_reference = forms.CharField(label="Where the signed form is kept", required=False, max_length=200,
                                         help_text="Needed for a signed form")
    witness_name = forms.CharField(label="Who witnessed verbal consent", required=False, max_length=120,
                                   help_text="Needed for verbal consent")
    given_on = GovukDateField(label="Date consent was given", max_date=today)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a person")] + [(str(m.person_id), m.person.full_name) for m in members]
        self.fields["subject"].choices = self.fields["given_by"].choices = choices
        for name in ("evidence_reference", "witness_name"):
            self.fields[name].conditionally_required = True


class WithdrawalForm(forms.Form):
    channel = forms.ChoiceField(label="How did the family ask to withdraw consent?", widget=forms.RadioSelect,
                                choices=[(k, v) for k, v in WITHDRAWAL_CHANNELS.items() if k != "correction"],
                                error_messages={"required": "Choose how the family asked"})
    requested_on = GovukDateField(label="Date they asked", max_date=today)


class DisclosureForm(forms.Form):
    shared = forms.ChoiceField(label="What did you decide?", widget=forms.RadioSelect,
                               choices=[("yes", "Share"), ("no", "Not to share")],
                               error_messages={"required": "Choose whether you are sharing"})
    recipient_organisation = forms.ModelChoiceField(
        label="Which organisation?", queryset=Organisation.objects.filter(is_active=True),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose an organisation", "invalid_choice": "Choose an organisation from the list"})
    recipient_person = forms.CharField(label="Who at the organisation?", required=False, max_length=120)
    purpose = forms.ModelChoiceField(label="For which purpose?", to_field_name="code", empty_label="Choose a purpose",
                                     queryset=ProcessingPurpose.objects.filter(is_active=True),
                                     error_messages={"required": "Choose a purpose"})
    basis = forms.ChoiceField(label="On what basis?", choices=DisclosureBasis.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose the basis for sharing"})
    sections = forms.MultipleChoiceField(label="What is shared?", choices=DisclosureSection.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="Only what the recipient needs for the family's needs")
    reason = forms.CharField(label="Reasons for the decision", widget=forms.Textarea,
                             error_messages={"required": "Enter the reasons for the decision"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].conditionally_required = True
