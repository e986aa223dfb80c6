"""The ten Supporting Families headline outcomes (2022-25 framework). Codes are stable; labels are
configuration a council can update through the admin when the framework changes."""

from django.db import migrations

AREAS = [
    ("EDUCATION", "Getting a good education", "ordinary"),
    ("EARLY_YEARS", "Good early years development", "ordinary"),
    ("HEALTH", "Improved mental and physical health", "special"),
    ("SUBSTANCE", "Promoting recovery and reducing harm from substance use", "special"),
    ("FAMILY_REL", "Improved family relationships", "ordinary"),
    ("CHILD_SAFE", "Children safe from abuse and exploitation", "special"),
    ("CRIME", "Crime prevention and tackling crime", "criminal"),
    ("DOM_ABUSE", "Safe from domestic abuse", "special"),
    ("HOUSING", "Secure housing", "ordinary"),
    ("FINANCE", "Financial stability", "ordinary"),
]


def load(apps, schema_editor):
    HeadlineArea = apps.get_model("programme", "HeadlineArea")
    for order, (code, label, sensitivity) in enumerate(AREAS, start=1):
        HeadlineArea.objects.update_or_create(code=code, defaults={"label": label, "order": order,
                                                                   "sensitivity": sensitivity})


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
