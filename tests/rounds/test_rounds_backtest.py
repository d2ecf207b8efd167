"""The backtest on a small window (the full run is `planner rounds backtest`)."""

from __future__ import annotations

from datetime import date

import pytest

from planner.rounds.backtest import invited, naive_baseline, run_backtest
from planner.rounds.estimator import default_index


@pytest.fixture(scope="module")
def small_report():
    """Quarterly cut dates through 2024-2025, a coarse score grid, 3- and 6-month windows."""
    return run_backtest(start=date(2024, 1, 1), end=date(2025, 10, 1), step_months=3, windows=(3, 6),
                        scores=tuple(range(350, 851, 25)))


def test_ours_beats_the_naive_baseline_on_brier_in_every_window(small_report):
    for window in small_report.windows:
        assert window.cases > 0
        assert window.brier < window.brier_baseline, window
        assert window.brier < window.brier_recent_baseline, window


def test_the_calibration_table_accounts_for_every_case(small_report):
    for window in small_report.windows:
        assert sum(band.cases for band in window.calibration) == window.cases
        assert all(0 <= band.observed <= 1 and band.low <= band.mean_predicted <= band.high
                   for band in window.calibration)


def test_windows_that_would_run_past_the_history_are_left_out():
    report = run_backtest(start=date(2026, 5, 1), windows=(3, 12), scores=(500,), eligibilities=(("cec",),))
    by_window = {w.window_months: w for w in report.windows}
    assert by_window[3].cut_dates == 2  # 2026-05-01 and 2026-06-01 end by 2026-09-28
    assert by_window[12].cases == 0


def test_the_outcome_and_baseline_read_the_history_as_expected():
    index = default_index()
    # CEC round 443 on 2026-09-15 had cut-off 519; the last CEC round before 2026-09-10 had 521.
    assert invited(index, 519, ("cec",), date(2026, 9, 10), date(2026, 9, 20))
    assert not invited(index, 518, ("cec",), date(2026, 9, 10), date(2026, 9, 20))
    assert naive_baseline(index, 521, ("cec",), date(2026, 9, 10)) == 1.0
    assert naive_baseline(index, 520, ("cec",), date(2026, 9, 10)) == 0.0
    # The baseline remembers the last general round (2024-04-23, cut-off 529) forever.
    assert naive_baseline(index, 529, ("general",), date(2026, 9, 10)) == 1.0


def test_an_unknown_type_in_the_grid_is_rejected():
    with pytest.raises(ValueError, match="astronaut"):
        run_backtest(eligibilities=(("cec", "astronaut"),))
