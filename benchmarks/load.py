#!/usr/bin/env python
"""Load benchmark: a team of practitioners clicking about once a second, on PostgreSQL, for a fixed time.

    .venv/bin/python benchmarks/load.py [--families 20000] [--users 50] [--duration 60]
        [--workers 2] [--threads 4] [--database-url postgres://postgres@127.0.0.1:5432/earlyhelp_load_bench]

1. Reuses (or creates, migrates and loads with the demo generator) the PostgreSQL council of --families families,
   exactly as benchmarks/run.py does (the database must be called *_bench and be on this machine).
2. Signs in --users practitioners (team managers and lead practitioners of the demo council): each gets a session
   verified with a second factor, made directly in the database as `force_login` does in the tests
   (`earlyhelp.testing.signin`), so no password or code is typed and no sign-in path exists for the benchmark.
3. Serves the application with gunicorn on 127.0.0.1 (production-like: DEBUG off), --workers processes of
   --threads threads each.
4. Runs locust headless (benchmarks/locustfile.py) for --duration seconds after every user has started: the
   dashboard, family pages, searches and case notes, with a pause of 0.5 to 1.5 s between one user's clicks.
5. Prints p50/p95/throughput/errors per page and writes benchmarks/results/<date>-load-<users>u.json, with the
   machine's load average before, during and after the run and the CPU the server and PostgreSQL used per request
   (a figure that depends less on what else the machine is doing than latency does).

Headroom (issue 16): `--scenario family-page` has 20 clients on the 100,000-family council (`earlyhelp_bench`, as
benchmarks/run.py loads it) each asking for a family page as soon as the last one is answered, so the server is
saturated and its throughput is what is measured (goal: 200 pages a second, p95 under 100 ms); `--scenario ceiling`
sends the same clients, with the same sessions, to a trivial signed-in view served through every middleware of the
application (benchmarks/ceiling_urls.py, loaded by the benchmark's server only): the framework's own limit here.

All traffic goes to 127.0.0.1; the run is bounded by --duration (and a spawn time of users / --spawn-rate).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import run  # the web benchmark's database preparation, environment and server (same folder)

ROOT = run.ROOT
RESULTS = run.RESULTS
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
GOAL_P95_MS = 500.0
PAGES = ("dashboard", "family page", "search", "case note form", "case note (save)", "trivial view")
# What each scenario runs (a user class of locustfile.py), and its goal. "team": practitioners clicking about once a
# second. Headroom (issue 16): "family-page", clients sending family pages back to back (saturated), against
# "ceiling", the same clients on a trivial view through the same middleware (the framework's own limit here).
# Each scenario's defaults: the team at work on a 20,000-family council; headroom on the web benchmark's 100,000.
TEAM = {"families": 20_000, "users": 50, "spawn_rate": 5.0,
        "database_url": "postgres://postgres@127.0.0.1:5432/earlyhelp_load_bench"}
HEADROOM = {"families": 100_000, "users": 20, "spawn_rate": 20.0,
            "database_url": "postgres://postgres@127.0.0.1:5432/earlyhelp_bench"}
SCENARIOS = {
    "team": {"user_class": "Practitioner", "goal": {"p95_ms_below": GOAL_P95_MS}, "defaults": TEAM},
    "family-page": {"user_class": "FamilyPageClient", "goal": {"p95_ms_below": 100.0, "throughput_at_least": 200.0},
                    "defaults": HEADROOM},
    "ceiling": {"user_class": "CeilingClient", "goal": {}, "defaults": HEADROOM},
}


# --- The plan: who signs in, what they open, what they search for ------------------------------

def note_households(user, households, limit=20) -> list[int]:
    """Families among these where this user may add a case note now (an open episode they work on)."""
    from earlyhelp.access import policy
    from earlyhelp.casework.models import Episode

    with_open_episode = set(Episode.objects.filter(household_id__in=households).open()
                            .values_list("household_id", flat=True))
    chosen = []
    for household in sorted(with_open_episode):
        access = policy.family_access(user, household)
        if access and access.can_work_on_case:
            chosen.append(household)
        if len(chosen) == limit:
            break
    return chosen


def verified_session(user) -> str:
    """A session key for `user`, signed in and verified with their second factor (as the tests' force_login)."""
    from django.conf import settings
    from django.test import Client

    from earlyhelp.testing.signin import verified_force_login

    client = Client()
    verified_force_login(client, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def make_plan(args) -> dict:
    """What each simulated practitioner does: their session, the families they open, the searches they make."""
    args.clients = args.users
    targets = run.choose_targets(args)  # sets Django up on the benchmark's database
    from django.conf import settings
    from django.db import connection

    from earlyhelp.organisations.models import User

    seats = []
    for target in targets["users"]:
        user = User.objects.get(username=target["username"])
        seats.append({"role": target["role"], "households": target["households"],
                      "note_households": note_households(user, target["households"]),
                      "session": verified_session(user)})
    searches = [form for form, _expected in targets["searches"]]
    connection.close()
    return {"host": f"http://127.0.0.1:{args.port}", "seed": args.seed, "users": seats, "searches": searches,
            "session_cookie_name": settings.SESSION_COOKIE_NAME, "dataset": targets["dataset"]}


# --- Measuring ---------------------------------------------------------------------------------

class CpuMeter:
    """CPU seconds used by the gunicorn processes, by PostgreSQL's backends for the benchmark's database and by the
    load generator (locust), which shares the same CPUs."""

    def __init__(self, server_pid: int, database: str):
        import psutil

        self.psutil, self.server_pid, self.database = psutil, server_pid, database
        self.load_generator_pid = None
        self.seen = {}  # the latest reading of every process, kept after it has exited

    def _processes(self):
        psutil = self.psutil
        server = psutil.Process(self.server_pid)
        yield from (("server", p) for p in [server, *server.children(recursive=True)])
        if self.load_generator_pid and psutil.pid_exists(self.load_generator_pid):
            try:
                generator = psutil.Process(self.load_generator_pid)
                yield from (("load generator", p) for p in [generator, *generator.children(recursive=True)])
            except psutil.NoSuchProcess:
                pass  # it has just finished: its last reading is kept
        for process in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or [])
            if cmdline.startswith("postgres:") and f" {self.database} " in f"{cmdline} ":
                yield "postgresql", process

    def sample(self) -> dict:
        seconds = {}
        for kind, process in self._processes():
            try:
                times = process.cpu_times()
            except self.psutil.Error:
                continue
            seconds[(kind, process.pid)] = times.user + times.system
        self.seen.update(seconds)
        return dict(self.seen)

    @staticmethod
    def used(before: dict, after: dict) -> dict:
        totals = {"server": 0.0, "postgresql": 0.0, "load generator": 0.0}
        for key, value in after.items():
            totals[key[0]] += value - before.get(key, 0.0)
        return totals


def load_average_sampler(stop: threading.Event, into: list, meter: CpuMeter, every=5):
    """The load average every `every` seconds, and the CPU meter every second (a process that exits before the
    end is counted up to its last second)."""
    ticks = 0
    while not stop.wait(1.0):
        meter.sample()
        ticks += 1
        if ticks % every == 0:
            into.append(round(os.getloadavg()[0], 2))


def read_stats(prefix: Path) -> list[dict]:
    def number(text):
        try:
            return float(text)
        except ValueError:  # "N/A": a page nobody opened
            return 0.0

    rows = []
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append({"name": row["Name"] if row["Name"] != "Aggregated" else "all pages",
                         "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                         "throughput_per_s": round(number(row["Requests/s"]), 1),
                         "p50_ms": number(row["50%"]), "p95_ms": number(row["95%"]), "p99_ms": number(row["99%"]),
                         "max_ms": round(number(row["Max Response Time"])),
                         "mean_ms": round(number(row["Average Response Time"]), 1)})
    order = {name: i for i, name in enumerate((*PAGES, "all pages"))}
    return sorted(rows, key=lambda r: order.get(r["name"], len(order)))


def run_locust(args, plan_path: Path, prefix: Path, meter: CpuMeter) -> tuple[list[dict], dict, list]:
    ramp = max(1, round(args.users / args.spawn_rate))
    env = dict(os.environ, EARLYHELP_LOAD_PLAN=str(plan_path))
    command = [run.PYTHON, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary", "--reset-stats",
               "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{ramp + args.duration}s",
               "--stop-timeout", "10", "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix),
               "--loglevel", "WARNING", "--exit-code-on-error", "0", SCENARIOS[args.scenario]["user_class"]]
    loads, stop = [], threading.Event()
    sampler = threading.Thread(target=load_average_sampler, args=(stop, loads, meter), daemon=True)
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    meter.load_generator_pid = process.pid
    sampler.start()
    time.sleep(ramp)  # the statistics are reset once every user has started: measure CPU from then on
    before, started = meter.sample(), time.monotonic()
    try:
        process.wait(timeout=ramp + args.duration + 120)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        stop.set()
    cpu = CpuMeter.used(before, meter.sample())
    cpu["seconds"] = round(time.monotonic() - started, 1)
    if process.returncode:
        raise SystemExit(f"locust exited with {process.returncode}")
    return read_stats(prefix), cpu, loads


# --- Kept family pages (casework.kept_pages) ---------------------------------------------------

def forget_kept_pages(url: str) -> None:
    """The run starts with no family page kept (on the benchmark's own *_bench database only)."""
    run.bench_database(url)
    with run.connect(url) as conn:
        conn.execute("DELETE FROM casework_keptfamilypage")


def first_openings(args, plan) -> dict:
    """Every seat opens each of its families once, as on a working day's first openings, with nothing kept: timed,
    and what the measured run then finds kept (the day's steady state)."""
    import concurrent.futures

    import requests

    forget_kept_pages(args.database_url)
    pages = [(seat["session"], household) for seat in plan["users"] for household in seat["households"]]

    def open_page(page):
        session, household = page
        return requests.get(f"{plan['host']}/families/{household}/", timeout=120,
                            cookies={plan["session_cookie_name"]: session}).status_code

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.users) as pool:
        codes = list(pool.map(open_page, pages))
    seconds = time.perf_counter() - started
    print(f"First openings: {len(pages):,} family pages in {seconds:.0f} s ({len(pages) / seconds:.1f}/s), "
          f"{sum(code != 200 for code in codes)} errors.", flush=True)
    return {"pages": len(pages), "seconds": round(seconds, 1), "per_second": round(len(pages) / seconds, 1),
            "errors": sum(code != 200 for code in codes)}


