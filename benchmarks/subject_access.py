#!/usr/bin/env python
"""Subject access benchmark: how long the pack takes for a person with ten years of history.

    .venv/bin/python benchmarks/subject_access.py [--families 100000] [--records 1200]
        [--database-url postgres://postgres@127.0.0.1:5432/earlyhelp_bench]

1. Prepares the *_bench PostgreSQL database with the demo council, as benchmarks/run.py does (reused when
   a council of the same size is loaded).
2. Gives one child of one family ten years of history: earlier closed episodes, address moves, record
   changes, case notes naming other people, plan actions, reviews, and views and changes in the audit
   trail, at least --records records in all.
3. Times building the subject access pack (collecting every record, the JSON snapshot and the third-party
   redaction proposals) and rendering the PDF, --rounds times each. Goals: JSON under 5 s, PDF under 15 s.
4. Prints a table and writes benchmarks/results/<date>-subject-access.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as web_benchmark  # noqa: E402  (same database preparation and safety checks)

ROOT = web_benchmark.ROOT
GOALS_S = {"json": 5.0, "pdf": 15.0}


def give_ten_years_of_history(records_wanted: int, seed: int):
    """One child with a decade of early help; returns (person, request, records created)."""
    # Imported here: Django is set up (in `measure`) only once the benchmark's settings are chosen.
    from django.db import transaction
    from django.utils import timezone

    from earlyhelp.audit import services as audit
    from earlyhelp.audit.models import Action, Purpose
    from earlyhelp.casework.models import (
        CaseNote,
        Episode,
        EpisodeStatus,
        Plan,
        PlanAction,
        Review,
    )
    from earlyhelp.organisations.models import Role, User
    from earlyhelp.people import services as people
    from earlyhelp.people.models import MemberRole, Membership
    from earlyhelp.programme.models import HeadlineArea
    from earlyhelp.rights.models import RequestKind, RightsRequest

    rng = random.Random(seed)
    # A family nobody has asked about yet, so each run measures a person with exactly this history.
    episode = (Episode.objects.filter(status=EpisodeStatus.OPEN, lead_practitioner__isnull=False)
               .exclude(household__memberships__person__rights_requests__isnull=False)
               .select_related("household", "lead_practitioner").order_by("pk").first())
    household, lead = episode.household, episode.lead_practitioner
    child = Membership.objects.filter(household=household, role=MemberRole.CHILD).select_related("person").first().person
    others = [m.person for m in Membership.objects.filter(household=household).exclude(person=child)
              .select_related("person")]
    dpo = User.objects.filter(role=Role.DPO).first()
    areas = list(HeadlineArea.objects.all())
    today = timezone.localdate()
    created = 0
    with transaction.atomic():
        for year in range(10, 0, -1):  # an earlier closed episode for each of the last ten years
            opened = today - datetime.timedelta(days=365 * year)
            old = Episode.objects.create(household=household, team=episode.team, lead_practitioner=lead,
                                         status=EpisodeStatus.CLOSED, is_current=False, opened_on=opened,
                                         closure_reason="outcomes_met", closed_on=opened + datetime.timedelta(days=200),
                                         closed_by=lead, closure_requested_by=lead,
                                         closure_summary=f"{child.given_name} made good progress this year")
            plan = Plan.objects.create(episode=old, created_by=lead)
            per_episode = max(1, (records_wanted - 300) // 10)
            notes = [CaseNote(episode=old, author=lead, occurred_at=timezone.now() - datetime.timedelta(days=365 * year - i),
                              text=(f"Visit {i}. {child.given_name} spoke about {rng.choice(others).full_name}. "
                                    f"Mum asked us to ring 07700 9{rng.randint(10000, 99999)}."))
                     for i in range(per_episode // 2)]
            CaseNote.objects.bulk_create(notes)
            actions = [PlanAction(plan=plan, area=rng.choice(areas), need=f"Need {i} for {child.given_name}",
                                  action="Weekly session", owner=lead, intended_outcome="Better routines",
                                  due_date=opened + datetime.timedelta(days=30 * (i % 6 + 1)))
                       for i in range(per_episode // 4)]
            PlanAction.objects.bulk_create(actions)
            reviews = [Review(episode=old, due_on=opened + datetime.timedelta(days=56 * i),
                              held_on=opened + datetime.timedelta(days=56 * i), recorded_by=lead,
                              summary=f"Review {i}: {child.given_name} is doing well")
                       for i in range(per_episode // 4)]
            Review.objects.bulk_create(reviews)
            created += 1 + 1 + len(notes) + len(actions) + len(reviews)
        current = child.addresses.filter(valid_to__isnull=True).first()
        first = max(today - datetime.timedelta(days=3650),
                    (current.valid_from + datetime.timedelta(days=1)) if current else today - datetime.timedelta(days=3650))
        step = max(1, (today - first).days // 11)
        for move in range(10):  # address moves and record changes, each kept in history
            people.move_address(by=lead, person=child, line_1=f"{move + 1} Benchmark Road", town="Testtown",
                                postcode=f"ZZ{move} 9ZZ", valid_from=first + datetime.timedelta(days=step * move))
            people.update_person(by=lead, person=child, preferred_name="Nick" + "abcdefghij"[move])
            created += 3  # an address, the end of the previous one, a person version
        for i in range(300):  # views and changes in the audit trail
            audit.record(actor=lead, action=Action.VIEW, event="household.view", purpose=Purpose.EARLY_HELP_CASEWORK,
                         objects=[household], household_id=household.pk)
        created += 300
        request = RightsRequest.objects.create(reference=f"RR-BENCH-{int(time.time())}", kind=RequestKind.ACCESS,
                                               subject=child, received_on=today, recorded_by=dpo)
    return child, request, dpo, created


def measure(args) -> dict:
    os.environ.update(web_benchmark.app_env(args, audit_reads=True))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from earlyhelp.rights.services import subject_access as sar  # only once Django is set up

    person, request, dpo, created = give_ten_years_of_history(args.records, args.seed)
    json_times, pdf_times, pack = [], [], None
    for _ in range(args.rounds):
        started = time.perf_counter()
        pack = sar.build_pack(by=dpo, request=request)
        body = sar.render_json(pack)
        json_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        pdf = sar.render_pdf(pack)
        pdf_times.append(time.perf_counter() - started)
    records = sum(item["count"] for item in pack.content["index"])
    return {"records_created": created, "records_in_pack": records, "proposals": pack.proposals.count(),
            "json_bytes": len(body), "pdf_bytes": len(pdf),
            "json_seconds": [round(t, 2) for t in json_times], "pdf_seconds": [round(t, 2) for t in pdf_times],
            "json_median_s": round(statistics.median(json_times), 2),
            "pdf_median_s": round(statistics.median(pdf_times), 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1200, help="records of history to give the person (min 1,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/earlyhelp_bench")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--reload", action="store_true", help="recreate and reload even if already loaded")
    args = parser.parse_args()
    if args.records < 1000:
        parser.error("--records must be at least 1000")
    args.secret_key = "benchmark-only-" + "x" * 40
    args.var_dir = tempfile.mkdtemp(prefix="earlyhelp-bench-")
    prepared = web_benchmark.prepare_database(args)
    result = measure(args)
    print(f"\nSubject access pack for one person among {args.families:,} families")
    print(f"  records in the pack      {result['records_in_pack']:>8,}  (history created: {result['records_created']:,})")
    print(f"  redaction proposals      {result['proposals']:>8,}")
    for kind in ("json", "pdf"):
        median = result[f"{kind}_median_s"]
        verdict = "meets" if median < GOALS_S[kind] else "MISSES"
        print(f"  {kind.upper():<4} median {median:>6.2f} s  (goal {GOALS_S[kind]:.0f} s: {verdict})  "
              f"rounds {result[f'{kind}_seconds']}")
    web_benchmark.RESULTS.mkdir(exist_ok=True)
    out = web_benchmark.RESULTS / f"{datetime.date.today().isoformat()}-subject-access.json"
    out.write_text(json.dumps({"families": args.families, "machine": platform.platform(), "cpus": os.cpu_count(),
                               "database": prepared, **result}, indent=2))
    print(f"Results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
