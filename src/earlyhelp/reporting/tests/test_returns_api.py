"""Returns and the Ofsted list through the API: the data team only; the same refusals as the pages."""

import csv
import datetime
import io

import pytest

from earlyhelp.reporting.models import PublishedReturn
from earlyhelp.reporting.services import annex_a

from .test_returns_world import quick_family

pytestmark = [pytest.mark.django_db, pytest.mark.promise("P2", "P11")]


@pytest.mark.parametrize("who", ["lead", "manager", "partner", "dpo", "front_door", "admin"])
def test_other_roles_are_refused_before_anything_is_looked_up(world, client, who):
    client.force_login(world.users[who])
    assert client.get("/api/returns").status_code == 403
    assert client.get("/api/returns/1").status_code == 403
    assert client.post("/api/returns/quarterly", {"year": 2025, "quarter": 1},
                       content_type="application/json").status_code == 403
    assert client.get("/api/returns/annex-a/list-2", {"inspection_date": "2025-08-31"}).status_code == 403


def test_the_data_team_makes_lists_and_reads_a_return(world, client):
    client.force_login(world.data_team)
    refused = client.post("/api/returns/quarterly", {"year": 2025, "quarter": 1}, content_type="application/json")
    assert refused.status_code == 422 and "nothing to return" in refused.json()["detail"]
    assert not PublishedReturn.objects.exists()
    for _ in range(7):
        quick_family(world, opened_on=datetime.date(2025, 4, 2))
    made = client.post("/api/returns/quarterly", {"year": 2025, "quarter": 1}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert body["tables"]["Families by stage at the end of the quarter"][1] == ["Contact", "7"]
    assert [r["id"] for r in client.get("/api/returns").json()] == [body["id"]]
    assert client.get(f"/api/returns/{body['id']}").json()["tables"] == body["tables"]
    assert client.get(f"/api/returns/{body['id'] + 1}").status_code == 404
    assert client.post("/api/returns/quarterly", {"year": 2025, "quarter": 5},
                       content_type="application/json").status_code == 422


def test_the_annex_a_list_through_the_api(world, client):
    client.force_login(world.data_team)
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client.get("/api/returns/annex-a/list-2", {"inspection_date": future})
    assert response.status_code == 422 and annex_a.FUTURE_DATE in response.json()["detail"]
    assert client.get("/api/returns/annex-a/list-2", {"inspection_date": "2025-08-31"}).status_code == 422
    quick_family(world, opened_on=datetime.date(2025, 5, 1), assessment_started=datetime.date(2025, 5, 1))
    response = client.get("/api/returns/annex-a/list-2", {"inspection_date": "2025-08-31", "file_format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(annex_a.COLUMNS) and len(rows) == 2
