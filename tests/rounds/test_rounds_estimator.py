"""Laws the invitation estimator must obey, and the contract the route planner relies on."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.rounds import ROUND_TYPES, InvitationEstimate, estimate_invitation, load_history
from planner.rounds.estimator import MIN_PROBABILITY_FOR_WAIT, RoundIndex, default_index
from planner.rounds.history import load_history_file

REQUIRED_TYPES = {"general", "cec", "fsw", "fst", "pnp", "french", "stem", "healthcare", "trades", "transport",
                  "agriculture", "education", "physicians", "senior_managers", "researchers", "military"}

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
    assert estimate_invitation(low, types, as_of, window).probability <= \
        estimate_invitation(high, types, as_of, window).probability + 1e-12


@SETTINGS
@given(crs=scores, types=type_sets, as_of=as_of_dates, a=windows, b=windows)
def test_probability_never_falls_as_the_window_grows(crs, types, as_of, a, b):
    short, long = sorted((a, b))
    assert estimate_invitation(crs, types, as_of, short).probability <= \
        estimate_invitation(crs, types, as_of, long).probability + 1e-12


@SETTINGS
@given(crs=scores, types=type_sets, extra=type_sets, as_of=as_of_dates, window=windows)
def test_qualifying_for_more_round_types_never_lowers_the_probability(crs, types, extra, as_of, window):
    assert estimate_invitation(crs, types, as_of, window).probability <= \
        estimate_invitation(crs, types | extra, as_of, window).probability + 1e-12


@SETTINGS
@given(crs=scores, types=type_sets, as_of=as_of_dates, window=windows)
def test_round_types_without_recent_rounds_add_nothing(crs, types, as_of, window):
    """The route planner leaves out types_with_rounds' complement; the estimate must not change."""
    active = default_index().types_with_rounds(as_of)
    full, kept = estimate_invitation(crs, types, as_of, window), estimate_invitation(crs, types & active, as_of, window)
    assert (full.probability, full.expected_wait_months, full.contributing_types) == \
        (kept.probability, kept.expected_wait_months, kept.contributing_types)


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
@given(crs=scores, types=type_sets, as_of=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 9, 28)),
       window=windows)
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


@pytest.mark.parametrize(("args", "message"), [
    ((500, ["cec", "astronaut"], date(2026, 1, 1), 6), "unknown round type"),
    ((500, "cec", date(2026, 1, 1), 6), "not a string"),
    ((1300, ["cec"], date(2026, 1, 1), 6), "between 0 and 1200"),
    ((500, ["cec"], date(2026, 1, 1), 0), "at least 1"),
])
def test_bad_arguments_are_rejected_clearly(args, message):
    with pytest.raises(ValueError, match=message):
        estimate_invitation(*args)


def test_calls_after_warm_up_take_well_under_a_millisecond():
    estimate_invitation(500, ["general", "cec"], date(2026, 1, 1), 6)  # load and index once
    calls = [(300 + (i * 7) % 600, ("general", ROUND_TYPES[1 + i % 15]), date(2023, 1, 1) + timedelta(days=i * 5),
              (3, 6, 12)[i % 3]) for i in range(300)]
    started = time.perf_counter()
    for crs, types, as_of, window in calls:
        estimate_invitation(crs, types, as_of, window)
    assert (time.perf_counter() - started) / len(calls) < 1e-3


def test_importing_the_package_stays_light():
    code = ("import sys, planner.rounds; heavy = [m for m in ('matplotlib', 'ortools', 'rich') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_round_types_may_be_any_iterable_in_any_order():
    as_list = estimate_invitation(480, ["french", "general", "cec"], date(2026, 6, 1), 6)
    as_generator = estimate_invitation(480, (t for t in ("cec", "french", "general")), date(2026, 6, 1), 6)
    assert as_list.probability == as_generator.probability
    assert as_generator.round_types == ("general", "cec", "french")
