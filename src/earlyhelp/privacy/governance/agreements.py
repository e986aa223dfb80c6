"""Data-sharing agreements in use: a partner file must arrive under one, and a disclosure to an organisation
records the one that covers it (issue 13, item 11; P7, P15).

- Partner imports (`matching.imports`) MUST cite an agreement that is signed, names the partner as a party,
  lists the register purpose the data is for, and is in force on the day the file was received
  (`import_problem`). Anything else is refused with a specific message, audited, and nothing is written.
- Disclosures to an organisation (`privacy.services.disclosures.record_disclosure`, through `cites_agreement`)
  record the agreement in force today that names the recipient as a party and lists the purpose, where one
  exists. Someone sharing may name the agreement themselves; one that has ended, has not started, is a draft or
  does not cover the recipient and purpose is refused, audited, and nothing is written.

Routine sharing MUST cite an agreement too (issue 13, item 11): a disclosure to an organisation on the family's
consent or under the public task is refused, audited and not written unless a signed agreement in force today
names the recipient as a party and lists the purpose. Sharing for a legal reason (a child or
adult at risk of harm, crime, fraud, the law), which a manager approves, never waits for paperwork: the statutory
guidance on information sharing for safeguarding says the lack of an information sharing agreement must not stop
a practitioner sharing to protect someone. It records the agreement that covers it when there is one.
"""

import datetime
import functools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.audit.refused import Refused

from ..models import LEGAL_REASON_BASES, ProcessingPurpose
from .models import AgreementStatus, DataSharingAgreement, DisclosureAgreement

CHOOSE_AGREEMENT = "Choose the data-sharing agreement the file arrived under"


def no_agreement_for_routine_sharing(organisation, purpose) -> str:
    return (f"No data-sharing agreement in force covers sharing with {organisation.name} for "
            f"“{purpose.name}”. Ask the DPO to record one, or, if a child or adult is at risk of harm or "
            "another legal reason applies, a manager can approve sharing for that reason")


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _problem(agreement: DataSharingAgreement, *, organisation, purpose, on: datetime.date, use: str) -> tuple[str, str]:
    """(code, message) for why `agreement` cannot be cited for this use on `on`, or ("", "") if it can."""
    ref = agreement.reference
    if agreement.status == AgreementStatus.DRAFT:
        return "draft", f"{ref} is a draft that has not been signed: it cannot be used until it is signed"
    if on < agreement.starts_on:
        return "not_started", (f"{ref} does not start until {_long(agreement.starts_on)}, so it did not cover "
                               f"{use} on {_long(on)}")
    if agreement.ends_on is not None and on > agreement.ends_on:
        return "ended", (f"{ref} ended on {_long(agreement.ends_on)}, so it cannot be cited for {use} on "
                         f"{_long(on)}: choose an agreement in force, or ask the DPO to record a new one")
    if agreement.status == AgreementStatus.TERMINATED:
        return "ended", f"{ref} has been ended, so it cannot be cited: ask the DPO to record a new agreement"
    if organisation is None or not agreement.parties.filter(pk=organisation.pk).exists():
        name = organisation.name if organisation is not None else "the organisation"
        return "not_a_party", (f"{ref} does not cover {name}: {name} is not a party to it. Choose an agreement "
                               f"{name} has signed")
    if purpose is None or not agreement.purposes.filter(pk=purpose.pk).exists():
        name = purpose.name.lower() if purpose is not None else "this purpose"
        return "purpose_not_covered", (f"{ref} does not cover {name}: the agreement does not list that purpose "
                                       "from the processing register")
    return "", ""


def import_problem(agreement, *, organisation, purpose, received_on) -> tuple[str, str]:
    """Why a partner file received on `received_on` cannot be imported under `agreement`: (code, message)."""
    if not isinstance(agreement, DataSharingAgreement):
        return "missing", CHOOSE_AGREEMENT
    return _problem(agreement, organisation=organisation, purpose=purpose, on=received_on,
                    use="a file received")


