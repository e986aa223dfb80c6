"""Progress reports for long runs: the stage, in plain English for the data team, and the fraction done."""

from collections.abc import Callable

Progress = Callable[[str, float], None] | None


def report(progress: Progress, stage: str, fraction: float):
    if progress is not None:
        progress(stage, fraction)
