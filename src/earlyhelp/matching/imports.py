"""Partner dataset imports: a file is checked row by row against its dataset's schema, then imported whole or not
at all.

    batch = start_import(by=user, dataset_type=..., ..., file_name="asb.csv", content=b"...")  # queued
    run_import(batch.pk)  # the background worker (`tasks.import_task`): rejected with its errors, or imported

`start_import` checks what can be checked at once (who, which dataset, the file's kind and size, the same file
twice), keeps the bytes in the default storage under a random name, sealed under a key of their own
(`earlyhelp.keys`), and queues the check. `run_import` reads the
file twice: once to check every row (progress committed as it goes), and, only when nothing is wrong, again to
insert every row in one transaction. The stored file and its key are deleted at the end, whatever happened.

No value from the file ever reaches an error message, a log line or an exception: problems name the row (as
the partner sees it, the header being row 1) and the column, and say what is wrong.
"""

import codecs
import csv
import dataclasses
import datetime
import hashlib
import io
import logging
import re
import secrets
import warnings
import zipfile
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from earlyhelp import jobs
from earlyhelp.access import policy
from earlyhelp.audit import services as audit
from earlyhelp.audit.models import Action, Purpose
from earlyhelp.keys import sealed as keys
from earlyhelp.keys import services as key_services
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.governance import agreements
from earlyhelp.privacy.models import DataSharingAgreement, ProcessingPurpose
from earlyhelp.records.text import CONTROL_CHARACTERS

from . import messages, schemas, workbooks
from .models import BatchStatus, FileFormat, ImportBatch, SourceRecord

logger = logging.getLogger(__name__)

PURPOSE = Purpose.DATA_MATCHING
HEADER_ROW = 1  # file-level problems are reported against the header row
MAX_STORED_ERRORS = 1_000  # the report keeps this many; `error_count` stays exact
PROGRESS_EVERY = 500  # rows between progress updates
INSERT_CHUNK = 2_000  # rows per bulk insert
STORAGE_FOLDER = "matching/imports"
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_RATIO = 20  # a workbook may unpack to this many times the upload limit; more is a zip bomb
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and password-protected .xlsx

GENERIC_PROBLEM = "Something went wrong while checking the file, so nothing was imported: try again, and if it " \
                  "happens again tell the system administrator"
MISSING_FILE = "The uploaded file could not be found, so nothing was imported: upload it again"
NO_ROWS = "The file has a header but no rows under it"