def rendered_since(url: str, since: datetime.datetime) -> int:
    """Family pages rendered (and kept) since then: the measured run's pages that were not served kept."""
    with run.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM casework_keptfamilypage WHERE kept_at >= %s",
                            [since]).fetchone()[0]


# --- Main ---------------------------------------------------------------------------------------

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="team",
                        help="team: practitioners at work; family-page / ceiling: busy clients, for headroom [team]")
    parser.add_argument("--families", type=int, help="size of the demo council [team 20000, headroom 100000]")
    parser.add_argument("--users", type=int, help="simulated practitioners or busy clients [team 50, headroom 20]")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured once every user has started [60]")
    parser.add_argument("--spawn-rate", type=float, help="users started per second [team 5, headroom 20]")
    # Sync workers, one more than the CPUs: while one waits for PostgreSQL another computes. Measured on 2 CPUs
    # (2026-12-06, 50 users): 2 workers x 4 threads p95 750 ms, 2 sync 630 ms, 3 sync 390 ms, 5 sync 430 ms.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1,
                        help="gunicorn worker processes [CPUs + 1]")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (1: sync workers) [1]")
    parser.add_argument("--database-url", help="a *_bench PostgreSQL database on this machine, kept between runs "
                                               "[team earlyhelp_load_bench, headroom earlyhelp_bench]")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--start-seconds", type=int, default=240, help="how long gunicorn may take to answer [240]")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--reload", action="store_true", help="recreate and reload even if already loaded")
    parser.add_argument("--label", default="", help="results go to <date>-load-<users>u-<label>.json")
    parser.add_argument("--without-read-audit", action="store_true",
                        help="serve with EARLYHELP_AUDIT_READS=0, to price the audit write of a read (measuring only)")
    parser.add_argument("--without-kept-pages", action="store_true",
                        help="serve with EARLYHELP_KEEP_FAMILY_PAGES=0: every family page read and rendered")
    parser.add_argument("--no-first-openings", action="store_true",
                        help="family-page: measure from nothing kept, without opening each seat's families first")
    args = parser.parse_args(argv)
    for name, value in SCENARIOS[args.scenario]["defaults"].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if not 1 <= args.users <= 500 or not 5 <= args.duration <= 1800 or not 1 <= args.families <= 1_000_000:
        parser.error("--users must be 1-500, --duration 5-1,800 s and --families 1-1,000,000")
    if not 1 <= args.workers <= 16 or not 1 <= args.threads <= 32 or not 0.1 <= args.spawn_rate <= 100:
        parser.error("--workers must be 1-16, --threads 1-32 and --spawn-rate 0.1-100")
    if args.label and not args.label.replace("-", "").isalnum():
        parser.error("--label may use letters, digits and hyphens only")
    run.bench_database(args.database_url)  # exits unless a local *_bench PostgreSQL database
    if args.scenario == "ceiling":
        args.settings_module = "ceiling_settings"
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        import gunicorn  # noqa: F401
        import locust  # noqa: F401
        import psutil  # noqa: F401
    except ImportError as error:
        sys.exit(f"{error.name} is needed: it is in the `bench` dependency group (uv sync --group bench)")
    args.secret_key = secrets.token_urlsafe(50)  # the server and the sessions made below share it
    args.var_dir = tempfile.mkdtemp(prefix="earlyhelp-load-")
    try:
        load = run.prepare_database(args)
        plan = make_plan(args)
        plan_path = Path(args.var_dir) / "plan.json"
        plan_path.touch(mode=0o600)
        plan_path.write_text(json.dumps(plan))
        print(f"Council: {plan['dataset']['households']:,} families, {plan['dataset']['people']:,} people; "
              f"{args.users} practitioners ({len(plan['users'])} accounts); gunicorn {args.workers} workers x "
              f"{args.threads} threads; {args.duration} s measured.", flush=True)
        load_before = os.getloadavg()
        with run.Server(args, audit_reads=not args.without_read_audit) as server:
            meter = CpuMeter(server.process.pid, run.bench_database(args.database_url)[0])
            openings = None
            if args.scenario == "family-page":
                if args.no_first_openings or args.without_kept_pages:
                    forget_kept_pages(args.database_url)
                else:
                    openings = first_openings(args, plan)
            measured_from = datetime.datetime.now(datetime.timezone.utc)
            pages, cpu, loads = run_locust(args, plan_path, Path(args.var_dir) / "locust", meter)
            rendered = (rendered_since(args.database_url, measured_from)
                        if args.scenario == "family-page" and not args.without_kept_pages else None)
        load_after = os.getloadavg()
    finally:
        log = Path(args.var_dir) / "gunicorn.log"
        errors = log.read_text(errors="replace")[-4000:] if log.exists() else ""
        shutil.rmtree(args.var_dir, ignore_errors=True)  # the sessions in plan.json die with the database's use
    total = next((p for p in pages if p["name"] == "all pages"), {"requests": 0})
    goal = SCENARIOS[args.scenario]["goal"]
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_during": loads, "load_average_after": [round(x, 2) for x in load_after]},
        "parameters": {k: getattr(args, k) for k in ("scenario", "families", "users", "duration", "spawn_rate",
                                                      "workers", "threads", "seed", "without_read_audit",
                                                      "without_kept_pages", "no_first_openings")},
        "database": {"name": run.bench_database(args.database_url)[0], **plan["dataset"], **load},
        "pages": pages,
        "cpu_seconds": cpu,
        # Kept family pages: the first openings (every seat's families once, nothing kept), and how many of the
        # measured run's family pages were rendered rather than served kept.
        "first_openings": openings,
        "family_pages_rendered": rendered,
        "cpu_ms_per_request": {kind: round(1000 * cpu[kind] / max(1, total["requests"]), 1)
                               for kind in ("server", "postgresql", "load generator")},
        "goal": {**goal, "errors": 0},
        "goal_met": (bool(total["requests"]) and total["failures"] == 0
                     and total["p95_ms"] < goal.get("p95_ms_below", float("inf"))
                     and total["throughput_per_s"] >= goal.get("throughput_at_least", 0)),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    scenario = "" if args.scenario == "team" else f"-{args.scenario}"
    out = RESULTS / (f"{datetime.date.today().isoformat()}-load{scenario}-{args.users}u"
                     f"{'-' + args.label if args.label else ''}.json")
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nWritten to {out.relative_to(ROOT)}")
    if errors.strip():
        print("The server logged errors (last lines):\n" + errors)
    return report


