from django import forms

from earlyhelp.organisations.models import Organisation, Team
from earlyhelp.privacy.forms import SourceField, basis_field, organisation_field, sections_field
from earlyhelp.privacy.models import LEGAL_REASON_BASES, DisclosureBasis
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.records.provenance import SourceKind
from earlyhelp.ui.forms import GovukDateField, today

from . import messages
from .models import (
    ActionStatus,
    Channel,
    ClosureReason,
    ConsentAtReferral,
    ContactSource,
    ContactStatus,
)


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label="How did the contact reach us?", choices=Channel.choices,
                                widget=forms.RadioSelect, error_messages={"required": "Select how the contact reached us"})
    source = forms.ChoiceField(label="Who made the contact?", choices=ContactSource.choices,
                               error_messages={"required": "Select who made the contact"})
    source_organisation = forms.ModelChoiceField(label="Referring organisation", required=False,
                                                 queryset=Organisation.objects.filter(is_active=True),
                                                 empty_label="Not from an organisation",
                                                 error_messages={"invalid_choice": "Select an organisation from the list"})
    referrer_name = forms.CharField(label="Name of the person referring", max_length=120, required=False)
    reason = forms.CharField(label="Reason for the contact", widget=forms.Textarea,
                             error_messages={"required": messages.ENTER_CONTACT_REASON})
    consent_at_referral = forms.ChoiceField(label="Does the family agree to the referral?",
                                            choices=ConsentAtReferral.choices, widget=forms.RadioSelect,
                                            error_messages={"required": "Select whether the family agrees"})
    team = forms.ModelChoiceField(label="Team to send it to", queryset=Team.objects.all(), empty_label="Select a team",
                                  error_messages={"required": "Select the team to send the contact to",
                                                  "invalid_choice": "Select a team from the list"})


class ContactDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What happens next?", widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in ContactStatus if c != ContactStatus.AWAITING_DECISION],
        error_messages={"required": messages.SELECT_WHAT_HAPPENS_NEXT},
    )
    reason = forms.CharField(label="Reason for the decision", widget=forms.Textarea, required=False,
                             help_text="Required unless an episode is opened")


class AllocationForm(forms.Form):
    practitioner = forms.ModelChoiceField(label="Lead practitioner", queryset=None, empty_label="Select a practitioner",
                                          error_messages={"required": "Select a lead practitioner"})
    family_preference = forms.CharField(label="The family's view on who supports them", widget=forms.Textarea,
                                        required=False)

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners


class TafMemberForm(forms.Form):
    practitioner = forms.ModelChoiceField(label="Practitioner", queryset=None,
                                          error_messages={"required": "Select a practitioner"})
    special_category_access = forms.BooleanField(
        label="May see health, domestic abuse, safeguarding and crime detail", required=False,
        help_text="Without this, partners see only that something is recorded in those areas")
    basis = forms.ChoiceField(
        label="Basis for sharing the family's information", required=False,
        choices=[("", "The family's consent (a colleague in the council: our public task)"),
                 *[(code, label) for code, label in DisclosureBasis.choices
                   if code in LEGAL_REASON_BASES]],
        help_text="Sharing without consent for a legal reason needs a manager of the team: they record it")
    reason = forms.CharField(label="Why are you sharing without consent?", required=False, widget=forms.Textarea,
                             help_text="Needed only for a legal reason")

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners


class AssessmentStartForm(forms.Form):
    reason = forms.CharField(label="Reason for the assessment", widget=forms.Textarea,
                             error_messages={"required": messages.ENTER_ASSESSMENT_REASON})


SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class AssessmentForm(forms.Form):
    """One set of fields per headline area. 'Does not apply' records nothing for that area (P1)."""

    voice_of_child = forms.CharField(label="The child's lived experience, in their words", widget=forms.Textarea,
                                     required=False)
    analysis = forms.CharField(label="Analysis", widget=forms.Textarea, required=False)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for area in self.areas:
            self.fields[f"{area.code}-applies"] = forms.ChoiceField(
                label=f"Does {area.label.lower()} apply to this family?", widget=forms.RadioSelect,
                choices=[("yes", "Yes"), ("no", "Does not apply")], initial="no",
            )
            self.fields[f"{area.code}-strengths"] = forms.CharField(label="Strengths", widget=forms.Textarea,
                                                                     required=False)
            self.fields[f"{area.code}-needs"] = forms.CharField(label="Needs", widget=forms.Textarea, required=False)
            score = forms.ChoiceField(label="Score", choices=SCORE_CHOICES, required=False,
                                      widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                                      help_text="1 means significant concern, 5 means no concern")
            score.conditionally_required = True  # required when the area applies: not labelled optional
            self.fields[f"{area.code}-score"] = score
            self.fields[f"{area.code}-source"] = SourceField(label="Who told us about this?")

    def area_fields(self):
        for area in self.areas:
            yield area, [self[f"{area.code}-{part}"] for part in ("applies", "strengths", "needs", "score", "source")]

    def clean(self):
        data = super().clean()
        for area in self.areas:
            if data.get(f"{area.code}-applies") == "yes" and not data.get(f"{area.code}-score"):
                self.add_error(f"{area.code}-score", f"Select a score for {area.label.lower()}")
        return data

    def findings(self):
        result = {}
        for area in self.areas:
            if self.cleaned_data.get(f"{area.code}-applies") != "yes":
                result[area.code] = None
            else:
                result[area.code] = {
                    "strengths": self.cleaned_data.get(f"{area.code}-strengths", ""),
                    "needs": self.cleaned_data.get(f"{area.code}-needs", ""),
                    "score": int(self.cleaned_data[f"{area.code}-score"]),
                    **self.cleaned_data[f"{area.code}-source"],
                }
        return result


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("return", "Return with comments")],
                                 error_messages={"required": "Select your decision"})
    comment = forms.CharField(label="Comments", widget=forms.Textarea, required=False,
                              help_text="Required if you return it")


