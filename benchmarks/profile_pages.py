#!/usr/bin/env python
"""Where a page's time goes: queries, SQL time, template time and Python time, one request at a time.

    .venv/bin/python benchmarks/profile_pages.py [--families 20000] [--rounds 5] [--profile "family page"]

Uses the load benchmark's council (benchmarks/load.py; reused, or loaded if missing) in this process, with DEBUG
off, through Django's test client signed in as a lead practitioner and as a team manager (sessions verified with a
second factor, as in the tests). For each page it prints the median over --rounds requests of: the number of
queries, their time, the time spent rendering templates (cProfile), and the whole request. --profile NAME prints
that page's cProfile hotspots. The family page is served kept after its first request (`casework.kept_pages`): run
with EARLYHELP_KEEP_FAMILY_PAGES=0 to profile its reading and rendering.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import json
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import run


def setup(args):
    args.secret_key = secrets.token_urlsafe(50)
    args.var_dir = tempfile.mkdtemp(prefix="earlyhelp-profile-")
    run.prepare_database(args)
    os.environ.update(run.app_env(args, audit_reads=True))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(run.ROOT / "src"))
    import django

    django.setup()


def busiest(users, households_of):
    """The user whose families are many (a full caseload), and their family with the most case notes."""
    from django.db.models import Count

    from earlyhelp.people.models import Household

    user = max(users, key=lambda u: len(households_of(u)))
    household = (Household.objects.filter(pk__in=households_of(user)).annotate(n=Count("episodes__notes"))
                 .order_by("-n", "pk").first())
    return user, household


def pages(lead, manager, household, search):
    from earlyhelp.testing.signin import verified_force_login
    from django.test import Client

    clients = {}
    for user in (lead, manager):
        client = Client()
        verified_force_login(client, user)
        client.get("/search/")  # the CSRF cookie
        clients[user.pk] = client
    note = {"text": "Profiling: a synthetic case note.", "channel": "phone", "source": "practitioner"}
    return {
        "dashboard (lead)": lambda: clients[lead.pk].get("/"),
        "dashboard (manager)": lambda: clients[manager.pk].get("/"),
        "family page": lambda: clients[lead.pk].get(f"/families/{household.pk}/"),
        "search": lambda: clients[lead.pk].post("/search/", search),
        "case note form": lambda: clients[lead.pk].get(f"/families/{household.pk}/notes/new/"),
        "case note (save)": lambda: clients[lead.pk].post(f"/families/{household.pk}/notes/new/", note),
    }


def template_seconds(profile: cProfile.Profile) -> float:
    stats = pstats.Stats(profile)
    return sum(row[3] for (path, _line, name), row in stats.stats.items()
               if name == "render" and path.endswith(os.path.join("django", "template", "backends", "django.py")))


def backend_cpu_seconds(pid: int) -> float:
    """CPU seconds PostgreSQL's backend for our connection has used (user + system, from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(request, rounds):
    """CPU ms per request of this process and of its PostgreSQL backend: unlike wall time, barely moved by what else
    the machine is doing, so it is the figure to compare before and after a change on a shared machine."""
    from django.db import connection

    request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    python, postgres = time.process_time(), backend_cpu_seconds(backend)
    for _ in range(rounds):
        request()
    return (round(1000 * (time.process_time() - python) / rounds, 1),
            round(1000 * (backend_cpu_seconds(backend) - postgres) / rounds, 1))


