#!/usr/bin/env python
"""The audit chain under concurrent writers: how much of an audited write is waiting for the chain's lock.

    .venv/bin/python benchmarks/audit_chain.py [--writers 1,10,50] [--seconds 20]
        [--database-url postgres://postgres@127.0.0.1:5432/earlyhelp_bench]

Every audited change appends to one hash chain (`audit.appends`): a writer that finds the chain's PostgreSQL advisory
lock free reads the head, hashes and inserts its event; one that finds it taken stages its event, commits, then waits
for the lock and chains every staged event at once. This starts --writers processes (each its own connection, as
gunicorn workers are), each calling `record` back to back for --seconds, one committed event per call, and reports for
each count of writers: events a second, the latency of a call (p50/p95/p99) and the share of calls that staged.
--turns measures the chain as it was before staging, for comparison: every writer waits for the lock in turn, and
the report says how much of a call that wait was (without it: how much was waiting for a leader to chain the staged
events). --flush-ms N makes every commit of the writers' connections wait N ms before its write-ahead log flush
(PostgreSQL's `commit_delay`), standing in for storage slower than this machine's, whose flush takes about 0.2 ms:
network and cloud disks take 1 to 10 ms. It runs on the web benchmark's database (reused as it is; the events it adds
are named `benchmark.audit_chain`) and writes benchmarks/results/<date>-audit-chain[-LABEL].json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time

import run


def setup(args):
    os.environ.update(run.app_env(args, audit_reads=True))
    sys.path.insert(0, str(run.ROOT / "src"))
    import django

    django.setup()


def writer(args, start_at: float, results):
    """One writer process: `record` back to back until its time is up; each call's total and lock-wait seconds."""
    from django.db import connection

    from earlyhelp.audit import appends
    from earlyhelp.audit import services as audit
    from earlyhelp.organisations.models import User

    connection.close()  # never share the parent's connection
    if args.flush_ms:
        with connection.cursor() as cursor:  # a superuser's settings, for this session only
            cursor.execute("SET commit_siblings = 0")
            cursor.execute("SET commit_delay = %s", [int(args.flush_ms * 1000)])
    actor = User.objects.filter(role="lead_practitioner").order_by("pk").first()
    waited, staged = [0.0], [0]
    stage = appends._stage

    def wait_in_turn():  # --turns: the lock taken, waiting, by every writer
        started = time.perf_counter()
        appends.lock()
        waited[0] += time.perf_counter() - started
        return True

    def counted_stage(*args):
        staged[0] += 1
        stage(*args)

    after_leader, lead = appends._chained_after_leader, appends._lead

    def timed_after_leader(token):  # staged: waiting for the leader of the moment to finish
        started = time.perf_counter()
        chained = after_leader(token)
        waited[0] += time.perf_counter() - started
        return chained

    def timed_lead(*, rounds, wait):  # staged: waiting for the lock to lead in turn
        started = time.perf_counter()
        chained = lead(rounds=rounds, wait=wait)
        if wait:
            waited[0] += time.perf_counter() - started
        return chained

    appends._stage, appends._chained_after_leader, appends._lead = counted_stage, timed_after_leader, timed_lead
    if args.turns:
        appends._lock_if_free = wait_in_turn
    while time.time() < start_at:
        time.sleep(0.001)
    calls, stop = [], start_at + args.seconds
    while time.time() < stop:
        waited[0] = 0.0
        started = time.perf_counter()
        audit.record(actor=actor, action="view", event="benchmark.audit_chain", purpose="system_security",
                     objects=[("people.household", 1)], household_id=1, metadata={"benchmark": True})
        calls.append((time.perf_counter() - started, waited[0]))
    connection.close()
    results.put((calls, staged[0]))


def measure(args, writers: int) -> dict:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 2 + writers * 0.05  # every process connected and waiting before the clock starts
    load_before = os.getloadavg()[0]
    processes = [context.Process(target=writer, args=(args, start_at, results)) for _ in range(writers)]
    for process in processes:
        process.start()
    answers = [results.get(timeout=args.seconds + 120) for _ in processes]
    calls = [call for answer, _ in answers for call in answer]
    staged = sum(count for _, count in answers)
    for process in processes:
        process.join(timeout=30)
    totals = sorted(total for total, _ in calls)
    lock_wait = sum(wait for _, wait in calls)

    def quantile(q):
        return round(1000 * totals[min(len(totals) - 1, int(q * len(totals)))], 2)

    return {"writers": writers, "turns": args.turns, "flush_ms": args.flush_ms, "events": len(calls),
            "events_per_s": round(len(calls) / args.seconds, 1),
            "p50_ms": quantile(0.50), "p95_ms": quantile(0.95), "p99_ms": quantile(0.99),
            "mean_ms": round(1000 * statistics.fmean(totals), 2),
            "mean_lock_wait_ms": round(1000 * lock_wait / len(calls), 2),
            "lock_wait_share": round(lock_wait / sum(totals), 3), "staged_share": round(staged / len(calls), 3),
            "load_average_before": round(load_before, 2), "load_average_after": round(os.getloadavg()[0], 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", default="1,10,50", help="counts of concurrent writers, comma-separated")
    parser.add_argument("--seconds", type=int, default=20, help="how long each count writes [20]")
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/earlyhelp_bench")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--turns", action="store_true",
                        help="every writer waits for the chain's lock in turn (the chain before staging)")
    parser.add_argument("--flush-ms", type=float, default=0.0,
                        help="make every commit wait this long before its flush, as slower storage would (0 to 100)")
    parser.add_argument("--label", default="", help="added to the results file's name, so a run keeps its own file")
    args = parser.parse_args()
    counts = [int(n) for n in args.writers.split(",")]
    if not all(1 <= n <= 100 for n in counts) or not 1 <= args.seconds <= 600:
        parser.error("each count of writers must be 1-100, and --seconds 1-600")
    if not 0 <= args.flush_ms <= 100:
        parser.error("--flush-ms must be 0 to 100")
    if args.label and not args.label.replace("-", "").isalnum():
        parser.error("--label may use letters, digits and hyphens only")
    run.bench_database(args.database_url)
    args.secret_key = secrets.token_urlsafe(50)
    args.var_dir = tempfile.mkdtemp(prefix="earlyhelp-audit-chain-")
    run.prepare_database(args)
    setup(args)
    from django.db import connection

    connection.close()
    rows = [measure(args, n) for n in counts]
    header = (f"{'writers':>8}{'events/s':>10}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'waiting ms':>14}{'share':>7}"
              f"{'staged':>8}")
    print(f"\n{header}\n{'-' * len(header)}")
    for row in rows:
        print(f"{row['writers']:>8}{row['events_per_s']:>10}{row['p50_ms']:>8}{row['p95_ms']:>8}{row['p99_ms']:>8}"
              f"{row['mean_lock_wait_ms']:>14}{row['lock_wait_share']:>7.0%}{row['staged_share']:>8.0%}")
    label = f"-{args.label}" if args.label else ""
    out = run.RESULTS / f"{datetime.date.today().isoformat()}-audit-chain{label}.json"
    out.write_text(json.dumps({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                               "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                               "seconds": args.seconds, "runs": rows}, indent=2) + "\n")
    print(f"\nWritten to {out.relative_to(run.ROOT)}")


if __name__ == "__main__":
    main()
