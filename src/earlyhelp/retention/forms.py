"""The DPO's forms for retention. They check the shape of the answers; the rules (a period of at least a year, a
trigger that fits the records, a reason for every decision) are the services'."""

from django import forms
from django.core.exceptions import ValidationError

from earlyhelp.privacy.messages import ENTER_DECISION_REASON
from earlyhelp.records.text import TextRulesForm

from .models import HoldCriterion, HoldKind, HoldScope, RecordClass, RuleAction, Trigger
from .services import holds, rules


def _required(message):
    return {"required": message}


class ServiceCheckedForm(TextRulesForm):
    """Runs the service's own checks on the raw answers too, so every problem is listed at once (not only the
    missing answers); a field keeps its first error."""

    def service_check(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        try:
            self.service_check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None
                if target is None or target not in self.errors:
                    self.add_error(target, messages)
        return cleaned


class RuleForm(ServiceCheckedForm):
    code = forms.CharField(label="Code", max_length=20, help_text="Capital letters, a plus sign and the number of years, "
                           "for example CASE+6 or DOB+25",
                           widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
                           error_messages=_required(rules.MESSAGES["code_required"])
                           | {"max_length": "Code must be 20 characters or fewer"})
    record_class = forms.ChoiceField(label="Which records the rule is for", choices=RecordClass.choices,
                                     widget=forms.RadioSelect,
                                     error_messages=_required(rules.MESSAGES["record_class"])
                                     | {"invalid_choice": rules.MESSAGES["record_class"]})
    trigger = forms.ChoiceField(label="What starts the retention period", choices=Trigger.choices,
                                widget=forms.RadioSelect,
                                help_text="Records are never due while the family has an open episode or a contact "
                                          "waiting for a decision",
                                error_messages=_required(rules.MESSAGES["trigger"])
                                | {"invalid_choice": rules.MESSAGES["trigger"]})
    period_years = forms.CharField(label="Retention period, in years", max_length=3,
                                   widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric",
                                                                 "spellcheck": "false"}),
                                   error_messages=_required(rules.MESSAGES["period_required"])
                                   | {"max_length": rules.MESSAGES["period_max"]})
    action = forms.ChoiceField(label="What happens when the period ends", choices=RuleAction.choices,
                               widget=forms.RadioSelect,
                               help_text="Review lists the records for a person to look at; destroy and anonymise happen "
                                         "only after a person approves each batch",
                               error_messages=_required(rules.MESSAGES["action"])
                               | {"invalid_choice": rules.MESSAGES["action"]})
    source = forms.CharField(label="Where the rule comes from", widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example the council's retention schedule, a privacy notice or a law",
                             error_messages=_required(rules.MESSAGES["source"]))
    is_active = forms.BooleanField(label="The sweep uses this rule", required=False)
    change_reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 2}),
                                    error_messages=_required(rules.MESSAGES["reason"]))

    def __init__(self, *args, rule=None, **kwargs):
        if rule is not None and not kwargs.get("initial"):
            kwargs["initial"] = {name: getattr(rule, name) for name in rules.EDITABLE} | {"code": rule.code}
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule is None:
            del self.fields["change_reason"]
        else:
            del self.fields["code"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("change_reason", None)
        return data

    def service_check(self):
        raw = {name: self.data.get(name) for name in rules.EDITABLE}
        raw["is_active"] = bool(raw["is_active"])
        rules.validate(rule=self.rule, code=self.data.get("code", "") if self.rule is None else self.rule.code,
                       fields=raw)


class HoldForm(ServiceCheckedForm):
    kind = forms.ChoiceField(label="Why the records are held", choices=HoldKind.choices, widget=forms.RadioSelect,
                             error_messages=_required(holds.MESSAGES["kind"]) | {"invalid_choice": holds.MESSAGES["kind"]})
    scope = forms.ChoiceField(label="What the hold covers", choices=HoldScope.choices, widget=forms.RadioSelect,
                              error_messages=_required(holds.MESSAGES["scope"])
                              | {"invalid_choice": holds.MESSAGES["scope"]})
    household_reference = forms.CharField(
        label="Family reference", required=False, max_length=12,
        help_text="For a hold on a family, for example F0000123",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}))
    person_id = forms.CharField(
        label="Person's record number", required=False, max_length=18,
        help_text="For a hold on a person: it covers every family they are or have been in",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "spellcheck": "false",
                                      "autocomplete": "off"}))
    criterion = forms.ChoiceField(label="Class of records", required=False,
                                  choices=[("", "Choose a class of records")] + list(HoldCriterion.choices),
                                  help_text="For a hold on a class of records",
                                  error_messages={"invalid_choice": holds.MESSAGES["criterion"]})
    reason = forms.CharField(label="Reason for the hold", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="For example the inquiry's instruction or the claim. Write only what is needed",
                             error_messages=_required(holds.MESSAGES["reason"]))

    def service_check(self):
        holds.check_hold(**{name: self.data.get(name, "") for name in self.fields})


class LiftForm(TextRulesForm):
    lift_reason = forms.CharField(label="Reason for lifting the hold", widget=forms.Textarea(attrs={"rows": 3}),
                                  error_messages=_required(holds.MESSAGES["lift_reason"]))


class DecisionForm(TextRulesForm):
    DECISIONS = [("approve", "Approve the batch"), ("reject", "Reject the batch")]
    decision = forms.ChoiceField(label="Your decision", choices=DECISIONS, widget=forms.RadioSelect,
                                 error_messages=_required("Choose whether to approve or reject the batch")
                                 | {"invalid_choice": "Choose whether to approve or reject the batch"})
    reason = forms.CharField(label="Reason for your decision", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages=_required(ENTER_DECISION_REASON))


class DisposeForm(TextRulesForm):
    confirm = forms.BooleanField(
        label="I understand that these records will be removed for good and cannot be recovered",
        error_messages=_required("Confirm that you understand the records cannot be recovered"))
