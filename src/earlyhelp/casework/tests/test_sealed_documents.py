"""Documents are stored sealed under a key of their family's (crypto-shredding, issue 16): the file store holds only
ciphertext, every reader gets the document back, a document whose key was destroyed says so, and documents stored
before encryption are sealed by `manage.py encrypt_stored_files`."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services
from earlyhelp.casework.models import Document
from earlyhelp.keys import sealed, store
from earlyhelp.testing.world import make_family

TELLTALE = b"%PDF-1.4 Telltale-K9W2 school report about the youngest child"


@pytest.fixture
def family(world):
    return make_family(world, lead=world.lead)


def _upload(world, family, content=TELLTALE):
    return services.upload_document(by=world.lead, episode=family["episode"], title="School report",
                                    upload=SimpleUploadedFile("report.pdf", content, "application/pdf"))


def _raw(document) -> bytes:
    with default_storage.open(document.file.name, "rb") as stored:
        return stored.read()


def test_the_stored_file_is_ciphertext_and_the_download_is_the_document(world, family, client):
    document = _upload(world, family)
    raw = _raw(document)
    assert sealed.is_sealed(raw) and b"Telltale-K9W2" not in raw and b"%PDF" not in raw
    assert sealed.key_id_of(raw).startswith(f"household-{family['household'].pk}/doc-")
    assert document.size_bytes == len(TELLTALE)  # the document's own size, not the sealed file's
    client.force_login(world.lead)
    response = client.get(reverse("web:document", args=[family["household"].pk, document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == TELLTALE
    assert AuditEvent.objects.filter(event="document.download", object_ids=[document.pk]).exists()


def test_a_document_whose_family_key_was_destroyed_says_it_can_no_longer_be_read(world, family, client):
    document = _upload(world, family)
    store._destroy_family(family["household"].pk)  # as in a database restored from before the family's disposal
    client.force_login(world.lead)
    response = client.get(reverse("web:document", args=[family["household"].pk, document.pk]))
    assert response.status_code == 410
    assert "This document can no longer be read: its family&#x27;s records were destroyed" in response.content.decode()
    assert not AuditEvent.objects.filter(event="document.download").exists()  # nothing was handed over


def test_encrypt_stored_files_seals_documents_stored_before_encryption_once(world, family,
                                                                          django_capture_on_commit_callbacks):
    old_name = default_storage.save("episodes/2025/01/20250101120000000000.bin", ContentFile(TELLTALE))
    document = Document.objects.create(episode=family["episode"], title="Old letter", kind="document",
                                       file=old_name, content_type="application/pdf", size_bytes=len(TELLTALE),
                                       uploaded_by=world.lead, source_kind="family")
    already = _upload(world, family)
    already_raw = _raw(already)
    assert sealed.read_stored(default_storage, old_name) == TELLTALE  # readable before the command, as it was

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the plain copy goes once the new name is committed
        call_command("encrypt_stored_files", stdout=out)
    assert "Documents: 1 sealed, 1 already sealed, 0 missing" in out.getvalue()
    document.refresh_from_db()
    assert document.file.name != old_name and not default_storage.exists(old_name)
    assert sealed.is_sealed(_raw(document)) and b"Telltale-K9W2" not in _raw(document)
    assert sealed.read_stored(default_storage, document.file.name) == TELLTALE
    assert _raw(already) == already_raw
    assert AuditEvent.objects.filter(event="document.seal", object_ids=[document.pk]).count() == 1

    again = io.StringIO()
    call_command("encrypt_stored_files", stdout=again)
    assert "Documents: 0 sealed, 2 already sealed, 0 missing" in again.getvalue()


def test_documents_of_different_families_have_different_keys(world, family):
    other = make_family(world, family_name="Otherfamily", seed=31)
    first, second = _upload(world, family), _upload(world, other)
    first_key, second_key = sealed.key_id_of(_raw(first)), sealed.key_id_of(_raw(second))
    assert store.household_of(first_key) != store.household_of(second_key)


def test_a_document_whose_key_is_missing_asks_for_the_system_administrator(world, family, client, settings, tmp_path):
    document = _upload(world, family)
    settings.EARLYHELP_FAMILY_KEY_DIR = tmp_path / "an-empty-key-store"  # a misconfigured or lost key store
    client.force_login(world.lead)
    response = client.get(reverse("web:document", args=[family["household"].pk, document.pk]))
    assert response.status_code == 500 and "Tell the system administrator" in response.content.decode()
    assert "records were destroyed" not in response.content.decode()
