"""Load the synthetic demo council (`make demo` runs this every time: it skips when already loaded)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from earlyhelp.audit.models import AuditEvent
from earlyhelp.demo import generator
from earlyhelp.demo.matching import load_demo_matching
from earlyhelp.organisations.models import Organisation, User
from earlyhelp.people.models import Household


class Command(BaseCommand):
    help = ("Load a synthetic council (teams, partners, practitioners of every role, families at every stage) "
            "for demonstrations. Everything in it is invented.")

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=generator.DEFAULT_FAMILIES,
                            help=f"How many families (default {generator.DEFAULT_FAMILIES:,})")
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED,
                            help="Random seed: the same seed gives the same council")
        parser.add_argument("--force", action="store_true",
                            help="Replace a demo council that is already loaded (never data the demo did not load)")

    def handle(self, *args, families, seed, force, **options):
        if families < 1:
            raise CommandError("--families must be at least 1")
        loaded = generator.demo_loaded()
        if loaded and not force:
            self.stdout.write("The demo council is already loaded: nothing to do "
                              "(use --force to replace it).")
            self.sign_in_table()
            return
        demo_database = AuditEvent.objects.filter(event="demo.load").exists()
        holds_data = Household.objects.exists() or Organisation.objects.exists() or User.objects.exists()
        if holds_data and not demo_database:
            raise CommandError(
                "This database already holds organisations, users or families that the demo did not load. "
                "Load the demo council into an empty database (for example a new SQLite file via "
                "EARLYHELP_VAR_DIR, or a new PostgreSQL database via DATABASE_URL)."
            )
        if holds_data and not force:
            raise CommandError("This database holds part of a demo council: run again with --force to replace it.")

        step = max(generator.FLUSH_EVERY_FAMILIES, families // 20)

        def progress(done, total):
            if done % step == 0 or done == total:
                self.stderr.write(f"Families: {done:,} / {total:,}")

        with transaction.atomic():  # all or nothing: a failure leaves the database as it was
            if holds_data:
                try:
                    generator.wipe_demo_data()
                except PermissionError as error:
                    raise CommandError(str(error)) from error
                self.stderr.write("Removed the previous demo council.")
            result = generator.generate_council(families=families, seed=seed, progress=progress)
        people = result.counts.get("people.Person", 0)
        self.stdout.write(self.style.SUCCESS(
            f"Loaded the demo council: {families:,} families, {people:,} people in {result.seconds:.1f} s "
            f"(seed {seed})."))
        matching = load_demo_matching(seed=seed)
        self.stdout.write(f"Partner files for data matching: {matching['imported']} imported, "
                          f"{matching['candidates']:,} possible matches waiting for review.")
        self.sign_in_table()

    def sign_in_table(self):
        rows = [("Username", "Role", "Team or organisation", "Password")]
        rows += [(s.username, s.role, s.place, s.password) for s in generator.demo_sign_ins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (every account has the same password), at {generator.SIGN_IN_URL}")
        for number, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
            if number == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write("At its first sign-in each account sets up an authenticator app for its second factor: scan "
                          "the QR code, or type the key shown beside it into any TOTP app.")
