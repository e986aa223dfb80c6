"""Files about many families sent outside the council: written privately, logged with a manifest, collected once.

A National Impact Study transfer and a research extract both go through here:

- `write_csv` writes the rows into `settings.EARLYHELP_EXPORT_DIR` (never under MEDIA_ROOT or STATIC_ROOT: nothing
  serves that directory), under a random name, readable by the service's user only (0600);
- `record_dataset` logs the file as a `privacy.DatasetDisclosure` (purpose, recipient, period, columns, row count,
  SHA-256 of the exact bytes) linked to every family in it, so each family's disclosure log and subject access
  pack show it (P17), and keeps an `ExportFile` for collection;
- `collect` hands the file over once: the file is opened, then removed from the disk, and the open handle is
  streamed, so no second copy can be downloaded; a lost download means a new transfer, logged again;
- `purge` (nightly) removes files not collected before they expired, and any file with no live record (for
  example after an erasure took its record away).
"""

import csv
import datetime
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action
from earlyhelp.privacy.models import DatasetDisclosure, ProcessingPurpose
from earlyhelp.records.text import neutralise_cell

from ..models import ExportFile

SUFFIX = ".csv"
ORPHAN_GRACE = datetime.timedelta(hours=1)


def private_dir(path: Path) -> Path:
    """The directory, created if missing, open to the service's user only."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def export_dir() -> Path:
    return private_dir(settings.EARLYHELP_EXPORT_DIR)


def require_returns(by, purpose: str):
    """Only the data team makes returns and extracts (the permission table's MAKE_RETURNS)."""
    if not policy.has_permission(by, policy.Permission.MAKE_RETURNS):
        raise PermissionDenied("You cannot send data outside the council")


def safe_cell(value) -> str:
    """A value as text, never read as a formula by a spreadsheet (`records.text.neutralise_cell`)."""
    return "" if value is None else str(neutralise_cell(value))


@dataclass
class WrittenFile:
    stored_name: str
    row_count: int
    sha256: str
    household_ids: set

    @property
    def path(self) -> Path:
        return export_dir() / self.stored_name

    def remove(self):
        self.path.unlink(missing_ok=True)


def write_csv(columns, rows) -> WrittenFile:
    """Write a header and `rows` ((household_id, [values in column order]) pairs, from an iterator) to a new
    private file; return its name, row count, SHA-256 of its bytes and the families it holds. The rows are
    written as they come, so a large file never sits in memory."""
    stored_name = secrets.token_hex(20) + SUFFIX
    path = export_dir() / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    digest, households, count = hashlib.sha256(), set(), 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(list(columns))
            for household_id, values in rows:
                writer.writerow([safe_cell(v) for v in values])
                households.add(household_id)
                count += 1
        with open(path, "rb") as written:
            for block in iter(lambda: written.read(1 << 20), b""):
                digest.update(block)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return WrittenFile(stored_name=stored_name, row_count=count, sha256=digest.hexdigest(), household_ids=households)


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_dataset(*, by, written: WrittenFile, kind: str, purpose: ProcessingPurpose, recipient: str,
                   recipient_name: str, period_start, period_end, columns, file_name: str, pseudonymised: bool,
                   reference: str = "") -> DatasetDisclosure:
    """Log the file (inside the caller's transaction) and keep it for collection. If that transaction is rolled
    back later, the file has no live record and the nightly `purge` removes it."""
    now = timezone.now()
    disclosure = DatasetDisclosure.objects.create(
        kind=kind, purpose=purpose, recipient=recipient, recipient_name=recipient_name, period_start=period_start,
        period_end=period_end, columns=list(columns), row_count=written.row_count, file_name=file_name,
        file_sha256=written.sha256, pseudonymised=pseudonymised, reference=reference, decided_by=by, decided_at=now)
    through = DatasetDisclosure.households.through
    links = [through(datasetdisclosure_id=disclosure.pk, household_id=h) for h in sorted(written.household_ids)]
    through.objects.bulk_create(links, batch_size=5000)
    ExportFile.objects.create(disclosure=disclosure, stored_name=written.stored_name, created_at=now,
                              expires_at=now + datetime.timedelta(hours=settings.EARLYHELP_EXPORT_HOURS))
    return disclosure


def datasets(kind: str, reference: str | None = None):
    """The logged files of one kind (and one research project), newest first."""
    found = DatasetDisclosure.objects.filter(kind=kind).select_related("purpose", "decided_by", "export_file")
    return found.filter(reference=reference) if reference is not None else found


def manifest(disclosure: DatasetDisclosure) -> dict:
    """What was sent, as the recipient and the family can check it: no personal data, only the description."""
    return {
        "kind": disclosure.kind,
        "kind_label": disclosure.get_kind_display(),
        "purpose": disclosure.purpose.code,
        "purpose_name": disclosure.purpose.name,
        "lawful_basis": {"article_6": disclosure.purpose.article_6, "article_9": disclosure.purpose.article_9},
        "recipient": disclosure.recipient,
        "recipient_name": disclosure.recipient_name,
        "period_start": disclosure.period_start.isoformat(),
        "period_end": disclosure.period_end.isoformat(),
        "columns": list(disclosure.columns),
        "row_count": disclosure.row_count,
        "families": disclosure.households.count(),
        "file_name": disclosure.file_name,
        "file_sha256": disclosure.file_sha256,
        "pseudonymised": disclosure.pseudonymised,
        "reference": disclosure.reference,
        "decided_at": disclosure.decided_at.isoformat(),
        "decided_by_id": disclosure.decided_by_id,
    }


@transaction.atomic
def collect(*, by, disclosure: DatasetDisclosure, purpose: str):
    """Hand the file over, once: returns an open binary handle to stream. The file leaves the disk now."""
    require_returns(by, purpose)
    export = ExportFile.objects.select_for_update().filter(disclosure=disclosure).first()
    if export is None or export.removed_at is not None or export.expires_at <= timezone.now():
        raise ValidationError("This file has already been downloaded or has expired. Make a new one: it will be "
                              "logged as a new disclosure")
    path = export_dir() / export.stored_name
    try:
        handle = open(path, "rb")  # noqa: SIM115 (streamed by the response, which closes it)
    except FileNotFoundError:
        export.removed_at = timezone.now()
        export.save(update_fields=["removed_at"])
        raise ValidationError("This file is no longer available. Make a new one: it will be logged as a new "
                              "disclosure") from None
    path.unlink()  # the open handle still reads the bytes; nobody can open the file again
    now = timezone.now()
    export.downloaded_at, export.downloaded_by, export.removed_at = now, by, now
    export.save(update_fields=["downloaded_at", "downloaded_by", "removed_at"])
    audit.record(actor=by, action=Action.EXPORT, event="dataset_disclosure.download", purpose=purpose,
                 objects=[disclosure], metadata={"kind": disclosure.kind, "rows": disclosure.row_count})
    return handle


def purge(*, now=None) -> int:
    """Remove files not collected in time, and files with no live record. Returns how many files went."""
    now = now or timezone.now()
    directory = export_dir()
    removed = 0
    expired = ExportFile.objects.filter(removed_at__isnull=True, expires_at__lte=now)
    for export in expired:
        (directory / export.stored_name).unlink(missing_ok=True)
        export.removed_at = now
        export.save(update_fields=["removed_at"])
        removed += 1
    live = set(ExportFile.objects.filter(removed_at__isnull=True).values_list("stored_name", flat=True))
    settled = (now - ORPHAN_GRACE).timestamp()  # a file being written now has no record yet
    for path in directory.glob(f"*{SUFFIX}"):
        if path.name not in live and path.stat().st_mtime < settled:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
