from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.audit import anchors, appends, services


class Command(BaseCommand):
    help = (
        "Write the audit chain's head, signed with the chain key, to the anchor file outside the database "
        "(EARLYHELP_AUDIT_ANCHOR_FILE). Audited changes write one every few minutes; schedule this as well (every "
        "15 minutes, say) so quiet hours are anchored too. Refuses if the chain's end no longer matches the newest "
        "anchor, so that a cut is never anchored over. Chains any staged event whose writer stopped first."
    )

    def handle(self, *args, **options):
        problem = services.anchor_problem()
        if problem:
            raise CommandError(f"Not anchoring: {problem}")
        chained = appends.chain_waiting()
        if chained:
            self.stdout.write(f"Chained {chained} staged event{'s' if chained != 1 else ''} whose writer had stopped.")
        try:
            anchor = anchors.write(*services.head())
        except OSError as error:
            raise CommandError(f"Could not write {settings.EARLYHELP_AUDIT_ANCHOR_FILE}: {error.strerror}") from error
        self.stdout.write(self.style.SUCCESS(f"Anchored #{anchor.sequence} in {settings.EARLYHELP_AUDIT_ANCHOR_FILE}."))
