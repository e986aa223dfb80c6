from django.core.management.base import BaseCommand, CommandError

from earlyhelp.retention import backups


class Command(BaseCommand):
    help = ("Back up the database to a new file (PostgreSQL: pg_dump's custom format; SQLite: an online backup). "
            "Keys are not in it, by design: see docs/operations.md.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write (must not exist)")

    def handle(self, *args, file, **options):
        try:
            written = backups.backup(file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {written}."))
