"""Laws the invitation estimator must obey, and the contract the route planner relies on."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.rounds import ROUND_TYPES, InvitationEstimate, estimate_invitation, load_history
from planner.rounds.estimator import (
    CORRELATED,
    INDEPENDENT,
    MIN_PROBABILITY_FOR_WAIT,
    STALE_AFTER_DAYS,
    RoundIndex,
    default_index,
    intraclass_correlation,
    stale_warning,
)
from planner.rounds.history import load_history_file

REQUIRED_TYPES = {
    "general",
    "cec",
    "fsw",
    "fst",
    "pnp",
    "french",
    "stem",
    "healthcare",
    "trades",
    "transport",
    "agriculture",
    "education",
    "physicians",
    "senior_managers",
    "researchers",
    "military",
}

scores = st.integers(min_value=0, max_value=1200)
windows = st.integers(min_value=1, max_value=36)
as_of_dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2028, 12, 31))
type_sets = st.sets(st.sampled_from(ROUND_TYPES), max_size=5)
SETTINGS = settings(max_examples=300, deadline=None)


def test_round_types_include_every_id_the_route_planner_uses():
    assert REQUIRED_TYPES <= set(ROUND_TYPES)


@SETTINGS
@given(a=scores, b=scores, types=type_sets, as_of=as_of_dates, window=windows)
def test_probability_never_falls_as_the_score_rises(a, b, types, as_of, window):
    low, high = sorted((a, b))
    assert (
        estimate_invitation(low, types, as_of, window).probability
        <= estimate_invitation(high, types, as_of, window).probability + 1e-12
    )


@SETTINGS
@given(crs=scores, types=type_sets, as_of=as_of_dates, a=windows, b=windows)
def test_probability_never_falls_as_the_window_grows(crs, types, as_of, a, b):
    short, long = sorted((a, b))
    assert (
        estimate_invitation(crs, types, as_of, short).probability
        <= estimate_invitation(crs, types, as_of, long).probability + 1e-12
    )


@SETTINGS
@given(crs=scores, types=type_sets, extra=type_sets, as_of=as_of_dates, window=windows)
def test_qualifying_for_more_round_types_never_lowers_the_probability(crs, types, extra, as_of, window):
    assert (
        estimate_invitation(crs, types, as_of, window).probability
        <= estimate_invitation(crs, types | extra, as_of, window).probability + 1e-12
    )


@SETTINGS
@given(crs=scores, types=type_sets, as_of=as_of_dates, window=windows)
def test_round_types_without_recent_rounds_add_nothing(crs, types, as_of, window):
    """The route planner leaves out types_with_rounds' complement; the estimate must not change."""
    active = default_index().types_with_rounds(as_of)
    full, kept = estimate_invitation(crs, types, as_of, window), estimate_invitation(crs, types & active, as_of, window)
    assert (full.probability, full.expected_wait_months, full.contributing_types) == (
        kept.probability,
        kept.expected_wait_months,
        kept.contributing_types,
    )


@SETTINGS
@given(crs=scores, types=type_sets, as_of=as_of_dates, window=windows)
def test_probability_and_wait_are_well_formed(crs, types, as_of, window):
    result = estimate_invitation(crs, types, as_of, window)
    assert 0.0 <= result.probability <= 1.0
    if result.probability < MIN_PROBABILITY_FOR_WAIT:
        assert result.expected_wait_months is None
    else:
        assert 0.0 < result.expected_wait_months <= window
    assert set(result.contributing_types) <= set(types)
    assert result.data_until <= as_of and result.explanation


@settings(max_examples=60, deadline=None)
@given(
    crs=scores, types=type_sets, as_of=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 9, 28)), window=windows
)
def test_only_rounds_before_the_as_of_date_are_used(crs, types, as_of, window):
    everything = default_index().estimate(crs, types, as_of, window)
    before_only = RoundIndex([r for r in load_history() if r.date < as_of], data_end=as_of)
    assert before_only.estimate(crs, types, as_of, window).probability == everything.probability


def test_a_round_on_the_as_of_date_itself_is_not_used():
    day = date(2026, 9, 15)  # CEC round 443, cut-off 519
    on_the_day = estimate_invitation(519, ["cec"], day, 1)
    after = estimate_invitation(519, ["cec"], day + timedelta(days=1), 1)
    assert on_the_day.contributions[0].recent_cutoffs[0][0] < day
    assert after.contributions[0].recent_cutoffs[0] == (day, 519)


def test_no_round_types_means_no_invitation():
    result = estimate_invitation(900, [], date(2026, 6, 1), 12)
    assert result.probability == 0.0 and result.expected_wait_months is None


def test_a_type_that_has_never_held_a_round_adds_nothing():
    result = estimate_invitation(1200, ["researchers"], date(2026, 9, 1), 12)
    assert result.probability == 0.0 and result.contributing_types == ()
    assert "never" in result.explanation


def test_a_score_far_above_recent_cut_offs_is_almost_certain_and_quick():
    result = estimate_invitation(600, ["general", "cec"], date(2026, 6, 1), 6)
    assert result.probability > 0.95 and result.expected_wait_months < 2
    assert result.contributing_types == ("cec",)


def test_a_score_far_below_recent_cut_offs_is_nearly_hopeless():
    result = estimate_invitation(400, ["general", "cec"], date(2026, 6, 1), 6)
    assert result.probability < 0.01 and result.expected_wait_months is None


def test_the_explanation_names_types_counts_and_recent_cut_offs():
    result = estimate_invitation(515, ["general", "cec"], date(2026, 9, 1), 6)
    text = result.explanation
    assert "Canadian Experience Class" in text and "rounds in the last 3 / 6 / 24 months" in text
    assert "523 (2026-08-18)" in text and "General (all programs): no rounds" in text
    assert "2024-04-23" in text  # the last general round


