from django.core.management.base import BaseCommand, CommandError

from earlyhelp.retention import backups


class Command(BaseCommand):
    help = ("Restore a backup made by backup_database into the configured database, which must be empty; then run "
            "verify_audit_chain.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")

    def handle(self, *args, file, **options):
        try:
            backups.restore(file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Restored. Now run: manage.py verify_audit_chain"))