def max_upload_bytes() -> int:
    return int(getattr(settings, "MATCHING_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


# --- Starting an import ----------------------------------------------------------------------------------------

def start_import(*, by, dataset_type: str, source_organisation: Organisation, received_on: datetime.date,
                 purpose: ProcessingPurpose, agreement: DataSharingAgreement | None, file_name: str,
                 content: bytes) -> ImportBatch:
    """Check the request, keep the file and queue its check (`tasks.import_task`); returns the queued batch.

    Raises PermissionDenied for anyone outside the data team, and ValidationError({field: message}) for a
    request that cannot be imported: the fields are the import form's.
    """
    batch = _queue_batch(by=by, dataset_type=dataset_type, source_organisation=source_organisation,
                         received_on=received_on, purpose=purpose,
                         agreement=agreement, file_name=file_name,
                         content=content)
    _enqueue(batch)
    batch.refresh_from_db()
    return batch


def _enqueue(batch) -> None:
    """The batch's check, for the worker: queued when the file arrives, and again if its worker died."""
    from .tasks import import_task  # tasks imports this module for run_import: at the top it would be circular

    import_task.enqueue(batch_id=batch.pk)


def import_file(*, by, dataset_type: str, source_organisation: Organisation, received_on: datetime.date,
                purpose: ProcessingPurpose, agreement: DataSharingAgreement | None, file_name: str, content: bytes,
                on_progress: Callable[[int, int], None] | None = None) -> ImportBatch:
    """`start_import` and `run_import` in this process, for the management command; returns the finished batch."""
    batch = _queue_batch(by=by, dataset_type=dataset_type, source_organisation=source_organisation,
                         received_on=received_on, purpose=purpose,
                         agreement=agreement, file_name=file_name,
                         content=content)
    return run_import(batch.pk, on_progress=on_progress)


STALE_AFTER = datetime.timedelta(hours=2)  # waiting that long, a queued batch's task was lost
INTERRUPTED = "The check was interrupted before it finished: upload the file again"
CANCELLED = "The check was cancelled before it finished, so nothing was imported"
NOT_CANCELLABLE = "This file has already been checked: there is nothing to cancel"


def end_stale_batches() -> jobs.Ended:
    """Batches whose worker died (checking, with no heartbeat for `jobs.dead_since`), or whose task was lost
    (queued for two hours): rejected (nothing was imported, as the insert is one transaction) with their stored
    files deleted at once, so they neither wait for ever nor keep the data; or, a dead one whose kind the council
    queues again (`jobs.requeues`), checked again from the start, keeping its file for that. Call it outside any
    transaction: a batch queued again is enqueued once its new state is committed."""
    stale = ImportBatch.objects.filter(Q(status=BatchStatus.VALIDATING, updated_at__lt=jobs.dead_since())
                                       | Q(status=BatchStatus.QUEUED, updated_at__lt=timezone.now() - STALE_AFTER))
    failed = requeued = 0
    for batch in stale:
        if batch.status == BatchStatus.VALIDATING and jobs.requeues(jobs.IMPORTS, requeued_at=batch.requeued_at):
            requeued += _requeue_batch(batch)
        else:
            failed += _end_batch(batch)
    return jobs.Ended(failed=failed, requeued=requeued)


def _end_batch(batch) -> int:
    _delete_stored_file(batch, batch.stored_file)
    return ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
        status=BatchStatus.REJECTED, stored_file="", error_count=1, finished_at=timezone.now(),
        errors=[{"row": 1, "column": "", "problem": INTERRUPTED}])


def _requeue_batch(batch) -> int:
    """Its check queued again (`jobs.requeue`), its progress reset."""
    return jobs.requeue(ImportBatch, batch.pk, running=BatchStatus.VALIDATING, queued=BatchStatus.QUEUED,
                        reset={"total_rows": 0, "processed_rows": 0}, enqueue=lambda: _enqueue(batch))


def cancel_import(*, by, batch: ImportBatch) -> ImportBatch:
    """Stop a batch waiting or being checked: rejected as cancelled, its stored file deleted at once. A check under
    way notices at its next step (`jobs.Cancelled`) and writes nothing more."""
    if not policy.has_permission(by, policy.Permission.DO_DATA_MATCHING):
        raise PermissionDenied("Only the data team may cancel an import")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (BatchStatus.QUEUED, BatchStatus.VALIDATING):
            raise ValidationError(NOT_CANCELLABLE)
        stored = locked.stored_file
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.REJECTED, stored_file="", error_count=1, finished_at=timezone.now(),
            errors=[{"row": HEADER_ROW, "column": "", "problem": CANCELLED}])
        audit.record(actor=by, action=Action.CHANGE, event="import_batch.cancel", purpose=PURPOSE, objects=[batch],
                     metadata={"was": locked.status})
    _delete_stored_file(batch, stored)
    batch.refresh_from_db()
    return batch


