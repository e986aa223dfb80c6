"""The DPO's forms for breaches, DPIAs and data-sharing agreements. They check the shape of the answers; the rules
and their messages are `governance.services`'."""

import datetime
import re

from django import forms
from django.utils import timezone

from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField

from ..models import ProcessingPurpose
from ..register_forms import LinesField
from . import services
from .hosting import FIELDS as HOSTING_FIELDS
from .hosting import REQUIRED as HOSTING_REQUIRED
from .models import AgreementKind, AgreementStatus, DpiaOutcome, PeopleTold, Reportable

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")
ENTER_TIME = "Enter the time in 24-hour format, for example 14:30"
WIDE_TEXT = {"rows": 4}


def _req(message):
    return {"required": message, "invalid_choice": message}


def _time_field(label):
    return forms.CharField(label=label, required=False, max_length=5, help_text="24-hour clock, for example 14:30",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}))


class _Moments(TextRulesForm):
    """A date (GOV.UK date input) with a time box beside it, combined into one local date and time."""

    MOMENTS: tuple[tuple[str, str], ...] = ()  # (name, label)

    def clean(self):
        cleaned = super().clean()
        for name, label in self.MOMENTS:
            day, time_text = cleaned.get(f"{name}_date"), (cleaned.get(f"{name}_time") or "").strip()
            cleaned[name] = None
            if day is None:
                if time_text and f"{name}_date" not in self.errors:
                    self.add_error(f"{name}_date", f"Enter the date for {label.lower()}")
                continue
            if not time_text:
                if self.fields[f"{name}_date"].required:
                    self.add_error(f"{name}_time", f"Enter the time for {label.lower()}")
                    continue
                time_text = "00:00"
            match = _TIME.match(time_text)
            if not match:
                self.add_error(f"{name}_time", ENTER_TIME)
                continue
            naive = datetime.datetime.combine(day, datetime.time(int(match[1]), int(match[2])))
            cleaned[name] = timezone.make_aware(naive)
        return cleaned

    @staticmethod
    def initial_moments(entry, names) -> dict:
        initial = {}
        for name in names:
            value = getattr(entry, name, None)
            if value is not None:
                local = timezone.localtime(value)
                initial[f"{name}_date"], initial[f"{name}_time"] = local.date(), local.strftime("%H:%M")
        return initial


def _put_service_errors(form, errors: dict):
    """The service's own rules, so every problem shows at once (the service checks again)."""
    moment_fields = {name: f"{name}_date" for name, _ in getattr(form, "MOMENTS", ())}
    for field, message in errors.items():
        target = moment_fields.get(field, field)
        if target not in form.errors:
            form.add_error(target if target in form.fields else None, message)


