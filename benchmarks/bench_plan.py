"""Benchmark of the route planner: prints figures, asserts nothing.

- ``plan()`` latency, median of N warm runs, for each example profile (fastest route),
  and the same with 5 alternatives (each also with the least run, which a busy shared machine
  disturbs least);
- ``planner route`` wall time from a cold process (median of 3, after one unmeasured run that fills
  the rule-parse cache and, as any installed package has, Python's bytecode cache — the cold runs
  do not inherit ``PYTHONDONTWRITEBYTECODE``), and once with an empty parse cache (a first run
  after installing);
- peak memory (max RSS) of a cold ``planner route`` process and of this process;
- the floor under the cold time: a process that only imports the third-party libraries
  ``planner route`` needs (OR-Tools, NetworkX, pydantic, click, PyYAML, rich).

Warm runs share what every plan shares (rules loaded, the rounds model); a person's own
facts are remembered only inside one ``plan()`` call (:mod:`planner.memo`), so each run
does the work a new profile would.

Targets (issue 4, on a 2-core machine): fastest ≤ 20 ms median warm, with 5 alternatives
≤ 50 ms, ``planner route`` cold ≤ 1.0 s wall, peak memory ≤ 250 MB.

Usage: ``python benchmarks/bench_plan.py [--runs 100] [--as-of 2026-11-25]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "profiles").glob("*.json"))


def _timings_ms(fn, runs: int) -> tuple[float, float]:
    """(median, least) milliseconds of ``runs`` calls: the median is the target's measure; the least shows
    the cost without the interruptions a shared machine adds (both are printed)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def _cold_env(**changes: str) -> dict:
    """The environment of a cold run: this one, writing bytecode as an installed package's first run does."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **changes}


def _cold_route(path: Path, as_of: str, env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and max RSS (MB) of one cold `planner route` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "planner", "route", str(path), "--as-of", as_of],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=env or _cold_env(),
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--as-of", default="2026-11-25")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    from planner import load_profile, plan
    from planner.rules.parse_cache import CACHE_ENV

    print("fastest and 5 alts: median (least) ms of warm plan() calls; cold: median (least) s of 3 processes")
    print(f"{'example':34} {'fastest ms':>12} {'5 alts ms':>12} {'cold s':>11} {'cold MB':>8}  route")
    for path in EXAMPLES:
        profile = load_profile(path)
        result = plan(profile, as_of=as_of)  # warm-up: rules loaded, caches filled
        plan(profile, as_of=as_of, alternatives=5)
        fastest, fastest_least = _timings_ms(lambda p=profile: plan(p, as_of=as_of), args.runs)
        alternatives, alternatives_least = _timings_ms(
            lambda p=profile: plan(p, as_of=as_of, alternatives=5), max(5, args.runs // 5)
        )
        _cold_route(path, args.as_of)  # fills the rule-parse cache, as any earlier run would have
        colds = [_cold_route(path, args.as_of) for _ in range(3)]
        wall, wall_least = statistics.median(c[0] for c in colds), min(c[0] for c in colds)
        peak = max(c[1] for c in colds)
        summary = result.route.summary if result.found else "no route"
        print(
            f"{path.stem:34} {fastest:5.1f} ({fastest_least:4.1f}) {alternatives:5.1f} ({alternatives_least:4.1f}) "
            f"{wall:4.2f} ({wall_least:4.2f}) {peak:8.0f}  {summary}"
        )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this benchmark process: {own:.0f} MB")
    with tempfile.TemporaryDirectory() as empty:
        first, _ = _cold_route(EXAMPLES[0], args.as_of, env=_cold_env(**{CACHE_ENV: empty}))
    print(f"cold planner route with an empty rule-parse cache (first run after installing): {first:.2f} s")
    floor = statistics.median(_cold_imports() for _ in range(3))
    print(f"cold start of a process importing only the third-party libraries: {floor:.2f} s")


def _cold_imports() -> float:
    """Wall seconds of a process that imports only the third-party libraries ``planner route`` needs."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", THIRD_PARTY_IMPORTS], check=True, env=_cold_env())
    return time.perf_counter() - start


THIRD_PARTY_IMPORTS = "import ortools.sat.python.cp_model_helper, networkx, pydantic, click, yaml, rich.console"


if __name__ == "__main__":
    main()
