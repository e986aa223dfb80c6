"""Sustainment checks: due the rule's months after closure (month ends as the calendar counts them), refused
before, listed with reminders, and `is_sustained` for claims."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework.models import Episode
from earlyhelp.matching.models import BatchStatus, DatasetType, FileFormat, ImportBatch, SourceRecord
from earlyhelp.privacy.models import ProcessingPurpose
from earlyhelp.programme.models import Descriptor, Need, NeedStatus
from earlyhelp.programme.services import needs as need_services
from earlyhelp.records.calendar import add_months
from earlyhelp.supporting_families.models import SustainmentCheck, SustainmentMethod
from earlyhelp.supporting_families.services import sustainment
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


def met_need(world, closed_on: datetime.date, *, family=None, status=NeedStatus.MET):
    """A need met at the closure of an episode closed on `closed_on`."""
    family = family or make_family(world, lead=world.lead)
    episode = family["episode"]
    descriptor = Descriptor.objects.filter(area__code="EDUCATION", version__is_current=True).first()
    need = need_services.record_need(by=world.lead, household_id=family["household"].pk, episode_id=episode.pk,
                                     person=family["members"][2], descriptor_id=descriptor.pk,
                                     evidence="Attendance 78%")
    Episode.objects.filter(pk=episode.pk).update(opened_on=min(episode.opened_on, closed_on), status="closed",
                                                 closed_on=closed_on, closed_by=world.manager,
                                                 closure_reason="outcomes_met")
    Need.objects.filter(pk=need.pk).update(status=status)
    return Need.objects.select_related("episode").get(pk=need.pk)


def check(world, need, on, **changes):
    values = {"method": SustainmentMethod.RECORDED_CHECK, "sustained": True, "evidence": "School confirms 96%",
              "checked_on": on, **changes}
    return sustainment.record_check(by=world.data_team, need_id=need.pk, **values)


@pytest.mark.parametrize("closed, due", [
    (datetime.date(2025, 3, 1), datetime.date(2025, 9, 1)),
    (datetime.date(2025, 8, 31), datetime.date(2026, 2, 28)),
    (datetime.date(2027, 8, 31), datetime.date(2028, 2, 29)),  # a leap year
    (datetime.date(2025, 12, 31), datetime.date(2026, 6, 30)),
])
def test_a_check_is_due_six_months_after_closure_counting_month_ends(closed, due):
    assert add_months(closed, 6) == due


def test_a_check_five_months_29_days_after_closure_is_refused_and_one_at_six_months_allowed(world):
    need = met_need(world, datetime.date(2025, 3, 1))
    assert sustainment.due_on(need) == datetime.date(2025, 9, 1)
    with pytest.raises(ValidationError) as refused:
        check(world, need, datetime.date(2025, 8, 30))  # 5 months and 29 days after closure
    assert "not yet due" in str(refused.value) and "1 September 2025" in str(refused.value)
    assert not SustainmentCheck.objects.exists()
    assert not sustainment.is_sustained(need)
    done = check(world, need, datetime.date(2025, 9, 1))
    assert done.due_on == datetime.date(2025, 9, 1) and sustainment.is_sustained(need)
    assert AuditEvent.objects.filter(event="sustainment_check.record", household_id=need.household_id,
                                     purpose="supporting_families_returns").exists()


def test_closure_on_31_august_is_due_on_the_last_day_of_february(world):
    need = met_need(world, datetime.date(2025, 8, 31))
    with pytest.raises(ValidationError):
        check(world, need, datetime.date(2026, 2, 27))
    check(world, need, datetime.date(2026, 2, 28))
    assert sustainment.is_sustained(need)


def test_not_sustained_and_unmet_needs_are_not_sustained(world):
    family = make_family(world, lead=world.lead)
    need = met_need(world, datetime.date(2025, 1, 10), family=family)
    check(world, need, datetime.date(2025, 7, 10), sustained=False)
    assert not sustainment.is_sustained(need)
    with pytest.raises(ValidationError) as again:
        check(world, need, datetime.date(2025, 8, 10))
    assert sustainment.ALREADY_CHECKED in str(again.value)
    unmet = Need.objects.filter(pk=need.pk)
    unmet.update(status=NeedStatus.NOT_MET)
    assert not sustainment.is_sustained(unmet.get())


def test_a_check_needs_its_answers_and_a_matched_data_check_a_record_arrived_after_closure(world):
    family = make_family(world, lead=world.lead)
    need = met_need(world, datetime.date(2025, 3, 1), family=family)
    with pytest.raises(ValidationError) as missing:
        check(world, need, None, method="", sustained=None, evidence=" ")
    assert set(missing.value.error_dict) == {"method", "sustained", "evidence", "checked_on"}
    with pytest.raises(ValidationError) as future:
        check(world, need, timezone.localdate() + datetime.timedelta(days=1))
    assert sustainment.CHECKED_IN_FUTURE in str(future.value)
    jamie = family["members"][2]
    before, after = (record_for(world, jamie, received) for received in (datetime.date(2025, 2, 1),
                                                                          datetime.date(2025, 10, 1)))
    assert list(sustainment.offered_records(need)) == [after]
    with pytest.raises(ValidationError) as wrong:
        check(world, need, datetime.date(2025, 10, 2), method=SustainmentMethod.MATCHED_DATA,
              source_record_id=before.pk)
    assert "source_record" in wrong.value.error_dict
    done = check(world, need, datetime.date(2025, 10, 2), method=SustainmentMethod.MATCHED_DATA,
                 source_record_id=after.pk)
    assert done.source_record == after


_files = iter(range(10**6))


def record_for(world, person, received_on):
    batch = ImportBatch.objects.create(
        dataset_type=DatasetType.SCHOOL_ATTENDANCE, source_organisation=world.school, received_on=received_on,
        purpose=ProcessingPurpose.objects.get(code="data_matching"), sharing_agreement_reference="ISA-TEST",
        file_name="attendance.csv", file_format=FileFormat.CSV, file_sha256=f"{next(_files):064d}",
        status=BatchStatus.IMPORTED, total_rows=1, processed_rows=1, imported_by=world.data_team,
        finished_at=timezone.now())
    return SourceRecord.objects.create(batch=batch, row_number=2, source_record_id="ATT-1", given_name="Jamie",
                                       family_name="Testfamily", facts={"attendance_percent": "97"}, person=person,
                                       linked_by=world.data_team, linked_at=timezone.now())


def test_the_list_reminds_of_checks_due_soon_and_the_command_reports_counts_only(client, world):
    today = timezone.localdate()
    overdue = met_need(world, add_months(today, -7))
    soon = met_need(world, add_months(today + datetime.timedelta(days=5), -6),
                    family=make_family(world, lead=world.lead, seed=2, family_name="Otherfamily"))
    later = met_need(world, add_months(today + datetime.timedelta(days=60), -6),
                     family=make_family(world, lead=world.lead, seed=3, family_name="Thirdfamily"))
    assert sustainment.counts(today=today) == {"overdue": 1, "due": 0, "soon": 1}
    client.force_login(world.data_team)
    home = client.get(reverse("programme:home")).content.decode()
    assert "1 overdue, 0 due today and 1 due in the next 14 days" in home
    page = client.get(reverse("programme:sustainment")).content.decode()
    assert f'id="need-{overdue.pk}"' in page and f'id="need-{soon.pk}"' in page and f'id="need-{later.pk}"' not in page
    assert "Jamie Otherfamily" in page
    everything = client.get(reverse("programme:sustainment"), {"state": ""}).content.decode()
    assert f'id="need-{later.pk}"' in everything
    assert AuditEvent.objects.filter(action=Action.VIEW, event="sustainment_checks.view").exists()
    out = io.StringIO()
    call_command("programme_reminders", stdout=out)
    report = out.getvalue()
    assert "1 overdue" in report and "Testfamily" not in report and "Jamie" not in report


def test_recording_a_check_on_the_page_refuses_one_not_yet_due(client, world):
    today = timezone.localdate()
    need = met_need(world, add_months(today, -6) + datetime.timedelta(days=1))
    client.force_login(world.data_team)
    url = reverse("programme:sustainment-check", args=[need.pk])
    page = client.get(url).content.decode()
    assert "This check is not yet due" in page
    posted = {"method": "recorded_check", "sustained": "yes", "evidence": "School confirms",
              "checked_on_day": today.day, "checked_on_month": today.month, "checked_on_year": today.year}
    assert "not yet due" in client.post(url, posted).content.decode()
    assert not SustainmentCheck.objects.exists()
    six_months_ago = add_months(today, -6)
    Episode.objects.filter(pk=need.episode_id).update(opened_on=six_months_ago, closed_on=six_months_ago)
    assert client.post(url, posted).status_code == 302
    assert SustainmentCheck.objects.get().sustained


def test_other_roles_get_an_audited_404(client, world):
    need = met_need(world, datetime.date(2025, 3, 1))
    client.force_login(world.lead)
    assert client.get(reverse("programme:sustainment-check", args=[need.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.lead).exists()
