#!/usr/bin/env python
"""Page weights and times at the demo council's size (2,000 families): what issue 14 asks to be reported.

    .venv/bin/python benchmarks/demo_pages.py [--families 2000] [--rounds 20]

Loads (or reuses) the demo council in the PostgreSQL database earlyhelp_demo_bench, exactly as `make demo` builds it
but on PostgreSQL, then opens each page --rounds times in this process through Django's test client (DEBUG off,
reads audited), signed in as the demo's own accounts (sessions verified with their second factor, as in the tests):

- the team manager's dashboard, counted (EARLYHELP_DASHBOARD_FRESH_SECONDS=0) and kept (the default);
- the lead practitioner's dashboard (kept);
- a family page as the lead practitioner (their family with the most case notes) and as the partner on its Team
  Around the Family (the partner's family with the most case notes);
- the partner access review as the team manager.

Prints the page's size, queries, and p50/p95 of the whole request; writes results/<date>-demo-pages.json.
"""

import argparse
import datetime
import json
import os
import statistics
import time

import profile_pages
import run


def timed(request, rounds):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    request()  # the first request fills caches and compiles templates
    times, queries, size = [], 0, 0
    for _ in range(rounds):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request()
            times.append(1000 * (time.perf_counter() - started))
        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code}")
        queries, size = len(captured.captured_queries), len(response.content)
    times.sort()
    return {"kb": round(size / 1024, 1), "queries": queries, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=2_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/earlyhelp_demo_bench")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args()
    args.label = ""
    run.bench_database(args.database_url)
    profile_pages.setup(args)

    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from earlyhelp.access.policy import households_visible_to
    from earlyhelp.organisations.models import User
    from earlyhelp.testing.signin import verified_force_login

    users = {name: User.objects.get(username=name) for name in ("manager", "lead", "partner")}
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        verified_force_login(clients[name], user)

    def busiest(user):
        return (households_visible_to(user).annotate(notes=Count("episodes__notes")).order_by("-notes", "pk")
                .values_list("pk", flat=True).first())

    lead_family, partner_family = busiest(users["lead"]), busiest(users["partner"])

    def dashboard_counted():
        settings.EARLYHELP_DASHBOARD_FRESH_SECONDS = 0
        try:
            return clients["manager"].get("/")
        finally:
            settings.EARLYHELP_DASHBOARD_FRESH_SECONDS = kept

    kept = settings.EARLYHELP_DASHBOARD_FRESH_SECONDS
    pages = {
        "dashboard (manager, counted)": dashboard_counted,
        "dashboard (manager, kept)": lambda: clients["manager"].get("/"),
        "dashboard (lead, kept)": lambda: clients["lead"].get("/"),
        "family page (lead)": lambda: clients["lead"].get(reverse("web:family", args=[lead_family])),
        "family page (partner)": lambda: clients["partner"].get(reverse("web:family", args=[partner_family])),
        "partner access review (manager)": lambda: clients["manager"].get(reverse("web:partner-access-reviews")),
    }
    header = f"{'page':<34}{'KB':>7}{'queries':>9}{'p50 ms':>8}{'p95 ms':>8}"
    print(f"\n{header}\n{'-' * len(header)}")
    results = {}
    for name, request in pages.items():
        row = results[name] = timed(request, args.rounds)
        print(f"{name:<34}{row['kb']:>7}{row['queries']:>9}{row['p50_ms']:>8}{row['p95_ms']:>8}", flush=True)
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"\nLoad average {load} ({os.cpu_count()} CPUs).")
    out = run.RESULTS / f"{datetime.date.today().isoformat()}-demo-pages.json"
    out.write_text(json.dumps({"date": datetime.datetime.now().isoformat(timespec="seconds"), "load_average": load,
                               "families": args.families, "rounds": args.rounds, "pages": results}, indent=2) + "\n")
    print(f"Written to {out.relative_to(run.ROOT)}")


if __name__ == "__main__":
    main()
