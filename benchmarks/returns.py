#!/usr/bin/env python
"""The returns benchmark: time and peak memory of the Supporting Families quarterly return, the National Impact
Study file and Ofsted Annex A List 2 on the 100,000-family Supporting Families population.

    .venv/bin/python benchmarks/returns.py [--rounds 3]
        [--database-url postgres://postgres@127.0.0.1:5432/earlyhelp_bench_sf]
        [--year 2026 --quarter 3] [--nis-start 2026-10-01 --nis-end 2026-12-06] [--inspection-date 2026-12-06]
        [--jobs quarterly_return,nis,annex_a_xlsx,annex_a_csv] [--profile JOB] [--label NAME]

The population must already be in the database (`benchmarks/supporting_families_population.py` builds it); this
script only applies any migrations that are missing and refuses a database without a population.

Each measurement runs in a fresh Python process (`--child`), so its peak resident memory (the kernel's
`ru_maxrss` for that process, read with `os.wait4`) belongs to that job alone; it includes Python, Django and the
database driver (the "baseline" figure: the process before the job starts). PostgreSQL's own memory is not in it.
Every job runs inside a transaction that is rolled back, so no `PublishedReturn`, `DatasetDisclosure`, export file
record or audit event is left behind; the National Impact Study file is written to a temporary
`EARLYHELP_EXPORT_DIR`, removed afterwards. The rounds alternate the jobs, so a change in the machine's other load
does not fall on one job only; the load average is recorded at the start and end and around every measurement.

Goals: each job under 30 s and under 1 GB peak. Results: benchmarks/results/<date>-returns.json
(`<date>-returns-<label>.json` with --label). `--profile JOB` runs that job once under cProfile and prints the top
functions instead of timing.

Only a database whose name contains "bench", on this machine, is used.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import supporting_families_population as population  # noqa: E402  (same safety checks and Django set-up)

ROOT = population.ROOT
RESULTS = population.RESULTS
GOAL_SECONDS = 30.0
GOAL_MB = 1024.0
JOBS = ("quarterly_return", "nis", "annex_a_xlsx", "annex_a_csv")
SURVEY, MIGRATE = "survey", "migrate"


# --- In the child process (Django is set up here only) ----------------------------------------------------------

def _rss_mb() -> float:
    """The process's resident memory now, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _data_team_user():
    from earlyhelp.organisations.models import Role, User

    user = User.objects.filter(role=Role.DATA_TEAM, is_active=True).order_by("pk").first()
    if user is None:
        raise SystemExit("The population has no active data team user.")
    return user


class _Rollback(Exception):
    pass


def _rolled_back(work):
    """Run `work()` in a transaction that is always rolled back; return what it returned."""
    from django.db import transaction

    box = {}
    try:
        with transaction.atomic():
            box["result"] = work()
            raise _Rollback
    except _Rollback:
        pass
    return box["result"]


def _audit_metadata(event: str) -> dict:
    from earlyhelp.audit.models import AuditEvent

    found = AuditEvent.objects.filter(event=event).order_by("-sequence").values_list("metadata", flat=True).first()
    return found or {}


def job_quarterly_return(params: dict) -> dict:
    from earlyhelp.reporting.services import returns

    user = _data_team_user()

    def work():
        started = time.perf_counter()
        published = returns.make_quarterly_return(by=user, year=params["year"], quarter=params["quarter"])
        made = time.perf_counter()
        name, content = returns.return_csv(by=user, published=published)
        done = time.perf_counter()
        totals = {}
        for title, rows in published.tables.items():  # the last row of a one-way table is its total
            totals[title] = rows[-1][-1] if rows else None
        return {"seconds": done - started, "parts": {"make_quarterly_return": made - started,
                                                     "return_csv": done - made},
                "rows": {"period": f"{published.period_start} to {published.period_end}",
                         "table_totals": totals, "csv_bytes": len(content)}}

    return _rolled_back(work)


def job_nis(params: dict) -> dict:
    from django.conf import settings

    from earlyhelp.reporting.services import nis

    user = _data_team_user()
    start = datetime.date.fromisoformat(params["nis_start"])
    end = datetime.date.fromisoformat(params["nis_end"])

    def work():
        started = time.perf_counter()
        disclosure = nis.make_transfer(by=user, period_start=start, period_end=end)
        done = time.perf_counter()
        stored = Path(settings.EARLYHELP_EXPORT_DIR) / disclosure.export_file.stored_name
        return {"seconds": done - started,
                "rows": {"period": f"{start} to {end}", "rows": disclosure.row_count,
                         "families": disclosure.households.count(),
                         "file_bytes": stored.stat().st_size if stored.exists() else None}}

    return _rolled_back(work)


