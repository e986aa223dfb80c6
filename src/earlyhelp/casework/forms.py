from django import forms

from earlyhelp.access import policy
from earlyhelp.organisations.models import Organisation, Team
from earlyhelp.privacy.forms import SourceField, basis_field, organisation_field, sections_field
from earlyhelp.privacy.models import LEGAL_REASON_BASES, DisclosureBasis, DisclosureSection, Panel
from earlyhelp.programme import messages as programme_messages
from earlyhelp.programme.models import HeadlineArea
from earlyhelp.records.provenance import SourceKind
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField, long_list, today

from . import messages
from .models import (
    ActionStatus,
    Channel,
    ClosureReason,
    ConsentAtReferral,
    ContactSource,
    ContactStatus,
)


class ContactForm(TextRulesForm):
    channel = forms.ChoiceField(label="How did the contact reach us?", choices=Channel.choices,
                                widget=forms.RadioSelect, error_messages={"required": "Select how the contact reached us"})
    source = forms.ChoiceField(label="Who made the contact?", choices=ContactSource.choices,
                               error_messages={"required": "Select who made the contact"})
    source_organisation = forms.ModelChoiceField(label="Referring organisation", required=False,
                                                 queryset=Organisation.objects.filter(is_active=True),
                                                 empty_label="Not from an organisation", widget=long_list(),
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


class ContactDecisionForm(TextRulesForm):
    decision = forms.ChoiceField(
        label="What happens next?", widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in ContactStatus if c != ContactStatus.AWAITING_DECISION],
        error_messages={"required": messages.SELECT_WHAT_HAPPENS_NEXT},
    )
    reason = forms.CharField(label="Reason for the decision", widget=forms.Textarea, required=False,
                             help_text="Required unless an episode is opened")


class AllocationForm(TextRulesForm):
    practitioner = forms.ModelChoiceField(label="Lead practitioner", queryset=None, empty_label="Select a practitioner",
                                          widget=long_list(),
                                          error_messages={"required": "Select a lead practitioner"})
    family_preference = forms.CharField(label="The family's view on who supports them", widget=forms.Textarea,
                                        required=False)

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners


# P8: what each section of the record holds, for the person choosing what a member of the Team Around the Family
# will see. The minimum (`access.policy.TAF_MINIMUM`) is always shared; the rest is chosen.
TAF_ALWAYS_SHARED = ("They will always see who is in the family (names, dates of birth and roles) and the episode "
                     "(the team, the lead practitioner and who else is on the Team Around the Family), and any plan "
                     "actions given to them.")
TAF_SECTION_HINTS = {
    DisclosureSection.ASSESSMENT: "Why the Early Help Assessment was done and what it found in each area, and the "
                                  "family's Supporting Families needs",
    DisclosureSection.PLAN: "Every action in the family plan, who is doing it and by when. Without this they see only "
                            "the actions given to them",
    DisclosureSection.REVIEWS: "When the family's reviews are due and were held, and what each one found",
    DisclosureSection.NOTES: "Case notes, and the documents on the record if they may also see health, domestic "
                             "abuse, safeguarding and crime detail",
}


def taf_sections_field():
    return forms.MultipleChoiceField(
        label="What else will they see?", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(code, DisclosureSection(code).label) for code in policy.SECTIONS if code not in policy.TAF_MINIMUM],
        help_text="Choose only what they need for their part in the family's plan. Select all that apply",
        error_messages={"invalid_choice": messages.CHOOSE_TAF_SECTIONS_FROM_LIST})


class TafSectionsMixin:
    """The sections checkboxes, with a hint on each saying what the section holds."""

    def section_choices(self):
        field = self["sections"]
        chosen = {str(value) for value in (field.value() or [])}
        return [{"value": code, "label": label, "hint": TAF_SECTION_HINTS[code], "checked": code in chosen,
                 "id": field.auto_id if n == 0 else f"{field.auto_id}-{n + 1}"}
                for n, (code, label) in enumerate(field.field.choices)]


class TafMemberForm(TafSectionsMixin, TextRulesForm):
    practitioner = forms.ModelChoiceField(label="Practitioner", queryset=None, widget=long_list(),
                                          error_messages={"required": "Select a practitioner"})
    sections = taf_sections_field()
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


