"""The questions of the public rights forms, one form per page (GOV.UK question pages).

Every form is a `PublicForm` (a maximum length and no control characters on every text answer). A question a
person may leave blank is not required and the page says "(optional)" after it (P3). The rules are the service's
(`earlyhelp.rights.services.online`); its words are `earlyhelp.rights.messages`.
"""

from django import forms

from earlyhelp.rights import messages
from earlyhelp.rights.models import RequesterRelationship, RightsRequest
from earlyhelp.rights.services.online import TEXT_LIMIT
from earlyhelp.ui.forms import GovukDateField, today

from ..public_forms import PublicForm
from ..questions import permission_age

NAME_LENGTH = RightsRequest._meta.get_field("requester_name").max_length
EMAIL_LENGTH = RightsRequest._meta.get_field("requester_email").max_length
DETAIL_LENGTH = RightsRequest._meta.get_field("requester_relationship_detail").max_length
PHONE_LENGTH = 30
ADDRESS_LENGTH = 500
WORDS = messages.ONLINE_REQUESTER_WORDS


def _named(field, name: str):
    """The answer's name in its error messages (`PublicForm` reads `error_name`), when the label is a question."""
    field.error_name = name
    return field

WHO_CHOICES = [
    (RequesterRelationship.SELF, "Me"),
    (RequesterRelationship.PARENT_CARER, "My child, or a child I care for"),
    (RequesterRelationship.WRITTEN_AUTHORITY, "Someone who has given me their written permission to ask"),
    (RequesterRelationship.SOLICITOR, "Someone I represent as their solicitor or legal representative"),
    (RequesterRelationship.OTHER, "Someone else"),
]


class WhoForm(PublicForm):
    requester_relationship = _named(forms.ChoiceField(
        label="Who is the request about?", choices=WHO_CHOICES, widget=forms.RadioSelect,
        error_messages={"required": WORDS["requester_relationship"]}), "Who the request is about")


class ConnectionForm(PublicForm):
    requester_relationship_detail = _named(forms.CharField(
        label="How are you connected to the person the request is about?", max_length=DETAIL_LENGTH,
        help_text="For example, their grandparent or their advocate",
        error_messages={"required": WORDS["requester_relationship_detail"]}), "How you are connected")


class TheirNameForm(PublicForm):
    person_names = ('subject_name',)
    subject_name = _named(forms.CharField(
        label="What is the full name of the person the request is about?", max_length=NAME_LENGTH,
        error_messages={"required": messages.ENTER_SUBJECT_NAME},
        widget=forms.TextInput(attrs={"spellcheck": "false"})), "Their full name")


class TheirDateOfBirthForm(PublicForm):
    subject_date_of_birth = GovukDateField(
        label="What is their date of birth?", error_name="Date of birth", required=False,
        max_date=today, help_text="For example, 27 3 2015. It helps us find the right records")


class YourNameForm(PublicForm):
    person_names = ('requester_name',)
    requester_name = _named(forms.CharField(
        label="What is your full name?", max_length=NAME_LENGTH, error_messages={"required": WORDS["requester_name"]},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"})), "Your full name")


class ContactForm(PublicForm):
    requester_email = _named(forms.EmailField(
        label="Email address", max_length=EMAIL_LENGTH, required=False,
        help_text="We will send your reference to this address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"invalid": WORDS["requester_email"]}), "Email address")
    requester_phone = _named(forms.RegexField(
        label="Telephone number", max_length=PHONE_LENGTH, required=False,
        regex=r"^\+?[0-9 ()-]{7,}$", help_text="For example, 01632 960 001 or 07700 900 982",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "class": "govuk-input--width-20"}),
        error_messages={"invalid": "Enter a telephone number, like 01632 960 001 or 07700 900 982"}),
        "Telephone number")
    requester_address = _named(forms.CharField(
        label="Postal address", max_length=ADDRESS_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"})), "Postal address")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.conditionally_required = True  # one of them is needed: none is marked "(optional)"

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in self.fields):
            self.add_error("requester_email", WORDS["requester_address"])
        return data


def details_form(kind) -> type[PublicForm]:
    """The page where the requester says what they want, worded for the kind of request."""
    required = bool(messages.ENTER_ONLINE_DETAILS[kind.code])

    class DetailsForm(PublicForm):
        details = _named(forms.CharField(label=kind.details_question, max_length=TEXT_LIMIT, required=required,
                                         help_text=kind.details_hint, widget=forms.Textarea(attrs={"rows": 8}),
                                         error_messages={"required": messages.ENTER_ONLINE_DETAILS[kind.code]}),
                         kind.details_name)

    return DetailsForm


UNDER_PERMISSION_AGE = ("You need a parent's or guardian's permission to ask us online. Ask them to help you: they can "
                        "send the request with you, choosing \"My child, or a child I care for\" on the first question. "
                        "You can also talk to an adult you trust, or call one of the help lines on the \"Get other "
                        "help\" page")


def age_form(kind) -> type[PublicForm]:
    """P24: someone asking for themselves says whether they are the council's permission age or older
    (`online.models.PermissionAge`, as for Ask for early help); below it they cannot send the request on their own."""
    age = permission_age()

    class AgeForm(PublicForm):
        old_enough = _named(forms.ChoiceField(
            label=f"Are you {age} or older?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
            error_messages={"required": f"Select yes if you are {age} or older"}), "Your age")

        def clean_old_enough(self):
            if self.cleaned_data["old_enough"] != "yes":
                raise forms.ValidationError(UNDER_PERMISSION_AGE)
            return "yes"

    return AgeForm
