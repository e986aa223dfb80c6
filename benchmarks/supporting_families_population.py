#!/usr/bin/env python
"""A Supporting Families population for timing the returns (quarterly return, National Impact Study file,
Annex A) at the size of a large council.

    .venv/bin/python benchmarks/supporting_families_population.py [--families 100000]
        [--database-url postgres://postgres@127.0.0.1:5432/earlyhelp_bench_sf] [--reload]
        [--time package.module:function] [--kwargs '{"period_end": "2026-12-31"}'] [--rounds 3]

1. Creates the database if it is missing (PostgreSQL on this machine, or a SQLite file) and migrates it.
2. Loads the synthetic demo council (`demo.generator.generate_council`: households with members and
   identifiers, contacts, episodes, assessments with their members, plans, reviews, consents with about 5%
   opting out of the national evaluation; a hundred families' programme work made through the services).
3. Adds Supporting Families data to every other family with an approved assessment, written directly with
   the models (COPY on PostgreSQL, `bulk_create` on SQLite; no services, no audit events, no history rows:
   this is seed data for timing, not anyone's work): needs per member and for the whole family in two to
   five headlines, progress at baseline, at each review held and at closure (met or not met), programme
   families (support and comparison group), sustainment checks after the rule's months, and one claim batch
   with accepted (and their claimed needs), refused and proposed claims.
4. With --time, calls the named function `--rounds` times on the population and reports each round.

A population already in the database with the same number of families is reused (unless --reload). The build
time of each step is printed and written to benchmarks/results/<date>-sf-population.json; a timing (with the
build, if it was built in the same run) to <date>-sf-timing-<function>.json.

Only a database whose name contains "bench", on this machine, is ever created or filled.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/earlyhelp_bench_sf"
DEFAULT_FAMILIES = 100_000
SEED = 20261121
POPULATION_EVENT = "benchmark.supporting_families_population"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Project and Django imports are inside the functions: Django is set up only once the database URL is known.


# --- Safety and the database ---------------------------------------------------------------------

def check_database(url: str) -> None:
    """Exit unless the URL is a local PostgreSQL database or a SQLite file whose name contains "bench"."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme == "sqlite":
        if "bench" not in Path(parsed.path).name:
            sys.exit(f"Refusing: the SQLite file's name must contain 'bench' (got {Path(parsed.path).name!r}).")
        return
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"Refusing: {parsed.scheme!r} is neither PostgreSQL nor SQLite.")
    if not re.fullmatch(r"[A-Za-z0-9_]*bench[A-Za-z0-9_]*", name):
        sys.exit(f"Refusing to touch database {name!r}: its name must contain 'bench'.")
    host = parsed.hostname or "127.0.0.1"
    if host not in LOOPBACK and not host.startswith("127."):
        sys.exit(f"Refusing: {host} is not this machine.")


def create_postgres_database(url: str, *, recreate: bool) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("EARLYHELP_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- The population ------------------------------------------------------------------------------

def loaded_population() -> int | None:
    """Families in the population already built in this database, or None."""
    from earlyhelp.audit.models import AuditEvent

    event = AuditEvent.objects.filter(event=POPULATION_EVENT).order_by("-sequence").first()
    return event.metadata.get("families") if event else None


class Writer:
    """Rows written in one go per model: COPY on PostgreSQL (the demo's writer), bulk_create elsewhere."""

    def __init__(self, now, batch_size=5000):
        from earlyhelp.demo.generator.rows import Ids, RowWriter

        self.copy_writer = RowWriter(batch_size=batch_size, now=now)
        self.ids = Ids()
        self.batch_size = batch_size
        self.counts = {}

    def write(self, model, rows):
        from django.db import connection

        if not rows:
            return
        if connection.vendor == "postgresql":
            self.copy_writer._copy(model, rows)
        else:
            for start in range(0, len(rows), self.batch_size):
                model.objects.bulk_create([model(**row) for row in rows[start:start + self.batch_size]],
                                          batch_size=self.batch_size)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)

    def reset_sequences(self, models):
        from django.core.management.color import no_style
        from django.db import connection

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


