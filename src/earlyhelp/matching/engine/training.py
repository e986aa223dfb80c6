"""Training: m and u probabilities and the chance two random records match, the same on every backend.

Training is done from *counts* of comparison vectors (integers, the same on every backend) with a small numpy EM,
and the samples it uses are drawn in Python from a seeded generator, so DuckDB and Spark learn the same model to
the last bit. EM runs on person-level blocks only (date of birth; full name), never on address: see the package
docstring on the household trap.
"""

import logging
import math
import time

import numpy as np
import pandas as pd
import pyarrow as pa

from .backends import Session, gamma_counts, make_linker
from .comparisons import (
    EM_BLOCKS,
    IDENTIFIERS,
    MODEL_VERSION,
    PREDICT_BLOCKING,
    U_BLOCK,
    Structure,
    comparison_levels,
    settings_creator,
)
from .progress import Progress, report
from .standardise import prepare

# Samples: enough pairs for stable estimates, few enough for a laptop.
U_MAX_PAIRS = 4_000_000  # random pairs for u (both sides sampled to sqrt of this)
EM_MAX_RECORDS = 40_000  # records (with all people) in each EM block
MIN_LABELLED_MATCHES = 50  # confirmed pairs before reviewed labels inform m
LABEL_PRIOR_STRENGTH = 50.0  # pseudo-counts of the EM estimate when blending in labels

logger = logging.getLogger(__package__)  # the engine's one logger, named as before it was split into stages


def train(records, people, *, backend: str = "duckdb", labels=None, seed: int = 42, progress: Progress = None) -> dict:
    """Train the model; returns Splink settings with m and u values (JSON-able), the same on every backend."""
    started = time.perf_counter()
    report(progress, "Preparing the records", 0.02)
    prepared_r, prepared_p = prepare(records), prepare(people)
    model, _ = train_prepared(prepared_r, prepared_p, backend=backend, labels=labels, seed=seed,
                              progress=progress, started=started)
    return model


