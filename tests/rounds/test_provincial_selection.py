"""Provincial selection from published draws (issue 15): the estimate's laws, its use in plans, and its backtest."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.cli.main import cli
from planner.rounds.provincial import (
    FLAT_ASSUMPTION,
    backtest_selection,
    estimable,
    estimate_selection,
    provincial_draws,
)

BC = "bc_high_economic_impact"
ON = date(2026, 12, 3)


def test_only_complete_records_a_profile_can_answer_are_estimated():
    assert estimable(BC)
    assert not estimable("ontario_hcp_tech") and not estimable("saskatchewan_isw")  # incomplete records
    assert not estimable("alberta_accelerated_tech")  # selects by an AAIP score the profile has no way to give
    assert estimate_selection("ontario_hcp_tech", 60.0, ON, 6).probability == 0.0


def test_a_wage_under_every_recent_floor_is_unlikely_and_one_above_them_likely():
    assert estimate_selection(BC, 45.0, ON, 6).probability < 0.15
    assert estimate_selection(BC, 82.0, ON, 6).probability > 0.95
    assert estimate_selection(BC, None, ON, 6).probability == 0.0  # no offer wage: nothing to be selected by


def test_a_long_window_does_not_make_a_wage_under_the_floor_certain():
    """Floors move together: the chance is not renewed at every draw, unlike independent rounds."""
    short, long = (estimate_selection(BC, 45.0, ON, w).probability for w in (6, 48))
    assert long < 0.15 and long - short < 0.05


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.floats(30, 120),
    st.floats(30, 120),
    st.integers(0, 48),
    st.integers(0, 48),
    st.dates(date(2025, 1, 1), date(2027, 6, 1)),
)
def test_the_estimate_is_a_probability_that_never_falls_with_the_wage_or_the_window(w1, w2, m1, m2, on):
    low, high = sorted((w1, w2))
    short, long = sorted((m1, m2))
    for wage in (low, high):
        for window in (short, long):
            assert 0.0 <= estimate_selection(BC, wage, on, window).probability <= 1.0
    assert (
        estimate_selection(BC, low, on, long).probability <= estimate_selection(BC, high, on, long).probability + 1e-12
    )
    assert (
        estimate_selection(BC, low, on, short).probability <= estimate_selection(BC, low, on, long).probability + 1e-12
    )


def test_the_estimate_reads_only_draws_before_the_date():
    """Before BC's first high-economic-impact draw there is no complete record: no estimate."""
    first = provincial_draws().series[BC].draws[0].date
    assert estimate_selection(BC, 120.0, first, 12).probability == 0.0
    assert estimate_selection(BC, 120.0, date(2025, 7, 1), 12).probability > 0.0


def test_the_backtest_beats_the_flat_assumption_at_three_months_and_matches_it_at_six():
    rows = {row.window_months: row for row in backtest_selection(BC)}
    assert rows[3].cases > 200 and rows[3].brier < rows[3].brier_flat - 0.1
    assert rows[6].brier <= rows[6].brier_flat + 0.005
    assert all(0.0 <= row.base_rate <= 1.0 for row in rows.values())


def test_the_backtest_command_prints_the_brier_scores_against_the_flat_assumption():
    result = CliRunner().invoke(cli, ["rounds", "provincial-backtest", "--json"])
    assert result.exit_code == 0, result.output
    assert '"brier_flat"' in result.output and '"bc_high_economic_impact"' in result.output
    assert FLAT_ASSUMPTION == 0.3


def test_a_bc_offer_is_selected_by_its_wage_in_a_plan():
    from planner.api import plan
    from planner.facts.profile import parse_profile

    base = {
        "birth_date": "1990-07-07",
        "citizenships": ["KR"],
        "education": [{"level": "master", "program_years": 2, "country": "KR", "completed": "2015-02-28", "eca": True}],
        "language_tests": [
            {
                "test": "ielts_general",
                "date": "2026-04-01",
                "listening": 8.0,
                "reading": 7.0,
                "writing": 7.0,
                "speaking": 7.0,
            }
        ],
        "work_history": [
            {
                "noc": "21231",
                "country": "CA",
                "province": "BC",
                "start": "2025-02-01",
                "end": None,
                "hours_per_week": 40,
            }
        ],
        "status_in_canada": {
            "status": "worker",
            "permit": "cusma_professional",
            "valid_until": "2028-01-31",
            "province": "BC",
        },
        "settlement_funds_cad": 20000,
    }

    def bc_step(wage):
        profile = parse_profile(
            {**base, "job_offer": {"noc": "21231", "province": "BC", "hourly_wage_cad": wage, "permanent": True}}
        )
        result = plan(profile, as_of=ON, alternatives=3)
        return next(
            step
            for route in [result.route, *result.alternatives]
            for step in route.steps
            if step.program == "provincial.bc.express_entry_bc"
        )

    low, high = bc_step(45), bc_step(82)
    assert low.probability < 0.15 < 0.8 < high.probability
    assert "latest floor $52/h" in high.note