def test_an_as_of_date_after_the_history_uses_the_last_known_months_and_says_so():
    end = load_history_file().feed_snapshot
    later = estimate_invitation(515, ["cec"], end + timedelta(days=200), 6)
    assert later.data_until == end
    assert later.probability == estimate_invitation(515, ["cec"], end, 6).probability
    assert f"history ends on {end.isoformat()}" in later.explanation


def test_the_estimate_is_a_frozen_record():
    result = estimate_invitation(500, ["cec"], date(2026, 1, 1), 6)
    assert isinstance(result, InvitationEstimate)
    with pytest.raises(AttributeError):
        result.probability = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((500, ["cec", "astronaut"], date(2026, 1, 1), 6), "unknown round type"),
        ((500, "cec", date(2026, 1, 1), 6), "not a string"),
        ((1300, ["cec"], date(2026, 1, 1), 6), "between 0 and 1200"),
        ((500, ["cec"], date(2026, 1, 1), 0), "at least 1"),
    ],
)
def test_bad_arguments_are_rejected_clearly(args, message):
    with pytest.raises(ValueError, match=message):
        estimate_invitation(*args)


def test_importing_the_package_stays_light():
    code = (
        "import sys, planner.rounds; heavy = [m for m in ('matplotlib', 'ortools', 'rich') if m in sys.modules]; "
        "print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_round_types_may_be_any_iterable_in_any_order():
    as_list = estimate_invitation(480, ["french", "general", "cec"], date(2026, 6, 1), 6)
    as_generator = estimate_invitation(480, (t for t in ("cec", "french", "general")), date(2026, 6, 1), 6)
    assert as_list.probability == as_generator.probability
    assert as_generator.round_types == ("general", "cec", "french")


def test_a_score_just_below_a_run_of_higher_cut_offs_is_less_sure_than_independent_rounds_claim():
    """Issue 17's example: CRS 511 when every CEC round since 2026-04-14 cut at 514-523."""
    index = default_index()
    new = index.estimate(511, ["general", "cec"], date(2026, 11, 25), 3, model=CORRELATED)
    old = index.estimate(511, ["general", "cec"], date(2026, 11, 25), 3, model=INDEPENDENT)
    assert round(old.probability, 2) == 0.79
    assert 0.45 < new.probability < 0.65
    assert new.model == CORRELATED.name and "move together with chance 0.48" in new.explanation


def test_far_from_the_cut_off_correlation_changes_little():
    index = default_index()
    for crs in (400, 600):
        new = index.estimate(crs, ["general", "cec"], date(2026, 6, 1), 6, model=CORRELATED).probability
        old = index.estimate(crs, ["general", "cec"], date(2026, 6, 1), 6, model=INDEPENDENT).probability
        assert abs(new - old) < 0.02


def test_the_intraclass_correlation_on_hand_worked_blocks():
    assert intraclass_correlation([[500, 500], [520, 520]]) == 1.0  # all the variance lies between blocks
    assert intraclass_correlation([[500, 520], [500, 520]]) == 0.0  # all of it within blocks (clipped at 0)
    # Blocks [500, 504] and [510, 514]: MSB = 2 * 2 * 5^2 = 100, MSW = 8, n0 = 2: (100 - 8) / (100 + 8).
    assert intraclass_correlation([[500, 504], [510, 514]]) == pytest.approx(92 / 108)
    assert intraclass_correlation([[500, 510]]) is None  # one block
    assert intraclass_correlation([[500], [510]]) is None  # no block with two rounds
    assert intraclass_correlation([[500, 500], [500, 500]]) is None  # no variance


def test_a_type_silent_for_months_has_a_less_certain_next_cut_off_and_says_so():
    result = estimate_invitation(480, ["general", "fst", "trades"], date(2026, 9, 28), 12)
    trades = next(item for item in result.contributions if item.round_type == "trades")
    assert trades.months_since_last == pytest.approx((date(2026, 9, 28) - date(2026, 4, 2)).days / (365.25 / 12))
    assert trades.smoothing == pytest.approx(CORRELATED.smoothing * (1 + trades.months_since_last))
    assert "no round for 5.9 months, so the next cut-off is taken as less certain" in result.explanation


def test_a_type_with_no_round_in_24_months_is_taken_as_stopped_and_the_output_says_so():
    result = estimate_invitation(600, ["general", "fsw", "stem"], date(2026, 9, 1), 12)
    assert result.probability == 0.0
    assert result.explanation.count("taken as stopped and adds nothing") == 3
    assert "the last was on 2024-04-11 (cut-off 491)" in result.explanation  # STEM


def test_every_estimate_says_the_newest_round_it_knows():
    result = estimate_invitation(520, ["cec"], date(2026, 9, 10), 6)
    assert result.last_round == date(2026, 9, 4)  # healthcare, the newest round of any type before 2026-09-10
    assert "the newest round known is of 2026-09-04" in result.explanation
    later = estimate_invitation(520, ["cec"], date(2027, 3, 1), 6)
    assert later.last_round == default_index().last_round == date(2026, 9, 16)


def test_stale_history_is_warned_about_past_60_days_only():
    newest = default_index().last_round
    assert stale_warning(newest + timedelta(days=STALE_AFTER_DAYS)) is None
    message = stale_warning(newest + timedelta(days=STALE_AFTER_DAYS + 1))
    assert message and newest.isoformat() in message and "61 days" in message
    assert "ee_rounds_123_en.json" in message and "planner data import-rounds" in message