def _job_annex_a(params: dict, file_format: str) -> dict:
    from earlyhelp.reporting.services import annex_a

    user = _data_team_user()

    def work():
        started = time.perf_counter()
        name, content_type, content = annex_a.export_list_2(by=user, inspection_date=params["inspection_date"],
                                                            file_format=file_format)
        done = time.perf_counter()
        metadata = _audit_metadata("annex_a.list_2.export")
        return {"seconds": done - started,
                "rows": {"inspection_date": params["inspection_date"], "rows": metadata.get("rows"),
                         "left_out_restricted": metadata.get("left_out_restricted"), "file_bytes": len(content)}}

    return _rolled_back(work)


def job_annex_a_xlsx(params: dict) -> dict:
    return _job_annex_a(params, "xlsx")


def job_annex_a_csv(params: dict) -> dict:
    return _job_annex_a(params, "csv")


def job_migrate(params: dict) -> dict:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    return {"seconds": time.perf_counter() - started, "families": population.loaded_population()}


def job_survey(params: dict) -> dict:
    """The population's dates, and the periods that make each job do real work (counts of what it reads)."""
    from django.db.models import Max, Min, Q

    from earlyhelp.casework.models import Assessment, Contact, Episode
    from earlyhelp.people.models import Household
    from earlyhelp.programme.models import Need, NeedProgress
    from earlyhelp.reporting.services import annex_a, returns
    from earlyhelp.supporting_families.models import ProgrammeFamily
    from earlyhelp.ui.forms import today

    def span(queryset, field):
        found = queryset.aggregate(first=Min(field), last=Max(field))
        return [str(found["first"]), str(found["last"])]

    dates = {
        "episodes_opened": span(Episode.objects, "opened_on"),
        "episodes_closed": span(Episode.objects, "closed_on"),
        "assessments_started": span(Assessment.objects, "started_on"),
        "needs_identified": span(Need.objects, "identified_on"),
        "progress_recorded": span(NeedProgress.objects, "recorded_on"),
        "programme_families_screened": span(ProgrammeFamily.objects, "screened_on"),
        "programme_families_decided": span(ProgrammeFamily.objects, "decided_at"),
    }
    latest = min(today(), Need.objects.aggregate(last=Max("identified_on"))["last"] or today())
    # The financial quarter holding the population's latest need (quarter 1 is April to June).
    fy_start = datetime.date(latest.year if latest.month >= 4 else latest.year - 1, 4, 1)
    quarter = (latest.month - 4) % 12 // 3 + 1
    year = params.get("year") or fy_start.year
    quarter = params.get("quarter") or quarter
    q_start, q_end = returns.quarter_period(year, quarter)
    nis_start = params.get("nis_start") or q_start.isoformat()
    nis_end = params.get("nis_end") or min(q_end, today()).isoformat()
    inspection = params.get("inspection_date") or latest.isoformat()
    inspection_date = datetime.date.fromisoformat(inspection)
    window = annex_a.window_start(inspection_date)
    counts = {
        "households": Household.objects.count(),
        "quarter": {
            "episodes_worked_in_quarter": Episode.objects.filter(opened_on__lte=q_end).filter(
                Q(closed_on__isnull=True) | Q(closed_on__gte=q_start)).count(),
            "contacts_in_quarter": Contact.objects.filter(received_at__date__gte=q_start,
                                                          received_at__date__lte=q_end).count(),
            "needs_identified_in_quarter": Need.objects.filter(identified_on__gte=q_start,
                                                               identified_on__lte=q_end).count(),
            "needs_met_episode_closed_in_quarter": Need.objects.filter(
                status="met", episode__closed_on__gte=q_start, episode__closed_on__lte=q_end).count(),
            "programme_families_decided_by_end": ProgrammeFamily.objects.filter(
                decided_at__date__lte=q_end).count(),
        },
        "nis": {"programme_families_screened_by_end": ProgrammeFamily.objects.filter(
            screened_on__lte=datetime.date.fromisoformat(nis_end)).count()},
        "annex_a": {"assessments_in_scope": annex_a.assessments_in_scope(inspection_date).count(),
                    "assessments_started_in_window": Assessment.objects.filter(
                        started_on__gte=window, started_on__lte=inspection_date).count(),
                    "window": f"{window} to {inspection_date}"},
    }
    return {"seconds": 0.0, "dates": dates,
            "params": {"year": int(year), "quarter": int(quarter), "nis_start": nis_start, "nis_end": nis_end,
                       "inspection_date": inspection, "quarter_period": f"{q_start} to {q_end}"},
            "counts": counts}


