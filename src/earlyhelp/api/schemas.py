"""Request and response schemas of the API: the OpenAPI document is generated from these.

Input is validated here, at the edge, before any service runs: ids are positive 64-bit integers,
text follows the rules of `earlyhelp.records.text` (no control or hidden formatting characters, Unicode NFC,
the model's maximum length; a person's name only letters, spaces, hyphens, apostrophes and full stops),
choices are the model's own choices and date-times carry a time zone.
"""

import datetime
import re
from typing import Annotated, Literal

from ninja import Field, Schema
from django.core.exceptions import ValidationError as DjangoValidationError
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    StrictInt,
    StringConstraints,
    ValidationInfo,
)

from earlyhelp.casework.models import (
    AssessmentStatus,
    Channel,
    ClosureReason,
    ConsentAtReferral,
    ContactSource,
    ContactStatus,
    EpisodeStatus,
)
from earlyhelp.people.identifiers import IdentifierScheme
from earlyhelp.people.models import (
    Ethnicity,
    Gender,
    MarkerKind,
    MemberRole,
    SpecialEducationalNeeds,
    YesNoUnknown,
)
from earlyhelp.privacy.models import (
    ConsentStatus,
    DisclosureBasis,
    DisclosureSection,
    EvidenceType,
)
from earlyhelp.privacy.services.consent import WITHDRAWAL_CHANNELS
from earlyhelp.records import text as text_rules

MAX_ID = 2**63 - 1  # a BigAutoField; larger numbers cannot name a record
NO_NUL = r"^[^\x00]*$"

# Request bodies are parsed from JSON and then validated as Python objects, where pydantic's lax mode
# would take "12" for 12 or 0 for 1 January 1970. The API takes only what its document describes.
RecordId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def _date_string(value):
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD")


def _date_time_string(value):
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        return value
    raise ValueError("Enter a date and time as YYYY-MM-DDTHH:MM:SS with a time zone, e.g. 2026-11-21T09:30:00Z")


IsoDate = Annotated[datetime.date, BeforeValidator(_date_string)]


def _rule(clean, **options):
    """A rule of `records.text` as a pydantic validator: its message (naming the field) for a 422."""

    def validate(value: str, info: ValidationInfo) -> str:
        try:
            return clean(value, name=(info.field_name or "text").replace("_", " "), **options)
        except DjangoValidationError as error:
            raise ValueError(error.messages[0]) from None

    return AfterValidator(validate)


def _text(max_length: int, *, multiline: bool = False):
    """Text on one line (or, `multiline`, free text with line breaks) of at most `max_length` characters."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL),
                     _rule(text_rules.clean_free_text, limit=max_length, multiline=multiline)]


def _free_text(max_length: int):
    return _text(max_length, multiline=True)


def _name(max_length: int):
    """A person's name (`records.text.clean_name`)."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL),
                     _rule(text_rules.clean_name, limit=max_length)]


def _in_utc(value: datetime.datetime) -> datetime.datetime:
    """Python allows UTC offsets up to ±23:59, PostgreSQL only up to ±15:59: store the moment in UTC.
    Near the first or last representable moment, an offset can push it out of range."""
    try:
        return value.astimezone(datetime.timezone.utc)
    except OverflowError as error:
        raise ValueError("The date and time is out of range") from error


ReceivedAt = Annotated[AwareDatetime, BeforeValidator(_date_time_string), AfterValidator(_in_utc)]


def _choice(choices) -> type:
    """A `Literal` of a Django `TextChoices`' values, so the OpenAPI document lists them as an enum."""
    return Literal[tuple(choices.values)]  # type: ignore[valid-type]


choices_literal = _choice  # for other modules' enums
ChannelCode = _choice(Channel)
SourceCode = _choice(ContactSource)
ConsentCode = _choice(ConsentAtReferral)
ContactStatusCode = _choice(ContactStatus)
EpisodeStatusCode = _choice(EpisodeStatus)
AssessmentStatusCode = _choice(AssessmentStatus)
ClosureReasonCode = Literal[tuple(["", *ClosureReason.values])]  # type: ignore[valid-type]
MemberRoleCode = _choice(MemberRole)
MarkerKindCode = _choice(MarkerKind)
SchemeCode = _choice(IdentifierScheme)
GenderCode = _choice(Gender)
EthnicityCode = _choice(Ethnicity)
DisabilityCode = _choice(YesNoUnknown)
SenCode = _choice(SpecialEducationalNeeds)


# --- Errors -----------------------------------------------------------------------------------

class FieldError(Schema):
    field: str = Field(description="The request field the message is about")
    message: str


