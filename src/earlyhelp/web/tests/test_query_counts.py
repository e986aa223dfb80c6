"""The busiest pages read a family in a fixed number of queries, however much the family holds (issue 14, item 9).

A page that asks the database once per member, note or action (N+1) is fast in a test and slow for a family with
ten years of history. These tests compare a family with one of everything with a family holding several of
everything (the larger may not take more queries: it may take fewer, since the page reads only the kinds of record
that can hold its latest events), and a search finding one person with one finding several (the same number).
How long pages take is measured in benchmarks/ (`make benchmark-load`), never asserted here.
"""

import datetime
import re
from collections import Counter

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp.access import policy
from earlyhelp.casework import services
from earlyhelp.organisations.models import Organisation, OrganisationType
from earlyhelp.people import services as people
from earlyhelp.people.models import MemberRole
from earlyhelp.programme.models import Descriptor
from earlyhelp.records.provenance import SourceKind
from earlyhelp.testing.names import name_suffix
from earlyhelp.testing.world import give_consent, make_family

pytestmark = pytest.mark.django_db


def _queries(request) -> list[str]:
    reset_queries()  # a request empties the query log when it starts: start from an empty one, or none are counted
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200 and captured.captured_queries
    return [q["sql"] for q in captured.captured_queries]


def _shapes(queries) -> Counter:
    """How often each query is asked, its values left out (ids, dates and text differ between two families)."""
    def shape(sql):
        sql = re.sub(r"'[^']*'", "?", sql)
        sql = re.sub(r'"s\d+_x\d+"', '"savepoint"', sql)
        sql = re.sub(r"\bIN \([^()]*\)", "IN (...)", sql)
        return re.sub(r"\b\d+\b", "?", sql)

    return Counter(shape(sql) for sql in queries)


def _family_holding(world, n, *, seed):
    """A family with `n` of everything its page lists: extra members, Team Around the Family members, assessment
    areas, needs, plan actions, case notes (from partners too) and consents."""
    family = make_family(world, lead=world.lead, taf=[world.partner], taf_sections=policy.SECTIONS, seed=seed,
                         family_name=f"Family{name_suffix(seed)}")
    household, episode = family["household"], family["episode"]
    for i in range(n):
        child = people.create_person(by=world.front_door, given_name=f"Child{name_suffix(i)}", family_name=f"Family{name_suffix(seed)}",
                                     date_of_birth=datetime.date(2015, 1, 1 + i))
        people.add_member(by=world.front_door, household=household, person=child, role=MemberRole.CHILD,
                          start_date=datetime.date(2020, 1, 1))
        give_consent(world.lead, household, family["members"][i % 2])
    partner = Organisation.objects.filter(type=OrganisationType.SCHOOL).first()
    assessment = services.start_assessment(by=world.lead, episode=episode, reason="School concerns")
    areas = ["EDUCATION", "HEALTH", "FINANCE"][:n]
    services.record_assessment(by=world.lead, assessment=assessment, voice_of_child="", analysis="Analysis",
                               findings={code: {"strengths": "Some", "needs": "Some", "score": 3,
                                                "source_kind": SourceKind.PARTNER, "source_organisation": partner}
                                         for code in areas})
    descriptors = list(Descriptor.objects.filter(version__is_current=True).order_by("pk")[:n])
    for i in range(n):
        services.add_plan_action(by=world.lead, episode=episode, area_code=areas[i % len(areas)], need=f"Need {i}",
                                 action=f"Action {i}", owner=world.lead, intended_outcome="Better",
                                 due_date=datetime.date.today() + datetime.timedelta(days=30))
        services.add_case_note(by=world.lead, episode=episode, text=f"Note {i}", is_sensitive=bool(i % 2),
                               source_kind=SourceKind.PARTNER, source_organisation=partner)
        services.record_family_need(by=world.lead, household_id=household.pk, person_id=family["members"][i].pk,
                                    descriptor_id=descriptors[i].pk, evidence="Seen", baseline_score=2)
    return household


def test_the_family_page_reads_a_family_in_the_same_number_of_queries_however_much_it_holds(client, world, settings):
    settings.EARLYHELP_KEEP_FAMILY_PAGES = False  # every view reads the record (a kept page is read in one query)
    small, large = _family_holding(world, 1, seed=1), _family_holding(world, 3, seed=2)
    for viewer in (world.lead, world.partner):  # the lead sees everything; a partner on the TAF, with masking
        client.force_login(viewer)
        client.get(reverse("web:family", args=[small.pk]))  # the session's first request saves it: leave that out
        few = _queries(lambda: client.get(reverse("web:family", args=[small.pk])))
        many = _queries(lambda: client.get(reverse("web:family", args=[large.pk])))
        # No query is asked more often for the larger family (an N+1 would be); the page may ask fewer, since its
        # latest events can be found in fewer kinds of record.
        repeated = {sql: n for sql, n in _shapes(many).items() if n > _shapes(few)[sql]}
        assert not repeated, "\n".join(repeated)
        assert len(many) <= len(few)


def test_a_search_takes_the_same_number_of_queries_for_one_result_as_for_many(client, world):
    # People called Farrow in families the lead may open, may not open, and a restricted one.
    make_family(world, lead=world.lead, family_name="Farrow", seed=1)
    for seed, team in [(2, world.north), (3, world.south), (4, world.south)]:
        make_family(world, family_name="Farrow", seed=seed, team=team, restricted=seed == 4)
    make_family(world, family_name="Lonely", seed=5, lead=world.lead)
    client.force_login(world.lead)
    search = reverse("web:search")
    client.get(search)

    def searching(family_name, given_name):
        return lambda: client.post(search, {"family_name": family_name, "given_name": given_name})

    one = _queries(searching("Lonely", "Jamie"))
    many = _queries(searching("Farrow", "Jamie"))
    assert len(many) == len(one), "\n".join(many)
