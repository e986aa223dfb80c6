"""Which personal data is special category or criminal offence data (P16), in one place.

Every column that holds personal data carries a `db_comment` (the schema is the data inventory);
`FIELDS` says how sensitive each of those columns is:

- ordinary: personal data, protected as all personal data is;
- special category: UK GDPR Article 9 (ethnic origin, health including disability, religion,
  sexual orientation, sex life, ...), needing an Article 9 condition and more protection;
- criminal offence data: UK GDPR Article 10 (offences, allegations, proceedings, police records),
  needing a DPA 2018 Schedule 1 condition.

Free text is classified by what it is likely to hold, not by what it ought to hold: early help
records about a family's needs routinely describe health, disability, substance use and domestic
abuse, so such columns are special category even though some rows hold nothing sensitive.

A column's classification answers "what may this column hold?". A few columns also say, row by
row, how sensitive that row is (the headline area of a finding or plan action, a case note's
"sensitive" flag, an identifier's scheme, a disclosure's basis): `sensitivity_of` given a row
uses that, in the same way `casework.selectors.family_record` already masks detail for partners.

`tests/test_classification.py` fails when a personal data column has no classification here.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from simple_history.models import HistoricalChanges

from earlyhelp.people.identifiers import IdentifierScheme

from .models import DisclosureBasis


class Sensitivity(models.TextChoices):
    # The values match programme.HeadlineArea.sensitivity, so an area's sensitivity is one of these.
    ORDINARY = "ordinary", "Ordinary personal data"
    SPECIAL = "special", "Special category data"
    CRIMINAL = "criminal", "Criminal offence data"


PROTECTED = frozenset({Sensitivity.SPECIAL, Sensitivity.CRIMINAL})

# A `db_comment` starting with one of these marks a column as personal data. "Personal data" is the
# usual form; the others are older wordings still in the models (see the test that every comment
# uses one of them, so a new wording cannot slip past the inventory unnoticed).
PERSONAL_DATA_COMMENTS = (
    "Personal data",
    "Special category",
    "Derived from personal data",
    "Staff personal data",
    "Staff device address",
)

O, S, C = Sensitivity.ORDINARY, Sensitivity.SPECIAL, Sensitivity.CRIMINAL

FIELDS: dict[str, Sensitivity] = {
    # --- access --------------------------------------------------------------------------------
    # Records a staff member's conflict of interest (a relative, neighbour or colleague); the
    # family's own reasons are kept in privacy.Consent.must_not_see.
    "access.AccessExclusion.reason": O,
    # Break-glass access is for a child who may be at risk out of hours: the reason describes the
    # safeguarding concern, which the programme treats as special category (area CHILD_SAFE).
    "access.EmergencyAccess.reason": S,
    # --- audit ---------------------------------------------------------------------------------
    "audit.AuditEvent.source_ip": O,
    "audit.StagedAuditEvent.source_ip": O,  # the same address, until its event is chained (milliseconds)
    # A failed sign-in's address (the spray throttle, P23): never the typed username, only its keyed hash.
    "accounts.SignInFailure.source_ip": O,
    # --- messaging -----------------------------------------------------------------------------
    "messaging.SentMessage.to_address": O,  # the address a requester typed, for their acknowledgement
    # --- casework ------------------------------------------------------------------------------
    "casework.Contact.referrer_name": O,
    # --- online --------------------------------------------------------------------------------
    # A request made online holds what the person typed: like a contact's reason, it may describe health,
    # substance use or domestic abuse (issue 15).
    "online.HelpRequest.answers": S,
    "online.HelpRequest.closed_reason": S,
    # Referrals describe the family's difficulties: health, substance use, domestic abuse.
    "casework.Contact.reason": S,
    # Sums up the whole episode, across every headline area.
    "casework.Episode.closure_summary": S,
    # Why support ends with plan actions undone: the family's circumstances, in any headline area.
    "casework.Episode.open_actions_reason": S,
    # The family's view of the service they had (P10), not a record of their needs.
    "casework.Episode.family_feedback": O,
    "casework.Assessment.reason": S,
    "casework.Assessment.voice_of_child": S,
    "casework.Assessment.analysis": S,
    # Findings and plan actions belong to a headline area; the worst areas are special (health,
    # substance use, child safety, domestic abuse) or criminal (crime). A row takes its area's
    # sensitivity (see ROW_RULES); the column as a whole is special category.
    "casework.DomainFinding.strengths": S,
    "casework.DomainFinding.needs": S,
    "casework.PlanAction.need": S,
    "casework.PlanAction.action": S,
    "casework.PlanAction.intended_outcome": S,
    "casework.PlanAction.progress_note": S,
    # Review discussions range over every area; family_record already masks whole reviews.
    "casework.Review.summary": S,
    "casework.Review.family_view": S,
    # Step-up to children's social care is for safeguarding concerns.
    "casework.Transition.reason": S,
    # --- programme -----------------------------------------------------------------------------
    # A need and its progress belong to a headline area, like assessment findings (ROW_RULES).
    "programme.Need.evidence": S,
    "programme.Need.source_reference": O,
    "programme.Need.withdrawn_reason": S,
    "programme.NeedProgress.evidence": S,
    # --- supporting_families -------------------------------------------------------------------
    # Why a claim was or was not made, and what a sustainment check found, speak of the family's needs.
    "supporting_families.Claim.reason": S,
    "supporting_families.SustainmentCheck.evidence": S,
    # A row flagged `is_sensitive` holds special category or criminal offence detail (ROW_RULES).
    "casework.CaseNote.text": S,
    # Titles name what a document is, e.g. "CAMHS letter" or "GP report", which reveals health.
    "casework.Document.title": S,
    # Uploaded letters and reports from health, schools and the police.
    "casework.Document.file": S,
    # --- organisations (staff) -----------------------------------------------------------------
    "organisations.User.first_name": O,
    "organisations.User.last_name": O,
    "organisations.User.email": O,
    # --- people --------------------------------------------------------------------------------
    "people.Person.given_name": O,
    "people.Person.family_name": O,
    "people.Person.preferred_name": O,
    "people.Person.date_of_birth": O,
    # An unborn child's expected date of birth reveals that a household member is pregnant,
    # which is health data.
    "people.Person.expected_date_of_birth": S,
    # Gender (Ofsted codes) is not one of the Article 9 categories.
    "people.Person.gender": O,
    # Racial or ethnic origin.
    "people.Person.ethnicity": S,
    # Not special category in itself and not used to infer ethnic origin. A sign language as first
    # language would reveal deafness: record that under disability instead.
    "people.Person.first_language": O,
    "people.Person.interpreter_needed": O,
    # Health.
    "people.Person.disability": S,
    # SEN support or an EHCP reveals a learning difficulty or disability: health.
    "people.Person.special_educational_needs": S,
    # Phonetic keys of the names: still personal data (they are names, encoded).
    "people.Person.family_name_key": O,
    "people.Person.given_name_key": O,
    # NHS, NI and UPN numbers are ordinary identifiers; a PNC number exists because the person has
    # a police record, so the column may hold criminal offence data. A row takes its scheme's.
    "people.Identifier.value": C,
    "people.Address.line_1": O,
    "people.Address.line_2": O,
    "people.Address.town": O,
    "people.Address.postcode": O,
    # Records are restricted most often because a family has fled domestic abuse (a refuge).
    "people.Household.restriction_reason": S,
    # Markers show a status without the detail, but the status itself is sensitive: an EHCP
    # (health), a child protection plan, being looked after, being a young carer (someone's illness).
    "people.Marker.kind": S,
    # --- privacy -------------------------------------------------------------------------------
    # In the family's own words; the people they ask to keep out are often those they are escaping.
    "privacy.Consent.must_not_see": S,
    "privacy.Consent.witness_name": O,
    "privacy.Disclosure.recipient_person": O,
    # Why a person confirmed or rejected a suggestion: usually the family's needs (eligibility) or identity (matches).
    "privacy.Suggestion.reason": S,
    # Sharing without consent is mostly for safeguarding (special category); a row shared to prevent
    # or detect crime or fraud is criminal offence data (ROW_RULES).
    "privacy.Disclosure.reason": S,
    # Free text that can name or describe the family; references that can identify a person at the source.
    "casework.Contact.decision_reason": S,
    "casework.Allocation.family_preference_noted": O,
    "casework.Assessment.manager_comment": S,
    "casework.Document.media_reason": S,
    "access.EmergencyAccess.review_note": O,
    "access.AccessReview.note": O,
    "privacy.Consent.evidence_reference": O,
    **{f"{model}.source_reference": O for model in (
        "people.Person", "people.Identifier", "people.Address", "people.Relationship", "people.Marker",
        "casework.DomainFinding", "casework.CaseNote", "casework.Document")},
    # A subject access pack is a copy of everything held about a person; what a redaction found is about someone else.
    "privacy.SubjectAccessPack.content": S,
    "privacy.RedactionProposal.text": O,
    "privacy.RedactionProposal.reason": S,
    # retention
    # A hold's reason may describe abuse, a child protection concern or a claim (the IICSA instruction).
    "retention.LegalHold.reason": S,
    "retention.LegalHold.lift_reason": O,
    # rights
    # What a person asks for, in their words: often about their family's difficulties (health, abuse).
    "rights.RightsRequest.details": S,
    "rights.RightsRequest.requester_name": O,
    "rights.RightsRequest.subject_name": O,  # as an online requester described the person (issue 15)
    "rights.RightsRequest.subject_date_of_birth": O,
    "rights.RightsRequest.requester_relationship_detail": O,
    "rights.RightsRequest.requester_address": O,
    "rights.RightsRequest.requester_email": O,
    "rights.RightsRequest.requester_phone": O,
    "rights.RightsRequest.id_evidence": O,
    "rights.RightsRequest.authority_evidence": O,
    "rights.RightsRequest.child_authority": O,
    "rights.RightsRequest.extension_reason": O,
    # Reasons and answers explain exemptions (serious harm, third parties, safeguarding): special category.
    "rights.RightsRequest.outcome_reason": S,
    "rights.RightsRequest.response_text": S,
    "rights.ClockPause.reason": O,
    # What is disputed can be any part of the record, including health and needs.
    "rights.RecordDispute.disputed": S,
    "rights.RecordDispute.statement": S,
    "rights.RecordDispute.council_reason": S,
    # Restrictions are asked for when accuracy is contested or a family is at risk (as Household.restriction_reason).
    "rights.ProcessingRestriction.reason": S,
    "rights.ProcessingRestriction.lift_reason": S,
    "rights.RecipientNotification.note": O,
    # Why a reviewer included or left out a mention in another family's record: may describe that family.
    "rights.OtherFamilyMention.reason": S,
    # matching: partners' records as they sent them. A PNC number is criminal offence data (as on Identifier);
    # the facts column may hold police, youth justice, EHCP or social care facts: the row's dataset says which.
    **{f"matching.SourceRecord.{name}": O for name in (
        "source_record_id", "given_name", "family_name", "date_of_birth", "gender", "address_line_1", "postcode",
        "nhs_number", "ni_number", "upn")},
    "matching.SourceRecord.pnc": C,
    "matching.SourceRecord.facts": C,
}

del O, S, C


# --- Row by row ------------------------------------------------------------------------------
# Each rule takes a row and returns its sensitivity, or None to fall back to the column's.

def _by_area(row):
    # Mirrors family_record: an ordinary-area finding or action is shown to partners.
    if row.area_id is None:
        return None
    return Sensitivity(row.area.sensitivity)


def _by_note_flag(row):
    # A note not flagged sensitive is shown to partners by family_record; a flagged one may be
    # special category or criminal, which the flag does not say, so it keeps the column's class.
    return None if row.is_sensitive else Sensitivity.ORDINARY


def _by_identifier_scheme(row):
    if not row.scheme:
        return None
    return Sensitivity.CRIMINAL if row.scheme == IdentifierScheme.PNC else Sensitivity.ORDINARY


def _by_disclosure_basis(row):
    return Sensitivity.CRIMINAL if row.basis in {DisclosureBasis.CRIME, DisclosureBasis.FRAUD} else None


def _by_need_area(need):
    return Sensitivity(need.descriptor.area.sensitivity)


def _by_dataset(row):
    return Sensitivity(row.facts_sensitivity)  # a partner's record knows its dataset's class (matching.models)


ROW_RULES = {
    "casework.DomainFinding.strengths": _by_area,
    "casework.DomainFinding.needs": _by_area,
    "casework.PlanAction.need": _by_area,
    "casework.PlanAction.action": _by_area,
    "casework.PlanAction.intended_outcome": _by_area,
    "casework.PlanAction.progress_note": _by_area,
    "casework.CaseNote.text": _by_note_flag,
    "programme.Need.evidence": _by_need_area,
    "programme.NeedProgress.evidence": lambda row: _by_need_area(row.need),
    "people.Identifier.value": _by_identifier_scheme,
    "privacy.Disclosure.reason": _by_disclosure_basis,
    "matching.SourceRecord.facts": _by_dataset,
}


# --- Looking things up -------------------------------------------------------------------------

def is_history_model(model) -> bool:
    """django-simple-history's `Historical*` copies: each keeps old versions of a tracked model's
    rows, with the same columns. They are not classified separately; a history model's column has
    the classification of the tracked model's column (see `sensitivity_of`)."""
    return issubclass(model, HistoricalChanges)


