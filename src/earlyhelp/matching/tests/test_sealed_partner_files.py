"""A partner file is kept sealed under a key of its own while it waits for its check, and the key goes with the
stored file (crypto-shredding, issue 16): a copy of the file store taken meanwhile can never be read afterwards."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings

from earlyhelp.keys import sealed
from earlyhelp.matching import imports
from earlyhelp.matching.models import BatchStatus, DatasetType, FileFormat, ImportBatch, SourceRecord
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import ProcessingPurpose
from earlyhelp.testing.agreements import sharing_agreement

pytestmark = pytest.mark.django_db

QUEUEING = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
TELLTALE = "Zebedeeqxv"
CONTENT = (f"source_record_id,given_name,family_name,incident_date,category\r\n"
           f"A-1,{TELLTALE},Testperson,01/10/2026,personal\r\n").encode()


@pytest.fixture
def start(world):
    partner = Organisation.objects.create(name="Test Partner", type=OrganisationType.POLICE, reference="TP-1")
    agreement = sharing_agreement(parties=[partner], recorded_by=world.dpo, reference="ISA-SEALED")

    def queue(content=CONTENT):
        with override_settings(TASKS=QUEUEING):  # queued, not yet checked
            return imports.start_import(
                by=world.data_team, dataset_type=DatasetType.POLICE_ASB, source_organisation=partner,
                received_on=imports.timezone.localdate(), purpose=ProcessingPurpose.objects.get(code="data_matching"),
                agreement=agreement, file_name="partner.csv", content=content)
    return queue


def _raw(name) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def test_a_waiting_partner_file_is_ciphertext_and_its_key_goes_with_it(start):
    batch = start()
    stored, raw = batch.stored_file, _raw(batch.stored_file)
    assert sealed.is_sealed(raw) and TELLTALE.encode() not in raw and b"given_name" not in raw
    copy = raw  # a backup of the file store taken while the file waited
    key_id = sealed.key_id_of(raw)
    assert key_id.startswith("partner-files/file-")

    batch = imports.run_import(batch.pk)
    assert batch.status == BatchStatus.IMPORTED and SourceRecord.objects.get().given_name == TELLTALE
    assert not default_storage.exists(stored) and batch.stored_file == ""
    with pytest.raises(sealed.KeyDestroyed):
        sealed.plaintext(copy)


def test_a_cancelled_import_destroys_the_files_key_at_once(world, start):
    batch = start()
    copy = _raw(batch.stored_file)
    imports.cancel_import(by=world.data_team, batch=batch)
    with pytest.raises(sealed.KeyDestroyed):
        sealed.plaintext(copy)


def test_encrypt_stored_files_seals_a_partner_file_waiting_since_before_the_upgrade(world, start):
    batch = start()
    plain = default_storage.save(f"{imports.STORAGE_FOLDER}/{'b' * 32}.csv", ContentFile(CONTENT))
    ImportBatch.objects.filter(pk=batch.pk).update(stored_file=plain)
    out = io.StringIO()
    call_command("encrypt_stored_files", stdout=out)
    assert "Partner files waiting: 1 sealed" in out.getvalue()
    batch.refresh_from_db()
    assert batch.stored_file != plain and sealed.is_sealed(_raw(batch.stored_file))
    batch = imports.run_import(batch.pk)
    assert batch.status == BatchStatus.IMPORTED and batch.file_format == FileFormat.CSV