def child(job: str, params: dict, result_path: str, profile: bool) -> None:
    population.setup_django(params["database_url"])
    from django.db import connection

    connection.ensure_connection()
    baseline = _rss_mb()
    function = globals()[f"job_{job}"]
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        result = profiler.runcall(function, params)
        profiler.dump_stats(result_path + ".prof")
        stats = pstats.Stats(profiler).strip_dirs()
        for order in ("cumulative", "tottime"):
            print(f"\n--- {job}: top 30 by {order} ---")
            stats.sort_stats(order).print_stats(30)
    else:
        result = function(params)
    result["baseline_mb"] = round(baseline, 1)
    result["peak_mb_self"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(result_path).write_text(json.dumps(result, default=str))


# --- In the parent process (no Django here) -------------------------------------------------------------------

def run_child(job: str, params: dict, *, max_seconds: float, profile: bool = False) -> dict:
    """Run one job in a fresh process; return its result with the process's peak RSS from the kernel."""
    workdir = Path(tempfile.mkdtemp(prefix="eh-returns-bench-"))
    result_path = workdir / "result.json"
    env = dict(os.environ, EARLYHELP_ENV="development", DJANGO_DEBUG="0",
               EARLYHELP_EXPORT_DIR=str(workdir / "exports"), PYTHONUNBUFFERED="1")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", job, "--params", json.dumps(params),
               "--result", str(result_path)] + (["--profile-child"] if profile else [])
    load_before = os.getloadavg()
    stderr_path = workdir / "stderr.txt"
    try:
        with open(stderr_path, "w") as stderr:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr,
                                       stdout=None if profile else subprocess.DEVNULL)
            timer = threading.Timer(max_seconds, process.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                timer.cancel()
            process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0 or not result_path.exists():
            tail = stderr_path.read_text()[-3000:]
            raise RuntimeError(f"{job} failed (exit {process.returncode}):\n{tail}")
        result = json.loads(result_path.read_text())
        if profile:
            kept = Path(tempfile.gettempdir()) / f"returns-{job}.prof"
            shutil.copyfile(str(result_path) + ".prof", kept)
            result["profile_file"] = str(kept)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # the NIS file goes with it
    result["peak_mb"] = round(usage.ru_maxrss / 1024, 1)  # Linux reports kilobytes
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    result["load_before"] = [round(x, 2) for x in load_before]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def code_state() -> dict:
    """The commit measured, and the files under src/ that differ from it with a hash of each (the code may be
    edited while this runs: compare the start with the end)."""
    found = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    status = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True)
    changed = {}
    for line in status.stdout.splitlines():
        path = ROOT / line[3:]
        changed[line[3:]] = hashlib.sha1(path.read_bytes()).hexdigest()[:12] if path.is_file() else "deleted"
    return {"commit": found.stdout.strip() or None, "src_changes": changed}


def changed_during(start: dict, end: dict) -> list[str]:
    files = set(start["src_changes"]) | set(end["src_changes"])
    moved = sorted(f for f in files if start["src_changes"].get(f) != end["src_changes"].get(f))
    return (["HEAD"] if start["commit"] != end["commit"] else []) + moved