class PlanActionForm(forms.Form):
    area = forms.ModelChoiceField(label="Headline area", queryset=HeadlineArea.objects.all(), to_field_name="code",
                                  empty_label="Select a headline area",
                                  error_messages={"required": "Select the headline area"})
    need = forms.CharField(label="Need", widget=forms.Textarea, error_messages={"required": messages.ENTER_NEED})
    action = forms.CharField(label="Action", widget=forms.Textarea, error_messages={"required": messages.ENTER_ACTION})
    owner = forms.ModelChoiceField(label="Who is responsible", queryset=None, empty_label="Select a person",
                                   error_messages={"required": "Select who is responsible"})
    intended_outcome = forms.CharField(label="Intended outcome", widget=forms.Textarea,
                                       error_messages={"required": messages.ENTER_INTENDED_OUTCOME})
    due_date = GovukDateField(label="Due date")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)
    progress_note = forms.CharField(label="Progress", widget=forms.Textarea, required=False)


class ReviewForm(forms.Form):
    held_on = GovukDateField(label="Date of the review", max_date=today)
    summary = forms.CharField(label="Summary of the review", widget=forms.Textarea,
                              error_messages={"required": messages.ENTER_REVIEW_SUMMARY})
    family_view = forms.CharField(label="The family's view", widget=forms.Textarea, required=False)
    next_review_due = GovukDateField(label="Next review due", required=False,
                                     help_text="Leave blank to schedule it in 8 weeks")


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label="Reason for closing",
                               choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.STEPPED_UP],
                               widget=forms.RadioSelect, error_messages={"required": "Select the reason for closing"})
    summary = forms.CharField(label="Closure summary", widget=forms.Textarea,
                              error_messages={"required": messages.ENTER_CLOSURE_SUMMARY})
    family_feedback = forms.CharField(label="The family's feedback on the support they received",
                                      widget=forms.Textarea, required=False)
    feedback_declined = forms.BooleanField(label="The family did not want to give feedback", required=False)


class StepUpForm(forms.Form):
    reason = forms.CharField(label="Why is the family being stepped up to children's social care?",
                             widget=forms.Textarea, error_messages={"required": messages.ENTER_STEP_UP_REASON})


class CaseNoteForm(forms.Form):
    text = forms.CharField(label="Case note", widget=forms.Textarea,
                           error_messages={"required": messages.ENTER_CASE_NOTE})
    channel = forms.ChoiceField(label="How was the contact made?", choices=[("", "Not applicable")] + Channel.choices,
                                required=False)
    is_sensitive = forms.BooleanField(
        label="Contains health, domestic abuse, safeguarding or crime information", required=False,
        help_text="Partners without access to special category information will see only that a note exists")
    source = SourceField(default=SourceKind.PRACTITIONER)


class DocumentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    upload = forms.FileField(label="File", error_messages={"required": "Select a file"})
    media_reason = forms.CharField(
        label="Why is this image or recording needed?", widget=forms.Textarea, required=False,
        help_text="Images and voice recordings are kept only where required or part of therapeutic work")
    source = SourceField()


class ReferralOutForm(forms.Form):
    organisation = organisation_field("Which organisation are you referring the family to?")
    service = forms.CharField(label="Which service?", max_length=200,
                              error_messages={"required": messages.ENTER_REFERRAL_SERVICE})
    recipient_person = forms.CharField(label="Who at the organisation?", required=False, max_length=120)
    sections = sections_field("What does the referral include?", "Only what the service needs to help the family")
    basis = basis_field()
    reason = forms.CharField(label="Why are you referring the family?", widget=forms.Textarea,
                             error_messages={"required": "Enter why you are referring the family"})


class PanelPackForm(forms.Form):
    """P26: the panel sees only the sections chosen here."""

    panel_name = forms.CharField(label="Which panel?", max_length=120,
                                 help_text="For example, the Multi-Agency Safeguarding Group",
                                 error_messages={"required": "Enter the name of the panel"})
    recipient_organisation = organisation_field("Which organisation runs the panel?")
    sections = sections_field("Which sections does the panel need?",
                               "The pack holds only these: leave out anything the panel does not need")
    basis = basis_field()
    reason = forms.CharField(label="Why does the panel need this?", widget=forms.Textarea,
                             error_messages={"required": "Enter why the panel needs this information"})
    special_category_shared = forms.BooleanField(
        label="The panel needs health, domestic abuse, safeguarding and crime detail in full", required=False,
        help_text="Leave this unticked unless the panel cannot do its work without that detail: it then sees only "
                  "that something is recorded. Ticking it is recorded in the disclosure log.")
