"""Members invited before sections could be chosen were shown every section, and their invitations' disclosures
say so: record that on each of them, so nobody's view changes silently (a lead practitioner can now reduce it)."""

from django.db import migrations

EVERY_SECTION = ["assessment", "episode", "household", "notes", "plan", "reviews"]


def every_section_for_earlier_members(apps, schema_editor):
    TafMember = apps.get_model("casework", "TafMember")
    TafMember.objects.update(sections=EVERY_SECTION)


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_taf_sections")]

    operations = [migrations.RunPython(every_section_for_earlier_members, migrations.RunPython.noop)]
