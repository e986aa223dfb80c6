"""Multi-agency panels (P26): a panel has members from several organisations; a pack for it is checked against the
family's consent and the register for every member, and logged as a disclosure to each (P7, P17)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.audit.models import Action, AuditEvent
from earlyhelp.casework.services import panel_packs as packs
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.privacy.models import Disclosure, DisclosureKind, Panel
from earlyhelp.privacy.services import panels, recipients
from earlyhelp.rights.models import RequestKind
from earlyhelp.rights.services import subject_access as sar
from earlyhelp.testing.everywhere import rights_request
from earlyhelp.testing.world import give_consent, make_family, make_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(world):
    """A family whose consent covers schools and health, not the police."""
    family = make_family(world, lead=world.lead, taf=[world.partner])
    give_consent(world.lead, family["household"], family["members"][1],
                 [OrganisationType.SCHOOL, OrganisationType.HEALTH])
    return family


@pytest.fixture
def police(world):
    return Organisation.objects.create(name="Test Constabulary", type=OrganisationType.POLICE)


def _pack(world, family, panel, **extra):
    arguments = {"sections": ["household", "plan"], "basis": "consent", "reason": "The panel is planning support"}
    return packs.prepare_panel_pack(by=world.lead, household=family["household"], panel=panel, **arguments | extra)


@pytest.mark.promise("P26", "P7")
def test_a_pack_to_a_panel_with_a_member_the_consent_does_not_cover_is_refused_naming_it(world, family, police):
    panel = make_panel(world, [world.school, world.health, police])
    before = Disclosure.objects.count()
    with pytest.raises(ValidationError) as refused:
        _pack(world, family, panel)
    message = " ".join(refused.value.messages)
    assert "consent does not cover every member of Multi-Agency Support Group" in message
    assert "Not covered: Test Constabulary (police)" in message
    assert world.school.name not in message and world.health.name not in message  # only those not covered
    assert Disclosure.objects.count() == before  # nothing written, for any member
    refusal = AuditEvent.objects.get(event="panel_pack.refuse")
    assert (refusal.action, refusal.actor, refusal.household_id) == (Action.DENIED, world.lead, family["household"].pk)
    assert refusal.metadata["organisation_ids"] == [police.pk]


@pytest.mark.promise("P26", "P7")
def test_on_public_task_every_member_must_be_a_recipient_the_register_lists(world, family):
    youth = recipients.save_recipient_type(
        by=world.dpo, code="youth_service", name="Youth service", kind="partner", public_function="local_government",
        article_6="6(1)(e)", statutory_basis="Education Act 1996 s507B", reason="Our youth service joins the panel")
    club = Organisation.objects.create(name="Kingsmere Youth Club", type=youth.code)
    panel = make_panel(world, [world.school, club])
    with pytest.raises(ValidationError, match="does not list every member of Multi-Agency Support Group as a "
                                              "recipient for .*Not listed: Kingsmere Youth Club \\(youth service\\)"):
        _pack(world, family, panel, basis="public_task")
    assert not Disclosure.objects.filter(kind=DisclosureKind.PANEL_PACK).exists()


@pytest.mark.promise("P26", "P7", "P17")
def test_a_covered_panel_gets_one_disclosure_per_member_under_one_pack_reference(client, world, family):
    panel = make_panel(world, [world.school, world.health])
    _, pack = _pack(world, family, panel)
    logged = Disclosure.objects.filter(kind=DisclosureKind.PANEL_PACK).order_by("recipient_organisation__name")
    assert [d.recipient_organisation for d in logged] == [world.school, world.health]
    assert {(d.panel_id, d.pack_reference, d.basis, tuple(d.sections)) for d in logged} == {
        (panel.pk, pack.reference, "consent", ("household", "plan"))}
    assert pack.reference.startswith("PP-") and len(pack.disclosures) == 2
    # The family's disclosure log names each member, the panel and the pack.
    client.force_login(world.lead)
    page = client.get(f"/families/{family['household'].pk}/").content.decode()
    for organisation in (world.school, world.health):
        assert f"{organisation.name}, a member of Multi-Agency Support Group (pack {pack.reference})" in page
    report = client.get(f"/families/{family['household'].pk}/information/").content.decode()
    assert report.count(f"(pack {pack.reference})") == 2


@pytest.mark.promise("P26", "P17", "P19")
def test_the_subject_access_pack_shows_the_disclosure_to_each_member(world, family):
    panel = make_panel(world, [world.school, world.health])
    _, pack = _pack(world, family, panel)
    request = rights_request(world, family["members"][2], RequestKind.ACCESS)
    content = sar.build_pack(by=world.dpo, request=request).content
    shown = [r["fields"] for s in content["sections"] for r in s["records"]
             if r["key"].startswith("privacy.Disclosure:")]
    panel_rows = [f for f in shown if f.get("panel") == panel.name]
    assert sorted(f["recipient organisation"] for f in panel_rows) == sorted([world.school.name, world.health.name])
    assert {f["pack reference"] for f in panel_rows} == {pack.reference}


@pytest.mark.promise("P26", "P7")
def test_a_manager_can_send_a_pack_to_every_member_for_an_approved_legal_reason(world, family, police):
    panel = make_panel(world, [world.school, police])
    with pytest.raises(ValidationError, match="approval of a manager"):
        _pack(world, family, panel, basis="safeguarding", reason="A child has disclosed harm")
    assert not Disclosure.objects.filter(kind=DisclosureKind.PANEL_PACK).exists()
    _, pack = _pack(world, family, panel, basis="safeguarding", reason="A child has disclosed harm",
                    approved_by=world.manager)
    assert {(d.recipient_organisation, d.approved_by) for d in pack.disclosures} == {
        (world.school, world.manager), (police, world.manager)}


@pytest.mark.promise("P26")
def test_a_pack_needs_an_active_panel(world, family):
    panel = make_panel(world, [world.school, world.health])
    panels.save_panel(by=world.manager, panel=panel, name=panel.name, members=[world.school, world.health],
                      is_active=False, reason="The panel no longer meets")
    panel.refresh_from_db()
    with pytest.raises(ValidationError, match="Choose a panel from the list"):
        _pack(world, family, panel)
    assert not Disclosure.objects.filter(kind=DisclosureKind.PANEL_PACK).exists()


@pytest.mark.promise("P26")
def test_panels_are_kept_by_managers_with_history_and_a_reason(world, police):
    with pytest.raises(PermissionDenied):
        panels.save_panel(by=world.lead, name="MASG", members=[world.school, world.health], reason="New panel")
    for members, reason, field, message in [
            ([world.school], "New", "members", "at least 2 member organisations"),
            ([world.school, world.council], "New", "members", "Test Borough Council cannot sit on a panel"),
            ([world.school, world.health], "", "change_reason", "Enter why you are making this change")]:
        with pytest.raises(ValidationError) as refused:
            panels.save_panel(by=world.manager, name="MASG", members=members, reason=reason)
        assert message in " ".join(refused.value.message_dict[field])
    assert not Panel.objects.exists()
    panel = make_panel(world, [world.school, world.health])
    panels.save_panel(by=world.admin, panel=panel, name=panel.name, members=[world.school, world.health, police],
                      reason="The police join the panel")
    entries = panels.history(panel)
    assert [(e["kind"], e["reason"], e["who"]) for e in entries] == [
        ("Changed", "The police join the panel", world.admin.get_full_name()),
        ("Added", "The panel meets monthly", world.manager.get_full_name())]
    assert entries[0]["members"] == sorted([world.school.name, world.health.name, police.name])
    assert entries[1]["members"] == sorted([world.school.name, world.health.name])
    assert AuditEvent.objects.filter(event__in=["panel.create", "panel.change"]).count() == 2


@pytest.mark.promise("P26")
def test_the_panel_pages_add_and_change_a_panel(client, world, police):
    client.force_login(world.manager)
    refused = client.post("/panels/new/", {"name": "MASG North", "members": [world.school.pk], "is_active": "on",
                                           "change_reason": "New panel"})
    assert "Choose at least 2 member organisations" in refused.content.decode()
    made = client.post("/panels/new/", {"name": "MASG North", "members": [world.school.pk, police.pk],
                                        "is_active": "on", "change_reason": "New panel"})
    panel = Panel.objects.get()
    assert made.status_code == 302 and set(panel.members.all()) == {world.school, police}
    client.post(f"/panels/{panel.pk}/edit/", {"name": "MASG North", "members": [world.school.pk, world.health.pk],
                                              "is_active": "on", "change_reason": "Health replaces the police"})
    page = client.get(f"/panels/{panel.pk}/").content.decode()
    assert "Health replaces the police" in page and "New panel" in page
    assert set(panel.members.all()) == {world.school, world.health}