def _queue_batch(*, by, dataset_type, source_organisation, received_on, purpose, agreement,
                 file_name, content) -> ImportBatch:
    if not policy.has_permission(by, policy.Permission.DO_DATA_MATCHING):
        raise PermissionDenied("Only the data team may import partner data")
    end_stale_batches()
    problems = _request_problems(dataset_type=dataset_type, source_organisation=source_organisation,
                                 received_on=received_on, purpose=purpose)
    if not isinstance(agreement, DataSharingAgreement):
        problems["agreement"] = agreements.CHOOSE_AGREEMENT
    elif not problems:  # the agreement is checked against a partner, purpose and date that are right themselves
        code, problem = agreements.import_problem(agreement, organisation=source_organisation, purpose=purpose,
                                                  received_on=received_on)
        if code:
            # The file did not arrive under the agreement cited: refused, audited (outside any transaction, so the
            # event stays), and nothing is stored.
            agreements.record_refusal(by=by, agreement=agreement, code=code, use="import", purpose=PURPOSE)
            problems["agreement"] = problem
    file_format, file_problem = _file_format(file_name, content)
    if file_problem:
        problems["file"] = file_problem
    if problems:
        raise ValidationError(problems)
    fingerprint = _sha256(content)
    if earlier := _same_file(fingerprint):
        raise ValidationError({"file": earlier})
    # Sealed under a key of its own (`earlyhelp.keys`), destroyed with the stored file after the check.
    stored = default_storage.save(f"{STORAGE_FOLDER}/{secrets.token_hex(16)}.{file_format}",
                                  ContentFile(keys.seal_partner_file(content)))
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                dataset_type=dataset_type, source_organisation=source_organisation, received_on=received_on,
                purpose=purpose, agreement=agreement, sharing_agreement_reference=agreement.reference,
                file_name=_tidy_file_name(file_name),
                file_format=file_format, file_sha256=fingerprint, stored_file=stored, status=BatchStatus.QUEUED,
                imported_by=by)
            audit.record(actor=by, action=Action.CREATE, event="import_batch.queue", purpose=PURPOSE,
                         objects=[batch], metadata={"dataset_type": dataset_type, "file_format": file_format,
                                                    "bytes": len(content)})
    except BaseException:
        _delete_stored_file(None, stored)
        raise
    return batch


def _request_problems(*, dataset_type, source_organisation, received_on, purpose) -> dict[str, str]:
    problems = {}
    if schemas.schema_for(dataset_type) is None:
        problems["dataset_type"] = "This is not a dataset the council imports: choose one from the list"
    if not isinstance(source_organisation, Organisation):
        problems["source_organisation"] = messages.CHOOSE_PARTNER
    elif not source_organisation.is_active:
        problems["source_organisation"] = "This partner is no longer active: choose the partner that sent the file"
    elif source_organisation.type == OrganisationType.LOCAL_AUTHORITY:
        problems["source_organisation"] = "The council is not a partner: choose the partner that sent the file"
    if not isinstance(received_on, datetime.date):
        problems["received_on"] = "Enter the date the file was sent"
    elif received_on > timezone.localdate():
        problems["received_on"] = "The date the file was sent must be today or in the past"
    if not isinstance(purpose, ProcessingPurpose):
        problems["purpose"] = messages.CHOOSE_PURPOSE
    elif not purpose.is_active:
        problems["purpose"] = "This purpose is no longer in use in the processing register: choose another"
    return problems


def _file_format(file_name: str, content: bytes) -> tuple[str, str]:
    """The file's format, decided by its name and its content together, or a problem to show."""
    if not file_name or content is None:
        return "", messages.CHOOSE_FILE
    if not content:
        return "", messages.FILE_EMPTY
    limit = max_upload_bytes()
    if len(content) > limit:
        return "", f"The file must be smaller than {_size(limit)}"
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == "xlsx":
        if content.startswith(OLE_SIGNATURE):
            return "", ("The Excel file is password-protected or in an older format: remove the password, save it "
                        "as an Excel workbook (XLSX) and upload it again")
        if not content.startswith(ZIP_SIGNATURE):
            return "", ("The file's name ends in .xlsx but it is not an Excel workbook: save it from Excel as XLSX "
                        "or CSV and upload it again")
        return FileFormat.XLSX, ""
    if extension == "csv":
        if content.startswith((ZIP_SIGNATURE, OLE_SIGNATURE)):
            return "", ("The file's name ends in .csv but it is a spreadsheet: save it as CSV, or upload the Excel "
                        "workbook with its .xlsx name")
        if b"\x00" in content[:65536]:
            return "", "The file's name ends in .csv but it is not text: save it as CSV UTF-8 and upload it again"
        return FileFormat.CSV, ""
    if extension == "xls":
        return "", "Older Excel files (XLS) cannot be read: save it as an Excel workbook (XLSX) or CSV"
    return "", "The file must be a CSV or an Excel workbook (XLSX)"


