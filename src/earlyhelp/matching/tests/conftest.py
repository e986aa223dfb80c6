"""Partner records about a test family, imported as a batch, for the linkage and review tests."""

import datetime
import itertools
import shutil

import pytest
from django.utils import timezone

from earlyhelp.matching.engine import backends
from earlyhelp.matching.models import (
    BatchStatus,
    DatasetType,
    FileFormat,
    ImportBatch,
    SourceRecord,
)
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import ProcessingPurpose
from earlyhelp.testing.matching import add_background_people
from earlyhelp.testing.world import make_family

_files = itertools.count(1)


@pytest.fixture
def police(db):
    return Organisation.objects.create(name="Test Constabulary", type=OrganisationType.POLICE)


@pytest.fixture
def imported(world, police):
    """Make an imported batch from row dicts (person columns and `facts`); returns the batch."""
    def make(rows, *, dataset=DatasetType.POLICE_ASB, organisation=None):
        batch = ImportBatch.objects.create(
            dataset_type=dataset, source_organisation=organisation or police, received_on=timezone.localdate(),
            purpose=ProcessingPurpose.objects.get(code="data_matching"), sharing_agreement_reference="ISA-TEST",
            file_name="partner.csv", file_format=FileFormat.CSV, file_sha256=f"{next(_files):064d}",
            status=BatchStatus.IMPORTED, total_rows=len(rows), processed_rows=len(rows),
            imported_by=world.data_team, finished_at=timezone.now())
        for row_number, row in enumerate(rows, start=2):
            SourceRecord.objects.create(batch=batch, row_number=row_number, **{"facts": {}, **row})
        return batch
    return make


@pytest.fixture
def background(db):
    return add_background_people()


@pytest.fixture
def family(world, background):
    """Alex, Sam, Jamie and Riley Testfamily at 1 Test Street, SW1A 1AA (a household: one surname, one address)."""
    return make_family(world, family_name="Testfamily", seed=1, with_episode=True, lead=world.lead,
                       taf=[world.partner])


def partner_row(person, source_record_id, **changes) -> dict:
    """What a partner holds about a family member: their details as the council has them, with `changes`."""
    address = person.addresses.get(valid_to__isnull=True)
    row = {"source_record_id": source_record_id, "given_name": person.given_name, "family_name": person.family_name,
           "date_of_birth": person.date_of_birth, "address_line_1": address.line_1, "postcode": address.postcode}
    row.update(changes)
    return row


UNKNOWN = {"source_record_id": "X-999", "given_name": "Morwenna", "family_name": "Trelawney",
           "date_of_birth": datetime.date(2012, 8, 30), "address_line_1": "9 Quay Street", "postcode": "TR1 2AB"}


@pytest.fixture(scope="session")
def spark():
    """One Spark session for every test that needs one (starting the JVM costs seconds); stopped at the end."""
    if shutil.which("java") is None:
        pytest.fail("The Spark backend tests need Java 17+ on the PATH: apt-get install -y openjdk-17-jre-headless")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.fail("The Spark backend tests need pyspark: run `uv sync` (it is a project dependency)")
    session = backends.spark_session()
    yield session
    session.stop()
