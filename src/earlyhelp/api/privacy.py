"""Consent, its withdrawal, and sharing decisions, through the same policy and services as the pages."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Path, Router, Status

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.casework import provenance
from earlyhelp.casework import services as casework
from earlyhelp.casework.services import panel_packs as packs
from earlyhelp.organisations.models import Organisation
from earlyhelp.privacy.models import Consent, Panel, Suggestion
from earlyhelp.privacy.services import consent as consents
from earlyhelp.privacy.services import decisions, disclosures

from .schemas import (
    MAX_ID,
    ConsentIn,
    ConsentOut,
    DisclosureIn,
    DisclosureOut,
    Error,
    InformationReportOut,
    PanelPackIn,
    ReferralOutIn,
    ReferralOutOut,
    SuggestionDecisionIn,
    SuggestionOut,
    WithdrawalIn,
)

router = Router(tags=["consent and sharing"])

HouseholdId = Path(..., ge=1, le=MAX_ID, description="The family's (household's) id")
ConsentId = Path(..., ge=1, le=MAX_ID, description="The consent's id")
SuggestionId = Path(..., ge=1, le=MAX_ID, description="The suggestion's id")
PURPOSE = Purpose.API_ACCESS


def _family(request, household_id):
    return policy.require_family(request.auth, household_id, purpose=PURPOSE, need="can_work_on_case")


def consent_out(c: Consent) -> dict:
    return {"id": c.pk, "subject_id": c.subject_id, "given_by_id": c.given_by_id, "covers_support": c.covers_support,
            "sharing_partner_types": c.sharing_partner_types, "national_evaluation_opt_out":
            c.national_evaluation_opt_out, "evidence_type": c.evidence_type, "notice_version": c.notice.version,
            "given_on": c.given_on, "status": c.status, "withdrawal_requested_on": c.withdrawal_requested_on,
            "withdrawal_due_on": c.withdrawal_due_on}


def disclosure_out(d) -> dict:
    return {"id": d.pk, "kind": d.kind, "shared": d.shared, "recipient_organisation_id": d.recipient_organisation_id,
            "purpose": d.purpose.code, "basis": d.basis, "sections": d.sections, "decided_at": d.decided_at,
            "approved_by_id": d.approved_by_id}


@router.get("/families/{household_id}/consents", response={200: list[ConsentOut], 401: Error, 404: Error, 422: Error},
            summary="The family's consents, newest first")
def list_consents(request, household_id: int = HouseholdId):
    access = _family(request, household_id)
    rows = list(access.household.consents.select_related("notice"))
    audit.record(actor=request.auth, action=Action.VIEW, event="consent.list", purpose=PURPOSE,
                 objects=[access.household], household_id=household_id, metadata={"consents": len(rows)})
    return [consent_out(c) for c in rows]


@router.post("/families/{household_id}/consents",
             response={201: ConsentOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="Record consent, with its evidence")
def record_consent(request, payload: ConsentIn, household_id: int = HouseholdId):
    access = _family(request, household_id)
    members = {m.person_id: m.person for m in access.household.memberships.filter(end_date__isnull=True)
               .select_related("person")}
    consent = consents.record_consent(
        by=request.auth, household=access.household, subject=members.get(payload.subject_id),
        given_by=members.get(payload.given_by_id), covers_support=payload.covers_support,
        sharing_partner_types=payload.sharing_partner_types, must_not_see=payload.must_not_see,
        excluded_organisation_types=payload.excluded_organisation_types,
        national_evaluation_opt_out=payload.national_evaluation_opt_out, evidence_type=payload.evidence_type,
        evidence_reference=payload.evidence_reference, witness_name=payload.witness_name, given_on=payload.given_on)
    return Status(201, consent_out(consent))


@router.post("/consents/{consent_id}/withdrawal",
             response={200: ConsentOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="Withdraw consent: consent-based sharing stops now; processing is due within 14 days")
def withdraw_consent(request, payload: WithdrawalIn, consent_id: int = ConsentId):
    user = request.auth
    consent = Consent.objects.filter(pk=consent_id).first()
    if consent is None or not policy.may_take_withdrawal(user, consent.household_id):
        policy.refuse(user, object_type="privacy.consent", object_id=consent_id,
                      household_id=consent.household_id if consent else None, purpose=PURPOSE)
    withdrawn = consents.request_withdrawal(by=user, consent_id=consent_id, channel=payload.channel,
                                            requested_on=payload.requested_on)
    return consent_out(withdrawn)


@router.get("/families/{household_id}/disclosures", response={200: list[DisclosureOut], 401: Error, 404: Error, 422: Error},
            summary="Every sharing decision about the family: what, with whom, on which basis")
def list_disclosures(request, household_id: int = HouseholdId):
    access = _family(request, household_id)
    rows = list(disclosures.disclosures_for(access.household))
    audit.record(actor=request.auth, action=Action.VIEW, event="disclosure.list", purpose=PURPOSE,
                 objects=[access.household], household_id=household_id, metadata={"disclosures": len(rows)})
    return [disclosure_out(d) for d in rows]


@router.post("/families/{household_id}/disclosures",
             response={201: DisclosureOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="Record a decision to share, or not to share")
def record_disclosure(request, payload: DisclosureIn, household_id: int = HouseholdId):
    access = _family(request, household_id)
    disclosure = disclosures.record_disclosure(
        by=request.auth, household=access.household,
        recipient_organisation=Organisation.objects.filter(pk=payload.recipient_organisation_id).first(),
        purpose_code=payload.purpose, basis=payload.basis, sections=payload.sections, reason=payload.reason,
        shared=payload.shared, recipient_person=payload.recipient_person)
    return Status(201, disclosure_out(disclosure))


@router.post("/families/{household_id}/referrals-out",
             response={201: ReferralOutOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="Refer the family to another service: logged as a disclosure, refused beyond consent or the register")
def refer_out(request, payload: ReferralOutIn, household_id: int = HouseholdId):
    access = _family(request, household_id)
    episode = access.household.episodes.current().open().first()
    if episode is None:
        raise ValidationError("The family has no open episode to refer from")
    referral = casework.refer_out(
        by=request.auth, episode=episode, organisation=Organisation.objects.filter(pk=payload.organisation_id).first(),
        service=payload.service, recipient_person=payload.recipient_person, sections=payload.sections,
        basis=payload.basis, reason=payload.reason)
    return Status(201, {"id": referral.pk, "organisation_id": referral.organisation_id, "service": referral.service,
                        "made_on": referral.made_on,
                        "disclosure_id": referral.disclosure_id})


def suggestion_out(s) -> dict:
    return {"id": s.pk, "kind": s.kind, "rule": s.rule, "status": s.status, "suggested_at": s.suggested_at}


@router.get("/families/{household_id}/suggestions",
            response={200: list[SuggestionOut], 401: Error, 404: Error, 422: Error},
            summary="What the system suggests for the family, waiting for a person to decide (P13)")
def list_suggestions(request, household_id: int = HouseholdId):
    access = _family(request, household_id)
    rows = list(decisions.pending_for(access.household))
    audit.record(actor=request.auth, action=Action.VIEW, event="suggestion.list", purpose=PURPOSE,
                 objects=[access.household], household_id=household_id, metadata={"suggestions": len(rows)})
    return [suggestion_out(s) for s in rows]


@router.post("/suggestions/{suggestion_id}/decision",
             response={200: SuggestionOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="Confirm or reject a suggestion, with your reason: only then does it take effect")
def decide_suggestion(request, payload: SuggestionDecisionIn, suggestion_id: int = SuggestionId):
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None or suggestion.household_id is None or not policy.family_access(
            request.auth, suggestion.household_id):
        policy.refuse(request.auth, object_type="privacy.suggestion", object_id=suggestion_id,
                      household_id=suggestion.household_id if suggestion else None, purpose=PURPOSE)
    decided = decisions.decide(by=request.auth, suggestion_id=suggestion_id, accept=payload.accept,
                               reason=payload.reason)
    return suggestion_out(decided)


@router.post("/families/{household_id}/panel-packs",
             response={201: None, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
             summary="A multi-agency panel pack (PDF) with only the chosen sections, logged as a disclosure to every "
                     "organisation on the panel (P26)",
             openapi_extra={"responses": {201: {"description": "The pack", "content": {"application/pdf": {}}}}})
def panel_pack(request, payload: PanelPackIn, household_id: int = HouseholdId):
    access = _family(request, household_id)
    pdf, pack = packs.prepare_panel_pack(
        by=request.auth, household=access.household, panel=Panel.objects.filter(pk=payload.panel_id).first(),
        sections=payload.sections, basis=payload.basis, reason=payload.reason,
        special_category_shared=payload.special_category_shared)
    response = HttpResponse(pdf, content_type="application/pdf", status=201)
    response["Content-Disposition"] = f'attachment; filename="panel-pack-{pack.reference}.pdf"'
    return response


@router.get("/families/{household_id}/information-report",
            response={200: InformationReportOut, 401: Error, 404: Error, 422: Error},
            summary="Who has the family's information, who gave it, and why (P17)")
def information_report(request, household_id: int = HouseholdId):
    access = _family(request, household_id)
    report = provenance.open_information_report(request.auth, access.household, purpose=PURPOSE)
    return {"sources": [{"source": s.label, "records": s.what} for s in report.sources],
            "holders": [f"{who}: {how}" for who, how, _ in report.holders],
            "disclosures": [disclosure_out(d) for d in report.disclosures],
            "purposes": [p.code for p in report.purposes]}
