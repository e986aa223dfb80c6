"""Kept family pages (`casework.kept_pages`): served again only while nothing they show has changed, only to the viewer
and access they were rendered for, never past the day, and gone with the change that made them out of date."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.contrib.messages import add_message, constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from earlyhelp.access import policy
from earlyhelp.access import services as access_services
from earlyhelp.audit.models import AuditEvent
from earlyhelp.casework import kept_pages, views
from earlyhelp.casework import services as casework
from earlyhelp.casework.kept_pages import store, triggers, watch
from earlyhelp.casework.models import FamilyVersion, KeptFamilyPage, RecordEpoch
from earlyhelp.organisations.models import User
from earlyhelp.people.models import Household
from earlyhelp.retention.services import erasure
from earlyhelp.testing.everywhere import seed_person_everywhere
from earlyhelp.testing.traces import find_traces, fingerprint
from earlyhelp.testing.world import make_family, make_panel
from earlyhelp.ui.kept import CSRF, MESSAGES, NONCE, fill

TABLE = re.compile(r'(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"')


def version(household) -> int:
    return FamilyVersion.objects.get(household_id=household.pk).version


def epoch() -> int:
    return RecordEpoch.objects.filter(pk=1).values_list("epoch", flat=True).first() or 0


def keep_a_page(household, viewer):
    """A kept page for this family, as the family page would keep it now."""
    assert store.keep(household_id=household.pk, viewer_id=viewer.pk, day=timezone.localdate(), access_key="k",
                      version=version(household), epoch=epoch(), html="H")


def kept(household) -> int:
    return KeptFamilyPage.objects.filter(household_id=household.pk).count()


@pytest.fixture
def everywhere(world):
    return seed_person_everywhere(world)


# --- What the triggers watch -----------------------------------------------------------------------------------------

def test_every_table_the_family_page_reads_is_watched(world, everywhere):
    """The page's body of a family seeded into every table, as each kind of viewer sees it, reads only tables whose
    changes the triggers follow: a table added to the page without a trigger fails here."""
    watched = {apps.get_model(label)._meta.db_table for label in [*watch.FAMILY_ROWS, *watch.EVERY_PAGE_ROWS]}
    # Its Team Around the Family ended when the family was stepped up: the partners' view is of a family with an open
    # episode, one seeing the plan, the other every section.
    with_taf = make_family(world, lead=world.lead, taf=[world.partner], taf_sections=["plan", "reviews", "notes",
                                                                                     "assessment"], seed=3)
    casework.add_case_note(by=world.lead, episode=with_taf["episode"], text="Visited")
    viewers = [(world.lead, everywhere["household"]), (world.manager, everywhere["household"]),
               (world.other_lead, everywhere["household"]),  # with emergency access
               (world.partner, with_taf["household"]), (world.lead, with_taf["household"])]
    read = set()
    for viewer, household in viewers:
        access = policy.family_access(viewer, household.pk)
        assert access is not None, viewer.username
        with CaptureQueriesContext(connection) as queries:
            views._family_page_body(access, viewer, timezone.localdate())
        read |= {table for query in queries for table in TABLE.findall(query["sql"])}
    assert read - watched == set()
    assert {"casework_casenote", "casework_planaction", "people_person", "organisations_user"} <= read  # it did read


def test_the_triggers_are_installed_and_follow_their_definitions(db):
    wanted = triggers.definitions(connection.vendor)
    assert triggers.installed(connection) == set(wanted)
    assert triggers.install() is False  # unchanged: nothing to do


def test_a_change_to_any_row_a_family_page_shows_bumps_that_family_only_and_deletes_its_kept_pages(world, everywhere):
    household = everywhere["household"]
    other = make_family(world, lead=world.lead, family_name="Otherfamily", seed=5)["household"]
    for label, paths in watch.FAMILY_ROWS.items():
        model = apps.get_model(label)
        lookup = {"pk": household.pk} if paths == [""] else {paths[0]: household}
        rows = model.objects.filter(**lookup)
        assert rows.exists(), f"seed_person_everywhere has no {label} row for the family: seed one"
        field = next(f for f in model._meta.concrete_fields if not f.primary_key)
        keep_a_page(household, world.lead)
        keep_a_page(other, world.lead)
        before, other_before = version(household), version(other)
        model.objects.filter(pk=rows.first().pk).update(**{field.name: F(field.name)})  # bypasses every service
        assert version(household) > before, label
        assert kept(household) == 0, label
        assert (version(other), kept(other)) == (other_before, 1), label


def test_deleting_a_row_bumps_the_family_and_deleting_the_family_removes_its_version(world):
    family = make_family(world, lead=world.lead)
    household, episode = family["household"], family["episode"]
    note = casework.add_case_note(by=world.lead, episode=episode, text="Visited")
    keep_a_page(household, world.lead)
    before = version(household)
    type(note).objects.filter(pk=note.pk).delete()
    assert version(household) > before and kept(household) == 0
    empty = Household.objects.create(reference="EH-KEPT-2")
    keep_a_page(empty, world.lead)
    Household.objects.filter(pk=empty.pk).delete()
    assert not FamilyVersion.objects.filter(household_id=empty.pk).exists()
    assert kept(empty) == 0


def test_a_new_family_starts_with_a_version(db):
    household = Household.objects.create(reference="EH-KEPT-1")
    assert version(household) == 1


def test_staff_and_the_councils_rules_bump_the_epoch_but_a_sign_in_does_not(world):
    for label, ignored in watch.EVERY_PAGE_ROWS.items():
        model = apps.get_model(label)
        made = {"privacy.ConsentRules": lambda: model.current(),
                "privacy.Panel": lambda: make_panel(world, [world.health, world.partner.organisation])}
        row = model.objects.first() or made.get(label, lambda: None)()
        assert row is not None, f"no {label} row to change"
        field = next(f for f in model._meta.concrete_fields if not f.primary_key and f.name not in ignored)
        before = epoch()
        model.objects.filter(pk=row.pk).update(**{field.name: F(field.name)})
        assert epoch() > before, label
    before = epoch()
    User.objects.filter(pk=world.lead.pk).update(last_login=timezone.now())
    assert epoch() == before


@pytest.mark.promise("P4")
@pytest.mark.parametrize("how", ["dispose", "anonymise"])
def test_nothing_a_disposal_or_anonymisation_removed_outlives_it_in_a_kept_page(
        client, world, everywhere, how, django_capture_on_commit_callbacks):
    household, subject = everywhere["household"], everywhere["subject"]
    for viewer in (world.lead, world.manager):
        client.force_login(viewer)
        assert subject.full_name in client.get(reverse("web:family", args=[household.pk])).content.decode()
    assert KeptFamilyPage.objects.filter(household_id=household.pk, html__contains=subject.full_name).count() == 2
    marks = fingerprint(subject)
    if how == "anonymise":  # the rows stay; only what identifies anyone goes
        marks.person_ids, marks.household_ids = set(), set()
    with django_capture_on_commit_callbacks(execute=True):
        getattr(erasure, f"{how}_households")([household.pk], by=world.dpo, reason="Six years after closure")
    assert find_traces(marks) == []
    assert kept(household) == 0


# --- Keeping and serving ---------------------------------------------------------------------------------------------

def test_a_page_is_not_kept_if_its_family_changed_while_it_was_rendered(world):
    household = make_family(world, lead=world.lead)["household"]
    read = version(household)
    Household.objects.filter(pk=household.pk).update(reference=F("reference"))  # a change lands meanwhile
    assert store.keep(household_id=household.pk, viewer_id=world.lead.pk, day=timezone.localdate(), access_key="k",
                      version=read, epoch=epoch(), html="H") is False
    assert kept(household) == 0
    stale_epoch = epoch()
    User.objects.filter(pk=world.manager.pk).update(first_name=F("first_name"))
    assert store.keep(household_id=household.pk, viewer_id=world.lead.pk, day=timezone.localdate(), access_key="k",
                      version=version(household), epoch=stale_epoch, html="H") is False


@pytest.fixture
def renders(monkeypatch):
    """How many times the family page's body was rendered from the record."""
    calls = []
    real = views._family_page_body

    def counting(access, user, today):
        calls.append(user)
        return real(access, user, today)

    monkeypatch.setattr(views, "_family_page_body", counting)
    return calls


