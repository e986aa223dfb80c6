#!/usr/bin/env python
"""Web benchmark: the family page and search under concurrent clients, and the cost of auditing.

    .venv/bin/python benchmarks/run.py [--families 100000] [--clients 20] [--requests 2000]
        [--database-url postgres://postgres@127.0.0.1:5432/earlyhelp_bench]

1. (Re)creates the PostgreSQL database named in --database-url, which must be called *_bench and
   be on this machine, migrates it and loads the synthetic demo council (reused when a council
   of the same size is already loaded there: loading 100,000 families takes minutes).
2. Starts the application under gunicorn (sync workers) on 127.0.0.1, production-like: DEBUG off.
3. Signs in --clients users who legitimately see families (lead practitioners and team managers
   across the four teams) and drives them concurrently against
     - the family page GET /families/<id>/ (families each user may open: it must answer 200),
     - search POST /search/ (names and dates of birth of people who exist),
     - the family page again with EARLYHELP_AUDIT_READS=0, to price the audit write of a read;
   and times `audit.services.record` in a loop on PostgreSQL as well.
4. Prints a table and writes benchmarks/results/<date>-web.json.

All traffic goes to 127.0.0.1; every phase is bounded in requests and in seconds.
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
GOALS_MS = {"family_page": 100.0, "search": 150.0}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MATCHES = re.compile(r"(\d+|No) possible match")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


# --- Safety: only ever a *_bench database on this machine ----------------------------------------

def bench_database(url: str) -> tuple[str, str]:
    """(database name, URL of the maintenance database); exits unless the URL is a local *_bench."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"Refusing: {parsed.scheme!r} is not PostgreSQL (use postgres://...).")
    if not re.fullmatch(r"[A-Za-z0-9_]+_bench", name):
        sys.exit(f"Refusing to touch database {name!r}: the benchmark only uses databases named *_bench.")
    if (parsed.hostname or "127.0.0.1") not in LOOPBACK and not (parsed.hostname or "").startswith("127."):
        sys.exit(f"Refusing: {parsed.hostname} is not this machine; the benchmark runs on 127.0.0.1 only.")
    return name, urlunparse(parsed._replace(path="/postgres"))


def connect(url):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def loaded_families(url: str, name: str, maintenance_url: str) -> int | None:
    """How many demo families the database holds, or None if it is missing or not a demo council."""
    with connect(maintenance_url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    with connect(url) as conn:
        try:
            event = conn.execute("SELECT metadata FROM audit_auditevent WHERE event = 'demo.load' "
                                 "ORDER BY sequence DESC LIMIT 1").fetchone()
            households = conn.execute("SELECT count(*) FROM people_household").fetchone()[0]
        except Exception:  # noqa: BLE001 - no tables yet
            return None
    if not event or event[0].get("families") != households:
        return None
    return households


def recreate(name: str, maintenance_url: str) -> None:
    assert name.endswith("_bench")
    with connect(maintenance_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- The application's environment --------------------------------------------------------------

def app_env(args, *, audit_reads: bool) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": args.database_url,
        # Not "production" (that forces HTTPS-only cookies); not "development" (that turns DEBUG on).
        "EARLYHELP_ENV": "benchmark",
        "DJANGO_SECRET_KEY": args.secret_key,
        # The headroom benchmark's ceiling serves one more, trivial view (benchmarks/ceiling_settings.py).
        "DJANGO_SETTINGS_MODULE": getattr(args, "settings_module", "earlyhelp.settings"),
        "EARLYHELP_VAR_DIR": args.var_dir,
        "EARLYHELP_AUDIT_READS": "1" if audit_reads else "0",
        "EARLYHELP_KEEP_FAMILY_PAGES": ("0" if getattr(args, "without_kept_pages", False)
                                        else env.get("EARLYHELP_KEEP_FAMILY_PAGES", "1")),
        "EARLYHELP_LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")]),
    })
    return env


def manage(args, *command, check=True):
    return subprocess.run([PYTHON, str(ROOT / "manage.py"), *command], env=app_env(args, audit_reads=True),
                          cwd=ROOT, check=check)


