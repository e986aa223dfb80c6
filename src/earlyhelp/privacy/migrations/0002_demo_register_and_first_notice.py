"""The processing register drawn from the five councils' privacy notices, and notice version 1
generated from it. A council's DPO then keeps the register up to date; each change keeps history."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    # Imported here: loading the migration graph must not import the app's current code, only running this does.
    from earlyhelp.privacy import register_seed
    from earlyhelp.privacy.services import notices

    ProcessingPurpose = apps.get_model("privacy", "ProcessingPurpose")
    PrivacyNotice = apps.get_model("privacy", "PrivacyNotice")
    model_fields = {f.name for f in ProcessingPurpose._meta.get_fields()}
    for entry in register_seed.PURPOSES:
        ProcessingPurpose.objects.update_or_create(
            code=entry["code"], defaults={k: v for k, v in entry.items() if k in model_fields and k != "code"})
    if not PrivacyNotice.objects.exists():
        content = notices.notice_content(ProcessingPurpose.objects.filter(is_active=True).order_by("name"))
        PrivacyNotice.objects.create(version=1, published_at=timezone.now(), content=content)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