def test_the_second_view_is_served_kept_identical_audited_and_with_its_own_csrf_token(client, world, everywhere,
                                                                                      renders):
    household = everywhere["household"]
    url = reverse("web:family", args=[household.pk])
    client.force_login(world.manager)
    views_before = AuditEvent.objects.filter(event="household.view", household_id=household.pk).count()
    first = client.get(url)
    second = client.get(url)
    assert renders == [world.manager]  # read and rendered once
    assert first.status_code == second.status_code == 200
    assert AuditEvent.objects.filter(event="household.view", household_id=household.pk).count() == views_before + 2
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.search(second.content.decode()), "the suggestion form lost its CSRF field"
    per_request = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert per_request.sub("", first.content.decode()) == per_request.sub("", second.content.decode())
    html = KeptFamilyPage.objects.get(household_id=household.pk, viewer_id=world.manager.pk).html
    assert CSRF in html and f'nonce="{NONCE}"' in html and MESSAGES in html and "csrfmiddlewaretoken" not in html


def test_a_change_through_a_service_is_on_the_next_view(client, world, renders):
    family = make_family(world, lead=world.lead)
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.lead)
    assert "Met the school nurse" not in client.get(url).content.decode()
    casework.add_case_note(by=world.lead, episode=family["episode"], text="Met the school nurse")
    assert "Met the school nurse" in client.get(url).content.decode()
    assert len(renders) == 2