def _same_file(fingerprint: str) -> str:
    """A problem if these exact bytes have been imported already. (Two uploads of one file checked at the same
    time are both let through here; `_insert` and the database's constraint let only one of them in.)"""
    earlier = ImportBatch.objects.filter(file_sha256=fingerprint, status=BatchStatus.IMPORTED).first()
    return f"This file has already been imported as {earlier.reference}" if earlier else ""


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _size(limit: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= size:
            return f"{limit / size:,.0f} {unit}"
    return f"{limit:,} bytes"


def _tidy_file_name(file_name: str) -> str:
    """The name without any folders, short enough to keep (the end kept: it has the extension)."""
    name = re.split(r"[\\/]", file_name)[-1].strip()
    return name if len(name) <= 200 else name[-200:]


# --- Reading the stored file -----------------------------------------------------------------------------------

class UnreadableFile(Exception):
    """The file cannot be read as a table; the message is safe to show (it holds nothing from the file). `row`: the
    row it is about, as the partner sees it (the header is row 1)."""

    def __init__(self, message: str, *, row: int = HEADER_ROW):
        super().__init__(message)
        self.row = row


class _CsvTable:
    """UTF-8 (with or without a byte order mark), or Windows-1252: Excel's plain "CSV" on UK Windows."""

    def __init__(self, content: bytes):
        content = content.removeprefix(codecs.BOM_UTF8)
        try:
            self.text = content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                self.text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise UnreadableFile("The file's characters cannot be read: save it as CSV UTF-8 and upload it "
                                     "again") from None
        if CONTROL_CHARACTERS.search(self.text):
            raise UnreadableFile("The file is not a CSV file: it holds characters that are not text")

    def rows(self) -> Iterator[list]:
        # A cell may be as long as the file: the column's own rule then says what is too long, by row and column.
        csv.field_size_limit(max(csv.field_size_limit(), max_upload_bytes()))
        row = 0
        try:
            for row, cells in enumerate(csv.reader(io.StringIO(self.text, newline=""), strict=True), start=1):
                yield cells
        except csv.Error as error:
            raise UnreadableFile(_csv_problem(str(error)), row=row + 1) from None

    def close(self):
        pass


def _csv_problem(error: str) -> str:
    """What the csv module's complaint means for the person who made the file (its text holds nothing from it)."""
    if "unexpected end of data" in error:
        return ("A quote mark (\") in this row is never closed, so the rest of the file reads as one cell: close it, "
                "or remove it")
    if "expected after" in error:
        return ("A quote mark (\") in this row is followed by more text in the same cell: a cell that starts with a "
                "quote mark must end with one, and quote marks inside it must be doubled (\"\")")
    return "This row cannot be read as CSV: check its quote marks and commas"


class _XlsxTable:
    """The first sheet of a workbook, read as it streams (openpyxl read-only)."""

    def __init__(self, content: bytes):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                workbooks.check(archive, max_unpacked=MAX_UNPACKED_RATIO * max_upload_bytes())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnreadableFile(workbooks.DAMAGED) from None
        except workbooks.Refused as refused:
            raise UnreadableFile(str(refused)) from None
        import openpyxl  # a second to import: only an Excel upload needs it, not every web worker

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it does not read
                self.workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken workbook; all mean "cannot be read"
            raise UnreadableFile(workbooks.DAMAGED) from None
        if not self.workbook.worksheets:
            self.close()
            raise UnreadableFile("The Excel workbook has no sheets")

    def rows(self) -> Iterator[list]:
        sheet = self.workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions; read every row and cell there is
        try:
            for cells in sheet.iter_rows(values_only=True):
                yield list(cells)
        except Exception:
            raise UnreadableFile(workbooks.DAMAGED) from None

    def close(self):
        self.workbook.close()


def _open_table(batch: ImportBatch):
    try:
        content = keys.read_stored(default_storage, batch.stored_file)
    except (FileNotFoundError, ValueError, keys.KeyUnavailable):
        raise UnreadableFile(MISSING_FILE) from None
    return _XlsxTable(content) if batch.file_format == FileFormat.XLSX else _CsvTable(content)


def _header_and_data_rows(table) -> tuple[list, Iterator[tuple[int, list]]]:
    """The header (row 1) and the data rows as (row number in the file, cells); blank rows are skipped."""
    rows = table.rows()
    header = next(rows, None)
    if header is None or schemas.is_blank_row(header):
        raise UnreadableFile("The file has no header row: the first row must name the columns")
    data = ((number, cells) for number, cells in enumerate(rows, start=HEADER_ROW + 1)
            if not schemas.is_blank_row(cells))
    return header, data


# --- Checking and importing ------------------------------------------------------------------------------------

@dataclasses.dataclass
class ErrorReport:
    """Problems as {row, column, problem}: the first MAX_STORED_ERRORS kept, all counted."""

    items: list = dataclasses.field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, problem: str):
        self.count += 1
        if len(self.items) < MAX_STORED_ERRORS:
            self.items.append({"row": row, "column": column, "problem": problem})