class Error(Schema):
    """Every error answer: a message for people, and the fields it concerns (if any)."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


# --- Shared pieces ----------------------------------------------------------------------------

class TeamOut(Schema):
    id: int
    name: str


class PractitionerOut(Schema):
    id: int
    display_name: str


class MarkerOut(Schema):
    person_id: int
    kind: MarkerKindCode
    label: str
    start_date: datetime.date


# --- Families ---------------------------------------------------------------------------------

class MemberOut(Schema):
    person_id: int
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: datetime.date | None
    expected_date_of_birth: datetime.date | None
    role: MemberRoleCode
    lives_in_household: bool


class TafMemberOut(Schema):
    practitioner: PractitionerOut
    organisation: str
    start_date: datetime.date


class EpisodeSummaryOut(Schema):
    id: int
    status: EpisodeStatusCode
    opened_on: datetime.date
    team: TeamOut
    lead_practitioner: PractitionerOut | None
    taf_members: list[TafMemberOut]


class FindingOut(Schema):
    area: str = Field(description="Headline area code")
    restricted: Literal[False]
    strengths: str
    needs: str
    score: int = Field(ge=1, le=5)


class RestrictedFindingOut(Schema):
    """Special category or criminal offence detail the caller may not see: only that it is recorded."""

    area: str = Field(description="Headline area code")
    restricted: Literal[True]


class AssessmentOut(Schema):
    id: int
    status: AssessmentStatusCode
    started_on: datetime.date
    completed_on: datetime.date | None
    findings: list[FindingOut | RestrictedFindingOut]


class FamilyOut(Schema):
    id: int
    reference: str
    is_restricted: bool
    sections: list[_choice(DisclosureSection)] = Field(
        description="The sections of the record the caller sees (P8). A member of the Team Around the Family sees "
                    "only the sections they were given: `assessment` is then null when the assessment is not one")
    members: list[MemberOut]
    markers: list[MarkerOut]
    episode: EpisodeSummaryOut | None
    assessment: AssessmentOut | None


class EpisodeOut(Schema):
    id: int
    status: EpisodeStatusCode
    opened_on: datetime.date
    closed_on: datetime.date | None
    closure_reason: ClosureReasonCode
    team: TeamOut
    lead_practitioner: PractitionerOut | None


# --- People -----------------------------------------------------------------------------------

class IdentifierOut(Schema):
    scheme: SchemeCode
    value: str


class AddressOut(Schema):
    line_1: str
    line_2: str
    town: str
    postcode: str
    valid_from: datetime.date


class SpecialCategoryOut(Schema):
    ethnicity: EthnicityCode
    disability: DisabilityCode
    special_educational_needs: SenCode


class PersonOut(Schema):
    id: int
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: datetime.date | None
    expected_date_of_birth: datetime.date | None
    gender: GenderCode
    first_language: str
    interpreter_needed: bool
    identifiers: list[IdentifierOut]
    current_address: AddressOut | None
    markers: list[MarkerOut]
    special_category: SpecialCategoryOut | None = Field(
        description="Ethnicity, disability and SEN; null when the caller's access does not include them"
    )
    special_category_restricted: bool


class SearchIn(Schema):
    """Search terms travel in the body, never in the URL."""

    family_name: _text(100) = ""
    given_name: _text(100) = ""
    date_of_birth: IsoDate | None = None
    identifier: _text(40) = ""


class SearchResultOut(Schema):
    person_id: int
    name: str
    date_of_birth: datetime.date | None
    expected_date_of_birth: datetime.date | None
    postcode_district: str
    household_id: int | None = Field(description="Only for families the caller may open")
    matched_on: str
    score: int


class SearchOut(Schema):
    results: list[SearchResultOut]
    restricted_match: bool = Field(description="A restricted record may match: speak to your manager")


# --- Referrals --------------------------------------------------------------------------------

class ReferralIn(Schema):
    person_id: RecordId
    household_id: RecordId | None = Field(
        None, description="Needed only when the person is a current member of more than one family"
    )
    team_id: RecordId
    channel: ChannelCode
    source: SourceCode
    source_organisation_id: RecordId | None = None
    referrer_name: _text(120) = ""  # the referrer, their role and organisation
    reason: _free_text(text_rules.LONG_TEXT_MAX_LENGTH)
    consent_at_referral: ConsentCode
    received_at: ReceivedAt | None = Field(None, description="Defaults to now; must not be in the future")


class ReferralOut(Schema):
    id: int
    household_id: int
    status: ContactStatusCode
    received_at: datetime.datetime


# --- Consent and sharing ----------------------------------------------------------------------

# Partner types are data the DPO keeps (privacy.RecipientType, P21): the consent service checks the codes.
OrganisationTypeCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
EvidenceTypeCode = _choice(EvidenceType)
ConsentStatusCode = _choice(ConsentStatus)
WithdrawalChannelCode = Literal[tuple(k for k in WITHDRAWAL_CHANNELS if k != "correction")]  # type: ignore[valid-type]
DisclosureBasisCode = _choice(DisclosureBasis)
DisclosureSectionCode = _choice(DisclosureSection)


class ConsentIn(Schema):
    subject_id: RecordId = Field(description="Whose information the consent is about")
    given_by_id: RecordId = Field(description="Who gave it: the subject, or someone with parental responsibility")
    covers_support: bool
    sharing_partner_types: list[OrganisationTypeCode] = Field(default_factory=list, max_length=20)
    must_not_see: _free_text(text_rules.SHORT_TEXT_MAX_LENGTH) = Field("", description="The family's own words, kept as a note; nothing enforces it")
    excluded_organisation_types: list[OrganisationTypeCode] = Field(
        default_factory=list, max_length=20,
        description="Organisation types that must not see the family's information: enforced on every page, "
                    "endpoint and disclosure (not local_authority)")
    national_evaluation_opt_out: bool = False
    evidence_type: EvidenceTypeCode
    evidence_reference: _text(200) = ""
    witness_name: _name(120) = ""
    given_on: IsoDate | None = Field(None, description="Defaults to today; must not be in the future")


class ConsentOut(Schema):
    id: int
    subject_id: int
    given_by_id: int
    covers_support: bool
    sharing_partner_types: list[str]
    national_evaluation_opt_out: bool
    evidence_type: EvidenceTypeCode
    notice_version: int
    given_on: datetime.date
    status: ConsentStatusCode
    withdrawal_requested_on: datetime.date | None
    withdrawal_due_on: datetime.date | None


class WithdrawalIn(Schema):
    channel: WithdrawalChannelCode
    requested_on: IsoDate | None = Field(None, description="Defaults to today; must not be in the future")


class DisclosureIn(Schema):
    shared: bool = Field(True, description="False records a decision not to share, with its reasons")
    recipient_organisation_id: RecordId
    recipient_person: _text(120) = ""
    purpose: _text(60) = Field(description="A purpose code from the processing register")
    basis: DisclosureBasisCode
    sections: list[DisclosureSectionCode] = Field(default_factory=list, max_length=10)
    reason: _free_text(text_rules.SHORT_TEXT_MAX_LENGTH)


class DisclosureOut(Schema):
    id: int
    kind: str = Field(description="taf_invitation, referral, information_request, panel_pack, export or subject_access")
    shared: bool
    recipient_organisation_id: int | None = Field(description="Empty for a subject access pack released to the person")
    purpose: str
    basis: DisclosureBasisCode
    sections: list[str]
    decided_at: datetime.datetime
    approved_by_id: int | None


class ReferralOutIn(Schema):
    organisation_id: RecordId
    service: _text(200)
    recipient_person: _text(120) = ""
    sections: list[DisclosureSectionCode] = Field(min_length=1, max_length=10,
                                                  description="Only what the service needs")
    basis: DisclosureBasisCode = "consent"
    reason: _free_text(text_rules.SHORT_TEXT_MAX_LENGTH)


class ReferralOutOut(Schema):
    id: int
    organisation_id: int
    service: str
    made_on: datetime.date
    disclosure_id: int


class SuggestionOut(Schema):
    id: int
    kind: str
    rule: str = Field(description="Why the system suggested it")
    status: str
    suggested_at: datetime.datetime


class SuggestionDecisionIn(Schema):
    accept: bool
    reason: _free_text(text_rules.SHORT_TEXT_MAX_LENGTH) = Field(description="Required: why you confirm or reject the suggestion")


class PanelPackIn(Schema):
    panel_id: RecordId = Field(description="The panel: the pack goes to every organisation on it")
    sections: list[DisclosureSectionCode] = Field(min_length=1, max_length=10,
                                                  description="The pack holds only these sections")
    basis: DisclosureBasisCode = "consent"
    reason: _free_text(text_rules.SHORT_TEXT_MAX_LENGTH)
    special_category_shared: bool = Field(
        False, description="Include special category and criminal offence detail in full (recorded in the "
                           "disclosure log); otherwise the pack shows only that it is recorded")


class InformationSourceOut(Schema):
    source: str
    records: dict[str, int] = Field(description="Kind of information -> how many records")


class InformationReportOut(Schema):
    sources: list[InformationSourceOut]
    holders: list[str]
    disclosures: list[DisclosureOut]
    purposes: list[str] = Field(description="Register purposes the information is held and shared for")
