"""Background jobs queued through their services, waiting (a task backend that runs nothing): `test_jobs.py` and
`test_requeue.py`."""

import pytest
from django.test import override_settings
from django.utils import timezone

from earlyhelp.demo import partner_files
from earlyhelp.matching import imports
from earlyhelp.matching.models import DatasetType
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import ProcessingPurpose
from earlyhelp.rights import services as rights
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing.agreements import sharing_agreement
from earlyhelp.testing.world import make_family

QUEUEING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queue_import(world):
    partner = Organisation.objects.create(name="Test Partner", type=OrganisationType.POLICE, reference="TP-1")
    agreement = sharing_agreement(parties=[partner], recorded_by=world.dpo, reference="ISA-JOBS")
    rows = partner_files.rows_for(DatasetType.POLICE_ASB, [{"given_name": "Ada", "family_name": "Testperson"}] * 3,
                                  seed=5)

    def make():
        with override_settings(TASKS=QUEUEING):
            return imports.start_import(
                by=world.data_team, dataset_type=DatasetType.POLICE_ASB, source_organisation=partner,
                received_on=timezone.localdate(), purpose=ProcessingPurpose.objects.get(code="data_matching"),
                agreement=agreement, file_name="partner.csv", content=partner_files.to_csv(rows, DatasetType.POLICE_ASB))
    return make


@pytest.fixture
def queue_build(world):
    family = make_family(world, lead=world.lead)

    def make():
        request = rights.log_request(
            by=world.dpo, kind="access", subject=family["members"][0], received_on=timezone.localdate(),
            requester_relationship="self", requester_name="Alex Testfamily", requester_address="1 Test Street",
            channel="writing", details="Everything you hold", identity_check="seen",
            id_seen_on=timezone.localdate(), id_evidence="Passport seen at the desk")
        with override_settings(TASKS=QUEUEING):
            return sar.start_build(by=world.dpo, request=request)
    return make