SCHEMA_CHECK = """
from django.apps import apps
for label in ("organisations", "people", "programme", "casework", "access", "audit"):
    for model in apps.get_app_config(label).get_models():
        list(model.objects.order_by().values(*[f.attname for f in model._meta.concrete_fields])[:1])
"""


def schema_matches(args) -> bool:
    """Whether every model's columns exist (a migration edited in place leaves an old database behind)."""
    code = f"import django; django.setup()\n{SCHEMA_CHECK}"
    done = subprocess.run([PYTHON, "-c", code], env=app_env(args, audit_reads=True), cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def prepare_database(args) -> dict:
    name, maintenance_url = bench_database(args.database_url)
    have = None if args.reload else loaded_families(args.database_url, name, maintenance_url)
    if have == args.families:
        manage(args, "migrate", "--no-input", "-v", "0")
        if schema_matches(args):
            print(f"Reusing {name}: the demo council with {have:,} families is already loaded.")
            return {"reused": True, "load_seconds": None}
        print(f"{name} does not match the models any more: recreating it.")
    print(f"Creating {name} and loading {args.families:,} families (seed {args.seed})...")
    recreate(name, maintenance_url)
    manage(args, "migrate", "--no-input", "-v", "0")
    started = time.perf_counter()
    manage(args, "load_demo_council", "--families", str(args.families), "--seed", str(args.seed))
    load_seconds = time.perf_counter() - started
    with connect(args.database_url) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"Loaded in {load_seconds:.0f} s ({args.families / load_seconds:,.0f} families/s, including start-up).")
    return {"reused": False, "load_seconds": round(load_seconds, 1)}


# --- Who signs in, what they open, what they search for ---------------------------------------

