"""The questions of "Ask for early help", one form per page (GOV.UK question pages).

Every form is a `PublicForm` (a maximum length and no control characters on every text answer). A question a person
may leave blank is not required, so the page says "(optional)" after it (P3); nothing is asked that the front door
does not need to find the family and decide what to do (P1).
"""

from django import forms

from earlyhelp.casework.models import ConsentAtReferral
from earlyhelp.ui.forms import GovukDateField, today

from . import messages
from .models import Route
from .public_forms import PublicForm

NAME_LENGTH = 100
SHORT_TEXT = 120
REASON_LENGTH = 3000
EMAIL_LENGTH = 254
PHONE_LENGTH = 30
POSTCODE_LENGTH = 10


def _email(label, required=True, help_text=""):
    return forms.EmailField(label=label, max_length=EMAIL_LENGTH, required=required, help_text=help_text,
                            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
                            error_messages={"invalid": "Enter an email address in the correct format, like "
                                                       "name@example.com",
                                            "required": "Enter an email address"})


def _phone(label, required=False, help_text="For example, 01632 960 001 or 07700 900 982"):
    return forms.RegexField(label=label, max_length=PHONE_LENGTH, required=required, help_text=help_text,
                            regex=r"^\+?[0-9 ()-]{7,}$",
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel",
                                                          "class": "govuk-input--width-20"}),
                            error_messages={"invalid": "Enter a telephone number, like 01632 960 001 or "
                                                       "07700 900 982", "required": "Enter a telephone number"})


class RouteForm(PublicForm):
    route = forms.ChoiceField(label="Who are you asking for help for?", choices=Route.choices,
                              widget=forms.RadioSelect, error_messages={"required": messages.CHOOSE_ROUTE})


class NameForm(PublicForm):
    person_names = ('given_name', 'family_name')
    given_name = forms.CharField(label="First name", max_length=NAME_LENGTH,
                                 error_messages={"required": "Enter a first name"},
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}))
    family_name = forms.CharField(label="Last name", max_length=NAME_LENGTH,
                                  error_messages={"required": "Enter a last name"},
                                  widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}))


class DateOfBirthForm(PublicForm):
    date_of_birth = GovukDateField(label="What is your date of birth?", error_name="Date of birth", max_date=today,
                                   help_text="For example, 27 3 2010")


class FamilyMemberDateOfBirthForm(PublicForm):
    date_of_birth = GovukDateField(label="What is their date of birth?", error_name="Date of birth", max_date=today,
                                   help_text="For example, 27 3 2015. If you do not know it exactly, give your best "
                                             "guess and tell us in the reason")


class PostcodeForm(PublicForm):
    error_names = {"postcode": "Postcode"}
    postcode = forms.RegexField(
        label="Postcode", max_length=POSTCODE_LENGTH,
        help_text="We use it to find out which team covers the area and to check whether we know the family already",
        regex=r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\s*$",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
        error_messages={"required": "Enter a postcode", "invalid": "Enter a real postcode, like AA1 1AA"})

    def clean_postcode(self):
        compact = "".join(self.cleaned_data["postcode"].split()).upper()
        return f"{compact[:-3]} {compact[-3:]}"


class ContactDetailsForm(PublicForm):
    """How to reach a family member: at least one of a phone number or an email address."""

    error_names = {"contact_note": "What we should know about contacting you"}

    phone = _phone("Telephone number", required=False)
    email = _email("Email address", required=False)
    contact_note = forms.CharField(label="Is there anything we should know about contacting you?", required=False,
                                   max_length=SHORT_TEXT,
                                   help_text="For example, times not to call, or if it is not safe to leave a message")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", messages.ENTER_PHONE_OR_EMAIL)
        return cleaned


class ProfessionalForm(PublicForm):
    person_names = ('referrer_name',)
    referrer_name = forms.CharField(label="Your full name", max_length=SHORT_TEXT,
                                    error_messages={"required": "Enter your full name"},
                                    widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}))
    organisation = forms.CharField(label="Organisation", max_length=SHORT_TEXT,
                                   help_text="For example, the name of the school, GP practice or charity",
                                   error_messages={"required": "Enter the name of your organisation"},
                                   widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    role = forms.CharField(label="Your role", max_length=SHORT_TEXT,
                           help_text="For example, designated safeguarding lead or health visitor",
                           error_messages={"required": "Enter your role"},
                           widget=forms.TextInput(attrs={"autocomplete": "organization-title"}))


class ProfessionalContactForm(PublicForm):
    referrer_email = _email("Work email address", help_text="We will contact you about this request by email")
    referrer_phone = _phone("Work telephone number", required=True)


class ReasonForm(PublicForm):
    error_names = {"reason": "What you would like help with"}
    reason = forms.CharField(label="What would you like help with?", max_length=REASON_LENGTH,
                             help_text="Tell us what is happening and what would help. Do not include information "
                                       "about other people that we do not need",
                             error_messages={"required": "Enter what you would like help with"},
                             widget=forms.Textarea(attrs={"rows": 8}))


class ProfessionalReasonForm(PublicForm):
    error_names = {"reason": "Why you are asking"}
    reason = forms.CharField(label="Why are you asking for early help for this family?", max_length=REASON_LENGTH,
                             help_text="Tell us what you are worried about, what has been tried and what would help",
                             error_messages={"required": "Enter why you are asking for early help for this family"},
                             widget=forms.Textarea(attrs={"rows": 8}))


AGREEMENT_CHOICES = [
    (ConsentAtReferral.GIVEN, "Yes, they know and they agree"),
    (ConsentAtReferral.REFUSED, "They know, but they do not agree"),
    (ConsentAtReferral.NOT_ASKED, "No, they have not been told yet"),
]


class FamilyAgreementForm(PublicForm):
    error_names = {"family_knows": "What you have told the family"}
    consent_at_referral = forms.ChoiceField(
        label="Does the family know you are asking for help, and do they agree?", choices=AGREEMENT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Early help is voluntary: we usually need the family's agreement before we can help",
        error_messages={"required": "Select whether the family knows and agrees"})
    family_knows = forms.CharField(label="What have you told the family?", required=False, max_length=1000,
                                   widget=forms.Textarea(attrs={"rows": 4}))


class GuardianForm(PublicForm):
    person_names = ('guardian_name',)
    """P24: the parent or guardian of a young person under the permission age."""

    error_names = {"guardian_relationship": "How they are related to you"}

    guardian_name = forms.CharField(label="Parent's or guardian's full name", max_length=SHORT_TEXT,
                                    error_messages={"required": "Enter your parent's or guardian's full name"})
    guardian_relationship = forms.CharField(label="How are they related to you?", max_length=60,
                                            help_text="For example, mum, dad, grandparent or foster carer",
                                            error_messages={"required": "Enter how they are related to you"})
    guardian_phone = _phone("Their telephone number", required=True)
    guardian_permission = forms.BooleanField(
        label="I am this young person's parent or guardian and I give my permission for them to ask for early help",
        error_messages={"required": messages.CONFIRM_PERMISSION})


class ResumeForm(PublicForm):
    reference = forms.CharField(label="Your reference", max_length=30, help_text="For example, EH-ACDE-FGHJ-KMNP",
                                error_messages={"required": messages.ENTER_REFERENCE},
                                widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off",
                                                              "class": "govuk-input--width-20"}))
