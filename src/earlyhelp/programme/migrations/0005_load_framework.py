"""Install the outcomes framework (versions, labels, descriptors, dataset rules, the council's rules) and carry
confirmed headline areas over as family needs under each headline's first descriptor."""

from django.db import migrations

from earlyhelp.programme import framework_seed


def load(apps, schema_editor):
    HeadlineArea = apps.get_model("programme", "HeadlineArea")
    FrameworkVersion = apps.get_model("programme", "FrameworkVersion")
    HeadlineLabel = apps.get_model("programme", "HeadlineLabel")
    Descriptor = apps.get_model("programme", "Descriptor")
    DatasetNeedRule = apps.get_model("programme", "DatasetNeedRule")
    ProgrammeRules = apps.get_model("programme", "ProgrammeRules")
    areas = {area.code: area for area in HeadlineArea.objects.all()}
    versions = {}
    for index, (code, name, starts_on, is_current) in enumerate(framework_seed.VERSIONS):
        versions[code], _ = FrameworkVersion.objects.get_or_create(
            code=code, defaults={"name": name, "starts_on": starts_on, "is_current": is_current})
        for area_code, labels in framework_seed.LABELS.items():
            HeadlineLabel.objects.get_or_create(version=versions[code], area=areas[area_code],
                                                defaults={"label": labels[index]})
    current = next(versions[code] for code, _, _, is_current in framework_seed.VERSIONS if is_current)
    descriptors = {}
    for area_code, rows in framework_seed.DESCRIPTORS.items():
        for order, (code, label, evidence) in enumerate(rows, start=1):
            descriptors[code], _ = Descriptor.objects.get_or_create(
                version=current, code=code, defaults={"area": areas[area_code], "label": label,
                                                      "progress_evidence": evidence, "order": order})
    for dataset_type, descriptor_code, fact, comparison, value in framework_seed.DATASET_RULES:
        DatasetNeedRule.objects.get_or_create(dataset_type=dataset_type, descriptor=descriptors[descriptor_code],
                                              defaults={"fact": fact, "comparison": comparison, "value": value})
    if not ProgrammeRules.objects.exists():
        ProgrammeRules.objects.create()
    _carry_over_eligible_areas(apps, current)


def _carry_over_eligible_areas(apps, current):
    EligibleArea = apps.get_model("programme", "EligibleArea")
    Descriptor = apps.get_model("programme", "Descriptor")
    Need = apps.get_model("programme", "Need")
    Suggestion = apps.get_model("privacy", "Suggestion")
    for area in EligibleArea.objects.select_related("episode", "area"):
        descriptor = Descriptor.objects.filter(version=current, area=area.area).order_by("order").first()
        Need.objects.create(household_id=area.episode.household_id, episode_id=area.episode_id, descriptor=descriptor,
                            evidence=f"{area.area.label}: confirmed as a headline area met",
                            identified_on=area.confirmed_at.date(), identified_by_id=area.confirmed_by_id,
                            suggestion_id=area.suggestion_id, source_kind="practitioner",
                            source_reference="The approved Early Help Assessment")
    # Headline-area suggestions were the assessment's: they are now suggested needs (same keys).
    Suggestion.objects.filter(kind="eligibility", key__startswith="episode:").update(kind="need")


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0004_framework_needs_and_progress"),
        ("privacy", "0011_alter_suggestion_kind_datasetdisclosure"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
