"""Named solver cases, including regressions found by the property tests."""

from __future__ import annotations

from datetime import date

from planner.api import plan
from planner.facts.profile import parse_profile
from planner.facts.timeline import with_retakes
from planner.planning.validate import validate_plan

from .strategies import AS_OF


def test_a_retake_renews_the_latest_result_and_does_not_revive_an_older_better_one():
    # Found by hypothesis: an expired TEF at NCLC 4 and a newer, valid TEF at NCLC 0.  The plan
    # must not count on NCLC 4 in month 0 (no retake is scheduled, and a retake renews the latest result).
    profile = parse_profile(
        {
            "birth_date": "1970-01-01",
            "citizenships": ["IN"],
            "education": [
                {"level": "bachelor", "program_years": 1, "country": "IN", "completed": "2008-01-01", "eca": True}
            ],
            "language_tests": [
                {
                    "test": "tef_canada",
                    "date": "2024-01-01",
                    "listening": 306,
                    "reading": 306,
                    "writing": 268,
                    "speaking": 328,
                },
                {
                    "test": "tef_canada",
                    "date": "2024-11-26",
                    "listening": 250,
                    "reading": 250,
                    "writing": 250,
                    "speaking": 250,
                },
            ],
            "work_history": [
                {
                    "noc": "21231",
                    "employer": "Acme",
                    "country": "IN",
                    "start": "2012-01-01",
                    "end": None,
                    "hours_per_week": 20,
                }
            ],
            "settlement_funds_cad": 5000,
        }
    )
    renewed, retaken = with_retakes(profile, AS_OF)
    assert retaken == [] and renewed == profile  # the newest result is still valid: nothing to retake
    for objective in ("fastest", "probable", "cheapest"):
        result = plan(profile, objective=objective, as_of=AS_OF, horizon=30, alternatives=1)
        for route in [result.route, *result.alternatives] if result.found else []:
            assert validate_plan(result.model_copy(update={"route": route}), profile) == []


def test_pr_fees_are_charged_per_adult_and_per_child_and_permit_fees_once():
    """Fees carry `per`: the PR application charges each adult and child; a work permit fee is charged once."""
    from planner.rules.catalogue import catalogue
    from planner.rules.fees import Payers, step_fees

    cat = catalogue()
    on = date(2026, 11, 25)
    pr = cat.get("federal.express_entry.pr_application")
    biometrics, family_cap = 85, 170  # per person, at most 170 a family (models/.../pr_application.yaml)
    assert step_fees(pr, on, Payers(adults=1, children=0)) == 1590 + biometrics
    assert step_fees(pr, on, Payers(adults=2, children=2)) == 2 * 1590 + 2 * 260 + family_cap
    cusma = cat.get("temporary.cusma.professional")
    # the employer compliance fee is the employer's; US nationals give no biometrics for a work permit
    assert step_fees(cusma, on, Payers(adults=2, children=2, citizenships=("US",))) == 155
    assert step_fees(cusma, on, Payers(adults=2, children=2, citizenships=("MX",))) == 155 + 85


def _pool_template_tables(**changes):
    """A real Express Entry pool template (no permit, no nomination) with hand-set month tables."""
    import dataclasses
    from pathlib import Path

    from planner import load_profile
    from planner.planning.search import prepare
    from planner.planning.states import DecisionTime
    from planner.planning.tables import NO_MOVE

    example = Path(__file__).resolve().parents[2] / "examples" / "profiles" / "pgwp-worker-in-canada.json"
    _, _, tables, _ = prepare(load_profile(example), AS_OF, 30)
    template_tables = next(
        t
        for t in tables
        if t.template.pool is not None
        and t.template.nomination is None
        and t.template.invitation is not None
        and t.template.temp is None
    )
    base = dict(
        arrivals=(NO_MOVE,),
        moves={NO_MOVE: None},
        stays={NO_MOVE: None},
        status_fees=None,
        decision={m: DecisionTime(6, 8) for m in range(31)},
        retake_months=1,
        retake_validity=24,
        notes=(),
    )
    return dataclasses.replace(template_tables, **{**base, **changes})


def test_results_expiring_in_the_pool_are_renewed_before_they_expire():
    """An Express Entry profile whose results expire is removed from the pool: the retake must come first."""
    from planner.planning.solver.model import TemplateModel
    from planner.planning.solver.reference import best_objective
    from planner.planning.tables import InvitationEntry

    # In the pool from month 0, invited at 10, applying at 11; the results expire in month 5.
    t = _pool_template_tables(
        pool=frozenset({(-1, 0)}), invitation={(-1, 0): InvitationEntry(10, 0, 1.0, 500)}, language_expiry=5
    )
    timing = TemplateModel(t, 0, 1, 30, "fastest").solve()
    assert (timing.pool, timing.submission, timing.retake) == (0, 11, 3)  # new results in hand in month 4
    assert best_objective([t], 30, "fastest")[1] == timing.objective

    # Results expiring in month 1 cannot be renewed in time for a pool entry in month 0: enter in month 2,
    # after the retake, although entering at 0 would be faster if the gap in the pool were allowed.
    t = _pool_template_tables(
        pool=frozenset({(-1, 0), (-1, 2)}),
        language_expiry=1,
        invitation={(-1, 0): InvitationEntry(10, 0, 1.0, 500), (-1, 2): InvitationEntry(10, 0, 1.0, 500)},
    )
    timing = TemplateModel(t, 0, 1, 30, "fastest").solve()
    assert (timing.pool, timing.submission) == (2, 13) and timing.retake + t.retake_months <= 2
    assert best_objective([t], 30, "fastest")[1] == timing.objective