def train_prepared(prepared_r, prepared_p, *, backend, labels, seed, progress, started) -> tuple[dict, dict]:
    """The model from prepared inputs, and the seconds each step took."""
    n_r, n_p = prepared_r.num_rows, prepared_p.num_rows
    if n_r == 0 or n_p == 0:
        raise ValueError("Both inputs need at least one row to train a model")
    rng = np.random.default_rng([seed, 7])
    side = math.isqrt(U_MAX_PAIRS)
    u_r = _sample(rng, n_r, side)
    u_p = _sample(rng, n_p, max(side, U_MAX_PAIRS // len(u_r)))
    em_r = _sample(rng, n_r, EM_MAX_RECORDS)
    timings = {"prepare": round(time.perf_counter() - started, 3)}

    structure = Structure(settings_creator([U_BLOCK]).create_settings_dict("duckdb"))
    session = Session(backend, n_r + n_p)
    try:
        sampled = _SampledPairs(session, structure, people=_with_keys(prepared_p, u_p, None),
                                records=_with_keys(prepared_r, u_r, em_r))
        report(progress, "Estimating how often people who are not the same agree", 0.1)
        tick = time.perf_counter()
        u, u_stats = _u_from_random_pairs(structure, sampled.counts(U_BLOCK))
        timings["u"] = round(time.perf_counter() - tick, 3)
        m, block_lambda, em_stats = _m_from_em_blocks(sampled, u, progress, timings)
        lam = _probability_two_random_records_match(structure, m, block_lambda, prepared_r, prepared_p, em_r)
        m, label_stats = _with_labels(sampled, m, labels, prepared_r, prepared_p, progress)
    finally:
        session.close()

    model = _model(m, u, lam)
    timings["total"] = round(time.perf_counter() - started, 3)
    model["earlyhelp"] = {"version": MODEL_VERSION, "seed": seed, "records": n_r, "people": n_p,
                          "u": u_stats, "em": em_stats, "labels": label_stats}
    report(progress, "Model trained", 0.55)
    logger.info("Linkage model trained on %s records and %s people in %.1fs", n_r, n_p, timings["total"])
    return model, timings


class _SampledPairs:
    """The sampled inputs registered on one backend session: comparison pattern counts for a blocking rule."""

    def __init__(self, session: Session, structure: Structure, *, people: pa.Table, records: pa.Table):
        self.session, self.structure = session, structure
        self.dialect = "spark" if session.backend == "spark" else "duckdb"
        self.people = session.register(people, "people")
        self.records = session.register(records, "records")

    def linker(self, rule: str):
        settings = settings_creator([rule]).create_settings_dict(self.dialect)
        return make_linker(self.session, self.people, self.records, settings)

    def counts(self, rule: str) -> pd.DataFrame:
        return gamma_counts(self.session, self.linker(rule), self.structure.gamma_columns)

    def label_counts(self, pairs: list[tuple[str, str]]) -> pd.DataFrame:
        """Comparison pattern counts for labelled pairs: a table of blocked pairs handed to Splink."""
        linker = self.linker(U_BLOCK)
        table = pa.table({"join_key_l": [f"people-__-{p}" for _, p in pairs],
                          "join_key_r": [f"records-__-{r}" for r, _ in pairs], "match_key": ["0"] * len(pairs)})
        registered = self.session.register(table, "labelled_pairs")
        blocked = self.session.db_api.table_to_splink_dataframe("__splink__blocked_id_pairs", registered.physical_name)
        return gamma_counts(self.session, linker, self.structure.gamma_columns, blocked=blocked)


def _m_from_em_blocks(sampled: _SampledPairs, u: list[np.ndarray], progress: Progress, timings: dict):
    """m from EM in each person-level block (averaged over the blocks that estimate it); per block, its
    lambda and number of pairs, and what EM reported."""
    structure = sampled.structure
    m_estimates: dict[int, list[np.ndarray]] = {k: [] for k in range(len(structure.names))}
    sessions = {}
    block_lambda = {}
    m_start = [_initial_m(len(g)) for g in structure.gammas]
    for i, (block_name, rule) in enumerate(EM_BLOCKS):
        report(progress, "Learning how often the same person's details agree", 0.2 + 0.15 * i)
        tick = time.perf_counter()
        counts = sampled.counts(rule)
        excluded = {structure.names.index("date_of_birth")} if block_name == "date_of_birth" else {
            structure.names.index("given_name"), structure.names.index("family_name")}
        if counts.empty:
            sessions[block_name] = {"pairs": 0}
            continue
        m, lam, info = _em(structure, counts, u, excluded, m_start)
        for k in range(len(structure.names)):
            if k not in excluded:
                m_estimates[k].append(m[k])
        block_lambda[block_name] = (lam, info["pairs"])
        sessions[block_name] = info
        timings[f"em_{block_name}"] = round(time.perf_counter() - tick, 3)
    m_final = [np.mean(m_estimates[k], axis=0) if m_estimates[k] else m_start[k] for k in range(len(m_start))]
    return m_final, block_lambda, sessions


def _probability_two_random_records_match(structure: Structure, m: list[np.ndarray], block_lambda: dict,
                                          prepared_r: pa.Table, prepared_p: pa.Table, em_r: np.ndarray) -> float:
    """From the date-of-birth block: matches found there, divided by the share of matches whose dates of birth
    agree (learnt in the name block)."""
    n_p = prepared_p.num_rows
    k_dob = structure.names.index("date_of_birth")
    if "date_of_birth" in block_lambda:
        lam_block, pairs_block = block_lambda["date_of_birth"]
        has_dob_r = prepared_r.column("dob").take(pa.array(em_r)).null_count
        share_r = 1 - has_dob_r / max(len(em_r), 1)
        share_p = 1 - prepared_p.column("dob").null_count / n_p
        matches = lam_block * pairs_block / max(m[k_dob][0] * share_r * share_p, 1e-9)
        lam = matches / (len(em_r) * n_p)
    else:
        lam = 1.0 / max(n_p, 1)
    return float(min(max(lam, 1e-12), 0.5))


def _with_labels(sampled: _SampledPairs, m: list[np.ndarray], labels, prepared_r: pa.Table, prepared_p: pa.Table,
                 progress: Progress) -> tuple[list[np.ndarray], dict]:
    """m with the confirmed pairs people have reviewed blended in, once there are enough of them."""
    labelled = _clean_labels(labels, set(prepared_r.column("unique_id").to_pylist()),
                             set(prepared_p.column("unique_id").to_pylist()))
    confirmed = [(r, p) for r, p, is_match in labelled if is_match]
    label_info = {"labels": len(labelled), "confirmed": len(confirmed), "used": False}
    if len(confirmed) < MIN_LABELLED_MATCHES:
        return m, label_info
    report(progress, "Learning from the pairs people have reviewed", 0.5)
    counts = sampled.label_counts(confirmed)
    idx = sampled.structure.index_matrix(counts)
    n = counts["n"].to_numpy().astype(float)
    blended = []
    for k, m_k in enumerate(m):
        sums = _level_sums(idx[:, k], n, len(m_k))
        blended.append((sums + LABEL_PRIOR_STRENGTH * m_k) / (sums.sum() + LABEL_PRIOR_STRENGTH))
    label_info["used"] = True
    return blended, label_info


def _model(m: list[np.ndarray], u: list[np.ndarray], lam: float) -> dict:
    """Splink settings for prediction, with the trained parameters."""
    model = settings_creator(PREDICT_BLOCKING).create_settings_dict("duckdb")
    model["probability_two_random_records_match"] = lam
    for k, (_, levels) in enumerate(comparison_levels(model)):
        for i, level in enumerate(levels):
            level["m_probability"] = float(m[k][i])
            level["u_probability"] = float(u[k][i])
    return model


def _with_keys(table: pa.Table, u_rows: np.ndarray, em_rows: np.ndarray | None) -> pa.Table:
    """Sample markers as equi-join keys, so the backend joins only the sampled rows."""
    n = table.num_rows
    u_key = np.full(n, None, dtype=object)
    u_key[u_rows] = "1"
    em_key = np.full(n, "1", dtype=object) if em_rows is None else np.full(n, None, dtype=object)
    if em_rows is not None:
        em_key[em_rows] = "1"
    return table.append_column("u_key", pa.array(u_key, pa.string())).append_column(
        "em_key", pa.array(em_key, pa.string()))


def _sample(rng, n: int, size: int) -> np.ndarray:
    size = min(n, size)
    return np.arange(n) if size == n else np.sort(rng.choice(n, size=size, replace=False))


def _level_sums(idx: np.ndarray, weights: np.ndarray, n_levels: int) -> np.ndarray:
    keep = idx >= 0
    return np.bincount(idx[keep], weights=weights[keep], minlength=n_levels).astype(float)


def _u_from_random_pairs(structure: Structure, counts: pd.DataFrame) -> tuple[list[np.ndarray], dict]:
    idx = structure.index_matrix(counts)
    n = counts["n"].to_numpy().astype(float)
    # Random pairs include a few true matches; drop pairs agreeing on most of who someone is, or u for exact
    # levels would be inflated (badly so on small inputs, where every pair is compared).
    names = structure.names
    top = {k: idx[:, k] == 0 for k in range(len(names))}
    score = sum(top[names.index(c)].astype(int) for c in ("given_name", "family_name", "date_of_birth"))
    score = score + (idx[:, names.index("address")] <= 2) * (idx[:, names.index("address")] >= 0)
    score = score + 2 * sum(top[names.index(c)].astype(int) for c, _ in IDENTIFIERS)
    likely_match = score >= 3
    n_kept = n * ~likely_match
    total = float(n_kept.sum())
    u = []
    for k in range(len(names)):
        sums = _level_sums(idx[:, k], n_kept, len(structure.gammas[k]))
        denominator = max(sums.sum(), 1.0)
        # A level never seen among random pairs is very rare among non-matches: half a pair, not zero.
        floor = 0.5 / max(denominator, 1.0)
        u.append(np.maximum(sums / denominator, floor))
        u[-1] = u[-1] / u[-1].sum()
    return u, {"pairs": int(n.sum()), "pairs_used": int(total), "likely_matches_left_out": int(n.sum() - total)}


def _initial_m(n_levels: int) -> np.ndarray:
    if n_levels == 2:
        return np.array([0.9, 0.1])
    return np.array([0.8] + [0.15 / (n_levels - 2)] * (n_levels - 2) + [0.05])


def _em(structure: Structure, counts: pd.DataFrame, u: list[np.ndarray], excluded: set[int],
        m_start: list[np.ndarray], *, max_iterations: int = 500, tolerance: float = 1e-9):
    """Expectation maximisation on counts of comparison patterns; u fixed, m and lambda estimated."""
    idx = structure.index_matrix(counts)
    n = counts["n"].to_numpy().astype(float)
    active = [k for k in range(len(structure.names)) if k not in excluded]
    m = [mk.copy() for mk in m_start]
    lam = 0.1
    log_u = np.zeros(len(n))
    for k in active:
        present = idx[:, k] >= 0
        log_u[present] += np.log(u[k][idx[present, k]])
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        log_m = np.zeros(len(n))
        for k in active:
            present = idx[:, k] >= 0
            log_m[present] += np.log(m[k][idx[present, k]])
        a = np.log(lam) + log_m
        b = np.log1p(-lam) + log_u
        p = np.exp(a - np.logaddexp(a, b))
        w = n * p
        change = 0.0
        for k in active:
            sums = _level_sums(idx[:, k], w, len(m[k]))
            # Half a pair per comparison as a prior, so no level is ever "impossible" for a match.
            new = (sums + 0.5 / len(m[k])) / (sums.sum() + 0.5)
            change = max(change, float(np.abs(new - m[k]).max()))
            m[k] = new
        new_lam = float(min(max(w.sum() / n.sum(), 1e-9), 1 - 1e-9))
        change = max(change, abs(new_lam - lam))
        lam = new_lam
        if change < tolerance:
            break
    return m, lam, {"pairs": int(n.sum()), "iterations": iterations, "lambda_in_block": lam}


def _clean_labels(labels, record_ids: set, person_ids: set) -> list[tuple[str, str, bool]]:
    out = set()
    for record_id, person_id, is_match in labels or ():
        record_id, person_id = str(record_id), str(person_id)
        if record_id in record_ids and person_id in person_ids:
            out.add((record_id, person_id, bool(is_match)))
    return sorted(out)