def _tracked_model(model):
    model = model._meta.concrete_model
    if is_history_model(model):
        model = model.instance_type._meta.concrete_model
    return model


def _key(field) -> str:
    return f"{field.model._meta.label}.{field.name}"


def is_personal_data(field) -> bool:
    comment = getattr(field, "db_comment", None) or ""
    return comment.startswith(PERSONAL_DATA_COMMENTS)


def personal_data_fields() -> dict:
    """Every personal data column of the project's own models, as {"app.Model.field": field}.

    Concrete models of apps under `earlyhelp.`; history models are left out (`is_history_model`).
    """
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("earlyhelp."):
            continue
        for model in config.get_models():
            if model._meta.proxy or is_history_model(model):
                continue
            for field in model._meta.local_concrete_fields:
                if is_personal_data(field):
                    found[_key(field)] = field
    return found


def sensitivity_of(model_or_instance, field_name: str) -> Sensitivity:
    """How sensitive a column is; given a row, how sensitive that row's value is where it says.

    Raises LookupError naming the field if it has no classification (or does not exist).
    """
    is_row = isinstance(model_or_instance, models.Model)
    model = _tracked_model(type(model_or_instance) if is_row else model_or_instance)
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        raise LookupError(f"{model._meta.label}.{field_name} is not a field, so it has no privacy "
                          f"classification") from None
    key = _key(field)
    try:
        column = FIELDS[key]
    except KeyError:
        raise LookupError(f"{key} has no privacy classification: if it holds personal data, give it a "
                          f"db_comment and add it to earlyhelp.privacy.classification.FIELDS") from None
    rule = ROW_RULES.get(key)
    if is_row and rule is not None:  # a history row has the same columns, so the same rule applies
        return rule(model_or_instance) or column
    return column


def protected_fields(model) -> list[str]:
    """Names of the model's special category and criminal offence columns, in field order."""
    model = _tracked_model(model)
    return [f.name for f in model._meta.concrete_fields if FIELDS.get(_key(f)) in PROTECTED]
