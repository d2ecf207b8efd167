"""The exact shortcuts the month tables take must never change an answer.

`cannot_become_eligible` skips programs no month of the plan can meet; these tests pin
what it may and may not rule out, and check it against evaluating every month.
CRS totals and FSW scores are cached by `crs.score_key` and `fsw.score_key`; a property
test checks that equal keys mean equal scores.
"""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import crs, fsw
from planner.dates import add_months
from planner.eligibility import cannot_become_eligible, is_eligible
from planner.predicates import Context
from planner.profile import parse_profile
from planner.programs import catalogue
from planner.timeline import Move, project

from .strategies import profiles

EXAMPLES = int(os.environ.get("PLANNER_PROPERTY_EXAMPLES", "500"))

AS_OF = date(2026, 11, 25)
STEM = "federal.express_entry.category.stem"
HEALTHCARE = "federal.express_entry.category.healthcare"
CEC = "federal.express_entry.cec"


def test_values_between_lists_every_version_in_force_in_the_window():
    stem = catalogue().get(STEM).requirement("stem_experience")
    # The 2025-02-27 list is in force at the start; the 2026-02-18 version starts inside the window.
    versions = stem.values_between(date(2025, 6, 1), date(2026, 6, 1))
    assert [v.min_months for v in versions] == [6, 12]
    assert stem.values_between(date(2020, 1, 1), date(2020, 2, 1)) == [None]


def test_a_category_without_the_persons_occupation_is_hopeless():
    cat = catalogue()
    # Software engineers (21231) left the STEM list on 2025-02-27; the healthcare list is empty.
    assert cannot_become_eligible(cat.get(STEM), frozenset({"21231"}), AS_OF, add_months(AS_OF, 60))
    assert cannot_become_eligible(cat.get(HEALTHCARE), frozenset({"21231"}), AS_OF, add_months(AS_OF, 60))
    # Cybersecurity specialists (21220) are on the list: not ruled out.
    assert not cannot_become_eligible(cat.get(STEM), frozenset({"21220"}), AS_OF, add_months(AS_OF, 60))
    # Before 2025-02-27 software engineers were listed, so a window reaching back then is not hopeless.
    assert not cannot_become_eligible(cat.get(STEM), frozenset({"21231"}), date(2024, 6, 1), date(2025, 6, 1))


def test_a_program_the_person_can_still_meet_is_not_ruled_out():
    assert not cannot_become_eligible(catalogue().get(CEC), frozenset({"21231"}), AS_OF, add_months(AS_OF, 60))


def test_hopeless_programs_are_never_met_in_any_month():
    """The shortcut agrees with evaluating each month: a hopeless program is unmet every month."""
    profile = parse_profile({
        "birth_date": "1994-03-01", "citizenships": ["IN"],
        "education": [{"level": "master", "country": "IN", "completed": "2018-05-31", "eca": True}],
        "language_tests": [{"test": "ielts_general", "date": "2026-01-10", "listening": 8.5, "reading": 8.0,
                            "writing": 7.5, "speaking": 7.5}],
        "work_history": [{"noc": "21231", "employer": "X", "country": "IN", "start": "2018-07-01", "end": None,
                          "hours_per_week": 40}],
        "settlement_funds_cad": 30000,
    })
    cat = catalogue()
    occupations = frozenset(job.noc for job in profile.work_history)
    end = add_months(AS_OF, 24)
    for program in cat.programs:
        if cannot_become_eligible(program, occupations, AS_OF, end):
            for month in range(0, 25, 3):
                on = add_months(AS_OF, month)
                assert not is_eligible(program, Context(profile, on)), (program.id, on)


@settings(max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(profiles(), st.integers(0, 12), st.booleans())
def test_equal_score_keys_mean_equal_scores(data, arrival, nominated):
    """score_key is what the planner caches CRS and FSW scores by: two months with one key must score the same.

    Months 0-48 along a route that moves the person to Canada (so work, age, test
    expiry and rule changes all move), with and without an Express Entry nomination.
    """
    profile = parse_profile(data)
    move = Move("temporary.cusma.professional", "cusma_worker", arrival, "21231", 40, "Acme", None)
    crs_totals: dict[tuple, int] = {}
    fsw_scores: dict[tuple, tuple[int, bool]] = {}
    for month in range(0, 49, 2):
        projected = project(profile, AS_OF, month, move, *(("ON", month) if nominated else (None, None)))
        on = add_months(AS_OF, month)
        total = crs.score(projected, on).total
        assert crs_totals.setdefault(crs.score_key(projected, on), total) == total, month
        grid = fsw.score(projected, on)
        assert fsw_scores.setdefault(fsw.score_key(projected, on), (grid.total, grid.passes)) == (grid.total, grid.passes), month
