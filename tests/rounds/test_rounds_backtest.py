"""The backtest: the held-out and tuning replays, the near-cut-off slice, and the scores' arithmetic."""

from __future__ import annotations

import math
from datetime import date

import pytest

from planner.rounds.backtest import (
    TUNING_END,
    invited,
    is_near,
    lowest_recent_cutoff,
    naive_baseline,
    run_backtest,
    score,
    tuning_backtest,
)
from planner.rounds.estimator import default_index


@pytest.fixture(scope="module")
def held_out():
    """The full held-out replay: cut dates from 2025-01-01, windows of 3, 6 and 12 months (about 10 s)."""
    return run_backtest()


@pytest.fixture(scope="module")
def tuning():
    """The tuning replay at quarterly cut dates (the full one is `planner rounds backtest --period tuning`)."""
    return tuning_backtest(step_months=3)


def test_on_the_held_out_period_the_new_model_is_calibrated_overall_and_near_the_cut_off(held_out):
    new = held_out.model("correlated")
    assert new.overall.cases == 35_280 and new.near.cases == 1_177
    assert new.overall.ece <= 0.05 and new.near.ece <= 0.08
    assert new.near.ece < held_out.model("independent").near.ece


def test_on_the_held_out_period_both_models_beat_the_naive_baseline_by_far(held_out):
    naive = held_out.model("naive")
    for key in ("correlated", "independent"):
        model = held_out.model(key)
        assert model.overall.brier < naive.overall.brier / 4 and model.near.brier < naive.near.brier / 2


def test_the_held_out_figures_are_the_ones_docs_rounds_model_reports(held_out):
    """docs/rounds-model.md quotes these; a change to the model or the shipped history must update it."""
    figures = {
        key: (
            round(held_out.model(key).overall.brier, 4),
            round(held_out.model(key).overall.ece, 4),
            round(held_out.model(key).near.brier, 4),
            round(held_out.model(key).near.ece, 4),
        )
        for key in ("correlated", "independent", "naive")
    }
    assert figures == {
        "correlated": (0.0468, 0.0187, 0.161, 0.0553),
        "independent": (0.0459, 0.0113, 0.1587, 0.0648),
        "naive": (0.3181, 0.3181, 0.4027, 0.4027),
    }


def test_in_the_tuning_period_the_new_model_beats_the_current_one_overall_and_near_the_cut_off(tuning):
    new, current = tuning.model("correlated"), tuning.model("independent")
    assert new.overall.brier < current.overall.brier and new.near.brier < current.near.brier
    assert new.near.ece < current.near.ece


def test_the_tuning_replay_never_scores_an_outcome_after_2024(tuning):
    assert tuning.outcomes_until == TUNING_END
    from planner.dates import add_months

    for window in tuning.windows:
        assert add_months(window.last_cut, window.window_months) <= TUNING_END


def test_the_calibration_tables_account_for_every_case(held_out):
    for window in held_out.windows:
        for model in window.models:
            assert sum(band.cases for band in model.overall.calibration) == window.cases
            assert sum(band.cases for band in model.near.calibration) == window.near_cases
            assert all(
                0 <= band.observed <= 1 and band.low <= band.mean_predicted <= band.high
                for band in model.overall.calibration
            )


def test_brier_and_ece_on_a_hand_worked_example():
    # Bands: 0.1-0.2 holds (0.1, 0), (0.1, 1): mean 0.1, observed 0.5; 0.9-1.0 holds (1.0, 1), (1.0, 1).
    result = score([(0.1, 0.0), (0.1, 1.0), (1.0, 1.0), (1.0, 1.0)])
    assert result.brier == pytest.approx((0.01 + 0.81 + 0 + 0) / 4)
    assert result.ece == pytest.approx((2 * 0.4 + 2 * 0.0) / 4)
    assert math.isnan(score([]).brier)


def test_the_near_cut_off_slice_is_25_below_to_5_above_the_lowest_recent_cut_off():
    index = default_index()
    # CEC cut-offs from 2026-06-10 to 2026-09-10: 516 (06-23) .. 523; the lowest is 516.
    assert lowest_recent_cutoff(index, ("general", "cec"), date(2026, 9, 10)) == 516
    assert [is_near(crs, 516) for crs in (490, 491, 516, 521, 522)] == [False, True, True, True, False]
    assert not is_near(500, None)


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