def measure(name, request, rounds, *, show_profile=False, show_queries=False):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    request()  # warm: the first request compiles templates and fills caches
    rows, hotspots = [], None
    for _ in range(rounds):
        reset_queries()  # a request empties the query log as it starts: start from an empty one
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = request()
            wall = time.perf_counter() - started
        captured = queries.captured_queries  # read now: the next request empties the connection's query log
        if response.status_code not in (200, 302):
            raise SystemExit(f"{name}: HTTP {response.status_code}")
        profile = cProfile.Profile()
        profile.runcall(request)
        hotspots = pstats.Stats(profile) if hotspots is None else hotspots.add(profile)  # every round's, summed
        rows.append({"queries": len(captured), "sql_ms": 1000 * sum(float(q["time"]) for q in captured),
                     "template_ms": 1000 * template_seconds(profile), "total_ms": 1000 * wall,
                     "bytes": len(response.content)})
    if show_profile:
        print(f"Hotspots summed over {rounds} requests:")
        hotspots.sort_stats("cumulative").print_stats(os.environ.get("PROFILE_FILTER", ""), 60)
        hotspots.sort_stats("tottime").print_stats(25)
    if show_queries:
        for query in captured:
            print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
    summary = {key: round(statistics.median(r[key] for r in rows), 1) for key in rows[0]}
    summary["python_ms"] = round(summary["total_ms"] - summary["sql_ms"], 1)
    if connection.vendor == "postgresql":
        summary["cpu_ms"], summary["postgresql_cpu_ms"] = cpu_per_request(request, max(rounds, 20) * 5)
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=20_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/earlyhelp_load_bench")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="measure only this page")
    parser.add_argument("--profile", default="", help="print the cProfile hotspots of this page")
    parser.add_argument("--queries", default="", help="print the SQL of this page's last request (with each time)")
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    run.bench_database(args.database_url)
    setup(args)
    from earlyhelp.access.policy import households_visible_to
    from earlyhelp.organisations.models import Role, User
    from earlyhelp.people.models import Person

    visible = {}

    def households_of(user):
        if user.pk not in visible:
            visible[user.pk] = list(households_visible_to(user).values_list("pk", flat=True))
        return visible[user.pk]

    leads = list(User.objects.filter(role=Role.LEAD_PRACTITIONER, is_active=True).order_by("pk")[:30])
    lead, household = busiest(leads, households_of)
    manager = User.objects.filter(role=Role.TEAM_MANAGER, team=lead.team, is_active=True).order_by("pk").first()
    person = Person.objects.filter(memberships__household=household, date_of_birth__isnull=False).first()
    born = person.date_of_birth
    search = {"family_name": person.family_name, "given_name": person.given_name, "date_of_birth_day": born.day,
              "date_of_birth_month": born.month, "date_of_birth_year": born.year, "identifier": ""}
    results = {}
    header = (f"{'page':<22}{'queries':>8}{'SQL ms':>8}{'tmpl ms':>8}{'py ms':>8}{'total ms':>9}{'KB':>7}"
              f"{'CPU ms':>8}{'PG CPU':>8}")
    print(f"Lead with {len(households_of(lead))} families; manager of their team with {len(households_of(manager))}; "
          f"the family page has {household.episodes.first().notes.count() if household.episodes.exists() else 0} "
          f"notes on its first episode.\n\n{header}\n{'-' * len(header)}")
    for name, request in pages(lead, manager, household, search).items():
        if args.only and name != args.only:
            continue
        row = results[name] = measure(name, request, args.rounds, show_profile=name == args.profile,
                                             show_queries=name == args.queries)
        print(f"{name:<22}{row['queries']:>8.0f}{row['sql_ms']:>8.1f}{row['template_ms']:>8.1f}{row['python_ms']:>8.1f}"
              f"{row['total_ms']:>9.1f}{row['bytes'] / 1024:>7.0f}{row['cpu_ms']:>8.1f}{row['postgresql_cpu_ms']:>8.1f}",
              flush=True)
    out = run.RESULTS / f"{datetime.date.today().isoformat()}-pages{'-' + args.label if args.label else ''}.json"
    out.write_text(json.dumps({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                               "load_average": [round(x, 2) for x in os.getloadavg()],
                               "families": args.families, "pages": results}, indent=2) + "\n")
    print(f"\n(SQL ms is the queries' time as the client sees it; py ms = total - SQL, templates included.)\n"
          f"Written to {out.relative_to(run.ROOT)}")


if __name__ == "__main__":
    main()
