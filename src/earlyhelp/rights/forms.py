"""Forms for the rights request pages. They check the shape of the answers; the rules are in `rights.services`,
whose errors `run_service` puts on the same fields."""

from django import forms

from earlyhelp.casework.models import Document
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import (
    Ethnicity,
    Gender,
    SpecialEducationalNeeds,
    YesNoUnknown,
)
from earlyhelp.privacy.messages import ENTER_DECISION_REASON
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField, today

from . import acknowledgement, messages
from .acknowledgement_models import AcknowledgementMethod
from .models import (
    Channel,
    NotificationMethod,
    Outcome,
    RequesterRelationship,
    RequestKind,
    RequestStatus,
)
from .selectors import DEADLINE_FILTERS
from .services import decisions, intake, rectification

TEXTAREA = {"rows": 4}


def _required(message):
    return {"required": message}


def _date(label, message, *, required=True, help_text=""):
    return GovukDateField(label=label, max_date=today, required=required, help_text=help_text,
                          error_messages=_required(message) if required else {})


def _text(label, *, required=False, message="", rows=None, max_length=None, help_text="", **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    errors = _required(message) if required else {}
    if max_length:
        errors["max_length"] = f"{label} must be {max_length} characters or fewer"
    return forms.CharField(label=label, required=required, widget=widget, max_length=max_length,
                           help_text=help_text, error_messages=errors)


class FindPersonForm(TextRulesForm):
    family_name = _text("Family name", required=True, message="Enter the family name", max_length=100,
                        spellcheck="false")
    given_name = _text("Given name", max_length=100, spellcheck="false")
    date_of_birth = GovukDateField(label="Date of birth", required=False, max_date=today,
                                   help_text="For example, 27 3 2015")

    def clean(self):
        data = super().clean()
        if data.get("family_name") and not (data.get("given_name") or data.get("date_of_birth")):
            self.add_error("given_name", "Enter a given name or a date of birth as well as the family name")
        return data


class RequestForm(TextRulesForm):
    person_names = ("requester_name",)
    kind = forms.ChoiceField(label="What is the person asking for?", choices=RequestKind.choices,
                             widget=forms.RadioSelect, error_messages=_required(messages.CHOOSE_REQUEST_KIND))
    received_on = _date("Date the request was received", messages.ENTER_RECEIVED_ON,
                        help_text="A request can be made in any way: the clock starts on the day it arrives")
    channel = forms.ChoiceField(label="How was the request made?", choices=Channel.choices, widget=forms.RadioSelect,
                                error_messages=_required(messages.CHOOSE_CHANNEL))
    details = _text("What they asked for", rows=5, help_text="In their words, as far as you can")
    requester_relationship = forms.ChoiceField(
        label="Who made the request?", choices=RequesterRelationship.choices, widget=forms.RadioSelect,
        error_messages=_required(messages.CHOOSE_REQUESTER_RELATIONSHIP))
    requester_person = forms.TypedChoiceField(label="The requester on our records", required=False, coerce=int,
                                              empty_value=None,
                                              help_text="Choose them if they are on our records: a parent's parental "
                                                        "responsibility is checked against the recorded relationship")
    requester_name = _text("Requester's full name", max_length=200, help_text="Needed unless you chose them above")
    requester_relationship_detail = _text("How they are connected to the person", max_length=200,
                                          help_text="Needed if they are someone else")
    requester_address = _text("Requester's postal address", rows=3)
    requester_email = _text("Requester's email address", max_length=254, autocomplete="off",
                            spellcheck="false")
    requester_phone = _text("Requester's telephone number", max_length=40, autocomplete="off")
    identity_check = forms.ChoiceField(label="Proof of identity and authority",
                                       choices=[(c.value, c.label) for c in intake.STAFF_IDENTITY_CHECKS],
                                       widget=forms.RadioSelect,
                                       error_messages=_required(messages.CHOOSE_IDENTITY_CHECK))
    id_seen_on = _date("Date you saw proof of identity", "", required=False)
    id_evidence = _text("Proof of identity seen, or why none is needed", max_length=300,
                        help_text="For example, passport seen at the family centre. Do not copy numbers")
    id_requested_on = _date("Date you asked for proof", "", required=False,
                            help_text="The clock starts when the proof arrives")
    authority_evidence = _text("Evidence of authority to act for the person", rows=3,
                               help_text="Needed for a solicitor, someone with written authority, someone else, or a "
                                         "parent acting for an adult")
    child_authority = _text("How the child gave their authority", rows=3,
                            help_text="Needed when a parent or carer without recorded parental responsibility asks "
                                      "for a child's information")
    consent = forms.TypedChoiceField(label="The consent being withdrawn", required=False, coerce=int,
                                     empty_value=None, help_text="Only for a request to withdraw consent: the "
                                                                 "withdrawal is processed within 14 days")

    def __init__(self, *args, requester_choices=(), consent_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_person"].choices = [("", "Not on our records")] + [
            (str(pk), label) for pk, label in requester_choices]
        self.fields["consent"].choices = [("", "None chosen")] + [
            (str(c.pk), f"Consent given on {c.given_on:%-d %B %Y} for family {c.household.reference}")
            for c in consent_choices]
        for name in ("requester_name", "requester_relationship_detail", "id_seen_on", "id_evidence", "id_requested_on",
                     "authority_evidence", "child_authority"):
            self.fields[name].conditionally_required = True  # the hint says when: no "(optional)"


class IdentityForm(TextRulesForm):
    id_seen_on = _date("Date the proof arrived", "Enter the date the proof arrived",
                       help_text="The clock starts on this day")
    id_evidence = _text("Proof of identity seen", required=True, message=messages.ENTER_ID_EVIDENCE,
                        max_length=300, help_text="For example, passport seen at the family centre. Do not copy "
                                                  "numbers")
    requester_person = forms.TypedChoiceField(label="The requester on our records", required=False, coerce=int,
                                              empty_value=None)
    authority_evidence = _text("Evidence of authority to act for the person", rows=3)
    child_authority = _text("How the child gave their authority", rows=3)

    def __init__(self, *args, requester_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_person"].choices = [("", "Not on our records")] + [
            (str(pk), label) for pk, label in requester_choices]


class PauseForm(TextRulesForm):
    started_on = _date("Date you asked for clarification", messages.ENTER_CLARIFICATION_ASKED_ON)
    reason = _text("What you asked the requester to clarify", required=True, rows=4,
                   message=messages.ENTER_CLARIFICATION_ASKED)


class ResumeForm(TextRulesForm):
    ended_on = _date("Date the clarification arrived", messages.ENTER_CLARIFICATION_ARRIVED_ON)


class ExtendForm(TextRulesForm):
    reason = _text("Why the request needs more time", required=True, rows=4,
                   message=messages.ENTER_EXTENSION_REASON,
                   help_text="Only for a complex request, or several requests from the same person")
    notified_on = _date("Date you told the requester, with the reasons", messages.ENTER_EXTENSION_NOTIFIED_ON,
                        help_text="They must be told within the first month")


class DecisionForm(TextRulesForm):
    outcome = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                error_messages=_required("Choose a decision"))
    reason = _text("Reasons for the decision", rows=5,
                   help_text="Needed for every refusal: the requester is given them")
    response_text = _text("The answer given to the requester", rows=8)
    confirm_erasure = forms.BooleanField(
        label="I understand that erasing removes the person's records for good; the request stays as the record "
              "of what was done", required=False)

    documents = forms.ModelMultipleChoiceField(
        label="Family documents to delete as well (optional)", queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="A stored file cannot be partly erased. Choose the documents that are about this person; the rest "
                  "of the family's documents stay, with the person's name taken out of their titles.")

    def __init__(self, *args, kind: str, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["outcome"].choices = [(o.value, o.label) for o in decisions.OUTCOMES.get(kind, [])]
        self.fields["reason"].conditionally_required = True
        if kind == RequestKind.RESTRICTION:
            self.fields["reason"].help_text = "Needed: why use of the record is restricted, or why the request is refused"
        answer = decisions.standard_answer(kind)
        if answer:
            self.fields["response_text"].initial = answer
            self.fields["response_text"].conditionally_required = True
        if kind != RequestKind.ERASURE:
            del self.fields["confirm_erasure"]
        if kind != RequestKind.ERASURE or subject is None:
            del self.fields["documents"]
        else:
            self.fields["documents"].queryset = Document.objects.filter(
                episode__household__memberships__person=subject).distinct().order_by("-uploaded_at")
            self.fields["documents"].label_from_instance = lambda d: f"{d.title} ({d.uploaded_at:%d/%m/%Y})"

    def clean(self):
        data = super().clean()
        if self.kind == RequestKind.ERASURE and data.get("outcome") == Outcome.COMPLIED \
                and not data.get("confirm_erasure"):
            self.add_error("confirm_erasure", "Confirm that you understand the person's records will be erased")
        return data


class CorrectionForm(TextRulesForm):
    """The person's details as they are now; change what is wrong. Only changed answers are corrected."""

    person_names = ("given_name", "family_name", "preferred_name")
    given_name = _text("Given name", max_length=100)
    family_name = _text("Family name", max_length=100)
    preferred_name = _text("Preferred name", max_length=100)
    date_of_birth = GovukDateField(label="Date of birth", required=False, max_date=today)
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, widget=forms.RadioSelect, required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, required=False)
    first_language = _text("First language", max_length=60)
    disability = forms.ChoiceField(label="Does the person have a disability?", choices=YesNoUnknown.choices,
                                   required=False)
    special_educational_needs = forms.ChoiceField(label="Special educational needs",
                                                  choices=SpecialEducationalNeeds.choices, required=False)
    identifier_nhs = _text(IdentifierScheme.NHS.label, max_length=14, help_text="Leave blank to keep it as it is")
    identifier_ni = _text(IdentifierScheme.NI.label, max_length=14, help_text="Leave blank to keep it as it is")
    identifier_upn = _text(IdentifierScheme.UPN.label, max_length=16, help_text="Leave blank to keep it as it is")
    identifier_pnc = _text(IdentifierScheme.PNC.label, max_length=16, help_text="Leave blank to keep it as it is")
    line_1 = _text("New address line 1", max_length=200, help_text="Only if the person has moved")
    line_2 = _text("New address line 2", max_length=200)
    town = _text("Town or city", max_length=100)
    postcode = _text("Postcode", max_length=10, **{"class": "govuk-input--width-10"})
    valid_from = GovukDateField(label="Date they started living at the new address", required=False, max_date=today)

    PERSON_FIELDS = rectification.PERSON_FIELDS

    def __init__(self, *args, person, **kwargs):
        initial = {name: getattr(person, name) for name in self.PERSON_FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        self.person = person

    def changes(self) -> dict:
        data = self.cleaned_data
        found = {name: data[name] for name in self.PERSON_FIELDS
                 if name in data and data[name] not in (None, "") and data[name] != getattr(self.person, name)}
        if data.get("preferred_name", "") != self.person.preferred_name:
            found["preferred_name"] = data.get("preferred_name", "")
        found.update({name: data[name] for name in rectification.IDENTIFIER_FIELDS if data.get(name)})
        if any(data.get(name) for name in ("line_1", "town", "postcode")):
            found.update({name: data.get(name) for name in rectification.ADDRESS_FIELDS})
        return found


class DisputeForm(TextRulesForm):
    disputed = _text("What the person says is wrong", required=True, rows=3,
                     message=messages.ENTER_DISPUTED)
    statement = _text("The person's statement", required=True, rows=5,
                      message=messages.ENTER_STATEMENT,
                      help_text="In their words: it is shown on their record beside the information")
    council_reason = _text("Why the council is not changing the record", required=True, rows=4,
                           message=messages.ENTER_COUNCIL_REASON)


class NotificationForm(TextRulesForm):
    method = forms.ChoiceField(label="How you told them", choices=NotificationMethod.choices,
                               widget=forms.RadioSelect, error_messages=_required(messages.CHOOSE_NOTIFICATION_METHOD))
    notified_on = _date("Date you told them", messages.ENTER_RECIPIENT_TOLD_ON)
    note = _text("Note", rows=3, help_text="Needed if they could not be told: say why")


class LiftRestrictionForm(TextRulesForm):
    reason = _text("Why the restriction is being lifted", required=True, rows=4,
                   message=messages.ENTER_LIFT_REASON)
    person_told_on = _date("Date you told the person it would be lifted", messages.ENTER_PERSON_TOLD_ON,
                           help_text="The person must be told before a restriction is lifted")


class FilterForm(TextRulesForm):
    deadline = forms.ChoiceField(label="Deadline", required=False,
                                 choices=[("", "Any")] + list(DEADLINE_FILTERS.items()))
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any")] + RequestStatus.choices)
    kind = forms.ChoiceField(label="Kind of request", required=False, choices=[("", "Any")] + RequestKind.choices)
    channel = forms.ChoiceField(label="How it arrived", required=False, choices=[("", "Any")] + Channel.choices)


class RedactionDecisionForm(TextRulesForm):
    """A person's decision on information about someone else found in a subject access pack."""

    SCOPE_ONE, SCOPE_SAME_TEXT = "one", "same_text"
    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    decision = forms.ChoiceField(
        label="Should this be withheld?", widget=forms.RadioSelect,
        choices=[("redact", "Withhold it: it is about someone else and it is not reasonable to disclose it"),
                 ("disclose", "Disclose it: the requester already knows it, the person agreed, or it is about a "
                              "professional acting in their role")],
        error_messages={"required": "Select whether to withhold or disclose this information"})
    scope = forms.ChoiceField(
        label="Apply the decision to", widget=forms.RadioSelect, initial=SCOPE_ONE,
        choices=[(SCOPE_ONE, "This place only"), (SCOPE_SAME_TEXT, "Every place in the pack with the same text")],
        error_messages={"required": "Select where the decision applies"})
    reason = forms.CharField(label="Reason for your decision", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, error_messages={"required": ENTER_DECISION_REASON})


class MentionDecisionForm(TextRulesForm):
    """A person's decision on a record of another family that seems to mention the requester (P13, P19)."""

    mention = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    decision = forms.ChoiceField(
        label="Should this be included in the pack?", widget=forms.RadioSelect,
        choices=[("include", "Include it: it is about the requester (the other family's people are then proposed "
                             "for redaction)"),
                 ("leave_out", "Leave it out: it is not about the requester")],
        error_messages={"required": "Select whether to include this record or leave it out"})
    reason = forms.CharField(label="Reason for your decision", widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000, error_messages={"required": ENTER_DECISION_REASON})
class AcknowledgementForm(TextRulesForm):
    """When and how a complaint was acknowledged (the 30-day rule is `rights.acknowledgement`)."""

    acknowledged_on = GovukDateField(label="When was the complaint acknowledged",
                                     error_name="the date the complaint was acknowledged", max_date=today,
                                     error_messages={"required": acknowledgement.ENTER_DATE,
                                                     "max_date_today": acknowledgement.IN_FUTURE})
    method = forms.ChoiceField(label="How was it acknowledged", choices=AcknowledgementMethod.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": acknowledgement.CHOOSE_METHOD,
                                               "invalid_choice": acknowledgement.CHOOSE_METHOD})
