"""The consultant's scenario corpus (consultant.yaml): each case's plan meets what a licensed consultant insists on.

A case names the first step, programs that must never appear, programs and steps that must,
and the rule and source behind them. Every returned route must also pass the independent
validator. Cases marked ``awaits: 15`` need issue 15 (never out of status, provincial
selection from draws) and are strict expected failures until it lands.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from planner.api import plan
from planner.eligibility.verdicts import evaluate
from planner.facts.profile import parse_profile
from planner.planning.validate import validate_plan
from planner.rules.catalogue import catalogue

CORPUS = yaml.safe_load((Path(__file__).with_name("consultant.yaml")).read_text(encoding="utf-8"))
DEFAULTS = CORPUS["defaults"]
ALTERNATIVES = 3
KNOWN_EXPECTATIONS = {
    "found",
    "first_step",
    "never",
    "route_uses",
    "uses_one_of",
    "steps",
    "ruled_out",
    "notes_have",
    "permit_months",
    "keeps_status",
    "step_probability",
}


def _params():
    for case in CORPUS["cases"]:
        marks = []
        if case.get("awaits"):
            marks.append(pytest.mark.xfail(strict=True, reason=f"needs issue {case['awaits']}"))
        yield pytest.param(case, id=case["id"], marks=marks)


@pytest.fixture(scope="module")
def plans():
    """Plans are made once per case and shared by the checks."""
    return {}


def _plan_for(case, plans):
    if case["id"] not in plans:
        profile = parse_profile(case["profile"], source=f"consultant.yaml#{case['id']}")
        as_of = case.get("as_of", DEFAULTS["as_of"])
        plans[case["id"]] = profile, as_of, plan(profile, as_of=as_of, alternatives=ALTERNATIVES)
    return plans[case["id"]]


def test_every_case_says_why_with_a_rule_and_a_source():
    ids = [case["id"] for case in CORPUS["cases"]]
    assert len(ids) == len(set(ids)) and len(ids) >= 30
    for case in CORPUS["cases"]:
        assert case["consultant"] and case["rule"].startswith("models/") and case["source"].startswith("https://")
        assert case["expect"] and set(case["expect"]) <= KNOWN_EXPECTATIONS, case["id"]
        rule_file = Path(__file__).resolve().parents[2] / case["rule"].split("#")[0]
        assert rule_file.exists() or case.get("awaits"), f"{case['id']}: {case['rule']} does not exist"


@pytest.mark.parametrize("case", list(_params()))
def test_consultant_case(case, plans):
    profile, as_of, result = _plan_for(case, plans)
    expect = case["expect"]
    routes = [result.route, *result.alternatives] if result.found else []
    for route in routes:
        assert validate_plan(result.model_copy(update={"route": route}), profile) == [], route.summary
    if "found" in expect:
        assert result.found == expect["found"], result.no_route_reasons
    used = {program for route in routes for program in route.programs}
    assert not used & set(expect.get("never", [])), f"never: {sorted(used & set(expect['never']))}"
    if expect.get("ruled_out"):
        out = {e.program for e in [*result.excluded, *result.not_met_on_date]}
        assert set(expect["ruled_out"]) <= out | _unmet_on_date(expect["ruled_out"], profile, as_of), sorted(
            set(expect["ruled_out"]) - out
        )
    if "permit_months" in expect:
        _check_permit_months(expect["permit_months"], profile, as_of)
    if not any(
        key in expect
        for key in ("first_step", "route_uses", "uses_one_of", "steps", "keeps_status", "step_probability")
    ):
        return
    assert result.found, f"no route: {result.no_route_reasons}"
    best = result.route
    assert set(expect.get("route_uses", [])) <= set(best.programs), best.programs
    if expect.get("uses_one_of"):
        assert set(expect["uses_one_of"]) & set(best.programs), best.programs
    kinds = [step.kind for step in best.steps]
    assert set(expect.get("steps", [])) <= set(kinds), kinds
    if "first_step" in expect:
        _check_first_step(expect["first_step"], best)
    for text in expect.get("notes_have", []):
        notes = [*result.notes, *(step.note or "" for step in best.steps)]
        assert any(text in note for note in notes), notes
    if "step_probability" in expect:
        _check_step_probability(expect["step_probability"], routes)
    if expect.get("keeps_status"):
        assert _keeps_status(best, profile, as_of), "the person is in Canada without status until the PR decision"


def _check_step_probability(wanted, routes):
    """The step of ``program`` in the first route that uses it succeeds with a probability within the bounds."""
    step = next((s for route in routes for s in route.steps if s.program == wanted["program"]), None)
    assert step is not None, f"no route uses {wanted['program']}"
    assert step.probability <= wanted.get("at_most", 1.0), step.probability
    assert step.probability >= wanted.get("at_least", 0.0), step.probability


def _unmet_on_date(program_ids, profile, as_of) -> set[str]:
    """Programs whose requirements are not met on the plan date (not on any route, so not reported)."""
    cat = catalogue()
    return {pid for pid in program_ids if not evaluate(cat.get(pid), profile, date.fromisoformat(str(as_of))).eligible}


def _check_first_step(wanted, route):
    first = next(step for step in route.steps if step.kind not in ("work", "language_retake"))
    for key in ("kind", "program"):
        if key in wanted:
            assert getattr(first, key) == wanted[key], (first.kind, first.program)
    if "label_has" in wanted:
        assert wanted["label_has"] in first.label, first.label
    if "label_lacks" in wanted:
        assert wanted["label_lacks"] not in first.label, first.label
    if "within_months" in wanted:
        assert first.start_month <= wanted["within_months"], first.start_month


def _check_permit_months(wanted, profile, as_of, route=None):
    """The program's permit, applied for on the plan date, lasts this many months for this person."""
    from planner.planning.permits import permit_months

    on = date.fromisoformat(str(as_of))
    program = catalogue().get(wanted["program"])
    assert permit_months(program.grants.get(on), profile, on) == wanted["months"]


STATUS_STEPS = ("extend_permit", "bridging_open_work_permit", "maintained_status")
"""Steps that keep a person in status past a permit's end (issue 15 builds them)."""


def _keeps_status(route, profile, as_of) -> bool:
    """Someone in Canada (now, or from a permit on the route) holds a status until the PR decision.

    The permit on the route lasts its months for this person; a current permit until its
    ``valid_until``. The PR decision must come before that ends, or the route must keep the
    person in status another way (a renewal, maintained status, a bridging permit).
    """
    from planner.dates import months_between
    from planner.planning.permits import permit_months

    decision = route.steps[-1].end_month
    permit = next((s for s in route.steps if s.kind == "apply_permit"), None)
    if permit is not None:
        program = catalogue().get(permit.program)
        months = permit_months(program.grants.get(permit.start_date), profile, permit.start_date)
        ends = None if months is None else permit.end_month + months
    elif profile.status_in_canada.status == "worker" and profile.status_in_canada.valid_until is not None:
        ends = months_between(date.fromisoformat(str(as_of)), profile.status_in_canada.valid_until)
    else:
        return True  # outside Canada until PR: no temporary status to keep
    return ends is None or decision <= ends or any(step.kind in STATUS_STEPS for step in route.steps)
