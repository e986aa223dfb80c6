"""The family's question "who has my information, who gave it, and why" (P17), answered from the records.

Who gave it: every record that carries provenance (people, identifiers, addresses, relationships,
markers, assessment findings, case notes, documents) and every referral received. Who has it: the
holding team, the Team Around the Family now, and every disclosure. Why: the purposes in the
processing register that those rest on.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.people.models import Address, Identifier, Marker, Person, Relationship
from earlyhelp.privacy.models import DisclosureSection, ProcessingPurpose
from earlyhelp.privacy.services.disclosures import dataset_disclosures_for

from .models import (
    CaseNote,
    Contact,
    Document,
    DomainFinding,
    Episode,
    TafMember,
    TafSectionChange,
    episode_is_current,
)

CASEWORK_PURPOSE = "early_help_casework"


@dataclass
class Source:
    label: str
    what: dict = field(default_factory=lambda: defaultdict(int))  # kind of information -> how many records
    why: set = field(default_factory=set)  # reasons given with referrals


@dataclass
class InformationReport:
    sources: list
    holders: list  # (who, how they have it, since)
    disclosures: list
    purposes: list
    dataset_disclosures: list = field(default_factory=list)  # files about many families that included this one
    # (when, who, sections added, sections removed): what a Team Around the Family member sees, changed (P8)
    section_changes: list = field(default_factory=list)


def _labels(codes) -> str:
    return ", ".join(DisclosureSection(code).label.lower() for code in policy.SECTIONS if code in set(codes))


def _household_records(household):
    """Every provenance-carrying record about the family, with a plain name for what it is."""
    people_ids = list(household.memberships.values_list("person_id", flat=True))
    episodes = Episode.objects.filter(household=household)
    yield "personal details", Person.objects.filter(pk__in=people_ids)
    yield "identifying numbers", Identifier.objects.filter(person_id__in=people_ids)
    yield "addresses", Address.objects.filter(person_id__in=people_ids)
    yield "relationships", Relationship.objects.filter(person_id__in=people_ids)
    yield "markers (such as a child protection plan)", Marker.objects.filter(person_id__in=people_ids)
    yield "assessment findings", DomainFinding.objects.filter(assessment__episode__in=episodes)
    yield "case notes", CaseNote.objects.filter(episode__in=episodes)
    yield "documents", Document.objects.filter(episode__in=episodes)


def information_report(household) -> InformationReport:
    sources: dict[str, Source] = {}

    def source(label):
        return sources.setdefault(label, Source(label))

    for what, records in _household_records(household):
        for record in records.select_related("source_organisation"):
            source(record.source_label).what[what] += 1
    for contact in Contact.objects.filter(household=household).select_related("source_organisation"):
        label = contact.source_organisation.name if contact.source_organisation else contact.get_source_display()
        source(label).what["referrals to early help"] += 1
        source(label).why.add("asked us to help the family")

    holders = []
    for episode in Episode.objects.filter(household=household).current().select_related("team"):
        holders.append((episode.team.name, "The team supporting the family", episode.opened_on))
    taf = (TafMember.objects.filter(episode__household=household, end_date__isnull=True)
           .filter(episode_is_current("episode")))
    for member in taf.select_related("organisation", "practitioner"):
        holders.append((f"{member.practitioner.get_full_name()}, {member.organisation.name}",
                        f"On the Team Around the Family, seeing: {_labels(policy.taf_sections(member.sections))}",
                        member.start_date))
    section_changes = [
        (change.changed_at, f"{change.member.practitioner.get_full_name()}, {change.member.organisation.name}",
         _labels(change.added), _labels(change.removed))
        for change in TafSectionChange.objects.filter(member__episode__household=household)
        .select_related("member__practitioner", "member__organisation")
    ]

    disclosures = list(household.disclosures.select_related("recipient_organisation", "purpose", "approved_by"))
    datasets = list(dataset_disclosures_for(household))
    purpose_codes = ({CASEWORK_PURPOSE} | {d.purpose.code for d in disclosures if d.shared}
                     | {d.purpose.code for d in datasets})
    purposes = list(ProcessingPurpose.objects.filter(code__in=purpose_codes).order_by("name"))
    for each in sources.values():
        each.what = dict(each.what)  # templates look up `.items` as a key first: a defaultdict would answer 0
    ordered = sorted(sources.values(), key=lambda s: (-sum(s.what.values()), s.label))
    return InformationReport(sources=ordered, holders=holders, disclosures=disclosures, purposes=purposes,
                             dataset_disclosures=datasets, section_changes=section_changes)


def open_information_report(user, household, *, purpose) -> InformationReport:
    """The report, for a user whose access to the family the caller has checked; the look is audited."""
    report = information_report(household)
    audit.record(actor=user, action=Action.VIEW, event="household.information_report", purpose=purpose,
                 objects=[household], household_id=household.pk)
    return report
