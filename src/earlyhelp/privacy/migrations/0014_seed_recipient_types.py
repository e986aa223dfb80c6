"""The recipient types the notices name, as data the DPO keeps (P21): today's partner types and public bodies, and
Fire and Rescue, which two notices name. Purposes that share with the police name Fire and Rescue as well."""

from django.db import migrations
from django.utils import timezone

INSTALLED = "Installed with the system, from the councils' privacy notices"


def load(apps, schema_editor):
    # Imported here: loading the migration graph must not import the app's current code, only running this does.
    from earlyhelp.privacy import recipient_seed

    RecipientType = apps.get_model("privacy", "RecipientType")
    HistoricalRecipientType = apps.get_model("privacy", "HistoricalRecipientType")
    ProcessingPurpose = apps.get_model("privacy", "ProcessingPurpose")
    for code, name, kind, function, article_6, statute in recipient_seed.RECIPIENT_TYPES:
        row, created = RecipientType.objects.get_or_create(code=str(code), defaults={
            "name": name, "kind": kind, "public_function": function, "article_6": article_6,
            "statutory_basis": statute})
        if created:
            HistoricalRecipientType.objects.create(
                id=row.pk, code=row.code, name=row.name, description=row.description, kind=row.kind,
                public_function=row.public_function, article_6=row.article_6, statutory_basis=row.statutory_basis,
                location=row.location, is_active=row.is_active, history_date=timezone.now(), history_type="+",
                history_change_reason=INSTALLED)
    for purpose in ProcessingPurpose.objects.all():
        types = purpose.recipient_types
        if recipient_seed.SHARES_WITH in types and recipient_seed.FIRE_AND_RESCUE not in types:
            purpose.recipient_types = [*types, recipient_seed.FIRE_AND_RESCUE]
            purpose.save(update_fields=["recipient_types"])


def unload(apps, schema_editor):
    from earlyhelp.privacy import recipient_seed  # imported here, as in load

    for purpose in apps.get_model("privacy", "ProcessingPurpose").objects.all():
        if recipient_seed.FIRE_AND_RESCUE in purpose.recipient_types:
            purpose.recipient_types = [t for t in purpose.recipient_types if t != recipient_seed.FIRE_AND_RESCUE]
            purpose.save(update_fields=["recipient_types"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0013_recipient_types_and_panels")]

    operations = [migrations.RunPython(load, unload)]
