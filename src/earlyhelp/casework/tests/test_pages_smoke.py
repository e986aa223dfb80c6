from django.urls import reverse

from earlyhelp.casework import services
from earlyhelp.testing.world import make_family


def test_lead_sees_family_page_and_partner_sees_markers(client, world):
    family = make_family(world, lead=world.lead, taf=[world.partner], taf_sections=["notes"])
    hid = family["household"].pk
    client.force_login(world.lead)
    response = client.get(reverse("web:family", args=[hid]))
    assert response.status_code == 200
    assert b"Testfamily" in response.content
    services.add_case_note(by=world.lead, episode=family["episode"], text="Disclosed a diagnosis", is_sensitive=True)
    client.force_login(world.partner)
    page = client.get(reverse("web:family", args=[hid]))
    assert page.status_code == 200
    assert b"Disclosed a diagnosis" not in page.content and "Sensitive note – restricted".encode() in page.content
    client.force_login(world.other_partner)
    assert client.get(reverse("web:family", args=[hid])).status_code == 404


def test_dashboard_renders_for_every_role(client, world):
    make_family(world, lead=world.lead, taf=[world.partner])
    for user in world.users.values():
        client.force_login(user)
        assert client.get(reverse("web:dashboard")).status_code == 200, user.role


def test_manager_dashboard_charts_the_teams_open_families_by_stage(client, world):
    from earlyhelp.casework.selectors import team_caseload

    make_family(world)  # open, not allocated
    allocated = make_family(world, family_name="Second", seed=2, lead=world.lead)
    services.start_assessment(by=world.lead, episode=allocated["episode"], reason="Concerns")
    counts = dict(team_caseload(world.north.pk))
    assert counts["Not allocated"] == 1 and counts["Assessment in progress"] == 1
    assert sum(counts.values()) == 2
    client.force_login(world.manager)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "<svg" in page and "Open families by stage: Not allocated 1; " in page