class TafSectionsForm(TafSectionsMixin, TextRulesForm):
    """Change what a member of the Team Around the Family sees (P8)."""

    sections = taf_sections_field()
    reason = forms.CharField(label="Why do they need more of the record?", required=False, widget=forms.Textarea,
                             help_text="Recorded in the family's sharing log when you add a section. Needed if "
                                       "they were invited for a legal reason rather than with consent")


class AssessmentStartForm(TextRulesForm):
    reason = forms.CharField(label="Reason for the assessment", widget=forms.Textarea,
                             error_messages={"required": messages.ENTER_ASSESSMENT_REASON})


SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class AssessmentForm(TextRulesForm):
    """One set of fields per headline area. 'Does not apply' records nothing for that area (P1). Nothing is chosen
    for the practitioner: a draft may leave areas to choose later; the service asks for every area on submitting.
    `recorded` are the draft's findings by area code, so reopening it shows (and keeps) who told us (P17)."""

    voice_of_child = forms.CharField(label="The child's lived experience, in their words", widget=forms.Textarea,
                                     required=False)
    analysis = forms.CharField(label="Analysis", widget=forms.Textarea, required=False)

    def __init__(self, *args, areas, recorded=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        recorded = recorded or {}
        for area in self.areas:
            applies = forms.ChoiceField(label=f"Does {area.label.lower()} apply to this family?",
                                        widget=forms.RadioSelect, choices=[("yes", "Yes"), ("no", "Does not apply")],
                                        required=False)
            applies.conditionally_required = True  # required on submitting: not labelled optional
            self.fields[f"{area.code}-applies"] = applies
            self.fields[f"{area.code}-strengths"] = forms.CharField(label="Strengths", widget=forms.Textarea,
                                                                     required=False)
            self.fields[f"{area.code}-needs"] = forms.CharField(label="Needs", widget=forms.Textarea, required=False)
            score = forms.ChoiceField(label="Score", choices=SCORE_CHOICES, required=False,
                                      widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                                      help_text="1 means significant concern, 5 means no concern")
            score.conditionally_required = True  # required when the area applies: not labelled optional
            self.fields[f"{area.code}-score"] = score
            self.fields[f"{area.code}-source"] = SourceField(label="Who told us about this?",
                                                             recorded=recorded.get(area.code))

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
        """The areas chosen, as the service takes them: None where the area does not apply. Areas not chosen yet
        are left out."""
        result = {}
        for area in self.areas:
            applies = self.cleaned_data.get(f"{area.code}-applies")
            if applies == "no":
                result[area.code] = None
            elif applies == "yes":
                result[area.code] = {
                    "strengths": self.cleaned_data.get(f"{area.code}-strengths", ""),
                    "needs": self.cleaned_data.get(f"{area.code}-needs", ""),
                    "score": int(self.cleaned_data[f"{area.code}-score"]),
                    **self.cleaned_data[f"{area.code}-source"],
                }
        return result


class DecisionForm(TextRulesForm):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("return", "Return with comments")],
                                 error_messages={"required": "Select your decision"})
    comment = forms.CharField(label="Comments", widget=forms.Textarea, required=False,
                              help_text="Required if you return it")


class PlanActionForm(TextRulesForm):
    area = forms.ModelChoiceField(label="Headline area", queryset=HeadlineArea.objects.all(), to_field_name="code",
                                  empty_label="Select a headline area",
                                  error_messages={"required": "Select the headline area"})
    need = forms.CharField(label="Need", widget=forms.Textarea, error_messages={"required": messages.ENTER_NEED})
    action = forms.CharField(label="Action", widget=forms.Textarea, error_messages={"required": messages.ENTER_ACTION})
    owner = forms.ModelChoiceField(label="Who is responsible", queryset=None, empty_label="Select a person",
                                   widget=long_list(),
                                   error_messages={"required": "Select who is responsible"})
    intended_outcome = forms.CharField(label="Intended outcome", widget=forms.Textarea,
                                       error_messages={"required": messages.ENTER_INTENDED_OUTCOME})
    due_date = GovukDateField(label="Due date")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class ActionProgressForm(TextRulesForm):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)
    progress_note = forms.CharField(label="Progress", widget=forms.Textarea, required=False)


PROGRESS_HINT = "1 = significant concern, 5 = no concern"
WHOLE_FAMILY = "family"


def need_label(need) -> str:
    who = need.person.full_name if need.person_id else "the whole family"
    return f"{need.descriptor.area.label}: {need.descriptor.label} ({who})"


