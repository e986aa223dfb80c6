"""Data-sharing agreements for tests: one that covers a partner for a register purpose, in force from a year
ago unless told otherwise (partner imports must cite one; `privacy.governance.agreements`)."""

import datetime
import itertools

from django.utils import timezone

from earlyhelp.privacy.governance.models import AgreementKind, AgreementStatus
from earlyhelp.privacy.models import DataSharingAgreement, ProcessingPurpose

_numbers = itertools.count(1)


def sharing_agreement(*, parties, recorded_by, purposes=("data_matching",), reference: str | None = None,
                      starts_on: datetime.date | None = None, ends_on: datetime.date | None = None,
                      status: str = AgreementStatus.SIGNED, kind: str = AgreementKind.PARTNER) -> DataSharingAgreement:
    today = timezone.localdate()
    agreement = DataSharingAgreement.objects.create(
        reference=reference or f"ISA-TEST-{next(_numbers):03d}", title="Test information sharing agreement",
        kind=kind, datasets=["Partner records for data matching"],
        lawful_basis="Article 6(1)(e) public task; Children Act 2004 s10",
        starts_on=starts_on or today - datetime.timedelta(days=365), ends_on=ends_on,
        document_reference="Test document store", status=status, recorded_by=recorded_by)
    agreement.parties.set(parties)
    agreement.purposes.set(ProcessingPurpose.objects.filter(code__in=purposes))
    return agreement


OVERARCHING = "ISA-OVERARCHING-"


def cover_new_partners(sender, instance, created, **kwargs):
    """A partner organisation a test adds joins the test council's overarching agreement, as a council's new
    partners sign its information sharing agreement before any routine sharing (connected by the root conftest;
    the tests of the agreement rule itself delete the world's agreement first)."""
    if created:
        for agreement in DataSharingAgreement.objects.filter(reference__startswith=OVERARCHING):
            agreement.parties.add(instance)


def overarching_agreement(*, parties, recorded_by) -> DataSharingAgreement:
    """The council's overarching information sharing agreement with its partners: every active register purpose,
    in force from a year ago. Routine sharing (consent, public task) must cite one (issue 13, item 11)."""
    purposes = ProcessingPurpose.objects.filter(is_active=True).values_list("code", flat=True)
    return sharing_agreement(parties=parties, recorded_by=recorded_by, purposes=tuple(purposes),
                             reference=f"{OVERARCHING}{next(_numbers):03d}", kind=AgreementKind.PARTNER)