class BreachForm(_Moments):
    MOMENTS = (("found_at", "When it was found"), ("aware_at", "When the council became aware"),
               ("contained_at", "When it was contained"))

    title = forms.CharField(label="Short name", max_length=200, error_messages=_req(services.REQUIRED["title"]),
                            help_text="For example, case summary emailed to the wrong school. No names")
    found_at_date = GovukDateField(label="When was it found", error_name="the date it was found",
                                   error_messages={"required": services.REQUIRED["found_at"]})
    found_at_time = _time_field("Time it was found")
    found_by = forms.CharField(label="Who found it", max_length=200, error_messages=_req(services.REQUIRED["found_by"]),
                               help_text="A role or team, for example the team manager of the north team")
    how_found = forms.CharField(label="How was it found", widget=forms.Textarea(attrs=WIDE_TEXT),
                                error_messages=_req(services.REQUIRED["how_found"]))
    aware_at_date = GovukDateField(label="When did the council become aware of it",
                                   error_name="the date the council became aware",
                                   help_text="The 72 hours to tell the ICO start here",
                                   error_messages={"required": services.REQUIRED["aware_at"]})
    aware_at_time = _time_field("Time the council became aware")
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 6}),
                                  help_text="Without unnecessary personal data: say what kind of information and "
                                            "whose, not names",
                                  error_messages=_req(services.REQUIRED["description"]))
    data_categories = LinesField(label="Categories of personal data involved", rows=4,
                                 help_text="One per line, for example contact details, health",
                                 error_messages=_req(services.REQUIRED["data_categories"]))
    special_category = forms.BooleanField(label="Special category or criminal offence data is involved",
                                          required=False)
    people_affected = forms.IntegerField(label="Approximate number of people affected", min_value=0,
                                         widget=forms.TextInput(attrs={"class": "govuk-input--width-5",
                                                                       "inputmode": "numeric"}),
                                         error_messages={"required": services.REQUIRED["people_affected"],
                                                         "invalid": services.REQUIRED["people_affected"],
                                                         "min_value": services.REQUIRED["people_affected"]})
    records_affected = forms.IntegerField(label="Approximate number of records affected", min_value=0,
                                          widget=forms.TextInput(attrs={"class": "govuk-input--width-5",
                                                                        "inputmode": "numeric"}),
                                          error_messages={"required": services.REQUIRED["records_affected"],
                                                          "invalid": services.REQUIRED["records_affected"],
                                                          "min_value": services.REQUIRED["records_affected"]})
    consequences = forms.CharField(label="Likely consequences for the people affected", required=False,
                                   widget=forms.Textarea(attrs=WIDE_TEXT))
    actions_taken = forms.CharField(label="Actions taken", required=False, widget=forms.Textarea(attrs=WIDE_TEXT))
    contained_at_date = GovukDateField(label="When was it contained", required=False,
                                       error_name="the date it was contained")
    contained_at_time = _time_field("Time it was contained")
    containment = forms.CharField(label="How was it contained", required=False,
                                  widget=forms.Textarea(attrs=WIDE_TEXT))
    reportable = forms.ChoiceField(label="Must it be reported to the ICO", choices=Reportable.choices,
                                   widget=forms.RadioSelect, required=False)
    reportable_reasoning = forms.CharField(label="Your reasoning", required=False,
                                           widget=forms.Textarea(attrs=WIDE_TEXT),
                                           help_text="Needed once you decide. Kept with the breach for the ICO")
    people_told = forms.ChoiceField(label="Have the people affected been told (Article 34)",
                                    choices=PeopleTold.choices, widget=forms.RadioSelect, required=False)
    people_told_on = GovukDateField(label="When were they told", required=False, error_name="the date they were told")
    people_told_reasoning = forms.CharField(label="How they were told, or why they are not being told",
                                            required=False, widget=forms.Textarea(attrs=WIDE_TEXT))
    change_reason = forms.CharField(label="Why are you making this change?", required=False, max_length=100,
                                    help_text="Kept in the breach's history, with your name and the date")

    def __init__(self, *args, breach=None, **kwargs):
        if breach is not None:
            initial = {name: getattr(breach, name) for name in services.BREACH_FIELDS if name in self.base_fields}
            kwargs.setdefault("initial", initial | self.initial_moments(breach, [m for m, _ in self.MOMENTS]))
        super().__init__(*args, **kwargs)
        for name in ("contained_at_time", "found_at_time", "aware_at_time"):
            self.fields[name].conditionally_required = True
        for name in ("reportable_reasoning", "people_told_on", "people_told_reasoning", "containment"):
            self.fields[name].conditionally_required = True

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            _put_service_errors(self, services.breach_problems(self.service_fields()))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.BREACH_FIELDS}


class IcoReportForm(_Moments):
    MOMENTS = (("reported_at", "When the ICO was told"),)

    reported_at_date = GovukDateField(label="When was the ICO told", error_name="the date the ICO was told",
                                      error_messages={"required": services.ENTER_REPORTED_AT})
    reported_at_time = _time_field("Time the ICO was told")
    ico_reference = forms.CharField(label="The ICO's reference", max_length=60,
                                    widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
                                    error_messages=_req(services.ENTER_ICO_REFERENCE))
    late_reason = forms.CharField(label="Reasons for the delay", required=False,
                                  widget=forms.Textarea(attrs=WIDE_TEXT),
                                  help_text="Needed if the ICO was told more than 72 hours after the council "
                                            "became aware")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_at_time"].conditionally_required = True
        self.fields["late_reason"].conditionally_required = True