class _AlreadyImported(Exception):
    pass


def run_import(batch_id: int, *, on_progress: Callable[[int, int], None] | None = None) -> ImportBatch:
    """Check a queued batch's file and import it whole, or reject it with its error report; never raises for a
    bad file. `on_progress(processed, total)` is called as rows are checked. A batch no longer queued (the task
    ran twice) is returned as it is."""
    job = jobs.start(ImportBatch, batch_id, queued=BatchStatus.QUEUED, running=BatchStatus.VALIDATING)
    batch = ImportBatch.objects.select_related("imported_by").get(pk=batch_id)
    if job is None:
        return batch
    report, imported, cancelled, stored_file = ErrorReport(), False, False, batch.stored_file
    try:
        with jobs.heartbeat(job):
            table = _open_table(batch)
            try:
                header = _check(job, batch, table, report, on_progress)
                if not report.count:
                    with transaction.atomic():
                        job.still_mine()  # first: it holds the batch until the rows are in
                        _insert(batch, table, header)
                        _finish(job, batch, BatchStatus.IMPORTED, report)
                    imported = True
            finally:
                table.close()
    except jobs.Cancelled:
        cancelled = True
    except UnreadableFile as problem:
        report.add(problem.row, "", str(problem))
    except (_AlreadyImported, IntegrityError):  # IntegrityError: two uploads of one file finished together
        report.add(HEADER_ROW, "", _same_file(batch.file_sha256) or GENERIC_PROBLEM)
    except Exception as error:  # noqa: BLE001 (a batch must never be left half-done, or say what the file held)
        logger.error("Import %s failed: %s", batch.reference, type(error).__name__)
        report.add(HEADER_ROW, "", GENERIC_PROBLEM)
    if not imported and not cancelled:
        try:
            with transaction.atomic():
                _finish(job, batch, BatchStatus.REJECTED, report)
        except jobs.Cancelled:
            cancelled = True  # cancelled while its outcome was being written: the cancellation stands
    # A check that stopped leaves the file to whoever took the batch from it: cancelling and ending it as dead
    # delete the file themselves, and a check queued again (a frozen worker's, waking) needs it.
    if not cancelled:
        _delete_stored_file(batch, stored_file)
    batch.refresh_from_db()
    return batch


def _check(job: jobs.Run, batch, table, report: ErrorReport, on_progress) -> schemas.HeaderMatch:
    """Check the header, then every row; counts rows first so that progress can be shown."""
    header_cells, data = _header_and_data_rows(table)
    header = schemas.match_header(schemas.schema_for(batch.dataset_type), header_cells)
    for column, problem in header.problems:
        report.add(HEADER_ROW, column, problem)
    if report.count:
        return header  # the rows cannot be read against the wrong columns
    total = sum(1 for _ in data)
    if not total:
        report.add(HEADER_ROW, "", NO_ROWS)
        return header
    _progress(job, batch, total=total, processed=0, on_progress=on_progress)
    first_row_of = {}  # source record ID → the row it was first seen on
    processed = 0
    for row_number, cells in _header_and_data_rows(table)[1]:
        cleaned, problems = schemas.read_row(header, cells)
        record_id = cleaned.get("source_record_id")
        if record_id is not None:
            if record_id in first_row_of:
                problems.append(("source_record_id", f"Row {first_row_of[record_id]} has the same source record "
                                                     "ID: each row must have its own"))
            else:
                first_row_of[record_id] = row_number
        for column, problem in problems:
            report.add(row_number, column, problem)
        processed += 1
        if processed % PROGRESS_EVERY == 0 and processed < total:
            _progress(job, batch, total=total, processed=processed, on_progress=on_progress)
    _progress(job, batch, total=total, processed=processed, on_progress=on_progress)
    return header


