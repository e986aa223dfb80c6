"""A published return's own pages (the role matrix's record pages): the data team only; anyone else an audited 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.reporting.models import PublishedReturn, ReturnKind

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P2")]


@pytest.mark.parametrize("name", ["reporting:return", "reporting:return-download"])
def test_a_return_is_for_the_data_team_only(world, client, name):
    published = PublishedReturn.objects.create(
        kind=ReturnKind.QUARTERLY, period_start=datetime.date(2025, 4, 1), period_end=datetime.date(2025, 6, 30),
        tables={"t": [["", "Count"], ["A", "c"], ["Total", "12"]]}, produced_by=world.data_team,
        produced_at=timezone.now())
    url = reverse(name, args=[published.pk])
    for who, status in [("data_team", 200), ("manager", 404), ("dpo", 404), ("lead", 404), ("partner", 404)]:
        client.force_login(world.users[who])
        assert client.get(url).status_code == status, who
    assert AuditEvent.objects.filter(action=Action.DENIED, actor=world.manager).exists()
    client.force_login(world.data_team)
    assert client.get(reverse(name, args=[published.pk + 1000])).status_code == 404
