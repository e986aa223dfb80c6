"""Explanations for reviewers: what each comparison said about a pair, in plain English, and its weight."""

import dataclasses
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa

from .comparisons import COMPARISON_LABELS, Structure


@dataclasses.dataclass(frozen=True)
class Candidate:
    record_id: str
    person_id: str
    match_probability: float
    match_weight: float
    explanation: list[dict]


class Predictions:
    """Scored pairs at or above the threshold; explanations are built when asked for (1M pairs fit in memory)."""

    def __init__(self, table: pa.Table, levels: list[list[str]], weights: np.ndarray, stats: dict):
        self._table = table
        self._levels = levels  # per comparison: the level label of each pair
        self._weights = weights  # pairs x (comparisons + 1): weight of each, then the competition penalty
        self.stats = stats

    def pairs(self) -> pa.Table:
        return self._table

    def explanation(self, i: int) -> list[dict]:
        items = [{"comparison": COMPARISON_LABELS[name], "level": self._levels[k][i],
                  "match_weight": round(float(self._weights[i, k]), 2)} for k, name in enumerate(COMPARISON_LABELS)]
        if self._weights[i, -1] > 0.005:
            items.append({"comparison": "Other people in the index", "level": "Someone else fits this record better",
                          "match_weight": round(-float(self._weights[i, -1]), 2)})
        return items

    def candidates(self) -> Iterator[Candidate]:
        columns = [self._table.column(c).to_pylist() for c in
                   ("record_id", "person_id", "match_probability", "match_weight")]
        for i, (record_id, person_id, probability, weight) in enumerate(zip(*columns)):
            yield Candidate(record_id, person_id, probability, weight, self.explanation(i))

    def __len__(self):
        return self._table.num_rows


def levels_and_weights(frame: pd.DataFrame, structure: Structure,
                       competition: np.ndarray) -> tuple[list[list[str]], np.ndarray]:
    """For scored pairs: per comparison, each pair's level label; per pair, the weight each comparison added,
    then the competition penalty."""
    weights = np.zeros((len(frame), len(structure.names) + 1))
    levels = []
    for k, name in enumerate(structure.names):
        gamma = frame[f"gamma_{name}"].to_numpy(dtype=np.int64)
        labels = np.array(["Missing on one side", *structure.labels[k]], dtype=object)
        position = {g: i + 1 for i, g in enumerate(structure.gammas[k])}
        levels.append(labels[[position.get(int(g), 0) for g in gamma]].tolist())
        mw = frame[f"mw_{name}"].to_numpy(dtype=float)
        if f"mw_tf_adj_{name}" in frame:
            mw = mw + frame[f"mw_tf_adj_{name}"].fillna(0.0).to_numpy(dtype=float)
        weights[:, k] = np.where(gamma < 0, 0.0, mw)
    weights[:, -1] = competition
    return levels, weights