class NeedProgressForm(TextRulesForm):
    """Progress on each need still being worked on: one score and its evidence per need, named `score_<id>` and
    `evidence_<id>` as the programme's service names its errors."""

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        for need in self.needs:
            self.fields[f"score_{need.pk}"] = forms.TypedChoiceField(
                label="Progress score", choices=SCORE_CHOICES, coerce=int, help_text=PROGRESS_HINT,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={"required": programme_messages.CHOOSE_PROGRESS_SCORE,
                                "invalid_choice": programme_messages.CHOOSE_PROGRESS_SCORE})
            self.fields[f"evidence_{need.pk}"] = forms.CharField(
                label="What shows this progress?", widget=forms.Textarea(attrs={"rows": 3}),
                help_text=f"What would show significant and sustained progress: {need.descriptor.progress_evidence}",
                error_messages={"required": programme_messages.ENTER_PROGRESS_EVIDENCE})

    def need_fieldsets(self):
        for need in self.needs:
            yield need, need_label(need), self[f"score_{need.pk}"], self[f"evidence_{need.pk}"]

    def other_fields(self):
        return [field for field in self if not field.name.startswith(("score_", "evidence_"))]

    def progress(self) -> dict:
        """need id -> (score, evidence), for the services."""
        return {need.pk: (self.cleaned_data.get(f"score_{need.pk}"), self.cleaned_data.get(f"evidence_{need.pk}", ""))
                for need in self.needs}


class NeedForm(TextRulesForm):
    """Record a Supporting Families need: who it is about, the need from the current framework (grouped by
    headline), what shows it, and who told us (P17)."""

    person = forms.ChoiceField(label="Who is the need about?", widget=forms.RadioSelect,
                               error_messages={"required": "Choose who the need is about"})
    descriptor = forms.TypedChoiceField(label="Which need?", coerce=int,
                                        help_text="The needs in the current Supporting Families outcomes framework, "
                                                  "by headline",
                                        error_messages={"required": programme_messages.CHOOSE_DESCRIPTOR,
                                                        "invalid_choice": programme_messages.CHOOSE_DESCRIPTOR})
    evidence = forms.CharField(label="What shows the need?", widget=forms.Textarea,
                               error_messages={"required": programme_messages.ENTER_NEED_EVIDENCE})
    source = SourceField(label="Where did this information come from?", default=SourceKind.PRACTITIONER)
    source_reference = forms.CharField(label="Reference", required=False, max_length=200,
                                       help_text="For example, the report or meeting it came from. Do not enter "
                                                 "personal details here.")
    identified_on = GovukDateField(label="When was the need identified?", required=False, max_date=today,
                                   help_text="Leave blank for today")
    baseline_score = forms.TypedChoiceField(
        label="Starting score", required=False, coerce=int, empty_value=None, choices=SCORE_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text=f"Where the need stands now, the start of the family's distance travelled. {PROGRESS_HINT}.")

    def __init__(self, *args, members, descriptors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(WHOLE_FAMILY, "The whole family"),
                                         *[(str(m.person_id), m.person.full_name) for m in members]]
        grouped = {}
        for descriptor in descriptors:
            grouped.setdefault(descriptor.area.label, []).append((descriptor.pk, descriptor.label))
        self.fields["descriptor"].choices = [("", "Choose a need"), *grouped.items()]

    def person_id(self) -> int | None:
        chosen = self.cleaned_data["person"]
        return None if chosen == WHOLE_FAMILY else int(chosen)


class WithdrawNeedForm(TextRulesForm):
    reason = forms.CharField(label="Why was this need recorded in error?", widget=forms.Textarea,
                             error_messages={"required": programme_messages.ENTER_WITHDRAWAL_REASON})


class ReviewForm(NeedProgressForm):
    held_on = GovukDateField(label="Date of the review", max_date=today)
    summary = forms.CharField(label="Summary of the review", widget=forms.Textarea,
                              error_messages={"required": messages.ENTER_REVIEW_SUMMARY})
    family_view = forms.CharField(label="The family's view", widget=forms.Textarea, required=False)
    next_review_due = GovukDateField(label="Next review due", required=False,
                                     help_text="Leave blank to schedule it in 8 weeks")