class AgreementForm(TextRulesForm):
    reference = forms.CharField(label="Reference", max_length=100,
                                widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
                                error_messages=_req(services.AGREEMENT_REQUIRED["reference"]))
    title = forms.CharField(label="Title", max_length=200, error_messages=_req(services.AGREEMENT_REQUIRED["title"]))
    kind = forms.ChoiceField(label="Kind of agreement", choices=AgreementKind.choices, widget=forms.RadioSelect,
                             error_messages=_req(services.AGREEMENT_REQUIRED["kind"]))
    parties = forms.ModelMultipleChoiceField(
        label="Organisations that are parties to it", widget=forms.CheckboxSelectMultiple,
        queryset=Organisation.objects.filter(is_active=True).exclude(type=OrganisationType.LOCAL_AUTHORITY)
        .order_by("name"), error_messages=_req(services.AGREEMENT_REQUIRED["parties"]))
    purposes = forms.ModelMultipleChoiceField(
        label="Purposes in the processing register it covers", widget=forms.CheckboxSelectMultiple,
        queryset=ProcessingPurpose.objects.filter(is_active=True),
        error_messages=_req(services.AGREEMENT_REQUIRED["purposes"]))
    datasets = LinesField(label="Datasets shared", rows=4, help_text="One per line",
                          error_messages=_req(services.AGREEMENT_REQUIRED["datasets"]))
    lawful_basis = forms.CharField(label="Lawful basis", widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="The Article 6 basis and the law relied on, for example Article 6(1)(e) "
                                             "public task; Digital Economy Act 2017 s35",
                                   error_messages=_req(services.AGREEMENT_REQUIRED["lawful_basis"]))
    starts_on = GovukDateField(label="Start date",
                               error_messages={"required": services.AGREEMENT_REQUIRED["starts_on"]})
    ends_on = GovukDateField(label="End date", required=False, help_text="Leave it empty if it runs until it is ended")
    document_reference = forms.CharField(label="Where the signed document is kept", max_length=200,
                                         error_messages=_req(services.AGREEMENT_REQUIRED["document_reference"]))
    status = forms.ChoiceField(label="Status", choices=AgreementStatus.choices, widget=forms.RadioSelect,
                               error_messages=_req(services.AGREEMENT_REQUIRED["status"]))
    change_reason = forms.CharField(label="Why are you making this change?", required=False, max_length=100,
                                    help_text="Kept in the agreement's history, with your name and the date")

    def __init__(self, *args, agreement=None, **kwargs):
        if agreement is not None:
            initial = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS
                       if name not in ("parties", "purposes")}
            initial |= {"parties": list(agreement.parties.all()), "purposes": list(agreement.purposes.all())}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.agreement = agreement

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            _put_service_errors(self, services.agreement_problems(self.service_fields(), agreement=self.agreement))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.AGREEMENT_FIELDS}


class DpiaForm(TextRulesForm):
    title = forms.CharField(label="Title", max_length=200, error_messages=_req(services.DPIA_REQUIRED["title"]))
    purposes = forms.ModelMultipleChoiceField(
        label="Purposes in the processing register it assesses", widget=forms.CheckboxSelectMultiple,
        queryset=ProcessingPurpose.objects.all(), error_messages=_req(services.DPIA_REQUIRED["purposes"]))
    description = forms.CharField(label="The processing assessed", widget=forms.Textarea(attrs=WIDE_TEXT),
                                  error_messages=_req(services.DPIA_REQUIRED["description"]))
    risks = forms.CharField(label="Risks to people", widget=forms.Textarea(attrs={"rows": 6}),
                            error_messages=_req(services.DPIA_REQUIRED["risks"]))
    mitigations = forms.CharField(label="Measures that reduce the risks", widget=forms.Textarea(attrs={"rows": 6}),
                                  error_messages=_req(services.DPIA_REQUIRED["mitigations"]))
    outcome = forms.ChoiceField(label="Outcome", choices=DpiaOutcome.choices, widget=forms.RadioSelect,
                                required=False, error_messages={"invalid_choice": services.CHOOSE_OUTCOME})
    conditions = forms.CharField(label="Conditions of the approval", required=False,
                                 widget=forms.Textarea(attrs=WIDE_TEXT))
    dpo_advice = forms.CharField(label="The Data Protection Officer's advice", required=False,
                                 widget=forms.Textarea(attrs=WIDE_TEXT))
    signed_off_by = forms.CharField(label="Signed off by", required=False, max_length=200,
                                   help_text="Name and role, for example the Senior Information Risk Owner")
    signed_off_on = GovukDateField(label="Date signed off", required=False, error_name="the date it was signed off")
    review_on = GovukDateField(label="Review date", error_name="the review date",
                               error_messages={"required": services.DPIA_REQUIRED["review_on"]})
    change_reason = forms.CharField(label="Why are you making this change?", required=False, max_length=100,
                                    help_text="Kept in the DPIA's history, with your name and the date")

    def __init__(self, *args, dpia=None, **kwargs):
        if dpia is not None:
            initial = {name: getattr(dpia, name) for name in services.DPIA_FIELDS if name != "purposes"}
            kwargs.setdefault("initial", initial | {"purposes": list(dpia.purposes.all())})
        super().__init__(*args, **kwargs)
        for name in ("conditions", "dpo_advice", "signed_off_by", "signed_off_on"):
            self.fields[name].conditionally_required = True

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            _put_service_errors(self, services.dpia_problems(self.service_fields()))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.DPIA_FIELDS}


