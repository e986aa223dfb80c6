#!/usr/bin/env python
"""Disclosure control: how long protecting a council-sized publication takes (processor time, no database).

    .venv/bin/python benchmarks/disclosure_control.py [--rounds 5]

Four tables over stage (5), team (20) and need (20) for 2,500 families with many small counts: primary and
secondary suppression, then the linear-programming audit until every small count is protected.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
os.environ.setdefault("EARLYHELP_ENV", "development")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from earlyhelp.reporting.disclosure import Thresholds, protect  # noqa: PLC0415 - after the path is set
    from earlyhelp.reporting.tests.test_disclosure_attack import council_sized_publication  # noqa: PLC0415

    publication = council_sized_publication()
    timings = []
    for _ in range(args.rounds):
        started = time.process_time()
        protect(publication=publication, thresholds=Thresholds())
        timings.append(time.process_time() - started)
    print(f"protect: median {statistics.median(timings):.3f} s, min {min(timings):.3f} s, max {max(timings):.3f} s "
          f"of processor time over {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
