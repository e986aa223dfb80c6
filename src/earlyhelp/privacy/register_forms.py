"""The DPO's forms for the processing register. They check the shape of the answers; the register's
rules (a lawful basis, UK only, no automated decisions...) are `register.save_purpose`'s."""

from django import forms

from earlyhelp.records.text import TextRulesForm

from .messages import CHOOSE_ARTICLE_6_FROM_LIST, CHOOSE_ARTICLE_9_FROM_LIST, ENTER_CONSENT_RULES_REASON
from .models import (
    RECIPIENT_ARTICLE_6,
    UK,
    Article6,
    Article9,
    ProcessingPurpose,
    PublicFunction,
    RecipientKind,
    recipient_choices,
)
from .services import recipients, register


class LinesField(forms.CharField):
    """A list of short texts, edited in a textarea as one item per line."""

    widget = forms.Textarea

    def __init__(self, *, rows=5, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs["rows"] = rows

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def _required(message):
    return {"required": message}


class PurposeForm(TextRulesForm):
    """Every question says whether it must be answered; the hint says when a condition is needed."""

    name = forms.CharField(label="Name", max_length=120, help_text="As families will read it in the privacy notice",
                           error_messages=_required(register.REQUIRED_MESSAGES["name"])
                           | {"max_length": "Name must be 120 characters or fewer"})
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text="Plain English: this text goes into the privacy notice",
                                  error_messages=_required(register.REQUIRED_MESSAGES["description"]))
    article_6 = forms.ChoiceField(label="Article 6 lawful basis", choices=Article6.choices, widget=forms.RadioSelect,
                                  error_messages=_required(register.REQUIRED_MESSAGES["article_6"])
                                  | {"invalid_choice": CHOOSE_ARTICLE_6_FROM_LIST})
    consent_required = forms.BooleanField(label="We ask for the family's consent for this purpose", required=False)
    special_category = LinesField(label="Special category data", required=False, rows=3,
                                  help_text="One per line, for example health. Leave it empty if there is none")
    article_9 = forms.ChoiceField(label="Article 9 condition", choices=Article9.choices, widget=forms.RadioSelect,
                                  required=False, help_text="Needed if the purpose uses special category data",
                                  error_messages={"invalid_choice": CHOOSE_ARTICLE_9_FROM_LIST})
    schedule_1_condition = forms.CharField(
        label="DPA 2018 Schedule 1 condition", required=False, max_length=300,
        help_text="Needed for Article 9(2)(g), for example: Sch 1 Part 2 para 18: safeguarding of children and "
                  "individuals at risk",
        error_messages={"max_length": "The Schedule 1 condition must be 300 characters or fewer"})
    criminal_offence_data = forms.BooleanField(label="This purpose uses criminal offence data", required=False)
    article_10 = forms.CharField(
        label="Article 10 condition (criminal offence data)", required=False, max_length=300,
        help_text="Needed if the purpose uses criminal offence data",
        error_messages={"max_length": "The Article 10 condition must be 300 characters or fewer"})
    data_categories = LinesField(label="Categories of personal data", rows=8,
                                 help_text="One per line, for example names and contact details",
                                 error_messages=_required(register.REQUIRED_MESSAGES["data_categories"]))
    data_subjects = LinesField(label="Whose data it is", rows=4,
                               help_text="One group of people per line, for example children and young people",
                               error_messages=_required(register.REQUIRED_MESSAGES["data_subjects"]))
    recipient_types = forms.MultipleChoiceField(
        label="Who we may share it with", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked if nobody outside the council receives it",
        error_messages={"invalid_choice": "“%(value)s” is not a recipient the register knows: choose recipients "
                                          "from the list"})
    retention = forms.CharField(label="Retention rule", max_length=40,
                                help_text="A rule such as CASE+6 (6 years after the case closes) or DOB+25",
                                widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
                                error_messages=_required(register.REQUIRED_MESSAGES["retention"])
                                | {"max_length": "The retention rule must be 40 characters or fewer"})
    retention_note = forms.CharField(label="How long we keep it, in plain English", required=False,
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text="The privacy notice shows this instead of the rule")
    statutes = LinesField(label="Laws we rely on", required=False, rows=5,
                          help_text="One per line, for example Children Act 1989 s17")
    processing_location = forms.CharField(label="Where the data is processed", max_length=60, initial=UK,
                                          help_text="All processing must happen in the United Kingdom",
                                          error_messages=_required(register.REQUIRED_MESSAGES["processing_location"])
                                          | {"max_length": "Where the data is processed must be 60 characters "
                                                           "or fewer"})
    automated_decisions = forms.BooleanField(
        label="Decisions about people are made by automated means, without a person", required=False,
        help_text="Not allowed: a person makes every decision about a family (UK GDPR Article 22)")
    sources = LinesField(label="Sources", required=False, rows=3,
                         help_text="The privacy notices or documents this entry comes from, one per line")
    is_active = forms.BooleanField(label="This purpose is in use", required=False, initial=True,
                                   help_text="A purpose no longer in use stays in the register with its history, "
                                             "but leaves the privacy notice")

    def __init__(self, *args, purpose: ProcessingPurpose | None = None, **kwargs):
        if purpose is not None:
            kwargs.setdefault("initial", {name: getattr(purpose, name) for name in self.base_fields
                                          if name in register.EDITABLE_FIELDS})
        super().__init__(*args, **kwargs)
        self.purpose = purpose
        self.fields["recipient_types"].choices = recipient_choices()
        for name in ("article_9", "schedule_1_condition", "article_10"):
            self.fields[name].conditionally_required = True  # the hint says when: no "(optional)"

    def clean(self):
        """The register's own rules too, so that every problem shows at once (the service checks again)."""
        cleaned = super().clean()
        for field, messages in register.problems(purpose=self.purpose, **self.service_fields()).items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, messages)
        return cleaned

    def service_fields(self) -> dict:
        """The cleaned answers, as `register.save_purpose` takes them."""
        return {name: value for name, value in self.cleaned_data.items() if name in register.EDITABLE_FIELDS}


