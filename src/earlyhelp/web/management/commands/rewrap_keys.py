from django.core.management.base import BaseCommand

from earlyhelp.keys.store import rewrap_keys


class Command(BaseCommand):
    help = ("Wrap every family key and partner file key under the first master key in EARLYHELP_MASTER_KEY. To "
            "rotate: put the new key first (new,old), run this, then remove the old key.")

    def handle(self, *args, **options):
        self.stdout.write(f"{rewrap_keys()} keys rewrapped under the newest master key")