def test_the_validator_finds_results_lapsing_in_the_pool():
    """The GTS example renews its results in the pool; a later retake would leave a gap the validator reports."""
    from pathlib import Path

    from planner import load_profile

    profile = load_profile(Path(__file__).resolve().parents[2] / "examples" / "profiles" / "gts-hire.json")
    result = plan(profile, as_of=date(2026, 11, 25))
    assert validate_plan(result, profile) == []
    steps = result.route.steps
    retake = next(i for i, s in enumerate(steps) if s.kind == "language_retake")
    late = steps[retake].model_copy(
        update={"start_month": steps[retake].start_month + 1, "end_month": steps[retake].end_month + 1}
    )
    moved = result.model_copy(
        update={"route": result.route.model_copy(update={"steps": steps[:retake] + [late] + steps[retake + 1 :]})}
    )
    problems = validate_plan(moved, profile)
    assert len(problems) == 1 and "while the Express Entry profile is in the pool" in problems[0]


def test_a_wait_longer_than_a_profile_lasts_says_when_to_submit_a_new_one():
    """Express Entry profiles expire (models/federal/express_entry.yaml): a longer expected wait is flagged."""
    from pathlib import Path

    from planner import load_profile
    from planner.rules.process import express_entry_process

    as_of = date(2026, 11, 25)
    validity = express_entry_process().profile_validity_months.at(as_of)
    examples = Path(__file__).resolve().parents[2] / "examples" / "profiles"
    for name, flagged in (("gts-hire", True), ("us-software-engineer", False)):
        route = plan(load_profile(examples / f"{name}.json"), as_of=as_of).route
        pool = next(s for s in route.steps if s.kind == "enter_pool")
        invitation = next(s for s in route.steps if s.kind == "invitation")
        assert (invitation.end_month - pool.start_month > validity) == flagged
        assert ("submit a new one to stay in the pool" in invitation.note) == flagged, invitation.note


def _example(name: str):
    from pathlib import Path

    from planner import load_profile

    return load_profile(Path(__file__).resolve().parents[2] / "examples" / "profiles" / f"{name}.json")


def test_a_base_nomination_route_pays_ircc_pr_fees_once_per_adult():
    """A base (non-Express Entry) nominee still applies to IRCC, paying its PR fees; the province's fee is not doubled."""
    couple = _example("ict-engineering-manager")
    couple = couple.model_copy(update={"job_offer": couple.job_offer.model_copy(update={"permanent": True})})
    result = plan(couple, as_of=AS_OF, alternatives=4)
    route = next(r for r in [result.route, *result.alternatives] if r.programs[0] == "provincial.bc.skills_immigration")
    fees = {s.kind: s.cost_cad for s in route.steps}
    # the applicant and the accompanying spouse, and biometrics for both (models/.../pr_application.yaml)
    assert fees["apply_pr"] == 2 * 1590 + 170
    assert fees["nomination"] == 1750  # BC PNP's own fee (models/programs/provincial/bc_skills_immigration.yaml)
    assert route.cost_cad == 2 * 1590 + 170 + 1750


def test_a_fee_missing_from_the_rules_is_named_not_counted_as_zero_silently():
    """Ontario's Workforce Priority fee is not in models/: the route says its fees leave it out; IRCC's are known."""
    nominated = plan(_example("age-44-falling-points"), as_of=AS_OF).route
    ontario = "Ontario Workforce Priority Stream — TEER 0-3 pathway (2026)"
    assert nominated.fees_not_included == [ontario]
    nomination = next(s for s in nominated.steps if s.kind == "nomination")
    assert "own fee is not in the planner's rules" in nomination.note
    assert not any("own fee" in (s.note or "") for s in nominated.steps if s.kind != "nomination")
    known = plan(_example("us-software-engineer"), as_of=AS_OF).route
    assert known.programs[0] == "temporary.cusma.professional" and known.fees_not_included == []
    assert not any("own fee" in (s.note or "") for s in known.steps)


def test_fees_are_those_in_force_when_each_step_is_taken():
    """Planned in January 2026, a PR application submitted after 2026-04-30 pays that day's fee, not January's."""
    result = plan(_example("us-software-engineer"), as_of=date(2026, 1, 5))
    application = next(s for s in result.route.steps if s.kind == "apply_pr")
    permit = next(s for s in result.route.steps if s.kind == "apply_permit")
    assert application.end_date > date(2026, 4, 30)
    assert application.cost_cad == 1590 + 85  # 1,525 before 2026-04-30; and biometrics
    assert result.route.cost_cad == permit.cost_cad + 1590 + 85


def test_each_fee_is_charged_once_and_the_pr_application_pays_ircc():
    """Every template of the examples: the PR application's fees come from the program deciding it."""
    from pathlib import Path

    from planner.planning.charges import step_charges
    from planner.planning.search import prepare

    for path in sorted((Path(__file__).resolve().parents[2] / "examples" / "profiles").glob("*.json")):
        _, _, tables, _ = prepare(_example(path.stem), AS_OF, 24, through=-1)
        for t in tables:
            charged = [(role, program.id) for role, program, fees, _ in step_charges(t.template) if fees]
            assert len(charged) == len(set(p for _, p in charged)), charged
            assert ("submission", t.template.decision.program.id) in charged
