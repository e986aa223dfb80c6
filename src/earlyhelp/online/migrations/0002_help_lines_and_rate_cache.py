"""The council's starting configuration for the public service (it edits both in the configuration area), and the
database table the public rate limit counts in (settings.CACHES["public_rate"])."""

from django.core.management import call_command
from django.db import migrations

HELP_LINES = [
    ("Childline", "0800 1111", "Free, private and confidential help for anyone under 19, any time, about anything.",
     "https://www.childline.org.uk/"),
    ("The Mix", "0808 808 4994", "Free support for young people under 25, by phone, chat or email.",
     "https://www.themix.org.uk/"),
]


def seed(apps, schema_editor):
    apps.get_model("online", "PermissionAge").objects.get_or_create(pk=1, defaults={"age": 13})
    HelpLine = apps.get_model("online", "HelpLine")
    for order, (name, phone, description, website) in enumerate(HELP_LINES):
        HelpLine.objects.get_or_create(name=name, defaults={"phone": phone, "description": description,
                                                           "website": website, "order": order})


def create_rate_cache_table(apps, schema_editor):
    # Creates the table of every database cache in settings (the rate limit's, by default); does nothing for Redis
    # or memcached, and nothing if the table exists.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("online", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_rate_cache_table, migrations.RunPython.noop),
    ]
