"""GET /api/families/ and /api/reviews/: paged, sorted and filtered lists naming families as access allows."""

import datetime

import pytest

from earlyhelp.access.models import ApiToken
from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework.models import Review
from earlyhelp.testing.world import make_family

pytestmark = pytest.mark.django_db


def _get(client, user, path, **params):
    raw = ApiToken.issue(user=user, name="test")[1]
    return client.get(path, params, headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def families(world):
    made = [make_family(world, lead=world.lead, family_name=name, seed=n, taf=[world.partner] if n == 1 else ())
            for n, name in enumerate(["Abbott", "Brook", "Carver"], start=1)]
    made.append(make_family(world, lead=world.lead, family_name="Hidden", seed=9, restricted=True))
    Review.objects.filter(episode=made[1]["episode"]).update(due_on=datetime.date(2020, 1, 1))
    return made


def test_pages_sorts_and_names_families(client, world, families):
    answer = _get(client, world.manager, "/api/families/", list="team", page_size=2, sort="-reference").json()
    assert answer["count"] == 4 and answer["pages"] == 2 and len(answer["items"]) == 2
    references = sorted(f["household"].reference for f in families)
    assert [i["reference"] for i in answer["items"]] == references[::-1][:2]
    second = _get(client, world.manager, "/api/families/", list="team", page_size=2, page=2,
                  sort="-reference").json()
    assert [i["reference"] for i in second["items"]] == references[::-1][2:]
    mine = _get(client, world.lead, "/api/families/", list="mine", sort="-name").json()
    assert [i["name"] for i in mine["items"]] == ["Hidden family", "Carver family", "Brook family", "Abbott family"]
    abbott = next(i for i in mine["items"] if i["name"] == "Abbott family")
    assert abbott["children"] == ["Jamie Abbott", "Riley Abbott"] and abbott["stage"] == "not_assessed"
    assert AuditEvent.objects.filter(event="families.list").exists()


def test_filters_combine(client, world, families):
    overdue = _get(client, world.manager, "/api/families/", list="team", overdue="true").json()
    assert [i["name"] for i in overdue["items"]] == ["Brook family"] and overdue["items"][0]["days_overdue"] > 0
    assert _get(client, world.manager, "/api/families/", list="team", stage="unallocated").json()["count"] == 0
    assert _get(client, world.manager, "/api/families/", list="team", lead=world.lead.pk).json()["count"] == 4
    assert _get(client, world.manager, "/api/families/", list="team", page_size=101).status_code == 422
    reviews = _get(client, world.manager, "/api/reviews/", when="overdue").json()
    assert reviews["count"] == 1 and reviews["items"][0]["name"] == "Brook family"


def test_a_partner_sees_only_their_families_without_stage_and_no_list_they_do_not_have(client, world, families):
    answer = _get(client, world.partner, "/api/families/", list="team-around-the-family").json()
    assert [i["name"] for i in answer["items"]] == ["Abbott family"]
    assert answer["items"][0]["stage"] is None and answer["items"][0]["next_review_due"] is None
    assert _get(client, world.partner, "/api/families/", list="team").status_code == 404
    assert "Hidden" not in _get(client, world.other_lead, "/api/families/", list="mine").content.decode()