def build_programme_population(*, seed: int = SEED, today: datetime.date | None = None) -> dict:
    """Supporting Families rows for every family with an approved assessment that has no needs yet; returns
    counts per model."""
    from django.db import transaction
    from django.utils import timezone

    from earlyhelp.casework.models import (
        Assessment,
        AssessmentMember,
        AssessmentStatus,
        Episode,
        EpisodeStatus,
        Review,
    )
    from earlyhelp.organisations.models import Organisation, OrganisationType, Role, User
    from earlyhelp.people.models import MemberRole
    from earlyhelp.programme.models import (
        Descriptor,
        FrameworkVersion,
        Need,
        NeedProgress,
        NeedStatus,
        ProgrammeRules,
        ProgressOccasion,
    )
    from earlyhelp.records.calendar import add_months
    from earlyhelp.records.provenance import SourceKind
    from earlyhelp.supporting_families.models import (
        Claim,
        ClaimBatch,
        ClaimedNeed,
        ClaimStatus,
        ProgrammeFamily,
        SustainmentCheck,
        SustainmentMethod,
    )

    rng = random.Random(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    rules = ProgrammeRules.current()
    writer = Writer(now)
    ids = writer.ids
    data = User.objects.filter(role=Role.DATA_TEAM).order_by("pk").first()
    version = FrameworkVersion.objects.get(is_current=True)
    descriptors = defaultdict(list)
    for pk, code in Descriptor.objects.filter(version=version, is_active=True).values_list("pk", "area__code"):
        descriptors[code].append(pk)
    areas = sorted(descriptors)
    partners = list(Organisation.objects.exclude(type__in=[OrganisationType.LOCAL_AUTHORITY])
                    .values_list("pk", flat=True).order_by("pk"))
    evidence = "Recorded at the assessment: what shows the need (synthetic)."

    with transaction.atomic():
        taken = set(Need.objects.values_list("household_id", flat=True)) | set(
            ProgrammeFamily.objects.values_list("household_id", flat=True))
        approved = {}
        for assessment_id, episode_id, approved_at in (Assessment.objects.filter(status=AssessmentStatus.APPROVED)
                                                       .values_list("pk", "episode_id", "approved_at")
                                                       .order_by("pk")):
            approved[episode_id] = (assessment_id, timezone.localtime(approved_at).date())
        episodes = list(Episode.objects.filter(pk__in=list(approved), lead_practitioner__isnull=False)
                        .exclude(household_id__in=taken).exclude(household__is_restricted=True)
                        .values_list("pk", "household_id", "status", "closed_on", "lead_practitioner_id")
                        .order_by("pk"))
        members = defaultdict(lambda: ([], []))  # assessment -> (children, adults)
        for assessment_id, person_id, role in AssessmentMember.objects.filter(
                assessment_id__in=[a for a, _ in approved.values()]).values_list("assessment_id", "person_id",
                                                                                  "role"):
            if role == MemberRole.CHILD:
                members[assessment_id][0].append(person_id)
            elif role in (MemberRole.PARENT_CARER, MemberRole.OTHER_ADULT):
                members[assessment_id][1].append(person_id)
        reviews = defaultdict(list)
        for episode_id, review_id, held_on in (Review.objects.filter(held_on__isnull=False)
                                               .values_list("episode_id", "pk", "held_on")
                                               .order_by("held_on", "pk")):
            reviews[episode_id].append((review_id, held_on))

        needs, progress, families, checks = [], [], [], []
        claimable = []  # (episode_id, household_id, [need ids])
        households_done = set()
        for episode_id, household_id, status, closed_on, lead_id in episodes:
            if household_id in households_done:
                continue  # one episode per family gets the programme's work (the latest is enough)
            households_done.add(household_id)
            assessment_id, approved_on = approved[episode_id]
            children, adults = members[assessment_id]
            closed = status == EpisodeStatus.CLOSED
            chosen = rng.sample(areas, rng.choice([2, 3, 3, 4, 5]))
            episode_needs = []
            for code in chosen:
                whom = rng.random()
                person = (rng.choice(children) if whom < 0.45 and children else
                          rng.choice(adults) if whom < 0.75 and adults else None)
                source = rng.choices([SourceKind.PRACTITIONER, SourceKind.PARTNER, SourceKind.DATA_MATCH],
                                     [50, 35, 15])[0]
                need = {"id": ids(Need), "household_id": household_id, "episode_id": episode_id,
                        "person_id": person, "descriptor_id": rng.choice(descriptors[code]), "evidence": evidence,
                        "identified_on": approved_on, "identified_by_id": lead_id, "status": NeedStatus.OPEN,
                        "withdrawn_reason": "", "source_kind": source,
                        "source_organisation_id": rng.choice(partners) if source == SourceKind.PARTNER else None,
                        "source_reference": ""}
                needs.append(need)
                episode_needs.append(need)
                score = rng.choice([1, 2, 2, 3])
                progress.append({"id": ids(NeedProgress), "need_id": need["id"],
                                 "occasion": ProgressOccasion.BASELINE, "review_id": None, "score": score,
                                 "evidence": "Baseline", "recorded_on": approved_on, "recorded_by_id": lead_id})
                for review_id, held_on in reviews[episode_id]:
                    if held_on <= approved_on:
                        continue
                    score = min(5, score + rng.choice([0, 0, 1]))
                    progress.append({"id": ids(NeedProgress), "need_id": need["id"],
                                     "occasion": ProgressOccasion.REVIEW, "review_id": review_id, "score": score,
                                     "evidence": "At the review", "recorded_on": held_on,
                                     "recorded_by_id": lead_id})
                if closed:
                    score = rng.choices([score, rules.positive_score, 5], [20, 50, 30])[0]
                    need["status"] = NeedStatus.MET if score >= rules.positive_score else NeedStatus.NOT_MET
                    progress.append({"id": ids(NeedProgress), "need_id": need["id"],
                                     "occasion": ProgressOccasion.CLOSURE, "review_id": None, "score": score,
                                     "evidence": "At closure", "recorded_on": max(closed_on, approved_on),
                                     "recorded_by_id": lead_id})
            headlines = sorted(chosen)
            if len(headlines) >= rules.minimum_needs and rng.random() < 0.75:
                comparison = rng.random() < 0.1
                families.append({"id": ids(ProgrammeFamily), "household_id": household_id,
                                 "screened_on": min(today, approved_on + datetime.timedelta(days=30)),
                                 "criteria_met": headlines, "comparison_group": comparison, "suggestion_id": None,
                                 "decided_by_id": data.pk, "decided_at": now})
                if not closed or comparison:
                    continue
                due = add_months(closed_on, rules.sustainment_months)
                met = [n for n in episode_needs if n["status"] == NeedStatus.MET]
                if due > today or not met:
                    continue
                held_all = True
                for need in met:
                    held = rng.random() < 0.9
                    held_all = held_all and held
                    checks.append({"id": ids(SustainmentCheck), "need_id": need["id"], "due_on": due,
                                   "checked_on": min(today, due + datetime.timedelta(days=rng.randint(0, 40))),
                                   "method": rng.choice(SustainmentMethod.values), "sustained": held,
                                   "evidence": "Checked (synthetic)", "source_record_id": None,
                                   "checked_by_id": data.pk})
                if held_all and len(met) == len(episode_needs):
                    claimable.append((episode_id, household_id, [n["id"] for n in met]))

        batch_id = ids(ClaimBatch)
        batch = {"id": batch_id, "period_start": add_months(today, -3) + datetime.timedelta(days=1),
                 "period_end": today, "status": "draft", "sample_seed": None, "sample_fraction": "0.100",
                 "created_by_id": data.pk, "created_at": now, "submitted_by_id": None, "submitted_at": None}
        claims, claimed = [], []
        conditions = [{"name": name, "label": name.replace("_", " ").capitalize(), "met": True,
                       "evidence": "Synthetic"} for name in ("closed", "on_programme", "lead_practitioner",
                                                            "assessment", "plan", "support", "outcomes",
                                                            "sustained", "not_claimed")]
        for episode_id, household_id, need_ids in claimable:
            status = rng.choices([ClaimStatus.ACCEPTED, ClaimStatus.REFUSED, ClaimStatus.PROPOSED], [70, 10, 20])[0]
            decided = status != ClaimStatus.PROPOSED
            claim_id = ids(Claim)
            claims.append({"id": claim_id, "batch_id": batch_id, "household_id": household_id,
                           "episode_id": episode_id, "conditions": conditions,
                           "status": status, "reason": "Decided (synthetic)" if decided else "",
                           "decided_by_id": data.pk if decided else None, "decided_at": now if decided else None,
                           "in_assurance_sample": False})
            if status == ClaimStatus.ACCEPTED:
                claimed.extend({"id": ids(ClaimedNeed), "claim_id": claim_id, "need_id": pk} for pk in need_ids)

        timings = {}
        for model, rows in [(Need, needs), (NeedProgress, progress), (ProgrammeFamily, families),
                            (SustainmentCheck, checks), (ClaimBatch, [batch] if claims else []), (Claim, claims),
                            (ClaimedNeed, claimed)]:
            started = time.perf_counter()
            writer.write(model, rows)
            timings[model._meta.label] = round(time.perf_counter() - started, 2)
        writer.reset_sequences([Need, NeedProgress, ProgrammeFamily, SustainmentCheck, ClaimBatch, Claim,
                                ClaimedNeed])
    return {"rows": writer.counts, "write_seconds": timings}


def build(families: int, *, seed: int = SEED) -> dict:
    """The whole population: the demo council, then the programme's rows; returns counts and seconds."""
    from django.db import connection, transaction

    from earlyhelp.audit import services as audit
    from earlyhelp.demo import generator

    started = time.perf_counter()
    with transaction.atomic():
        if generator.demo_loaded():
            generator.wipe_demo_data()
        council = generator.generate_council(families=families, seed=seed)
    loaded = time.perf_counter()
    programme = build_programme_population(seed=seed)
    built = time.perf_counter()
    audit.record(actor=None, action="create", event=POPULATION_EVENT, purpose="system_security",
                 metadata={"families": families})
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"families": families, "council_seconds": round(loaded - started, 1),
            "programme_seconds": round(built - loaded, 1), "total_seconds": round(time.perf_counter() - started, 1),
            "council_rows": council.counts, "programme": programme}


