"""Test data for the matching tables.

`seed_matching_records`, for `earlyhelp.testing.everywhere` (one person seeded into every table that can hold
their data): a police partner's record about the person, proposed by a linkage run and confirmed by the data team
through the review service, and a second candidate for the same record, rejected by that decision.
`add_background_people`: other people in the person index, so a linkage run learns from a realistic index.
"""

import datetime

from django.utils import timezone

from earlyhelp.matching.models import (
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
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.people.models import Address, Person
from earlyhelp.people.services import name_key
from earlyhelp.privacy.models import ProcessingPurpose, SuggestionKind
from earlyhelp.privacy.services import decisions

from . import linkage_population

PNC = "12/345678A"


def add_background_people(count: int = 400, *, seed: int = 5) -> list[Person]:
    """Synthetic households in the person index (names, dates of birth, addresses): the model learns how often
    names, dates of birth and postcodes agree by chance from them, as it would from a council's real index."""
    population = linkage_population.population(count, seed=seed).to_pylist()
    people = Person.objects.bulk_create(
        Person(given_name=row["given_name"], family_name=row["family_name"], date_of_birth=row["date_of_birth"],
               family_name_key=name_key(row["family_name"]), given_name_key=name_key(row["given_name"]))
        for row in population)
    Address.objects.bulk_create(
        Address(person=person, line_1=row["address_line_1"], town="Synthtown", postcode=row["postcode"],
                valid_from=datetime.date(2020, 1, 1))
        for person, row in zip(people, population, strict=True) if row["address_line_1"] and row["postcode"])
    return people


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
