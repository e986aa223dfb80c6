from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from earlyhelp.audit import anchors, appends, services


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain and name the first altered, deleted or inserted event, then check the "
        "newest anchor written outside the database (EARLYHELP_AUDIT_ANCHOR_FILE), which catches events removed "
        "from the end, and that no staged event has been left waiting to be chained. --checkpoint checks a head "
        "printed by an earlier run as well."
    )

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", metavar="SEQUENCE:HASH",
                            help="a head printed by an earlier run, which must still be in the chain unchanged")

    def handle(self, *args, checkpoint=None, **options):
        checked, problem = services.verify_chain()
        if problem:
            raise CommandError(f"Audit chain broken after {checked} good events: {problem}")
        problem = services.anchor_problem() or services.missing_anchor_problem()
        if problem:
            raise CommandError(f"Audit chain's end does not match its anchor: {problem}")
        waiting = appends.waiting_too_long()
        if waiting:
            raise CommandError(
                f"{waiting} audit event{' has' if waiting == 1 else 's have'} waited more than "
                f"{appends.STAGED_WAIT_LIMIT.seconds // 60} minutes to be chained: the writer stopped after its change "
                "committed. Run anchor_audit_chain to chain them, and see the log for why the writer stopped.")
        if checkpoint:
            try:
                sequence, expected = checkpoint.split(":", 1)
                sequence = int(sequence)
            except ValueError as error:
                raise CommandError("--checkpoint must look like 1234:<64 hex characters>") from error
            if not services.matches_checkpoint(sequence, expected):
                raise CommandError(f"Audit chain does not contain checkpoint event #{sequence} with the recorded "
                                   "hash: events were removed from the end or the chain was rewritten.")
        sequence, head_hash = services.head()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
        anchor = anchors.newest()
        if anchor is None:
            self.stdout.write(f"No anchor yet in {settings.EARLYHELP_AUDIT_ANCHOR_FILE}: run anchor_audit_chain.")
        else:
            self.stdout.write(f"Newest anchor: #{anchor.sequence}, written {anchor.written_at:%Y-%m-%d %H:%M} UTC, "
                              "still in the chain.")
        self.stdout.write(f"Head: {sequence}:{head_hash}")