def test_a_kept_page_is_never_served_to_another_viewer_or_access(client, world, renders):
    family = make_family(world, lead=world.lead, taf=[world.partner])  # the partner sees the minimum (P8)
    casework.add_case_note(by=world.lead, episode=family["episode"], text="Home visit with the family")
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.lead)
    assert "Home visit with the family" in client.get(url).content.decode()
    client.force_login(world.partner)
    assert "Home visit with the family" not in client.get(url).content.decode()  # not the lead's kept page
    assert renders == [world.lead, world.partner]
    # Their access widens: the fingerprint changes, so the page is rendered again for the new access.
    member = family["episode"].taf_members.get(practitioner=world.partner)
    casework.change_taf_sections(by=world.lead, member=member, sections=["plan", "notes"])
    assert "Home visit with the family" in client.get(url).content.decode()
    assert renders == [world.lead, world.partner, world.partner]


def test_access_is_decided_on_every_view_even_with_a_page_kept(client, world, renders):
    family = make_family(world, lead=world.lead)
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.teammate)
    assert client.get(url).status_code == 200
    access_services.exclude(by=world.manager, household=family["household"], user=world.teammate, reason="Neighbour")
    assert client.get(url).status_code == 404


def test_a_page_kept_yesterday_is_rendered_again_today(client, world, renders, monkeypatch):
    family = make_family(world, lead=world.lead)
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.lead)
    client.get(url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(kept_pages.timezone, "localdate", lambda: tomorrow)
    client.get(url)
    assert len(renders) == 2


def test_keeping_can_be_turned_off(client, world, renders, settings):
    settings.EARLYHELP_KEEP_FAMILY_PAGES = False
    family = make_family(world, lead=world.lead)
    url = reverse("web:family", args=[family["household"].pk])
    client.force_login(world.lead)
    client.get(url)
    client.get(url)
    assert len(renders) == 2 and kept(family["household"]) == 0


def test_a_kept_page_is_served_with_this_requests_messages_token_and_nonce(rf, world):
    request = rf.get("/")
    request.session, request.user = SessionStore(), world.lead
    request._messages = FallbackStorage(request)
    request.csp_nonce = "n0nce"
    add_message(request, constants.SUCCESS, "Case note saved")
    page = f'<script nonce="{NONCE}"></script><main>{MESSAGES}<form>{CSRF}</form><p>{CSRF}</p></main>'
    served = fill(page, request)
    assert 'nonce="n0nce"' in served and "Case note saved" in served and "govuk-notification-banner" in served
    assert served.count('name="csrfmiddlewaretoken"') == 2 and "<!--eh:" not in served


def test_the_nightly_command_forgets_pages_kept_on_earlier_days(world):
    family = make_family(world, lead=world.lead)
    keep_a_page(family["household"], world.lead)
    keep_a_page(family["household"], world.manager)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    KeptFamilyPage.objects.filter(viewer_id=world.manager.pk).update(day=yesterday)
    out = io.StringIO()
    call_command("forget_old_kept_pages", stdout=out)
    assert out.getvalue().startswith("1 kept family pages")
    assert list(KeptFamilyPage.objects.values_list("viewer_id", flat=True)) == [world.lead.pk]
