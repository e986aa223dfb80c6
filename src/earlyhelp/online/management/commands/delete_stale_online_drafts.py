from django.core.management.base import BaseCommand

from earlyhelp.online import services


class Command(BaseCommand):
    help = ("Delete online requests never sent (EARLYHELP_PUBLIC_DRAFT_DAYS after their last answer) and those the "
            "front door closed without a contact (EARLYHELP_PUBLIC_CLOSED_DAYS after closing). Schedule nightly.")

    def handle(self, *args, **options):
        count = services.delete_stale_drafts()
        self.stdout.write(f"Deleted {count} online request(s) never sent or closed.")