BREACH_FILTERS = {"open": "Open", "overdue": "ICO report overdue", "closed": "Closed", "all": "All breaches"}


class BreachFilterForm(TextRulesForm):
    show = forms.ChoiceField(label="Show", choices=list(BREACH_FILTERS.items()), required=False,
                             widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline govuk-radios--small"}))


class HostingReviewForm(TextRulesForm):
    """This year's review of the physical safeguards (P23). The rules and messages are `hosting`'s."""

    reviewed_on = GovukDateField(label="Date of the review", error_name="the date of the review",
                                 error_messages={"required": HOSTING_REQUIRED["reviewed_on"]})
    next_review_by = GovukDateField(label="Next review by", error_name="the date of the next review",
                                    help_text="Within a year of this review",
                                    error_messages={"required": HOSTING_REQUIRED["next_review_by"]})
    signed_off_by = forms.CharField(label="Signed off by", max_length=200,
                                    help_text="Name and role, for example the Senior Information Risk Owner",
                                    error_messages=_req(HOSTING_REQUIRED["signed_off_by"]))
    hosting = forms.CharField(label="Hosting", widget=forms.Textarea(attrs=WIDE_TEXT),
                              help_text="Who hosts the service and its backups, and where (the sites and country)",
                              error_messages=_req(HOSTING_REQUIRED["hosting"]))
    physical_access = forms.CharField(label="Physical access", widget=forms.Textarea(attrs=WIDE_TEXT),
                                      help_text="Who can enter the sites and reach the servers, and how that is "
                                                "controlled and recorded",
                                      error_messages=_req(HOSTING_REQUIRED["physical_access"]))
    media_disposal = forms.CharField(label="Disposal of equipment and media", widget=forms.Textarea(attrs=WIDE_TEXT),
                                     help_text="How disks, backups and devices are wiped or destroyed, with "
                                               "certificates",
                                     error_messages=_req(HOSTING_REQUIRED["media_disposal"]))
    backups = forms.CharField(label="Backups", widget=forms.Textarea(attrs=WIDE_TEXT),
                              help_text="Where backups are kept, how they are encrypted, and when a restore was "
                                        "last tested",
                              error_messages=_req(HOSTING_REQUIRED["backups"]))
    workplace = forms.CharField(label="Offices and devices", widget=forms.Textarea(attrs=WIDE_TEXT),
                                help_text="Locked screens, shared computers, printing, clear desks, lost or stolen "
                                          "devices",
                                error_messages=_req(HOSTING_REQUIRED["workplace"]))
    certification = forms.CharField(label="Certification (optional)", required=False, max_length=200,
                                    help_text="For example ISO/IEC 27001 or Cyber Essentials Plus, and when it expires")
    evidence_reference = forms.CharField(label="Where the signed review is kept", max_length=200,
                                         error_messages=_req(HOSTING_REQUIRED["evidence_reference"]))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in HOSTING_FIELDS}
