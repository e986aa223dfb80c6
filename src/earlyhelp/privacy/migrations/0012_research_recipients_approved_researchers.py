"""The research purpose names approved researchers as recipients of pseudonymised extracts (P12): the notice's
words ("approved researchers") now match the register row that research projects are checked against."""

from django.db import migrations

RECIPIENT = "approved_researchers"


def add_recipient(apps, schema_editor):
    ProcessingPurpose = apps.get_model("privacy", "ProcessingPurpose")
    for purpose in ProcessingPurpose.objects.filter(code="research"):
        if RECIPIENT not in purpose.recipient_types:
            purpose.recipient_types = [*purpose.recipient_types, RECIPIENT]
            purpose.save(update_fields=["recipient_types"])


def remove_recipient(apps, schema_editor):
    ProcessingPurpose = apps.get_model("privacy", "ProcessingPurpose")
    for purpose in ProcessingPurpose.objects.filter(code="research"):
        if RECIPIENT in purpose.recipient_types:
            purpose.recipient_types = [r for r in purpose.recipient_types if r != RECIPIENT]
            purpose.save(update_fields=["recipient_types"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0011_alter_suggestion_kind_datasetdisclosure")]

    operations = [migrations.RunPython(add_recipient, remove_recipient)]
