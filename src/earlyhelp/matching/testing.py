"""Test data for the matching tables, for `earlyhelp.testing.everywhere` (one person seeded into every table that
can hold their data): a police partner's record about the person, proposed by a linkage run and confirmed by the
data team through the review service, and a second candidate for the same record, rejected by that decision."""

from django.utils import timezone

from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy import decisions
from earlyhelp.privacy.models import ProcessingPurpose, SuggestionKind

from .models import (
    Backend,
    BatchStatus,
    DatasetType,
    FileFormat,
    ImportBatch,
    LinkageRun,
    MatchCandidate,
    RunStatus,
    SourceRecord,
    link_suggestion_key,
)

PNC = "12/345678A"


def seed_matching_records(world, *, person, other_person, postcode: str, street: str) -> dict:
    police = Organisation.objects.create(name="Test Constabulary", type=OrganisationType.POLICE)
    batch = ImportBatch.objects.create(
        dataset_type=DatasetType.POLICE_ASB, source_organisation=police, received_on=timezone.localdate(),
        purpose=ProcessingPurpose.objects.get(code="data_matching"), sharing_agreement_reference="ISA-TEST-1",
        file_name="asb.csv", file_format=FileFormat.CSV, file_sha256="0" * 64, status=BatchStatus.IMPORTED,
        total_rows=1, processed_rows=1, imported_by=world.data_team, finished_at=timezone.now())
    record = SourceRecord.objects.create(
        batch=batch, row_number=2, source_record_id="ASB-0001", given_name=person.given_name,
        family_name=person.family_name, date_of_birth=person.date_of_birth, address_line_1=street, postcode=postcode,
        pnc=PNC, facts={"incident_date": "2026-10-01", "category": "nuisance",
                        "summary": f"{person.given_name} seen with a group"})
    run = LinkageRun.objects.create(backend=Backend.DUCKDB, threshold=0.9, status=RunStatus.FINISHED,
                                    requested_by=world.data_team, finished_at=timezone.now(),
                                    stats={"records": 1, "candidates": 2})
    run.batches.set([batch])
    candidates = []
    for candidate_person, probability in ((person, 0.999), (other_person, 0.93)):
        suggestion = decisions.suggest(kind=SuggestionKind.MATCH, key=link_suggestion_key(record, candidate_person.pk),
                                       rule=f"Scored {probability:.1%} by linkage run {run.reference}")
        candidates.append(MatchCandidate.objects.create(
            run=run, record=record, person=candidate_person, match_probability=probability, match_weight=12.0,
            explanation=[{"comparison": "Date of birth", "level": "Exact match", "match_weight": 8.1}],
            suggestion=suggestion))
    decisions.decide(by=world.data_team, suggestion_id=candidates[0].suggestion_id, accept=True,
                     reason="Name, date of birth and address agree")
    record.refresh_from_db()
    return {"batch": batch, "record": record, "run": run, "candidates": candidates}
