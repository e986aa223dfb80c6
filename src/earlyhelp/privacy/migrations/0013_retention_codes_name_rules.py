"""Each purpose's retention code names the retention rule that enforces it (issue 13, P4): the audit trail's
purposes AUDIT+6, data matching PARTNER+1, research and the National Impact Study EXTRACT+1, rights requests
RIGHTS+2, Supporting Families returns CLAIM+6 (they read EVENT+n, which no rule had). Only rows still reading the
old seeded code change, with a history entry saying why; a code the DPO has changed is left alone."""

from django.db import migrations
from django.utils import timezone

CHANGES = {
    "duplicate_check": ("EVENT+6", "AUDIT+6"),
    "access_oversight": ("EVENT+6", "AUDIT+6"),
    "system_security": ("EVENT+6", "AUDIT+6"),
    "api_access": ("EVENT+6", "AUDIT+6"),
    "data_matching": ("EVENT+1", "PARTNER+1"),
    "supporting_families_returns": ("EVENT+6", "CLAIM+6"),
    "national_impact_study": ("EVENT+1", "EXTRACT+1"),
    "research": ("EVENT+1", "EXTRACT+1"),
    "rights_requests": ("EVENT+2", "RIGHTS+2"),
}
REASON = "The retention code names the retention rule that enforces it"


def _swap(apps, forwards):
    ProcessingPurpose = apps.get_model("privacy", "ProcessingPurpose")
    History = apps.get_model("privacy", "HistoricalProcessingPurpose")
    fields = [f.attname for f in ProcessingPurpose._meta.concrete_fields]
    for code, (old, new) in CHANGES.items():
        if not forwards:
            old, new = new, old
        purpose = ProcessingPurpose.objects.filter(code=code, retention=old).first()
        if purpose is None:
            continue
        purpose.retention = new
        purpose.save(update_fields=["retention"])
        History.objects.create(history_date=timezone.now(), history_type="~", history_change_reason=REASON,
                               **{name: getattr(purpose, name) for name in fields})


def forwards(apps, schema_editor):
    _swap(apps, True)


def backwards(apps, schema_editor):
    _swap(apps, False)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0012_research_recipients_approved_researchers")]
    operations = [migrations.RunPython(forwards, backwards)]