def summarise(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    peaks = [r["peak_mb"] for r in runs]
    summary = {"seconds": [round(s, 2) for s in seconds], "median_s": round(statistics.median(seconds), 2),
               "min_s": round(min(seconds), 2), "max_s": round(max(seconds), 2),
               "cpu_seconds": [r["cpu_seconds"] for r in runs], "peak_mb": peaks, "max_peak_mb": max(peaks),
               "baseline_mb": [r["baseline_mb"] for r in runs], "rows": runs[-1]["rows"],
               "load": [[r["load_before"][0], r["load_after"][0]] for r in runs]}
    if "parts" in runs[0]:
        summary["parts_median_s"] = {part: round(statistics.median(r["parts"][part] for r in runs), 3)
                                     for part in runs[0]["parts"]}
    summary["goal_met"] = summary["median_s"] < GOAL_SECONDS and summary["max_peak_mb"] < GOAL_MB
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SF_BENCH_DATABASE_URL", population.DEFAULT_URL))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--year", type=int, help="financial year of the quarterly return [the population's latest]")
    parser.add_argument("--quarter", type=int, help="financial quarter 1-4 [the one holding the latest need]")
    parser.add_argument("--nis-start", help="National Impact Study period start [the quarter's first day]")
    parser.add_argument("--nis-end", help="National Impact Study period end [the quarter's end, or today]")
    parser.add_argument("--inspection-date", help="Annex A inspection date [the population's latest need]")
    parser.add_argument("--jobs", default=",".join(JOBS), help="comma-separated, from " + ", ".join(JOBS))
    parser.add_argument("--max-seconds", type=float, default=900, help="kill a measurement after this long")
    parser.add_argument("--profile", metavar="JOB", help="run JOB once under cProfile and print the hotspots")
    parser.add_argument("--label", help="write <date>-returns-LABEL.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, json.loads(args.params), args.result, args.profile_child)
        return

    population.check_database(args.database_url)
    jobs = [job for job in args.jobs.split(",") if job]
    unknown = [job for job in jobs + ([args.profile] if args.profile else []) if job not in JOBS]
    if unknown:
        sys.exit(f"Unknown job(s): {', '.join(unknown)}. Choose from {', '.join(JOBS)}.")

    params = {"database_url": args.database_url, "year": args.year, "quarter": args.quarter,
              "nis_start": args.nis_start, "nis_end": args.nis_end, "inspection_date": args.inspection_date}
    load_start = [round(x, 2) for x in os.getloadavg()]
    code_start = code_state()
    started = time.perf_counter()
    migrated = run_child(MIGRATE, params, max_seconds=args.max_seconds)
    if not migrated["families"]:
        sys.exit("No Supporting Families population in this database: run "
                 "benchmarks/supporting_families_population.py first.")
    survey = run_child(SURVEY, params, max_seconds=args.max_seconds)
    params.update(survey["params"])
    print(f"Population: {migrated['families']:,} families (migrate {migrated['seconds']:.1f} s). "
          f"Load average at start: {load_start}")
    print(f"Quarterly return: {params['year']} quarter {params['quarter']} ({params['quarter_period']}); "
          f"NIS {params['nis_start']} to {params['nis_end']}; Annex A inspection date {params['inspection_date']}")
    print("Population dates:", json.dumps(survey["dates"]))
    print("What the periods hold:", json.dumps(survey["counts"]))

    if args.profile:
        print(f"Profiling {args.profile} (one run, under cProfile: slower than a timed run)…", flush=True)
        result = run_child(args.profile, params, max_seconds=args.max_seconds, profile=True)
        print(f"\n{args.profile}: {result['seconds']:.2f} s under the profiler, peak {result['peak_mb']} MB; "
              f"profile kept in {result['profile_file']} (python -m pstats)")
        return

    runs = {job: [] for job in jobs}
    for round_number in range(1, args.rounds + 1):
        for job in jobs:
            result = run_child(job, params, max_seconds=args.max_seconds)
            runs[job].append(result)
            print(f"  round {round_number} {job:17} {result['seconds']:7.2f} s  peak {result['peak_mb']:7.1f} MB "
                  f"(baseline {result['baseline_mb']} MB, CPU {result['cpu_seconds']} s, "
                  f"load {result['load_before'][0]} -> {result['load_after'][0]})", flush=True)
    load_end = [round(x, 2) for x in os.getloadavg()]
    code_end = code_state()

    summaries = {job: summarise(results) for job, results in runs.items()}
    print(f"\n{'job':17} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8}  goal (<{GOAL_SECONDS:.0f} s, "
          f"<{GOAL_MB:.0f} MB)")
    for job, summary in summaries.items():
        print(f"{job:17} {summary['median_s']:9.2f} {summary['min_s']:7.2f} {summary['max_s']:7.2f} "
              f"{summary['max_peak_mb']:8.1f}  {'met' if summary['goal_met'] else 'MISSED'}")
        print(f"{'':17} rows: {json.dumps(summary['rows'])}")
        if "parts_median_s" in summary:
            print(f"{'':17} parts (median s): {json.dumps(summary['parts_median_s'])}")
    print(f"Load average at start {load_start}, at end {load_end} (2 CPUs: 2.0 is full).")
    print(f"Code: commit {code_start['commit'][:10] if code_start['commit'] else '?'}, "
          f"{len(code_start['src_changes'])} file(s) under src/ changed from it"
          + (f"; WARNING: changed during the run: {', '.join(changed_during(code_start, code_end))}"
             if changed_during(code_start, code_end) else ""))

    report = {"date": datetime.date.today().isoformat(), "families": migrated["families"],
              "database": "postgresql" if "postgres" in args.database_url else "sqlite",
              "cpus": os.cpu_count(), "rounds": args.rounds,
              "goals": {"seconds": GOAL_SECONDS, "peak_mb": GOAL_MB},
              "load_average_start": load_start, "load_average_end": load_end,
              "code_start": code_start, "code_end": code_end,
              "code_changed_during_run": changed_during(code_start, code_end),
              "wall_seconds": round(time.perf_counter() - started, 1),
              "params": {k: v for k, v in params.items() if k != "database_url"},
              "population_dates": survey["dates"], "period_counts": survey["counts"],
              "jobs": summaries, "runs": runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{report['date']}-returns" + (f"-{args.label}" if args.label else "") + ".json"
    out = RESULTS / name
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
