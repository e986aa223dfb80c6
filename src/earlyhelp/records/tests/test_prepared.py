"""Prepared queries (`records.prepared`): built through the ORM once, run again with fresh values, and never kept when
anything but the marked values would change."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.db.models import Exists, OuterRef
from django.utils import timezone

from earlyhelp.access.models import EmergencyAccess
from earlyhelp.access import services as access
from earlyhelp.access.policy import families
from earlyhelp.people.models import Household
from earlyhelp.planned_statements import planned_cursor
from earlyhelp.records.prepared import Prepared
from earlyhelp.testing.world import make_family


def _with_emergency_access(user, *, household_id, now):
    return Household.objects.filter(pk=household_id).annotate(open=Exists(EmergencyAccess.objects.filter(
        household=OuterRef("pk"), user=user, expires_at__gt=now)))


def test_a_prepared_query_gives_what_the_orm_gives_for_each_family_and_time(world):
    families_ = [make_family(world, lead=world.lead, seed=seed)["household"] for seed in (1, 2)]
    access.start_emergency_access(by=world.other_lead, household=families_[0], reason="Police called out of hours")
    prepared = Prepared(_with_emergency_access, household_id=int, now=datetime.datetime)
    now = timezone.now()
    for household in families_:
        for moment in (now, now + datetime.timedelta(days=1)):
            orm = [(h.pk, bool(h.open)) for h in _with_emergency_access(world.other_lead, household_id=household.pk,
                                                                          now=moment)]
            run = [(h.pk, bool(h.open)) for h in prepared.run("key", world.other_lead, household_id=household.pk,
                                                             now=moment)]
            assert run == orm
    opened = prepared.run("key", world.other_lead, household_id=families_[0].pk, now=now)
    assert [bool(h.open) for h in opened] == [True]
    assert prepared._kept  # it was kept, not built every time


def test_a_query_that_reads_the_clock_itself_is_never_kept(world):
    def reads_the_clock(*, household_id):  # a time the caller cannot mark: a kept copy would freeze it
        return Household.objects.filter(pk=household_id).annotate(open=Exists(EmergencyAccess.objects.filter(
            household=OuterRef("pk"), expires_at__gt=timezone.now())))

    household = make_family(world, lead=world.lead)["household"]
    prepared = Prepared(reads_the_clock, household_id=int)
    assert [h.pk for h in prepared.run("key", household_id=household.pk)] == [household.pk]
    assert list(prepared._kept.values()) == [False]


def test_only_ints_strings_and_datetimes_can_be_marked():
    with pytest.raises(TypeError, match="ints, strings and datetimes"):
        Prepared(_with_emergency_access, household_id=float)


def test_the_access_decision_is_the_same_prepared_and_built_through_the_orm(world):
    """The family access decision runs prepared (`families._DECISION`): for each kind of user and family it decides as
    the query set built through the ORM does."""
    own = make_family(world, lead=world.lead, taf=[world.partner])["household"]
    other_team = make_family(world, team=world.south, seed=2)["household"]
    excluded = make_family(world, lead=world.lead, seed=3)["household"]
    access.exclude(by=world.manager, household=excluded, user=world.teammate, reason="Neighbour of the family")
    access.start_emergency_access(by=world.other_lead, household=other_team, reason="Police called out of hours")
    now = timezone.now()
    for user in (world.lead, world.manager, world.teammate, world.partner, world.other_lead):
        for household in (own, other_team, excluded):
            orm = families._decision_query(user, household_id=household.pk, now=now)
            prepared = families._DECISION.run(families._decision_key(user), user, household_id=household.pk, now=now)
            columns = [name for name in orm.query.annotations]
            assert [[bool(getattr(row, name)) for name in columns] for row in prepared] == \
                   [[bool(getattr(row, name)) for name in columns] for row in orm], (user.username, household.pk)


@pytest.mark.django_db
def test_a_statement_made_on_every_request_is_planned_once_per_connection_and_logged_like_any_other():
    """On PostgreSQL a planned cursor's statement is prepared on its connection once it has run five times, so the
    server stops planning it; the query log (and Django's execute wrappers) still see every run."""
    statement = "SELECT %s + 1"
    with CaptureQueriesContext(connection) as logged:
        for _ in range(6):
            with planned_cursor() as cursor:
                cursor.execute(statement, [41])
                assert cursor.fetchone()[0] == 42
    assert [query["sql"] for query in logged.captured_queries] == ["SELECT 41 + 1"] * 6  # with its value, as Django's
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1 + 1'")
            assert cursor.fetchone()[0] == 1
    else:  # SQLite plans nothing across statements: Django's own cursor
        with planned_cursor() as cursor, connection.cursor() as own:
            assert type(cursor) is type(own)
