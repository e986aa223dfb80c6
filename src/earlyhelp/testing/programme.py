"""Supporting Families records about one person, for the "one person in every table" seed."""

import datetime

from django.utils import timezone

from earlyhelp.privacy.models import DatasetDisclosure, DatasetDisclosureKind, ProcessingPurpose
from earlyhelp.programme.models import Descriptor
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.reporting.models import ExportFile
from earlyhelp.supporting_families.models import (
    Claim,
    ClaimBatch,
    ClaimedNeed,
    ClaimStatus,
    ProgrammeFamily,
    SustainmentCheck,
    SustainmentMethod,
)


def seed_programme_records(world, *, household, episode, person, text: str) -> dict:
    """A need of the person's, the family on the programme, a sustainment check, a claim for the need and the
    family named in a National Impact Study file. Rows are made directly: the services' rules (a closed episode six
    months ago) are tested with the services."""
    today, now = timezone.localdate(), timezone.now()
    need = programme_needs.record_need(by=world.lead, household_id=household.pk, episode_id=episode.pk, person=person,
                                       descriptor_id=Descriptor.objects.get(code="attendance", is_active=True).pk,
                                       evidence=text)
    ProgrammeFamily.objects.create(household=household, screened_on=today, criteria_met=["EDUCATION", "HEALTH"],
                                   decided_by=world.data_team, decided_at=now)
    SustainmentCheck.objects.create(need=need, due_on=today, checked_on=today,
                                    method=SustainmentMethod.RECORDED_CHECK, sustained=True,
                                    evidence=f"School confirms: {text}", checked_by=world.data_team)
    batch = ClaimBatch.objects.create(period_start=today - datetime.timedelta(days=90), period_end=today,
                                      created_by=world.data_team, created_at=now)
    claim = Claim.objects.create(batch=batch, household=household, episode=episode, conditions=[],
                                 status=ClaimStatus.ACCEPTED, reason=f"Every condition holds: {text}",
                                 decided_by=world.data_team, decided_at=now)
    ClaimedNeed.objects.create(claim=claim, need=need)
    transfer = DatasetDisclosure.objects.create(
        kind=DatasetDisclosureKind.NATIONAL_IMPACT_STUDY, purpose=ProcessingPurpose.objects.get(
            code="national_impact_study"), recipient="ons", recipient_name="Office for National Statistics",
        period_start=today - datetime.timedelta(days=180), period_end=today, columns=["family_unit_id"], row_count=1,
        file_name="nis.csv", file_sha256="0" * 64, pseudonymised=False, decided_by=world.data_team, decided_at=now)
    transfer.households.add(household)
    ExportFile.objects.create(disclosure=transfer, stored_name="seeded-export", created_at=now,
                              expires_at=now + datetime.timedelta(hours=1))
    return {"need": need, "claim": claim, "transfer": transfer}