def record_refusal(*, by, agreement, code: str, use: str, purpose: str, household_id=None) -> None:
    """Audit a refused citation. Called outside the refused change's transaction, so the event stays."""
    audit.record(actor=by, action=Action.DENIED, event=f"sharing_agreement.refused_for_{use}", purpose=purpose,
                 objects=[agreement] if isinstance(agreement, DataSharingAgreement) else (),
                 household_id=household_id, metadata={"problem": code})


def in_force_covering(organisation, purpose, on: datetime.date):
    """Signed agreements in force on `on` that name `organisation` as a party and list `purpose`."""
    return (DataSharingAgreement.objects
            .filter(status=AgreementStatus.SIGNED, starts_on__lte=on, parties=organisation, purposes=purpose)
            .exclude(ends_on__lt=on).order_by("-starts_on", "pk"))


def cites_agreement(record_disclosure):
    """Wrap `record_disclosure` so a disclosure to an organisation records the agreement that covers it.

    `agreement=` (optional) names the agreement; it is checked before anything is written and a refusal is audited
    outside the disclosure's transaction. Without it, the agreement in force today that covers the recipient and
    the purpose is recorded, if there is one.
    """

    @functools.wraps(record_disclosure)
    def wrapper(*, agreement: DataSharingAgreement | None = None, **kwargs):
        if agreement is not None:
            _check_chosen(agreement, kwargs)
        try:
            with transaction.atomic():
                disclosure = record_disclosure(**kwargs)
                organisation = disclosure.recipient_organisation
                cited = agreement
                if cited is None and disclosure.shared and organisation is not None:
                    cited = in_force_covering(organisation, disclosure.purpose, timezone.localdate()).first()
                    if cited is None and disclosure.basis not in LEGAL_REASON_BASES:
                        raise _NoAgreement(disclosure)  # routine sharing needs one: nothing is written
                if cited is not None and disclosure.shared:
                    DisclosureAgreement.objects.create(disclosure=disclosure, agreement=cited,
                                                       chosen=agreement is not None)
                    audit.record(actor=kwargs.get("by"), action=Action.CREATE, event="disclosure.agreement_cited",
                                 purpose=Purpose.EARLY_HELP_CASEWORK, objects=[disclosure],
                                 household_id=disclosure.household_id,
                                 metadata={"agreement_id": cited.pk, "chosen": agreement is not None})
        except _NoAgreement as refusal:
            # `Refused` is audited by the outermost `audit_refusals`, once every transaction has rolled back.
            shared = refusal.disclosure
            raise Refused({"agreement": no_agreement_for_routine_sharing(shared.recipient_organisation,
                                                                          shared.purpose)},
                          actor=kwargs.get("by"), event="sharing_agreement.refused_for_disclosure",
                          purpose=Purpose.EARLY_HELP_CASEWORK, household_id=shared.household_id,
                          metadata={"problem": "none_in_force"}) from None
        return disclosure

    return wrapper


def _may_share(kwargs) -> bool:
    """Someone who may not share is refused by `record_disclosure` itself (its permission check comes first), so
    the agreement checks say nothing to them about the family."""
    by, household = kwargs.get("by"), kwargs.get("household")
    access = policy.family_access(by, household.pk) if by is not None and household is not None else None
    return access is not None and access.can_work_on_case


class _NoAgreement(Exception):
    def __init__(self, disclosure):
        super().__init__("no agreement in force")
        self.disclosure = disclosure


def _check_chosen(agreement, kwargs) -> None:
    """A named agreement must cover the recipient and purpose today; someone who may not share is refused by
    `record_disclosure` itself (its permission check comes first)."""
    if not _may_share(kwargs):
        return
    by, household = kwargs["by"], kwargs["household"]
    purpose = ProcessingPurpose.objects.filter(code=kwargs.get("purpose_code"), is_active=True).first()
    code, message = _problem(agreement, organisation=kwargs.get("recipient_organisation"), purpose=purpose,
                             on=timezone.localdate(), use="sharing")
    if code:
        record_refusal(by=by, agreement=agreement, code=code, use="disclosure",
                       purpose=Purpose.EARLY_HELP_CASEWORK, household_id=household.pk)
        raise ValidationError({"agreement": message})
