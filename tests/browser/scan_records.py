"""More of the accessibility scan's world: the records of the pages `build_records` does not reach.

`more_records(world, records)` runs after `build_records` and makes, through the services, a record in the state
each of those pages needs; it returns their names (for `PAGES`) with their ids. `session_steps(records)` lists the
POSTs some pages need in a role's session first (a search whose results the session remembers).
"""

import datetime

from django.utils import timezone

from earlyhelp.casework import services as casework
from earlyhelp.matching import imports, linkage
from earlyhelp.matching.models import DatasetType, RunStatus
from earlyhelp.matching.review import unmatched_records
from earlyhelp.online import services as online
from earlyhelp.organisations.models import Organisation
from earlyhelp.privacy.governance import services as registers
from earlyhelp.privacy.governance.models import AgreementKind, AgreementStatus
from earlyhelp.privacy.models import (
    ProcessingPurpose,
    RedactionStatus,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)
from earlyhelp.programme.models import Descriptor, ProgrammeRules
from earlyhelp.programme.services import needs as programme_needs
from earlyhelp.reporting.services import research, returns
from earlyhelp.retention.models import DisposalBatch
from earlyhelp.retention.services import disposal, sweep
from earlyhelp.rights import services as rights
from earlyhelp.rights.models import MentionStatus, Outcome, RequestKind, RightsRequest
from earlyhelp.rights.services import mentions
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.supporting_families.services import shortlist
from earlyhelp.testing.everywhere import FAMILY, GIVEN, rights_request
from earlyhelp.testing.world import make_family

REASON = "Checked for the accessibility scan"
# The search every role's session has made (test_accessibility.py): the seeded child, `records["person"]`.
QUENBY = {"family_name": FAMILY, "given_name": GIVEN}


def more_records(world, records: dict) -> dict:
    today = timezone.localdate()
    return {
        **_rights(world),
        **_subject_access(world, records),
        **_emergency(world),
        **_retention_and_matching(world, today),
        **_programme(world),
        **_reporting(world, today),
        **_online(),
    }


def session_steps(records) -> list[tuple[str, str, tuple, dict]]:
    """(role key in `world.users`, url name, its args, POST data), replayed with each role's client before the scan.

    - `rights:new-for-person`: the DPO finds the seeded child on the rights register's "find the person" page; the
      session remembers whom it found, and only they can be the subject of a new request.
    - `web:emergency-access`: the lead practitioner and the team manager (the roles that may break glass) search
      for the seeded child and, by NHS number, for a child in a south team family neither has anything to do with.
      The session keeps only the last search's results, so this search is the scan's own search (the seeded child,
      for `web:contact-details`) and more: replay it AFTER that search, or it is undone.
    """
    emergency = {**QUENBY, "identifier": records["emergency_nhs"]}
    return [
        ("dpo", "rights:new", (), QUENBY),
        ("lead", "web:search", (), emergency),
        ("manager", "web:search", (), emergency),
    ]


def _rights(world) -> dict:
    """A family whose information went to the school (its Team Around the Family): one parent's correction being
    worked on; the other's correction done (so the school is to be told of it) and then a restriction in force."""
    family = make_family(world, family_name="Scanrights", seed=106, lead=world.lead, taf=[world.partner])
    alex, sam = family["members"][:2]
    dpo = world.dpo

    def corrected(person, preferred_name):
        request = rights_request(world, person, RequestKind.RECTIFICATION)
        rights.start_work(by=dpo, request=request)
        return rights.apply_corrections(by=dpo, request=request, changes={"preferred_name": preferred_name})

    working = corrected(alex, "Lexi")
    done = rights.decide(by=dpo, request=corrected(sam, "Sammy"), outcome=Outcome.COMPLIED, reason="")
    restriction = rights_request(world, sam, RequestKind.RESTRICTION)
    rights.decide(by=dpo, request=restriction, outcome=Outcome.COMPLIED, reason="Accuracy contested while we check")
    return {"correction": working.pk, "corrected": done.pk, "notification": done.notifications.get().pk,
            "restriction": sam.processing_restrictions.get().pk}


def _subject_access(world, records) -> dict:
    """A build of the seeded child's pack (run at once: the tests' task backend is immediate, so it has finished),
    and its pack with every proposed redaction and every mention in another family's record decided: ready to
    release."""
    dpo = world.dpo
    build = sar.start_build(by=dpo, request=RightsRequest.objects.get(pk=records["rights_request"]))
    assert build.pack is not None, build.failure
    pack = build.pack
    for text in sorted(set(pack.proposals.filter(status=RedactionStatus.PENDING).values_list("text", flat=True))):
        sar.decide_redaction(by=dpo, pack=pack, text=text, redact=True, reason=REASON)
    for mention_id in pack.mentions.filter(status=MentionStatus.PENDING).values_list("pk", flat=True):
        mentions.decide_mention(by=dpo, pack=pack, mention_id=mention_id, include=False, reason=REASON)
    return {"sar_build": build.pk, "pack_decided": pack.pk}


def _emergency(world) -> dict:
    """A family of the south team: the north team's lead and manager have no part in it, so seeing it is break-glass."""
    family = make_family(world, team=world.south, family_name="Scansouth", seed=107, lead=world.other_lead)
    child = family["members"][2]
    return {"emergency_person": child.pk, "emergency_nhs": child.identifiers.get(scheme="nhs").value}