# --- Timing the returns ----------------------------------------------------------------------------

def time_function(target: str, kwargs: dict, rounds: int) -> dict:
    """Call `package.module:function(**kwargs)` `rounds` times; the first round is usually cold."""
    module_name, _, function_name = target.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        function(**kwargs)
        seconds.append(round(time.perf_counter() - started, 3))
    return {"function": target, "kwargs": kwargs, "seconds": seconds, "best": min(seconds)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=DEFAULT_FAMILIES)
    parser.add_argument("--database-url", default=os.environ.get("SF_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reload", action="store_true", help="rebuild even if the population is there")
    parser.add_argument("--time", dest="target", help="package.module:function to time on the population")
    parser.add_argument("--kwargs", default="{}", help="keyword arguments for --time, as JSON")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    check_database(args.database_url)
    if urlparse(args.database_url).scheme != "sqlite":
        create_postgres_database(args.database_url, recreate=args.reload)
    setup_django(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    report = {"date": datetime.date.today().isoformat(), "database": connection.vendor,
              "families": args.families, "migrate_seconds": round(time.perf_counter() - started, 1),
              "load_average_before": os.getloadavg()}
    if args.reload or loaded_population() != args.families:
        print(f"Building the population: {args.families:,} families on {connection.vendor}…", flush=True)
        report["build"] = build(args.families)
        build_report = report["build"]
        print(f"  migrate {report['migrate_seconds']} s, council {build_report['council_seconds']} s, "
              f"Supporting Families rows {build_report['programme_seconds']} s "
              f"(total {build_report['total_seconds']} s)")
        for label, count in build_report["programme"]["rows"].items():
            print(f"  {label}: {count:,}")
    else:
        print(f"Reusing the population of {args.families:,} families already in the database.")
    if args.target:
        timing = time_function(args.target, json.loads(args.kwargs), args.rounds)
        report["timing"] = timing
        print(f"{timing['function']}: {', '.join(f'{s:.3f} s' for s in timing['seconds'])}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"sf-timing-{args.target.rpartition(':')[2]}" if args.target else "sf-population"
    out = RESULTS / f"{report['date']}-{name}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
