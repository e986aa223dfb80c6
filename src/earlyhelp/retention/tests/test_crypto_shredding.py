"""Disposal reaches backups (issue 16, item 4): a database backup and a copy of the file store taken before a family
was disposed of, restored into a new database afterwards, bring back the family's records but not its documents,
whose key the disposal destroyed; another family's documents in the same backup still open (P4). An erasure does
the same for the documents it removes (P19); a legal hold keeps the key (P20)."""

import json
import shutil

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import services as casework
from earlyhelp.keys import sealed, store
from earlyhelp.people.models import Household
from earlyhelp.retention import backups
from earlyhelp.retention.models import DisposalBatch, HoldKind, HoldScope
from earlyhelp.retention.services import disposal, erasure, holds, sweep
from earlyhelp.rights.models import RequestKind
from earlyhelp.testing import everywhere
from earlyhelp.testing.world import make_family

from .conftest import CASE_DUE, close_family
from .test_backups import _manage, empty_database  # noqa: F401 (a fixture)

pytestmark = pytest.mark.promise("P4")

DISPOSED = b"%PDF-1.4 Telltale-H3X8 assessment of the disposed family"
KEPT = b"%PDF-1.4 Telltale-P5M1 plan of the family still being helped"

# Run in the restored database: each document read as the download page reads it, with the file store as it was
# when the backup was taken and the key store as it is now.
READ_EVERY_DOCUMENT = """
import json
from django.core.files.storage import FileSystemStorage
from earlyhelp.casework.models import Document
from earlyhelp.keys import sealed
old_files = FileSystemStorage(location={files!r})
found = {{}}
for document in Document.objects.select_related("episode"):
    try:
        found[document.title] = sealed.read_stored(old_files, document.file.name).decode()
    except sealed.KeyUnavailable as unreadable:
        found[document.title] = "unreadable: " + str(unreadable)
print(json.dumps(found))
"""


@pytest.fixture
def file_store(settings, tmp_path):
    """Stored files on disk, as in production, so the store can be copied like a backup of it."""
    settings.MEDIA_ROOT = tmp_path / "documents"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return settings.MEDIA_ROOT


def _with_document(world, family, title, content):
    return casework.upload_document(by=world.lead, episode=family["episode"], title=title,
                                    upload=SimpleUploadedFile("file.pdf", content, "application/pdf"))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_after_a_disposal_cannot_read_the_disposed_familys_documents(
        world, loaded, file_store, tmp_path, empty_database):  # noqa: F811
    disposed = make_family(world, family_name="Shredfamily", lead=world.lead, seed=301)
    kept = make_family(world, family_name="Keptfamily", lead=world.lead, seed=302)
    disposed_document = _with_document(world, disposed, "Disposed family's assessment", DISPOSED)
    _with_document(world, kept, "Kept family's plan", KEPT)
    close_family(world, disposed)  # due six years on; the other family is still being helped

    # The nightly backups: the database, and a copy of the file store.
    backup = backups.backup(tmp_path / "backups" / "before-disposal.backup")
    files_then = tmp_path / "backups" / "documents-before-disposal"
    shutil.copytree(file_store, files_then)
    raw_copies = b"".join(p.read_bytes() for p in files_then.rglob("*") if p.is_file())
    assert b"Telltale" not in raw_copies and b"%PDF" not in raw_copies  # the copy holds ciphertext only

    # Disposal, through the sweep, a person's approval and the disposal service.
    sweep.run_sweep(today=CASE_DUE)
    batch = DisposalBatch.objects.get(rule_code="CASE+6")
    assert batch.families_proposed == 1
    batch = disposal.decide_batch(by=world.dpo, batch=batch, approve=True, reason="Six years since the case closed")
    certificate = disposal.dispose_batch(by=world.dpo, batch=batch, today=CASE_DUE)
    assert certificate.families == 1 and not Household.objects.filter(pk=disposed["household"].pk).exists()
    assert not default_storage.exists(disposed_document.file.name)
    assert not store.family_key_exists(disposed["household"].pk)
    assert store.family_key_exists(kept["household"].pk)

    # The old backup restored into a new database, read with the old copy of the files.
    restored = _manage(empty_database, "restore_database", str(backup))
    assert restored.returncode == 0, restored.stderr[-2000:]
    read = _manage(empty_database, "shell", "-c", READ_EVERY_DOCUMENT.format(files=str(files_then)))
    assert read.returncode == 0, read.stderr[-2000:]
    found = json.loads(read.stdout.strip().splitlines()[-1])
    assert found == {
        "Disposed family's assessment": f"unreadable: {store.FAMILY_DESTROYED}",
        "Kept family's plan": KEPT.decode(),
    }


def _raw(document) -> bytes:
    with default_storage.open(document.file.name, "rb") as stored:
        return stored.read()


@pytest.mark.promise("P19")
def test_an_erasure_destroys_the_keys_of_the_documents_it_removes_and_no_others(world,
                                                                               django_capture_on_commit_callbacks):
    family = make_family(world, family_name="Erasefamily", lead=world.lead, seed=303)
    erased = _with_document(world, family, "Letter about the child", DISPOSED)
    kept = _with_document(world, family, "Family plan", KEPT)
    erased_copy, kept_copy = _raw(erased), _raw(kept)  # a backup of the file store
    subject = family["members"][2]
    request = everywhere.rights_request(world, subject, RequestKind.ERASURE)
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_person(person=subject, request=request, approved_by=world.dpo, documents=[erased])
    with pytest.raises(sealed.KeyDestroyed, match="it was erased"):
        sealed.plaintext(erased_copy)
    assert sealed.plaintext(kept_copy) == KEPT  # the family's other documents stay
    assert sealed.read_stored(default_storage, kept.file.name) == KEPT
    assert AuditEvent.objects.filter(event="file_key.destroy", household_id=family["household"].pk).count() == 1


def test_anonymising_a_family_destroys_its_key_with_its_stored_files(world, django_capture_on_commit_callbacks):
    family = make_family(world, family_name="Anonfamily", lead=world.lead, seed=304)
    copy = _raw(_with_document(world, family, "Assessment", DISPOSED))
    with django_capture_on_commit_callbacks(execute=True):
        erasure.anonymise_households([family["household"].pk], by=world.dpo, reason="Retention rule, test")
    with pytest.raises(sealed.KeyDestroyed, match="its family's records were destroyed"):
        sealed.plaintext(copy)
    assert AuditEvent.objects.filter(event="family_key.destroy", household_id=family["household"].pk).exists()


@pytest.mark.promise("P20")
def test_disposal_of_a_held_family_leaves_its_key(world, django_capture_on_commit_callbacks):
    family = make_family(world, family_name="Heldfamily", lead=world.lead, seed=305)
    copy = _raw(_with_document(world, family, "Assessment", DISPOSED))
    holds.place_hold(by=world.dpo, kind=HoldKind.IICSA, scope=HoldScope.HOUSEHOLD, reason="Inquiry",
                     household_reference=family["household"].reference)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="legal hold"):
        erasure.dispose_households([family["household"].pk], by=world.dpo, reason="Retention rule, test")
    assert sealed.plaintext(copy) == DISPOSED and store.family_key_exists(family["household"].pk)
