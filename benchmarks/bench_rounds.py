"""Benchmark of the invitation estimator: prints figures, asserts nothing.

Side by side in one run, for the correlated model the planner uses and the independent-rounds
model it replaced: the time per warm ``estimate`` call (with and without the explanation)
over a fixed spread of scores, round types, dates and windows, the median and the least of
several repeats (a busy shared machine disturbs the least one least).

Target (from the planner's budget): well under 1 ms per warm call with the explanation.

Usage: ``python benchmarks/bench_rounds.py [--repeats 7]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta

from planner.rounds import ROUND_TYPES
from planner.rounds.estimator import CORRELATED, INDEPENDENT, default_index

CALLS = [
    (
        300 + (i * 7) % 600,
        ("general", ROUND_TYPES[1 + i % 15]),
        date(2023, 1, 1) + timedelta(days=i * 5),
        (3, 6, 12, 60)[i % 4],
    )
    for i in range(400)
]


def per_call(model, explain: bool) -> float:
    """Seconds per call over :data:`CALLS` (the index is warm; no call repeats another)."""
    index = default_index()
    started = time.perf_counter()
    for crs, types, as_of, window in CALLS:
        index.estimate(crs, types, as_of, window, explain=explain, model=model)
    return (time.perf_counter() - started) / len(CALLS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    default_index().estimate(500, ["general", "cec"], date(2026, 1, 1), 6)  # load and index once
    print(f"{'model':<48} {'explain':>8} {'median us/call':>15} {'least us/call':>14}")
    for model in (CORRELATED, INDEPENDENT):
        for explain in (True, False):
            times = [per_call(model, explain) * 1e6 for _ in range(args.repeats)]
            print(f"{model.name:<48} {str(explain):>8} {statistics.median(times):>15.1f} {min(times):>14.1f}")


if __name__ == "__main__":
    main()
