from django import forms
from django.db.models import Q

from earlyhelp.access import policy
from earlyhelp.access.messages import CHOOSE_EXCLUDED_TYPES
from earlyhelp.organisations.models import Organisation, OrganisationType, User
from earlyhelp.records.provenance import SourceKind
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField, long_list, today

from .messages import (
    CHOOSE_CONSENT_EVIDENCE,
    CHOOSE_SHARING_BASIS,
    ENTER_DECISION_REASON,
    ENTER_DISCLOSURE_REASONS,
)
from .models import (
    DisclosureBasis,
    DisclosureSection,
    EvidenceType,
    ProcessingPurpose,
    recipient_label,
)
from .services import panels
from .services.consent import WITHDRAWAL_CHANNELS, consent_partner_choices


class SourceField(forms.ChoiceField):
    """"Who told us?" (P17): the family, our practitioner, or a named partner organisation, in one question.
    Cleans to {"source_kind", "source_organisation"}, ready for a service."""

    def __init__(self, *, default=SourceKind.FAMILY, recorded=None, **kwargs):
        """`recorded`: a record (Provenance) whose source is being changed. Its source is the initial answer, so
        reopening and saving it never changes who told us; a partner no longer active stays a choice for it."""
        kwargs.setdefault("label", "Who gave us this information?")
        kwargs.setdefault("help_text", "The family is told who gave us information about them")
        self.recorded_organisation_id = (recorded.source_organisation_id if recorded is not None
                                         and recorded.source_kind == SourceKind.PARTNER else None)
        super().__init__(choices=self._choices, initial=self.value_of(recorded) if recorded else default, **kwargs)

    @staticmethod
    def value_of(record) -> str:
        """The answer that stands for `record`'s source."""
        if record.source_kind == SourceKind.PARTNER and record.source_organisation_id:
            return f"org:{record.source_organisation_id}"
        return record.source_kind

    def _partners(self):
        return Organisation.objects.filter(Q(is_active=True) | Q(pk=self.recorded_organisation_id)).exclude(
            type=OrganisationType.LOCAL_AUTHORITY)

    def _choices(self):
        return [(SourceKind.FAMILY.value, "The family"), (SourceKind.PRACTITIONER.value, "Our practitioner"),
                ("Partner organisations", [(f"org:{o.pk}", o.name) for o in self._partners()])]

    def clean(self, value):
        value = super().clean(value)
        if value.startswith("org:"):
            organisation = self._partners().filter(pk=value[4:]).first()
            return {"source_kind": SourceKind.PARTNER, "source_organisation": organisation}
        return {"source_kind": value, "source_organisation": None}


class ConsentForm(TextRulesForm):
    """Every question says whether answering is required or a choice (P3)."""

    person_names = ("witness_name",)
    subject = forms.ChoiceField(label="Whose information is this consent about?",
                                error_messages={"required": "Choose whose information the consent is about"})
    given_by = forms.ChoiceField(label="Who gave consent?", error_messages={"required": "Choose who gave consent"})
    covers_support = forms.BooleanField(label="They agree to early help support", required=False,
                                        help_text="The family's choice: early help is offered, never imposed")
    sharing_partner_types = forms.MultipleChoiceField(
        label="Who may we share information with?", required=False, widget=forms.CheckboxSelectMultiple,
        choices=consent_partner_choices,
        help_text="The family's choice: leave them all unticked to share with nobody on the strength of consent")
    excluded_organisation_types = forms.MultipleChoiceField(
        label="Which kinds of organisation must not see this information?", required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[c for c in OrganisationType.choices if c[0] != OrganisationType.LOCAL_AUTHORITY],
        help_text="The family's choice: nobody working for these organisations can open the family's record, "
                  "and nothing is shared with them",
        error_messages={"invalid_choice": CHOOSE_EXCLUDED_TYPES})
    excluded_practitioners = forms.ModelChoiceField(
        label="Is there a practitioner who must not see it?", required=False, queryset=User.objects.none(),
        empty_label="No one named", help_text="For example a relative or neighbour who works with families",
        widget=long_list(),
        error_messages={"invalid_choice": "Choose a practitioner from the list"})
    must_not_see = forms.CharField(label="What the family said about who must not see it", required=False,
                                   widget=forms.Textarea,
                                   help_text="In the family's own words, kept as a note: the choices above are "
                                             "what the system enforces")
    national_evaluation_opt_out = forms.BooleanField(
        label="They do not want to be included in the national evaluation of Supporting Families", required=False,
        help_text="The family's choice: opting out changes nothing about the support they get")
    evidence_type = forms.ChoiceField(label="How was consent given?", choices=EvidenceType.choices,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": CHOOSE_CONSENT_EVIDENCE})
    evidence_reference = forms.CharField(label="Where the signed form is kept", required=False, max_length=200,
                                         help_text="Needed for a signed form")
    witness_name = forms.CharField(label="Who witnessed verbal consent", required=False, max_length=120,
                                   help_text="Needed for verbal consent")
    given_on = GovukDateField(label="Date consent was given", max_date=today)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a person")] + [(str(m.person_id), m.person.full_name) for m in members]
        self.fields["subject"].choices = self.fields["given_by"].choices = choices
        self.fields["excluded_practitioners"].queryset = User.objects.filter(
            is_active=True, role__in=policy.roles_with(policy.Permission.CASEWORK)).select_related("organisation") \
            .order_by("last_name", "first_name")
        self.fields["excluded_practitioners"].label_from_instance = lambda u: f"{u} ({u.organisation})"
        for name in ("evidence_reference", "witness_name"):
            self.fields[name].conditionally_required = True


class WithdrawalForm(TextRulesForm):
    channel = forms.ChoiceField(label="How did the family ask to withdraw consent?", widget=forms.RadioSelect,
                                choices=[(k, v) for k, v in WITHDRAWAL_CHANNELS.items() if k != "correction"],
                                error_messages={"required": "Choose how the family asked"})
    requested_on = GovukDateField(label="Date they asked", max_date=today)


class DisclosureForm(TextRulesForm):
    shared = forms.ChoiceField(label="What did you decide?", widget=forms.RadioSelect,
                               choices=[("yes", "Share"), ("no", "Not to share")],
                               error_messages={"required": "Choose whether you are sharing"})
    recipient_organisation = forms.ModelChoiceField(
        label="Which organisation?", queryset=Organisation.objects.filter(is_active=True),
        empty_label="Choose an organisation", widget=long_list(),
        error_messages={"required": "Choose an organisation", "invalid_choice": "Choose an organisation from the list"})
    recipient_person = forms.CharField(label="Who at the organisation?", required=False, max_length=120)
    purpose = forms.ModelChoiceField(label="For which purpose?", to_field_name="code", empty_label="Choose a purpose",
                                     queryset=ProcessingPurpose.objects.filter(is_active=True),
                                     error_messages={"required": "Choose a purpose"})
    basis = forms.ChoiceField(label="On what basis?", choices=DisclosureBasis.choices, widget=forms.RadioSelect,
                              error_messages={"required": CHOOSE_SHARING_BASIS})
    sections = forms.MultipleChoiceField(label="What is shared?", choices=DisclosureSection.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="Only what the recipient needs for the family's needs")
    reason = forms.CharField(label="Reasons for the decision", widget=forms.Textarea,
                             error_messages={"required": ENTER_DISCLOSURE_REASONS})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].conditionally_required = True


