"""The demo council's DPO registers: two breaches (one reported to the ICO within 72 hours, one late with its
reasons), a DPIA of data matching with its review date, the data-sharing agreement the demo's partner files arrive
under, the overarching agreement routine sharing with partners cites, an agreement that has ended, and this year's
review of the physical safeguards. Seed data: no audit events of their own (the demo load records one)."""

import datetime

from django.utils import timezone

from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.governance.models import (
    AgreementKind,
    AgreementStatus,
    Breach,
    DataSharingAgreement,
    DisclosureAgreement,
    Dpia,
    DpiaOutcome,
    HostingReview,
    PeopleTold,
    Reportable,
)
from earlyhelp.privacy.models import ProcessingPurpose

MATCHING_AGREEMENT = "ISA-DEMO-MATCHING"
OVERARCHING_AGREEMENT = "ISA-DEMO-EARLY-HELP"
ENDED_AGREEMENT = "ISA-DEMO-2023"
# The partners whose files the demo imports for data matching (demo.matching.FILES and the programme's DWP file).
MATCHING_PARTNERS = (OrganisationType.SCHOOL, OrganisationType.POLICE, OrganisationType.DWP, OrganisationType.HOUSING)

# Tables the demo wipe empties (history and many-to-many tables included).
MODELS = (DisclosureAgreement, DataSharingAgreement.parties.through, DataSharingAgreement.purposes.through,
          DataSharingAgreement.history.model, Breach, Breach.history.model, Dpia.purposes.through, Dpia.history.model,
          DataSharingAgreement, Dpia, HostingReview)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load_demo_registers(*, dpo, today: datetime.date) -> None:
    if DataSharingAgreement.objects.filter(reference=MATCHING_AGREEMENT).exists():
        return
    matching = ProcessingPurpose.objects.get(code="data_matching")
    partners = [org for kind in MATCHING_PARTNERS
                if (org := Organisation.objects.filter(type=kind, is_active=True).order_by("pk").first())]
    current = DataSharingAgreement.objects.create(
        reference=MATCHING_AGREEMENT, title="Early help data matching with partners", kind=AgreementKind.DEA_S35,
        datasets=["School attendance", "Domestic abuse incidents", "Out-of-work benefits", "Rent arrears"],
        lawful_basis="Article 6(1)(e) public task; Digital Economy Act 2017 s35 (multiple disadvantages)",
        starts_on=today - datetime.timedelta(days=730), ends_on=today + datetime.timedelta(days=365),
        document_reference="Information governance drive / agreements / ISA-DEMO-MATCHING (signed)",
        status=AgreementStatus.SIGNED, recorded_by=dpo)
    current.parties.set(partners)
    current.purposes.set([matching])
    ended = DataSharingAgreement.objects.create(
        reference=ENDED_AGREEMENT, title="Troubled Families phase 2 data sharing (replaced)",
        kind=AgreementKind.PARTNER, datasets=["School attendance"],
        lawful_basis="Article 6(1)(e) public task; Children Act 2004 s10",
        starts_on=today - datetime.timedelta(days=5 * 365), ends_on=today - datetime.timedelta(days=731),
        document_reference="Information governance drive / agreements / ISA-DEMO-2023 (ended)",
        status=AgreementStatus.SIGNED, recorded_by=dpo)
    ended.parties.set(partners[:1])
    ended.purposes.set([matching])
    overarching = DataSharingAgreement.objects.create(
        reference=OVERARCHING_AGREEMENT, title="Early help information sharing agreement with partners",
        kind=AgreementKind.PARTNER, datasets=["The family's record, in the sections each disclosure names"],
        lawful_basis="Article 6(1)(e) public task; Children Act 2004 s10 (co-operation to improve well-being)",
        starts_on=today - datetime.timedelta(days=3 * 365), ends_on=today + datetime.timedelta(days=2 * 365),
        document_reference="Information governance drive / agreements / ISA-DEMO-EARLY-HELP (signed)",
        status=AgreementStatus.SIGNED, recorded_by=dpo)
    overarching.parties.set(Organisation.objects.filter(is_active=True))
    overarching.purposes.set(ProcessingPurpose.objects.filter(is_active=True))
    HostingReview.objects.create(
        reviewed_on=today - datetime.timedelta(days=60), next_review_by=today + datetime.timedelta(days=300),
        signed_off_by="Demo Senior Information Risk Owner",
        hosting="A UK public sector cloud region (two data centres in England); backups in a second UK region",
        physical_access="Data centre access by named staff of the host only, badge and biometric entry, visits "
                        "logged and reviewed monthly; no council staff visit the sites",
        media_disposal="Disks wiped to NIST 800-88 and shredded by the host, certificates kept; council laptops "
                       "wiped and destroyed by the approved contractor",
        backups="Nightly encrypted database backups (AES-256, keys held by the council), kept 35 days; a restore "
                "was tested on the demo's first day",
        workplace="Screens lock after 5 minutes; shared computers sign out at the end of a session; follow-me "
                  "printing; clear desk policy; lost devices reported at once and wiped remotely",
        certification="Host: ISO/IEC 27001 and Cyber Essentials Plus", evidence_reference="Information governance "
        "drive / physical safeguards / review (signed)", recorded_by=dpo)

    Dpia.objects.create(
        reference=f"DPIA-{today.year}-001", title="Data matching with partner datasets",
        description="Partner files are linked to the council's person index with probabilistic matching; a person "
                    "decides every match and every need it suggests.",
        risks="A wrong match attaches another person's facts to a family; partner data kept longer than needed; "
              "families not expecting their partner records to be used.",
        mitigations="Every match decided by the data team; threshold reviewed; partner files checked row by row "
                    "and deleted after import; retention of partner records; the privacy notice names each dataset.",
        outcome=DpiaOutcome.APPROVED_WITH_CONDITIONS, conditions="Review the match threshold every quarter",
        dpo_advice="Proceed: no automated decisions, and the register and notice name the partner datasets.",
        signed_off_by="Demo Senior Information Risk Owner", signed_off_on=today - datetime.timedelta(days=30),
        review_on=today + datetime.timedelta(days=335), recorded_by=dpo,
    ).purposes.set([matching])

    on_time_aware = _at(today - datetime.timedelta(days=40), 9, 30)
    Breach.objects.create(
        reference=f"BR-{today.year}-001", title="Case summary emailed to the wrong school",
        found_at=on_time_aware - datetime.timedelta(hours=2), found_by="Team manager",
        how_found="The school phoned to say the email was not meant for them", aware_at=on_time_aware,
        description="A case summary about one family was sent to a school that does not work with them.",
        data_categories=["names", "family circumstances"], special_category=False, people_affected=4,
        records_affected=1, consequences="Distress; the family's circumstances known to staff at another school",
        actions_taken="Email recalled; staff reminded to check recipients; email address autocomplete turned off",
        contained_at=on_time_aware + datetime.timedelta(hours=3),
        containment="The school deleted the email and confirmed it in writing",
        reportable=Reportable.YES, reportable_reasoning="Sensitive family circumstances of four people, two children",
        ico_reported_at=on_time_aware + datetime.timedelta(hours=30), ico_reference="IC-DEMO-0001",
        people_told=PeopleTold.TOLD, people_told_on=(on_time_aware + datetime.timedelta(days=1)).date(),
        people_told_reasoning="The lead practitioner visited the family", closed_at=on_time_aware
        + datetime.timedelta(days=14), closed_by=dpo, recorded_by=dpo)
    late_aware = _at(today - datetime.timedelta(days=12), 16, 45)
    Breach.objects.create(
        reference=f"BR-{today.year}-002", title="Printed panel pack left on a train",
        found_at=late_aware - datetime.timedelta(hours=20), found_by="Practitioner, south team",
        how_found="The practitioner noticed the pack was missing the next morning", aware_at=late_aware,
        description="A printed multi-agency panel pack was left on a train; it has not been found.",
        data_categories=["names", "addresses", "health"], special_category=True, people_affected=9,
        records_affected=3, consequences="Health and family details of three families could be read by anyone",
        actions_taken="Transport lost property told; printed packs stopped; packs now shared on screen only",
        contained_at=late_aware + datetime.timedelta(hours=2), containment="Printing of panel packs stopped",
        reportable=Reportable.YES, reportable_reasoning="Special category data of nine people, likely distress",
        ico_reported_at=late_aware + datetime.timedelta(hours=80), ico_reference="IC-DEMO-0002",
        late_reason="Reported on a Friday evening; the DPO and deputy were both away until Monday",
        people_told=PeopleTold.TOLD, people_told_on=(late_aware + datetime.timedelta(days=2)).date(),
        people_told_reasoning="Letters to the three families, then visits", recorded_by=dpo)


def agreement_for(partner, *, on: datetime.date):
    """The demo's agreement in force that covers `partner`'s data matching files (the import must cite one)."""
    return (DataSharingAgreement.objects.filter(status=AgreementStatus.SIGNED, parties=partner,
                                                purposes__code="data_matching", starts_on__lte=on)
            .exclude(ends_on__lt=on).order_by("-starts_on").first())