def print_table(report):
    header = f"{'page':<20}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"
    print("\n" + header + "\n" + "-" * len(header))
    for row in report["pages"]:
        print(f"{row['name']:<20}{row['requests']:>9,}{row['failures']:>8}{row['throughput_per_s']:>8}"
              f"{row['p50_ms']:>8.0f}{row['p95_ms']:>8.0f}{row['p99_ms']:>8.0f}{row['max_ms']:>8}")
    machine, cpu = report["machine"], report["cpu_ms_per_request"]
    print(f"Load average before {machine['load_average_before'][0]}, during {machine['load_average_during']}, "
          f"after {machine['load_average_after'][0]} ({machine['cpus']} CPUs)")
    print(f"CPU per request: server {cpu['server']} ms, PostgreSQL {cpu['postgresql']} ms, "
          f"load generator {cpu['load generator']} ms")
    if report.get("family_pages_rendered") is not None:
        served = next((row["requests"] for row in report["pages"] if row["name"] == "family page"), 0)
        print(f"Family pages rendered during the run: {report['family_pages_rendered']:,} of {served:,} "
              f"(the rest served kept)")
    goal = report["goal"]
    wanted = ([f"p95 < {goal['p95_ms_below']:.0f} ms"] if "p95_ms_below" in goal else []) + (
        [f"at least {goal['throughput_at_least']:.0f}/s"] if "throughput_at_least" in goal else [])
    goal = ", ".join([*wanted, "no errors"])
    print(f"Goal ({goal}): {'met' if report['goal_met'] else 'NOT met'}")


if __name__ == "__main__":
    main()
