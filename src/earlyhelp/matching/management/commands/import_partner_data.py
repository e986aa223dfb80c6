"""Import a partner's file from the command line, checked and imported in this process (no worker needed)."""

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.matching import imports
from earlyhelp.matching.models import BatchStatus, DatasetType
from earlyhelp.organisations.models import Organisation
from earlyhelp.privacy.models import DataSharingAgreement, ProcessingPurpose


class Command(BaseCommand):
    help = ("Check a partner's CSV or Excel (XLSX) file against its dataset's schema and import it whole, or print "
            "its problems (row, column, problem) and import nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the partner's .csv or .xlsx file")
        parser.add_argument("--dataset", required=True, help=f"one of: {', '.join(DatasetType.values)}")
        parser.add_argument("--organisation", required=True, help="the partner's id, or its reference (URN, ODS code)")
        parser.add_argument("--received", required=True, help="the day the partner sent it, like 2026-11-01")
        parser.add_argument("--agreement", required=True,
                            help="the data-sharing agreement's reference, as in the DPO's register")
        parser.add_argument("--purpose", default="data_matching", help="the processing register's purpose code")
        parser.add_argument("--user", required=True, help="the data team member importing it (username)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError("There is no file at the path given")
        if options["dataset"] not in DatasetType.values:
            raise CommandError(f"--dataset must be one of: {', '.join(DatasetType.values)}")
        try:
            batch = imports.import_file(
                by=_user(options["user"]), dataset_type=options["dataset"],
                source_organisation=_organisation(options["organisation"]), received_on=_date(options["received"]),
                purpose=_purpose(options["purpose"]), agreement=_agreement(options["agreement"]),
                file_name=path.name, content=path.read_bytes(), on_progress=self._progress)
        except PermissionDenied as error:
            raise CommandError("Only a member of the data team may import partner data") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if batch.status == BatchStatus.IMPORTED:
            self.stdout.write(self.style.SUCCESS(f"Imported {batch.total_rows:,} rows as {batch.reference}"))
            return
        for problem in batch.errors:
            self.stderr.write(f"Row {problem['row']}, {problem['column'] or 'the whole file'}: {problem['problem']}")
        hidden = batch.error_count - len(batch.errors)
        if hidden:
            self.stderr.write(f"And {hidden:,} more problems not listed")
        raise CommandError(f"{batch.reference} rejected with {batch.error_count:,} "
                           f"problem{'s' if batch.error_count != 1 else ''}: nothing was imported")

    def _progress(self, processed: int, total: int):
        self.stdout.write(f"Checked {processed:,} of {total:,} rows")


def _agreement(reference: str):
    agreement = DataSharingAgreement.objects.filter(reference__iexact=reference.strip()).first()
    if agreement is None:
        raise CommandError("There is no data-sharing agreement with that reference in the register")
    return agreement


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError("There is no user with that username")
    return user


def _organisation(identifier: str) -> Organisation:
    found = list(Organisation.objects.filter(pk=int(identifier)) if identifier.isdigit() and len(identifier) < 19 else [])
    found = found or list(Organisation.objects.filter(reference=identifier)[:2])
    if not found:
        raise CommandError("No partner organisation has that id or reference")
    if len(found) > 1:
        raise CommandError("More than one organisation has that reference: give its id instead")
    return found[0]


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError("--received must be a date like 2026-11-01") from None


def _purpose(code: str) -> ProcessingPurpose:
    purpose = ProcessingPurpose.objects.filter(code=code).first()
    if purpose is None:
        raise CommandError("There is no purpose with that code in the processing register")
    return purpose