def _retention_and_matching(world, today) -> dict:
    """Partner files from the police: two received over a year ago whose records matched nobody, so the retention
    sweep proposes them under PARTNER+1 (one batch disposed of, with its certificate; one approved and waiting to be
    disposed of), and one received today whose record a linkage run found no one for."""
    police = Organisation.objects.get(name="Test Constabulary")  # the seeded partner (testing/matching.py)
    purpose = ProcessingPurpose.objects.get(code="data_matching")
    agreement = registers.save_agreement(
        by=world.dpo, reference="ISA-SCAN-POLICE", title="Police information sharing agreement",
        kind=AgreementKind.PARTNER, parties=[police], purposes=[purpose], datasets=["Anti-social behaviour"],
        lawful_basis="Article 6(1)(e) public task", starts_on=today - datetime.timedelta(days=3 * 365), ends_on=None,
        document_reference="Scan document store", status=AgreementStatus.SIGNED)

    def partner_file(number, received_on, given, family_name):
        incident = (received_on - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
        content = (f"source_record_id,given_name,family_name,incident_date,category\r\n"
                   f"SCAN-{number},{given},{family_name},{incident},nuisance\r\n").encode()
        return imports.import_file(by=world.data_team, dataset_type=DatasetType.POLICE_ASB,
                                   source_organisation=police, received_on=received_on, purpose=purpose,
                                   agreement=agreement, file_name=f"scan-{number}.csv", content=content)

    def swept_and_approved():
        run = sweep.run_sweep(by=world.dpo)
        batch = DisposalBatch.objects.get(sweep=run, rule_code="PARTNER+1")
        return disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason=REASON)

    long_ago = today - datetime.timedelta(days=400)
    partner_file(1, long_ago, "Morwenna", "Trelawney")
    certificate = disposal.dispose_batch(by=world.dpo, batch=swept_and_approved())
    partner_file(2, long_ago, "Perran", "Tregothnan")
    approved = swept_and_approved()
    unknown = partner_file(3, today, "Tamsin", "Penhallurick")
    run = linkage.start_linkage(by=world.data_team, batches=[unknown])
    assert run.status == RunStatus.FINISHED, run.failure
    # Linking the seeded partner record to the seeded child suggested a need (the council's dataset rules).
    need = Suggestion.objects.filter(kind=SuggestionKind.MATCHED_NEED, status=SuggestionStatus.PENDING).earliest("pk")
    return {"approved_batch": approved.pk, "certificate": certificate.pk,
            "unmatched_record": unmatched_records().get(batch=unknown).pk, "matched_need": need.pk}


def _programme(world) -> dict:
    """A family with needs in as many headlines as the programme rule asks for, shortlisted; its episode closed
    with every need met, so each awaits its sustainment check."""
    family = make_family(world, family_name="Scanprogramme", seed=108, lead=world.lead)
    household, episode, child = family["household"], family["episode"], family["members"][2]
    rules, one_per_area = ProgrammeRules.current(), {}
    for descriptor in Descriptor.objects.filter(is_active=True).order_by("area__pk", "order", "pk"):
        one_per_area.setdefault(descriptor.area_id, descriptor)
    needs = [programme_needs.record_need(by=world.lead, household_id=household.pk, episode_id=episode.pk, person=child,
                                         descriptor_id=descriptor.pk, evidence=f"{descriptor.label}: school report")
             for descriptor in list(one_per_area.values())[:rules.minimum_needs]]
    casework.request_closure(by=world.lead, episode=episode, reason="outcomes_met", summary="Goals met",
                             feedback_declined=True,
                             progress={need.pk: (rules.positive_score, "Going well at school") for need in needs})
    casework.decide_closure(by=world.manager, episode=episode, approve=True)
    shortlist.propose_shortlist(by=world.data_team)
    proposal = Suggestion.objects.get(kind=SuggestionKind.ELIGIBILITY, status=SuggestionStatus.PENDING,
                                      household=household)
    return {"shortlisted": proposal.pk, "sustainment_need": needs[0].pk}


def _reporting(world, today) -> dict:
    """This quarter's Supporting Families return, published; a research project with one extract."""
    year, quarter = returns.quarter_of(today)
    published = returns.make_quarterly_return(by=world.data_team, year=year, quarter=quarter)
    project = research.create_project(
        by=world.data_team, reference="scan-research", title="Family outcomes study", recipient="approved_researchers",
        recipient_name="Test University", purpose="How families' needs change with early help",
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=365),
        columns=["person_ref", "family_ref", "age_band"])
    extract = research.make_extract(by=world.data_team, project=project,
                                    period_start=today - datetime.timedelta(days=365), period_end=today)
    return {"published_return": published.pk, "research_project": project.pk, "research_extract": extract.pk}



def _online() -> dict:
    """A request a family member sent online, waiting for the front door."""
    started = online.start_request(route="self")
    online.save_answers(request_id=started.pk, step="name", answers={"given_name": "Zebedee", "family_name": "Quenby"})
    return {"online_request": online.submit_request(request_id=started.pk, complete=True).pk}
