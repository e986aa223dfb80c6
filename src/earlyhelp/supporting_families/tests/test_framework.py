"""The outcomes framework and programme rules as data the data team edits, with history and clear errors."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.programme.models import (
    DatasetNeedRule,
    Descriptor,
    FrameworkVersion,
    HeadlineArea,
    HeadlineLabel,
    ProgrammeRules,
)
from earlyhelp.supporting_families.services import framework

pytestmark = pytest.mark.django_db


def current():
    return FrameworkVersion.objects.get(is_current=True)


def test_a_descriptor_change_keeps_history_with_who_and_the_page_shows_it(client, world):
    descriptor = current().descriptors.first()
    client.force_login(world.data_team)
    url = reverse("programme:framework-descriptor", args=[descriptor.pk])
    response = client.post(url, {"label": "A child misses school often", "progress_evidence": "Attendance 92%"})
    assert response.status_code == 302
    descriptor.refresh_from_db()
    assert descriptor.label == "A child misses school often"
    latest = descriptor.history.first()
    assert latest.history_user == world.data_team
    page = client.get(url).content.decode()
    assert "Change history" in page and "Data Tester" in page and "Attendance 92%" in page
    assert AuditEvent.objects.filter(event="descriptor.change", purpose="supporting_families_returns").exists()


def test_a_local_descriptor_is_added_and_a_duplicate_code_is_refused(world):
    area = HeadlineArea.objects.get(code="FAMILY_REL")
    added = framework.add_local_descriptor(by=world.data_team, version_id=current().pk, area_id=area.pk,
                                           code="Young carer (local)", label="A young carer without support",
                                           progress_evidence="A carer's assessment and support in place")
    assert added.is_local and added.code == "young-carer-local" and added.is_active
    with pytest.raises(ValidationError) as duplicate:
        framework.add_local_descriptor(by=world.data_team, version_id=current().pk, area_id=area.pk,
                                       code="young-carer-local", label="Again", progress_evidence="Again")
    assert "already has a descriptor with the code young-carer-local" in str(duplicate.value)
    assert Descriptor.objects.filter(code="young-carer-local").count() == 1


def test_a_deactivated_descriptor_needs_a_reason_and_stays_on_the_record(world):
    descriptor = current().descriptors.first()
    with pytest.raises(ValidationError) as missing:
        framework.deactivate_descriptor(by=world.data_team, descriptor_id=descriptor.pk, reason="")
    assert framework.ENTER_REASON in str(missing.value)
    framework.deactivate_descriptor(by=world.data_team, descriptor_id=descriptor.pk, reason="Replaced locally")
    descriptor.refresh_from_db()
    assert not descriptor.is_active and descriptor.history.first().history_change_reason == "Replaced locally"
    with pytest.raises(ValidationError):
        framework.deactivate_descriptor(by=world.data_team, descriptor_id=descriptor.pk, reason="Again")


def test_making_a_version_current_moves_the_labels_and_needs_a_reason(world):
    old = FrameworkVersion.objects.exclude(is_current=True).get()
    with pytest.raises(ValidationError):
        framework.make_current(by=world.data_team, version_id=old.pk, reason=" ")
    with pytest.raises(ValidationError) as empty:
        framework.make_current(by=world.data_team, version_id=old.pk, reason="Try")
    assert framework.VERSION_HAS_NO_DESCRIPTORS in str(empty.value)
    framework.add_local_descriptor(by=world.data_team, version_id=old.pk,
                                   area_id=HeadlineArea.objects.get(code="HOUSING").pk, code="arrears",
                                   label="Rent arrears", progress_evidence="No arrears for six months")
    framework.make_current(by=world.data_team, version_id=old.pk, reason="Back to the 2022 labels for a test")
    assert current() == old
    assert HeadlineArea.objects.get(code="SUBSTANCE").label == "Better managed substance use"
    with pytest.raises(ValidationError) as again:
        framework.make_current(by=world.data_team, version_id=old.pk, reason="Again")
    assert framework.ALREADY_CURRENT in str(again.value)


def test_no_current_version_is_a_clear_error(world):
    FrameworkVersion.objects.update(is_current=False)
    with pytest.raises(ValidationError) as none:
        framework.require_current_version()
    assert framework.NO_CURRENT_VERSION in str(none.value)


def test_a_label_edit_of_the_current_version_is_the_headline_label(world):
    label = HeadlineLabel.objects.get(version=current(), area__code="CRIME")
    framework.edit_label(by=world.data_team, label_id=label.pk, label="Reducing crime")
    assert HeadlineArea.objects.get(code="CRIME").label == "Reducing crime"
    with pytest.raises(ValidationError):
        framework.edit_label(by=world.data_team, label_id=label.pk, label="")


def test_programme_rules_change_with_a_reason_within_limits_and_keep_history(client, world):
    with pytest.raises(ValidationError) as bad:
        framework.update_programme_rules(by=world.data_team, reason="Try", minimum_needs=0, counting="weekly")
    assert {"minimum_needs", "counting"} <= set(bad.value.error_dict)
    assert ProgrammeRules.current().minimum_needs == 3
    with pytest.raises(ValidationError):
        framework.update_programme_rules(by=world.data_team, reason="", minimum_needs=4)
    framework.update_programme_rules(by=world.data_team, reason="Council policy 2026", minimum_needs=4)
    rules = ProgrammeRules.current()
    assert rules.minimum_needs == 4 and rules.history.first().history_change_reason == "Council policy 2026"
    client.force_login(world.data_team)
    page = client.get(reverse("programme:framework-rules")).content.decode()
    assert "Council policy 2026" in page


def test_a_dataset_rule_is_added_and_an_incomplete_condition_refused(client, world):
    descriptor = current().descriptors.filter(area__code="EDUCATION").first()
    with pytest.raises(ValidationError) as incomplete:
        framework.save_dataset_rule(by=world.data_team, dataset_type="school_attendance", descriptor_id=descriptor.pk,
                                    comparison="below", fact="attendance_percent", value="", reason="New rule")
    assert "value" in incomplete.value.error_dict
    client.force_login(world.data_team)
    response = client.post(reverse("programme:framework-dataset-rule-new"), {
        "dataset_type": "school_attendance", "descriptor": descriptor.pk, "comparison": "below",
        "fact": "attendance_percent", "value": "90", "is_active": "yes", "reason": "Persistent absence"})
    assert response.status_code == 302
    rule = DatasetNeedRule.objects.get(fact="attendance_percent", value="90")
    assert rule.history.first().history_user == world.data_team
    page = client.get(reverse("programme:framework-dataset-rules"), {"dataset": "school_attendance"}).content.decode()
    assert "attendance_percent" in page


def test_framework_pages_show_versions_and_refuse_other_roles(client, world):
    client.force_login(world.data_team)
    version = current()
    page = client.get(reverse("programme:framework-version", args=[version.pk])).content.decode()
    assert version.name in page and "Promoting recovery and reducing harm from substance use" in page
    client.force_login(world.manager)
    assert client.get(reverse("programme:framework-version", args=[version.pk])).status_code == 404
    assert client.post(reverse("programme:framework-rules"), {"minimum_needs": 1}).status_code == 404
    assert ProgrammeRules.current().minimum_needs == 3


@pytest.mark.promise("P2")
@pytest.mark.parametrize("who", ["lead", "manager", "partner", "dpo", "front_door", "admin"])
def test_every_framework_record_page_refuses_every_other_role_with_an_audited_404(client, world, who):
    from earlyhelp.audit.models import Action, AuditEvent
    from earlyhelp.programme.models import DatasetNeedRule, Descriptor, HeadlineLabel

    version = current()
    descriptor = Descriptor.objects.filter(version=version).first()
    pages = [("programme:framework-make-current", version.pk), ("programme:framework-descriptor-new", version.pk),
             ("programme:framework-label", HeadlineLabel.objects.filter(version=version).first().pk),
             ("programme:framework-descriptor", descriptor.pk),
             ("programme:framework-descriptor-deactivate", descriptor.pk),
             ("programme:framework-dataset-rule", DatasetNeedRule.objects.first().pk)]
    user = world.users[who]
    changes_before = descriptor.history.count()
    client.force_login(user)
    for name, pk in pages:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        assert client.post(reverse(name, args=[pk]), {"reason": "x"}).status_code == 404, name
    assert AuditEvent.objects.filter(actor=user, action=Action.DENIED).count() >= 2 * len(pages)
    assert descriptor.history.count() == changes_before
    version.refresh_from_db()
    assert version.is_current