class ClosureForm(NeedProgressForm):
    reason = forms.ChoiceField(label="Reason for closing",
                               choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.STEPPED_UP],
                               widget=forms.RadioSelect, error_messages={"required": "Select the reason for closing"})
    summary = forms.CharField(label="Closure summary", widget=forms.Textarea,
                              error_messages={"required": messages.ENTER_CLOSURE_SUMMARY})
    family_feedback = forms.CharField(label="The family's feedback on the support they received",
                                      widget=forms.Textarea, required=False)
    feedback_declined = forms.BooleanField(label="The family did not want to give feedback", required=False)
    open_actions_reason = forms.CharField(
        label="Why should the episode close before these actions are done?", widget=forms.Textarea,
        help_text="Your manager sees this with the actions when they decide",
        error_messages={"required": messages.ENTER_OPEN_ACTIONS_REASON})

    def __init__(self, *args, open_actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not open_actions:  # asked only when plan actions are still open
            del self.fields["open_actions_reason"]


class StepUpForm(TextRulesForm):
    reason = forms.CharField(label="Why is the family being stepped up to children's social care?",
                             widget=forms.Textarea, error_messages={"required": messages.ENTER_STEP_UP_REASON})


class CaseNoteForm(TextRulesForm):
    text = forms.CharField(label="Case note", widget=forms.Textarea,
                           error_messages={"required": messages.ENTER_CASE_NOTE})
    channel = forms.ChoiceField(label="How was the contact made?", choices=[("", "Not applicable")] + Channel.choices,
                                required=False)
    is_sensitive = forms.BooleanField(
        label="Contains health, domestic abuse, safeguarding or crime information", required=False,
        help_text="Partners without access to special category information will see only that a note exists")
    source = SourceField(default=SourceKind.PRACTITIONER)


class DocumentForm(TextRulesForm):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter a title"})
    upload = forms.FileField(label="File", error_messages={"required": "Select a file"})
    media_reason = forms.CharField(
        label="Why is this image or recording needed?", widget=forms.Textarea, required=False,
        help_text="Images and voice recordings are kept only where required or part of therapeutic work")
    source = SourceField()


class ReferralOutForm(TextRulesForm):
    organisation = organisation_field("Which organisation are you referring the family to?")
    service = forms.CharField(label="Which service?", max_length=200,
                              error_messages={"required": messages.ENTER_REFERRAL_SERVICE})
    recipient_person = forms.CharField(label="Who at the organisation?", required=False, max_length=120)
    sections = sections_field("What does the referral include?", "Only what the service needs to help the family")
    basis = basis_field()
    reason = forms.CharField(label="Why are you referring the family?", widget=forms.Textarea,
                             error_messages={"required": "Enter why you are referring the family"})


class PanelPackForm(TextRulesForm):
    """P26: the panel sees only the sections chosen here."""

    panel = forms.ModelChoiceField(
        label="Which panel?", queryset=Panel.objects.filter(is_active=True), empty_label="Choose a panel",
        help_text="The pack goes to every organisation on the panel: the family's consent or the register must "
                  "cover each of them",
        error_messages={"required": "Choose a panel", "invalid_choice": "Choose a panel from the list"})
    sections = sections_field("Which sections does the panel need?",
                               "The pack holds only these: leave out anything the panel does not need")
    basis = basis_field()
    reason = forms.CharField(label="Why does the panel need this?", widget=forms.Textarea,
                             error_messages={"required": "Enter why the panel needs this information"})
    special_category_shared = forms.BooleanField(
        label="The panel needs health, domestic abuse, safeguarding and crime detail in full", required=False,
        help_text="Leave this unticked unless the panel cannot do its work without that detail: it then sees only "
                  "that something is recorded. Ticking it is recorded in the disclosure log.")


class ChronologyFilterForm(TextRulesForm):
    """Filter a family's chronology by kind of event and date range (a GET form: filters are not personal data)."""

    kinds = forms.MultipleChoiceField(label="Show", required=False, widget=forms.CheckboxSelectMultiple,
                                      help_text="Leave all unticked to show every kind of event")
    date_from = GovukDateField(label="From", required=False, help_text="For example, 27 3 2026")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 27 3 2026")
    order = forms.ChoiceField(label="Order", required=False, widget=forms.RadioSelect(
        attrs={"class": "govuk-radios--inline govuk-radios--small"}),
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")])

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].choices = kinds

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def filters(self) -> dict:
        """The chronology's filters; none where the form is not valid (the errors are shown with every event)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {"kinds": data.get("kinds") or None, "date_from": data.get("date_from"),
                "date_to": data.get("date_to"), "newest_first": data.get("order") != "oldest"}