def organisation_field(label):
    return forms.ModelChoiceField(
        label=label, queryset=Organisation.objects.filter(is_active=True), empty_label="Choose an organisation",
        widget=long_list(),
        error_messages={"required": "Choose an organisation", "invalid_choice": "Choose an organisation from the list"})


def sections_field(label, help_text):
    return forms.MultipleChoiceField(label=label, choices=DisclosureSection.choices, widget=forms.CheckboxSelectMultiple,
                                     help_text=help_text,
                                     error_messages={"required": "Choose at least one section: only what is needed"})


def basis_field():
    return forms.ChoiceField(label="On what basis?", choices=DisclosureBasis.choices, widget=forms.RadioSelect,
                             initial=DisclosureBasis.CONSENT, error_messages={"required": CHOOSE_SHARING_BASIS},
                             help_text="Sharing for a legal reason without consent needs a manager of the team")


class SuggestionDecisionForm(TextRulesForm):
    """P13: a person decides on what the system suggests, and says why."""

    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[("accept", "Confirm"), ("reject", "Reject")],
                                 error_messages={"required": "Choose whether to confirm or reject the suggestion"})
    reason = forms.CharField(label="Reason for your decision", widget=forms.Textarea,
                             error_messages={"required": ENTER_DECISION_REASON})


class PanelForm(TextRulesForm):
    """A multi-agency panel and the partner organisations on it (P26); the rules are `panels.save_panel`'s."""

    name = forms.CharField(label="Name of the panel", max_length=120,
                           help_text="For example, Multi-Agency Support Group (North)",
                           error_messages={"required": "Enter the name of the panel",
                                           "max_length": "The name must be 120 characters or fewer"})
    description = forms.CharField(label="What the panel does", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    members = forms.ModelMultipleChoiceField(
        label="Which organisations sit on the panel?", queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="A pack for the panel goes to every one of them: the family's consent or the register must cover each",
        error_messages={"required": "Choose the organisations that sit on the panel",
                        "invalid_choice": "Choose organisations from the list"})
    is_active = forms.BooleanField(label="The panel meets and may receive packs", required=False, initial=True)
    change_reason = forms.CharField(label="Why are you making this change?", max_length=100,
                                    help_text="Kept in the panel's history, with your name and the date",
                                    error_messages={"required": panels.REASON_REQUIRED,
                                                    "max_length": "The reason must be 100 characters or fewer"})

    def __init__(self, *args, panel=None, **kwargs):
        if panel is not None:
            kwargs.setdefault("initial", {"name": panel.name, "description": panel.description,
                                          "members": list(panel.members.all()), "is_active": panel.is_active})
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = panels.member_choices()
        self.fields["members"].label_from_instance = lambda o: f"{o.name} ({recipient_label(o.type)})"
