from django import forms

from earlyhelp.records.text import TextRulesForm
from earlyhelp.ui.forms import GovukDateField, today

from . import messages
from .identifiers import IdentifierScheme
from .models import (
    Ethnicity,
    Gender,
    MemberRole,
    RelationshipType,
    SpecialEducationalNeeds,
    YesNoUnknown,
)


class SearchForm(TextRulesForm):
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    given_name = forms.CharField(label="Given name", max_length=100, required=False)
    date_of_birth = GovukDateField(label="Date of birth", required=False, max_date=today,
                                   help_text="For example, 27 3 2015")
    identifier = forms.CharField(label="NHS number, National Insurance number, UPN or PNC number", max_length=20,
                                 required=False, help_text="Search by an identifier instead of a name")

    def clean(self):
        data = super().clean()
        if not data.get("identifier") and not (data.get("family_name") and (data.get("given_name") or
                                                                            data.get("date_of_birth"))):
            raise forms.ValidationError(
                "Enter a family name with a given name or date of birth, or enter an identifier")
        return data


class PersonForm(TextRulesForm):
    """A new person. Only names and date of birth are required: everything else is a choice (P3)."""

    person_names = ("given_name", "family_name", "preferred_name")
    # Required: the required-name rule (people.services.missing_names).
    given_name = forms.CharField(label="Given name", max_length=100,
                                 error_messages={"required": messages.REQUIRED_NAMES["given_name"]})
    family_name = forms.CharField(label="Family name", max_length=100,
                                  error_messages={"required": messages.REQUIRED_NAMES["family_name"]})
    preferred_name = forms.CharField(label="Preferred name", max_length=100, required=False)
    date_of_birth = GovukDateField(label="Date of birth", required=False, max_date=today,
                                   help_text="Leave blank for an unborn child and give the expected date instead")
    expected_date_of_birth = GovukDateField(label="Expected date of birth", required=False,
                                            help_text="Only for an unborn child")
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_STATED,
                               widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOBT, required=False,
                                  help_text="Special category information: the family can choose not to say")
    disability = forms.ChoiceField(label="Does the person have a disability?", choices=YesNoUnknown.choices,
                                   initial=YesNoUnknown.UNKNOWN, required=False,
                                   help_text="Special category information: the family can choose not to say")
    special_educational_needs = forms.ChoiceField(label="Special educational needs",
                                                  choices=SpecialEducationalNeeds.choices,
                                                  initial=SpecialEducationalNeeds.UNKNOWN, required=False)
    first_language = forms.CharField(label="First language", max_length=60, required=False)
    interpreter_needed = forms.BooleanField(label="An interpreter is needed", required=False)
    line_1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    line_2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    identifier_nhs = forms.CharField(label=IdentifierScheme.NHS.label, max_length=14, required=False)
    identifier_ni = forms.CharField(label=IdentifierScheme.NI.label, max_length=14, required=False)
    identifier_upn = forms.CharField(label=IdentifierScheme.UPN.label, max_length=16, required=False)
    identifier_pnc = forms.CharField(label=IdentifierScheme.PNC.label, max_length=16, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Needed unless an expected date of birth is given: not labelled optional.
        self.fields["date_of_birth"].conditionally_required = True

    def clean(self):
        data = super().clean()
        address = [data.get("line_1"), data.get("town"), data.get("postcode")]
        if any(address) and not all(address):
            for name, message in [("line_1", messages.ENTER_ADDRESS_LINE_1), ("town", messages.ENTER_TOWN),
                                  ("postcode", "Enter the postcode")]:
                if not data.get(name):
                    self.add_error(name, message)
        if not data.get("date_of_birth") and not data.get("expected_date_of_birth") and not self.errors:
            self.add_error("date_of_birth", "Enter a date of birth, or an expected date of birth for an unborn child")
        return data

    def identifier_values(self):
        return {scheme: self.cleaned_data.get(f"identifier_{scheme}", "") for scheme in IdentifierScheme.values}

    def person_details(self) -> dict:
        """The new person, as `people.services.create_person_with_address` takes them. Questions left unanswered
        are recorded as not known (or, for ethnicity, not obtained)."""
        data = self.cleaned_data
        address = {f: data[f] for f in ("line_1", "line_2", "town", "postcode")} if data["line_1"] else None
        return {
            "given_name": data["given_name"], "family_name": data["family_name"],
            "preferred_name": data["preferred_name"], "date_of_birth": data["date_of_birth"],
            "expected_date_of_birth": data["expected_date_of_birth"], "gender": data["gender"],
            "ethnicity": data["ethnicity"] or "NOBT", "first_language": data["first_language"],
            "interpreter_needed": data["interpreter_needed"], "disability": data["disability"] or "unknown",
            "special_educational_needs": data["special_educational_needs"] or "unknown",
            "identifier_values": self.identifier_values(), "address": address,
        }


class MembershipForm(TextRulesForm):
    role = forms.ChoiceField(label="Their role in the family", choices=MemberRole.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select their role in the family"})
    lives_in_household = forms.BooleanField(label="Lives in the household", required=False, initial=True)
    start_date = GovukDateField(label="Date they joined the family", max_date=today)
    relationship_to = forms.ChoiceField(label="Related to", required=False)
    relationship = forms.ChoiceField(label="Relationship", choices=[("", "Not recorded")] + RelationshipType.choices,
                                     required=False, help_text="This person is the … of the person chosen above")
    has_parental_responsibility = forms.BooleanField(label="Has parental responsibility", required=False)

    def __init__(self, *args, household_members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.household_members = list(household_members)
        self.fields["relationship_to"].choices = [("", "Nobody")] + [
            (str(m.person_id), m.person.full_name) for m in self.household_members]

    def membership(self) -> dict:
        """Their place in the family, as `people.services.add_family_member` takes it."""
        data = self.cleaned_data
        related_to = next((m.person for m in self.household_members if str(m.person_id) == data["relationship_to"]),
                          None)
        return {"role": data["role"], "start_date": data["start_date"],
                "lives_in_household": data["lives_in_household"], "related_to": related_to,
                "relationship": data["relationship"],
                "has_parental_responsibility": data["has_parental_responsibility"]}
