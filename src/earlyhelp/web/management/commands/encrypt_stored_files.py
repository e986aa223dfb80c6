from django.core.management.base import BaseCommand

from earlyhelp.casework.services.notes import seal_stored_documents
from earlyhelp.matching.imports import seal_waiting_files


class Command(BaseCommand):
    help = ("Encrypt the documents and waiting partner files stored before stored files were encrypted, each under a "
            "key of its own in EARLYHELP_FAMILY_KEY_DIR (crypto-shredding). Run once after the upgrade; running it "
            "again changes nothing.")

    def handle(self, *args, **options):
        for kind, counts in (("Documents", seal_stored_documents()), ("Partner files waiting", seal_waiting_files())):
            self.stdout.write(f"{kind}: " + ", ".join(f"{count} {what}" for what, count in counts.items()))
