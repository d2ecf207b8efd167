"""Named solver cases, including regressions found by the property tests."""

from __future__ import annotations

from datetime import date

from planner.api import plan
from planner.profile import parse_profile
from planner.timeline import with_retakes
from planner.validate import validate_plan

from .strategies import AS_OF


def test_a_retake_renews_the_latest_result_and_does_not_revive_an_older_better_one():
    # Found by hypothesis: an expired TEF at NCLC 4 and a newer, valid TEF at NCLC 0.  The plan
    # must not count on NCLC 4 in month 0 (no retake is scheduled, and a retake renews the latest result).
    profile = parse_profile({
        "birth_date": "1970-01-01", "citizenships": ["IN"],
        "education": [{"level": "bachelor", "program_years": 1, "country": "IN", "completed": "2008-01-01", "eca": True}],
        "language_tests": [
            {"test": "tef_canada", "date": "2024-01-01", "listening": 306, "reading": 306, "writing": 268, "speaking": 328},
            {"test": "tef_canada", "date": "2024-11-26", "listening": 250, "reading": 250, "writing": 250, "speaking": 250}],
        "work_history": [{"noc": "21231", "employer": "Acme", "country": "IN", "start": "2012-01-01", "end": None,
                          "hours_per_week": 20}],
        "settlement_funds_cad": 5000})
    renewed, retaken = with_retakes(profile, AS_OF)
    assert retaken == [] and renewed == profile  # the newest result is still valid: nothing to retake
    for objective in ("fastest", "probable", "cheapest"):
        result = plan(profile, objective=objective, as_of=AS_OF, horizon=30, alternatives=1)
        for route in [result.route, *result.alternatives] if result.found else []:
            assert validate_plan(result.model_copy(update={"route": route}), profile) == []


def test_pr_fees_are_charged_per_adult_and_per_child_and_permit_fees_once():
    """Fees carry `per`: the PR application charges each adult and child; a work permit fee is charged once."""
    from planner.programs import catalogue
    from planner.solver.tables import step_fees
    cat = catalogue()
    on = date(2026, 11, 25)
    pr = cat.get("federal.express_entry.pr_application")
    assert step_fees(pr, on, adults=1, children=0) == 1590
    assert step_fees(pr, on, adults=2, children=2) == 2 * 1590 + 2 * 260
    cusma = cat.get("temporary.cusma.professional")
    assert step_fees(cusma, on, adults=2, children=2) == 155  # the employer compliance fee is the employer's