def _progress(job: jobs.Run, batch, *, total: int, processed: int, on_progress):
    """Its own small update, committed at once, so that the batch's page can show how far the check has got."""
    batch.total_rows, batch.processed_rows = total, processed
    job.update(total_rows=total, processed_rows=processed)  # Cancelled if the batch is no longer this check's
    if on_progress is not None:
        on_progress(processed, total)


def _insert(batch, table, header: schemas.HeaderMatch):
    """Every row as a SourceRecord, in chunks; the caller's transaction makes it all or nothing. The file is read
    again rather than held in memory: a 50 MB file's rows as objects would take gigabytes."""
    if ImportBatch.objects.filter(file_sha256=batch.file_sha256, status=BatchStatus.IMPORTED).exists():
        raise _AlreadyImported
    chunk = []
    for row_number, cells in _header_and_data_rows(table)[1]:
        cleaned, problems = schemas.read_row(header, cells)
        if problems:  # checked a moment ago; a row that now fails means the rules changed under us
            raise RuntimeError("A row failed its check on the second reading")
        chunk.append(_source_record(batch, row_number, header.schema, cleaned))
        if len(chunk) >= INSERT_CHUNK:
            SourceRecord.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        SourceRecord.objects.bulk_create(chunk)


def _source_record(batch, row_number: int, schema: schemas.DatasetSchema, cleaned: dict) -> SourceRecord:
    person = {name: cleaned.get(name) for name in schemas.PERSON_FIELDS}
    person = {name: value if value is not None or name == "date_of_birth" else "" for name, value in person.items()}
    facts = {column.name: schemas.fact_value(cleaned.get(column.name)) for column in schema.fact_columns}
    return SourceRecord(batch=batch, row_number=row_number, facts=facts, **person)


def _finish(job: jobs.Run, batch, status: str, report: ErrorReport):
    """Record the outcome (counts only in the audit trail), if the batch is still this check's. Inside the caller's
    transaction."""
    job.update(status=status, errors=report.items, error_count=report.count, stored_file="",
               finished_at=timezone.now(), total_rows=batch.total_rows, processed_rows=batch.processed_rows)
    batch.refresh_from_db()
    imported = status == BatchStatus.IMPORTED
    audit.record(actor=batch.imported_by, action=Action.CREATE if imported else Action.CHANGE,
                 event="import_batch.imported" if imported else "import_batch.rejected", purpose=PURPOSE,
                 objects=[batch], metadata={"dataset_type": batch.dataset_type, "rows": batch.total_rows,
                                            "imported": batch.total_rows if imported else 0,
                                            "errors": report.count})


def seal_waiting_files() -> dict[str, int]:
    """Seal the stored files of batches still waiting for their check that were kept before stored files were
    encrypted (`manage.py encrypt_stored_files`, at the upgrade). A file being checked now is left: it is deleted
    when its check ends, within the hour. Returns counts."""
    counts = {"sealed": 0, "already sealed": 0, "missing": 0}
    for pk in ImportBatch.objects.filter(status=BatchStatus.QUEUED).exclude(stored_file="").values_list("pk", flat=True):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().filter(pk=pk, status=BatchStatus.QUEUED).first()
            if batch is None or not batch.stored_file:
                continue
            content = keys.content_to_seal(default_storage, batch.stored_file, counts)
            if content is None:
                continue
            old = batch.stored_file
            new = default_storage.save(f"{STORAGE_FOLDER}/{secrets.token_hex(16)}.{batch.file_format}",
                                       ContentFile(keys.seal_partner_file(content)))
            ImportBatch.objects.filter(pk=pk).update(stored_file=new)
            transaction.on_commit(lambda old=old: default_storage.delete(old))
            counts["sealed"] += 1
    return counts


def _delete_stored_file(batch, stored_file: str):
    """The stored file and its key: the key first, so a file that cannot be deleted can no longer be read."""
    if not stored_file:
        return
    try:
        key_id = keys.stored_key_id(default_storage, stored_file)
        if key_id is not None:
            key_services.destroy_partner_file_key(key_id)
        default_storage.delete(stored_file)
    except Exception as error:  # noqa: BLE001 (the outcome still has to be recorded)
        logger.error("Import %s: the stored file could not be deleted: %s", batch.reference if batch else "(new)",
                     type(error).__name__)
