"""Prediction: every blocked pair scored with a trained model, and the pairs at or above the review threshold.

A record is at most one person in the index, so a candidate loses weight when someone else fits the record better
(`_competition`): this is what keeps twins, siblings and parents at one address apart.
"""

import dataclasses
import math
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .backends import Session, make_linker
from .comparisons import MODEL_VERSION, PREDICT_BLOCKING, Structure, comparison_levels, settings_creator
from .explain import Predictions, levels_and_weights
from .progress import Progress, report
from .standardise import prepare
from .training import train_prepared

# Review threshold (match probability). Every pair at or above it goes to a person to confirm. Once a better
# candidate has been taken into account, scores are bimodal (family members near 0, the same person near 1):
# on household data F1 hardly moves between 0.5 and 0.95; 0.9 keeps the review queue short while missing almost
# nothing a reviewer would accept.
DEFAULT_THRESHOLD = 0.9
PREDICT_CHUNK_ROWS = 500_000
TIE = 1e-6  # match weights closer than this are the same score (the two backends differ by ~1e-15)
PAIRS_SCHEMA = pa.schema([("record_id", pa.string()), ("person_id", pa.string()),
                          ("match_probability", pa.float64()), ("match_weight", pa.float64())])


@dataclasses.dataclass(frozen=True)
class LinkageResult:
    model: dict
    predictions: Predictions


def link(records, people, *, backend: str = "duckdb", threshold: float = DEFAULT_THRESHOLD, labels=None,
         seed: int = 42, progress: Progress = None) -> LinkageResult:
    """Train on these inputs, then score them: the model and the pairs at or above the threshold."""
    started = time.perf_counter()
    report(progress, "Preparing the records", 0.02)
    prepared_r, prepared_p = prepare(records), prepare(people)
    model, timings = train_prepared(prepared_r, prepared_p, backend=backend, labels=labels, seed=seed,
                                    progress=progress, started=started)
    predictions = _predict_prepared(prepared_r, prepared_p, model, backend=backend, threshold=threshold,
                                    progress=progress, started=time.perf_counter())
    predictions.stats.update({f"seconds_train_{key}": value for key, value in timings.items()})
    return LinkageResult(model=model, predictions=predictions)


def predict(records, people, model: dict, *, backend: str = "duckdb", threshold: float, progress: Progress = None
            ) -> Predictions:
    started = time.perf_counter()
    report(progress, "Preparing the records", 0.6)
    return _predict_prepared(prepare(records), prepare(people), model, backend=backend, threshold=threshold,
                             progress=progress, started=started)


def _predict_prepared(prepared_r, prepared_p, model, *, backend, threshold, progress, started) -> Predictions:
    if not 0 <= threshold <= 1:
        raise ValueError("threshold is a match probability between 0 and 1")
    dialect = "spark" if backend == "spark" else "duckdb"
    settings = _settings_for(model, dialect)
    structure = Structure(model)
    stats = {"records": prepared_r.num_rows, "people": prepared_p.num_rows, "threshold": threshold,
             "seconds_prepare": round(time.perf_counter() - started, 3)}
    session = Session(backend, prepared_r.num_rows + prepared_p.num_rows)
    tick = time.perf_counter()
    try:
        people_sdf = session.register(prepared_p, "people")
        records_sdf = session.register(prepared_r, "records")
        linker = make_linker(session, people_sdf, records_sdf, settings)
        frames, pairs_compared = _score_in_chunks(session, linker, structure, prepared_p.num_rows,
                                                  prepared_r.num_rows, threshold=threshold, progress=progress)
    finally:
        session.close()
    stats["seconds_predict"] = round(time.perf_counter() - tick, 3)
    stats["pairs_compared"] = pairs_compared
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    predictions = _results(frame, structure, threshold, stats)
    table = predictions.pairs()
    stats["pairs_at_threshold"] = table.num_rows
    stats["records_with_candidates"] = pc.count_distinct(table.column("record_id")).as_py() if table.num_rows else 0
    stats["seconds_total"] = round(time.perf_counter() - started, 3)
    report(progress, "Scored", 0.97)
    return predictions