def choose_targets(args) -> dict:
    """Users who may open families, each with families they may open; names that exist."""
    os.environ.update(app_env(args, audit_reads=True))
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection

    from earlyhelp.access.policy import households_visible_to
    from earlyhelp.demo.generator import DEMO_PASSWORD
    from earlyhelp.organisations.models import Role, User
    from earlyhelp.people.models import Household, Person

    rng = random.Random(args.seed)
    managers = list(User.objects.filter(role=Role.TEAM_MANAGER).order_by("pk"))
    leads = list(User.objects.filter(role=Role.LEAD_PRACTITIONER).order_by("pk"))
    n_managers = min(len(managers), max(1, args.clients // 5))
    chosen = managers[:n_managers] + rng.sample(leads, min(len(leads), args.clients - n_managers))
    users = []
    for user in chosen:
        # Mostly the families they lead (what a practitioner opens all day), topped up with the team's.
        visible = households_visible_to(user).order_by("pk")
        own = list(visible.filter(episodes__lead_practitioner=user).values_list("pk", flat=True).distinct())
        wider = list(visible.values_list("pk", flat=True))
        households = sorted(set(rng.sample(own, min(150, len(own))) + rng.sample(wider, min(150, len(wider)))))
        if households:
            users.append({"username": user.username, "role": user.role, "households": households})
    if not users:
        sys.exit("No user can see any family: is the demo council loaded?")
    searches = []
    last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample = rng.sample(range(1, last_person + 1), min(last_person, 3000))
    people = list(Person.objects.filter(pk__in=sample, date_of_birth__isnull=False)
                  .exclude(memberships__household__is_restricted=True).order_by("pk")
                  .values_list("family_name", "given_name", "date_of_birth")[:1000])
    for family_name, given_name, dob in people:
        style = rng.random()
        form = {"family_name": family_name, "given_name": given_name, "date_of_birth_day": str(dob.day),
                "date_of_birth_month": str(dob.month), "date_of_birth_year": str(dob.year), "identifier": ""}
        expect = [f"{dob.day} {dob:%B} {dob.year}", html.escape(f"{given_name} {family_name}")]
        if style < 0.25:  # name only
            form.update(date_of_birth_day="", date_of_birth_month="", date_of_birth_year="")
        elif style < 0.5:  # family name and date of birth
            form["given_name"] = ""
        searches.append((form, expect))
    counts = {"households": Household.objects.count(), "people": Person.objects.count()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        counts["postgresql"] = cursor.fetchone()[0].split(",")[0]
    connection.close()
    return {"users": users, "searches": searches, "password": DEMO_PASSWORD, "dataset": counts}


# --- The server ---------------------------------------------------------------------------------

def worker_class(threads: int) -> list[str]:
    """gunicorn's sync workers, or threaded ones (gthread) when each worker has more than one thread."""
    return ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else ["--worker-class", "sync"]


class Server:
    def __init__(self, args, *, audit_reads: bool):
        self.args, self.audit_reads = args, audit_reads
        self.base = f"http://127.0.0.1:{args.port}"
        self.process = None

    def __enter__(self):
        log = Path(self.args.var_dir) / "gunicorn.log"
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "earlyhelp.wsgi:application", "--bind", f"127.0.0.1:{self.args.port}",
             "--workers", str(self.args.workers), *worker_class(getattr(self.args, "threads", 1)), "--timeout", "60",
             "--graceful-timeout", "10", "--backlog", "256", "--log-level", "warning",
             "--error-logfile", str(log)],
            env=app_env(self.args, audit_reads=self.audit_reads), cwd=ROOT,
        )
        import requests

        waiting = getattr(self.args, "start_seconds", 60)  # a loaded machine needs longer to import the application
        deadline = time.monotonic() + waiting
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}: see {log}")
            try:
                if requests.get(self.base + "/sign-in/", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer within {waiting} s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the master stops its own workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# --- Clients ------------------------------------------------------------------------------------

class Client:
    def __init__(self, base, user, password):
        import requests

        self.base, self.user = base, user
        self.session = requests.Session()
        page = self.session.get(base + "/sign-in/", timeout=30)
        token = CSRF_FIELD.search(page.text).group(1)
        response = self.session.post(base + "/sign-in/", data={
            "csrfmiddlewaretoken": token, "username": user["username"], "password": password, "next": ""},
            headers={"Referer": base + "/sign-in/"}, allow_redirects=False, timeout=30)
        if response.status_code != 302:
            raise SystemExit(f"Could not sign in as {user['username']}: HTTP {response.status_code}")
        page = self.session.get(base + "/search/", timeout=30)  # the CSRF token rotates at sign-in
        self.csrf = CSRF_FIELD.search(page.text).group(1)

    def family_page(self, rng, _searches):
        household = rng.choice(self.user["households"])
        response = self.session.get(f"{self.base}/families/{household}/", allow_redirects=False, timeout=60)
        return response.status_code == 200, None

    def search(self, rng, searches):
        """A search for someone who exists; `hit` says whether they were among the results."""
        form, expect = rng.choice(searches)
        response = self.session.post(self.base + "/search/", data=dict(form, csrfmiddlewaretoken=self.csrf),
                                     headers={"Referer": self.base + "/search/"}, allow_redirects=False, timeout=60)
        text = response.text if response.status_code == 200 else ""
        match = MATCHES.search(text)
        hit = bool(match) and all(marker in text for marker in expect)
        return match is not None, hit


def run_phase(clients, action, *, requests_total, max_seconds, searches, think_ms=0, warmup=3):
    """`requests_total` requests shared by the clients' threads; stops early after `max_seconds`.

    Each client sends its next request when the last one is answered, after `think_ms` on average
    (uniform 0 to 2 x think_ms; 0 = no pause, which measures the server at saturation).
    Returns (latencies in ms, wall seconds, failures, searches that found someone)."""
    lock = threading.Lock()
    issued = {"n": 0}
    latencies, failures, hits = [], [0], [0]
    deadline = time.monotonic() + max_seconds

    def worker(index, client):
        rng = random.Random(index)
        try:
            for _ in range(warmup):
                getattr(client, action)(rng, searches)
        finally:
            barrier.wait(timeout=max_seconds)
        while True:
            with lock:
                if issued["n"] >= requests_total or time.monotonic() > deadline:
                    return
                issued["n"] += 1
            started = time.perf_counter()
            try:
                ok, hit = getattr(client, action)(rng, searches)
            except Exception:  # noqa: BLE001 - a timeout or a dropped connection is a failure
                ok, hit = False, None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += not ok
                hits[0] += bool(hit)
            if think_ms:
                time.sleep(rng.uniform(0, 2 * think_ms) / 1000)

    barrier = threading.Barrier(len(clients) + 1)
    threads = [threading.Thread(target=worker, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=max_seconds)
    started = time.perf_counter()
    for thread in threads:
        thread.join(max_seconds + 120)
    wall = time.perf_counter() - started
    return latencies, wall, failures[0], hits[0]


def summarise(name, latencies, wall, failures, hits=None):
    ordered = sorted(latencies)
    if len(ordered) < 2:
        return {"name": name, "requests": len(ordered), "failures": failures}
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    result = {"name": name, "requests": len(ordered), "failures": failures, "seconds": round(wall, 2),
              "throughput_per_s": round(len(ordered) / wall, 1), "mean_ms": round(statistics.fmean(ordered), 1),
              "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "p99_ms": round(cuts[98], 1),
              "max_ms": round(ordered[-1], 1)}
    if hits is not None:
        result["searches_finding_the_person"] = hits
    return result


def audit_record_cost(args, calls):
    """`audit.services.record` alone: one committed event per call, as a page's read costs."""
    from django.db import connection

    from earlyhelp.audit import services as audit
    from earlyhelp.organisations.models import User

    actor = User.objects.filter(role="lead_practitioner").first()
    timings = []
    for i in range(calls):
        started = time.perf_counter()
        audit.record(actor=actor, action="view", event="benchmark.audit_record", purpose="system_security",
                     objects=[("people.household", i + 1)], household_id=i + 1, metadata={"benchmark": True})
        timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return summarise("audit.services.record (one client, in-process)", timings, sum(timings) / 1000, 0)


# --- Main ---------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="requests per phase")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/earlyhelp_bench")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--max-seconds", type=int, default=300, help="time limit of each phase")
    parser.add_argument("--audit-calls", type=int, default=2000, help="calls in the audit.record loop")
    parser.add_argument("--think-ms", type=int, default=0,
                        help="mean pause between a client's requests (0: back to back, the server saturated)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternations of the family page with and without the read audit")
    parser.add_argument("--reload", action="store_true", help="recreate and reload even if already loaded")
    parser.add_argument("--skip-audit-comparison", action="store_true")
    parser.add_argument("--label", default="", help="results go to <date>-web-<label>.json instead of <date>-web.json")
    args = parser.parse_args()
    if not 1 <= args.clients <= 100 or not 1 <= args.requests <= 100_000 or not 1 <= args.rounds <= 10:
        sys.exit("--clients must be 1-100, --requests 1-100,000 and --rounds 1-10")
    if args.label and not re.fullmatch(r"[a-z0-9-]{1,40}", args.label):
        sys.exit("--label may use a-z, 0-9 and hyphens only")
    if not 0 <= args.think_ms <= 60_000 or not 1 <= args.max_seconds <= 3600:
        sys.exit("--think-ms must be 0-60,000 and --max-seconds 1-3,600")
    bench_database(args.database_url)
    try:
        import gunicorn  # noqa: F401
        import requests  # noqa: F401
    except ImportError as error:
        sys.exit(f"{error.name} is needed: uv pip install --python .venv/bin/python {error.name}")
    args.secret_key = secrets.token_urlsafe(50)
    args.var_dir = tempfile.mkdtemp(prefix="earlyhelp-bench-")

    load = prepare_database(args)
    targets = choose_targets(args)
    print(f"Dataset: {targets['dataset']['households']:,} families, {targets['dataset']['people']:,} people; "
          f"{len(targets['users'])} clients; gunicorn with {args.workers} sync workers.")
    load_average_before = os.getloadavg()
    # The audit comparison alternates with and without the read audit, so that drift in the
    # machine's other load does not land on one side only.
    plan = []
    rounds = 1 if args.skip_audit_comparison else args.rounds
    for _ in range(rounds):
        plan.append(("family_page", "family_page", True))
        if not args.skip_audit_comparison:
            plan.append(("family_page_without_read_audit", "family_page", False))
    plan.append(("search", "search", True))
    collected = {}
    for name, action, audit_reads in plan:
        share = args.requests if name == "search" else max(1, args.requests // rounds)
        with Server(args, audit_reads=audit_reads) as server:
            clients = [Client(server.base, user, targets["password"])
                       for user in (targets["users"] * args.clients)[:args.clients]]
            print(f"- {name}: {share:,} requests from {len(clients)} clients...", flush=True)
            latencies, wall, failures, hits = run_phase(
                clients, action, requests_total=share, max_seconds=args.max_seconds,
                searches=targets["searches"], think_ms=args.think_ms)
        into = collected.setdefault(name, {"latencies": [], "wall": 0.0, "failures": 0, "hits": 0,
                                           "search": action == "search"})
        into["latencies"] += latencies
        into["wall"] += wall
        into["failures"] += failures
        into["hits"] += hits
    phases = [summarise(name, c["latencies"], c["wall"], c["failures"], c["hits"] if c["search"] else None)
              for name, c in collected.items()]
    audit_loop = audit_record_cost(args, args.audit_calls) if args.audit_calls else None

    by_name = {p["name"]: p for p in phases}
    report = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_before": [round(x, 2) for x in load_average_before]},
        "parameters": {k: getattr(args, k) for k in ("families", "clients", "requests", "workers", "seed",
                                                      "max_seconds", "think_ms", "rounds")},
        "database": {"name": bench_database(args.database_url)[0], **targets["dataset"], **load},
        "phases": phases,
        "audit_record_loop": audit_loop,
        "goals_ms_p95": GOALS_MS,
        "goals_met": {key: (by_name[key].get("p95_ms", float("inf")) < goal and by_name[key]["failures"] == 0)
                      for key, goal in GOALS_MS.items() if key in by_name},
    }
    if "family_page_without_read_audit" in by_name:
        with_audit, without = by_name["family_page"], by_name["family_page_without_read_audit"]
        report["audit_cost_ms"] = {q: round(with_audit[q] - without[q], 1) for q in ("p50_ms", "p95_ms", "mean_ms")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = f"-{args.label}" if args.label else ""
    out = RESULTS / f"{datetime.date.today().isoformat()}-web{suffix}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nWritten to {out.relative_to(ROOT)}")
    failed = sum(p["failures"] for p in phases)
    if failed:
        print(f"WARNING: {failed} requests failed (not HTTP 200): see the server log in {args.var_dir}")
        sys.exit(1)


def print_table(report):
    rows = report["phases"] + ([report["audit_record_loop"]] if report.get("audit_record_loop") else [])
    header = f"{'phase':<48}{'requests':>9}{'failed':>7}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}"
    print("\n" + header + "\n" + "-" * len(header))
    for row in rows:
        print(f"{row['name']:<48}{row['requests']:>9,}{row['failures']:>7}{row.get('throughput_per_s', 0):>8}"
              f"{row.get('p50_ms', 0):>8}{row.get('p95_ms', 0):>8}{row.get('p99_ms', 0):>8}{row.get('max_ms', 0):>8}")
    for row in rows:
        if "searches_finding_the_person" in row:
            print(f"Searches that found the person searched for: {row['searches_finding_the_person']:,} "
                  f"of {row['requests']:,}")
    for key, goal in report["goals_ms_p95"].items():
        if key in report["goals_met"]:
            print(f"Goal {key} p95 < {goal:.0f} ms: {'met' if report['goals_met'][key] else 'NOT met'}")
    if "audit_cost_ms" in report:
        cost = report["audit_cost_ms"]
        print(f"Audit write on the family page: +{cost['p50_ms']} ms at p50, +{cost['p95_ms']} ms at p95, "
              f"+{cost['mean_ms']} ms mean")


if __name__ == "__main__":
    main()
