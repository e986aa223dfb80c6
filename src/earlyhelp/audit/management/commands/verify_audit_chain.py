from django.core.management.base import BaseCommand, CommandError

from earlyhelp.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name the first altered, deleted or inserted event."

    def handle(self, *args, **options):
        checked, problem = verify_chain()
        if problem:
            raise CommandError(f"Audit chain broken after {checked} good events: {problem}")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