def _settings_for(model: dict, dialect: str) -> dict:
    """The stored model's parameters on comparisons written for this backend's SQL dialect."""
    if model.get("earlyhelp", {}).get("version") != MODEL_VERSION:
        raise ValueError("This model was trained by a different version of the engine: train again")
    settings = settings_creator(PREDICT_BLOCKING, retain=True).create_settings_dict(dialect)
    settings["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    stored = comparison_levels(model)
    for k, (name, levels) in enumerate(comparison_levels(settings)):
        if stored[k][0] != name or len(stored[k][1]) != len(levels):
            raise ValueError("The model's comparisons do not match this engine's: train again")
        for level, trained in zip(levels, stored[k][1]):
            level["m_probability"] = trained["m_probability"]
            level["u_probability"] = trained["u_probability"]
    return settings


def _score_in_chunks(session: Session, linker, structure: Structure, n_people: int, n_records: int, *,
                     threshold: float, progress: Progress) -> tuple[list[pd.DataFrame], int]:
    """Scored pairs at or above the threshold (before competition), and how many pairs were compared. The larger
    inputs are chunked on both sides so no step holds all blocked pairs at once."""
    frames, pairs_compared = [], 0
    chunks_l = max(1, math.ceil(n_people / PREDICT_CHUNK_ROWS))
    chunks_r = max(1, math.ceil(n_records / PREDICT_CHUNK_ROWS))
    total = chunks_l * chunks_r
    for number, (left, right) in enumerate(((a, b) for a in range(1, chunks_l + 1) for b in range(1, chunks_r + 1))):
        report(progress, "Comparing records with the person index", 0.6 + 0.35 * number / total)
        left_chunk, right_chunk = (left, chunks_l), (right, chunks_r)
        blocked = linker.inference.compute_blocked_pairs_for_predict_chunk(left_chunk=left_chunk,
                                                                           right_chunk=right_chunk)
        count = session.db_api.query_sql(f"select count(*) as n from {blocked.physical_name}", "pandas")
        pairs_compared += int(count["n"].iloc[0])
        scored = linker.inference.predict_chunk(left_chunk=left_chunk, right_chunk=right_chunk,
                                                threshold_match_probability=threshold, warning_mode="never")
        wanted = ["unique_id_l", "unique_id_r", "source_dataset_l", "match_weight",
                  *structure.gamma_columns, *[f"mw_{n}" for n in structure.names],
                  *[f"mw_tf_adj_{n}" for n in ("given_name", "family_name")]]
        frames.append(session.db_api.query_sql(
            f"select {', '.join(wanted)} from {scored.physical_name}", "pandas"))
        scored.drop_table_from_database_and_remove_from_cache()
        blocked.drop_table_from_database_and_remove_from_cache()
    return frames, pairs_compared


def _results(frame: pd.DataFrame, structure: Structure, threshold: float, stats: dict) -> Predictions:
    if frame.empty:
        return Predictions(PAIRS_SCHEMA.empty_table(), [[] for _ in structure.names],
                           np.zeros((0, len(structure.names) + 1)), stats)
    records_on_left = (frame["source_dataset_l"] == "records").to_numpy()
    left, right = frame["unique_id_l"].astype(str).to_numpy(), frame["unique_id_r"].astype(str).to_numpy()
    frame = frame.assign(record_id=np.where(records_on_left, left, right),
                         person_id=np.where(records_on_left, right, left))
    frame = frame.sort_values(["record_id", "person_id"], kind="stable").reset_index(drop=True)
    pairwise = frame["match_weight"].to_numpy(dtype=float)
    competition = _competition(frame["record_id"].to_numpy(), pairwise)
    weight = pairwise - competition
    probability = 1.0 / (1.0 + np.exp2(-weight))
    keep = probability >= threshold
    frame = frame[keep].reset_index(drop=True)
    levels, weights = levels_and_weights(frame, structure, competition[keep])
    table = pa.table({"record_id": frame["record_id"].tolist(), "person_id": frame["person_id"].tolist(),
                      "match_probability": probability[keep], "match_weight": weight[keep]}, schema=PAIRS_SCHEMA)
    return Predictions(table, levels, weights, stats)


def _competition(record_ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """How much to lower each pair's weight because a better-fitting person competes for the same record.

    The index holds each person once, so a record is at most one of its candidates: a twin, sibling or parent
    scoring well only because they share a surname, an address and (twins) a birthday loses to the person who
    fits better. With pairwise odds o = 2**w, a pair's odds become o / (1 + S), S the sum of the odds of the
    record's candidates scoring higher. Near-equal scores do not compete, so a person held twice in the index
    (a duplicate to merge) keeps both candidates for review. Input sorted by record_id.
    """
    out = np.zeros(len(weights))
    if len(weights) < 2:
        return out
    starts = np.flatnonzero(np.r_[True, record_ids[1:] != record_ids[:-1]])
    sizes = np.diff(np.r_[starts, len(weights)])
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        group = weights[start:start + size]
        for i in range(size):
            stronger = group[group > group[i] + TIE]
            if len(stronger):
                out[start + i] = float(np.logaddexp2.reduce(np.concatenate([[0.0], stronger])))
    return out


def evaluate(predicted_pairs, true_pairs) -> dict:
    """Precision, recall and F1 of predicted (record_id, person_id) pairs against the true ones."""
    predicted = {(str(r), str(p)) for r, p in predicted_pairs}
    truth = {(str(r), str(p)) for r, p in true_pairs}
    tp = len(predicted & truth)
    fp, fn = len(predicted - truth), len(truth - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