class NewPurposeForm(PurposeForm):
    code = forms.SlugField(label="Code", max_length=60,
                           help_text="How the system names the purpose: lower-case letters, numbers and underscores, "
                                     "for example youth_justice_prevention. It cannot be changed later",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
                           error_messages=_required(register.REQUIRED_MESSAGES["code"])
                           | {"invalid": register.CODE_FORMAT,
                              "max_length": "Code must be 60 characters or fewer"})

    field_order = ["code", "name"]


class EditPurposeForm(PurposeForm):
    change_reason = forms.CharField(label="Why are you making this change?", required=False, max_length=100,
                                    help_text="Kept in the purpose's history, with your name and the date",
                                    error_messages={"max_length": "The reason must be 100 characters or fewer"})


class RecipientTypeForm(TextRulesForm):
    """A recipient type (P21). The register's rules (a public function, a public authority's basis, the UK, never a
    buyer or a marketer) are `recipients.save_recipient_type`'s; the form shows them all at once."""

    name = forms.CharField(label="Name", max_length=200, help_text="As the privacy notice will name it",
                           error_messages=_required(recipients.REQUIRED["name"])
                           | {"max_length": "Name must be 200 characters or fewer"})
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="What the recipient does with families' information")
    kind = forms.ChoiceField(label="Kind of recipient", choices=RecipientKind.choices, widget=forms.RadioSelect,
                             error_messages=_required(recipients.REQUIRED["kind"])
                             | {"invalid_choice": recipients.REQUIRED["kind"]})
    public_function = forms.ChoiceField(
        label="Public function", choices=[("", "Choose a public function"), *PublicFunction.choices],
        help_text="Only public bodies, and partners performing one of these functions for families, may receive "
                  "families' information",
        error_messages=_required(recipients.REQUIRED["public_function"]) | {"invalid_choice": recipients.NOT_A_FUNCTION})
    article_6 = forms.ChoiceField(label="Article 6 lawful basis for sharing", choices=RECIPIENT_ARTICLE_6,
                                  widget=forms.RadioSelect,
                                  error_messages=_required(recipients.REQUIRED["article_6"])
                                  | {"invalid_choice": recipients.NOT_A_BASIS})
    statutory_basis = forms.CharField(label="Statute or legal gateway", max_length=300,
                                      help_text="For example: Children Act 2004 s11",
                                      error_messages=_required(recipients.REQUIRED["statutory_basis"])
                                      | {"max_length": "The statute or legal gateway must be 300 characters or fewer"})
    location = forms.CharField(label="Where the recipient is", max_length=60, initial=UK,
                               help_text="Recipients must be in the United Kingdom",
                               error_messages=_required(recipients.REQUIRED["location"])
                               | {"max_length": "Where the recipient is must be 60 characters or fewer"})
    is_active = forms.BooleanField(label="This recipient type is in use", required=False, initial=True)
    change_reason = forms.CharField(label="Why are you making this change?", max_length=100,
                                    help_text="Kept in the recipient type's history, with your name and the date",
                                    error_messages=_required(recipients.REASON_REQUIRED)
                                    | {"max_length": "The reason must be 100 characters or fewer"})

    def __init__(self, *args, recipient=None, **kwargs):
        if recipient is not None:
            kwargs.setdefault("initial", {name: getattr(recipient, name) for name in recipients.EDITABLE_FIELDS})
        super().__init__(*args, **kwargs)
        self.recipient = recipient

    def clean(self):
        cleaned = super().clean()
        for field, message in recipients.problems(recipient=self.recipient, **self.service_fields()).items():
            if field not in self.errors and (field in self.fields or field == "code"):
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name in recipients.EDITABLE_FIELDS}


class NewRecipientTypeForm(RecipientTypeForm):
    code = forms.SlugField(label="Code", max_length=40,
                           help_text="How the system names it: lower-case letters, numbers and underscores, for "
                                     "example youth_service. It cannot be changed later",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
                           error_messages=_required(recipients.REQUIRED["code"])
                           | {"invalid": recipients.CODE_FORMAT, "max_length": "Code must be 40 characters or fewer"})

    field_order = ["code", "name"]


class ConsentRulesForm(TextRulesForm):
    """The council's rule on consent to support (P6). The rule's checks are `consent.change_consent_rules`'s."""

    support_needs_consent = forms.ChoiceField(
        label="Does early help support need the family's consent?", widget=forms.RadioSelect,
        choices=[("yes", "Yes: an assessment or a family plan cannot start without the family's consent to support"),
                 ("no", "No: we support families under our public task, without asking for consent to support")],
        error_messages={"required": "Choose whether support needs the family's consent"})
    verbal_consent_enough = forms.ChoiceField(
        label="What consent is enough?", widget=forms.RadioSelect,
        choices=[("no", "A signed consent form"), ("yes", "A signed form, or verbal consent with a witness")],
        help_text="Only used when support needs consent",
        error_messages={"required": "Choose what consent is enough"})
    reason = forms.CharField(label="Why are you changing the rule?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=300, help_text="Kept in the rule's history, with your name and the date",
                             error_messages={"required": ENTER_CONSENT_RULES_REASON,
                                             "max_length": "The reason must be 300 characters or fewer"})

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"support_needs_consent": data["support_needs_consent"] == "yes",
                "verbal_consent_enough": data["verbal_consent_enough"] == "yes", "reason": data["reason"]}
