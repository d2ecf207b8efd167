"""The exact shortcuts the month tables take must never change an answer.

`cannot_become_eligible` skips programs no month of the plan can meet; these tests pin
what it may and may not rule out, and check it against evaluating months along random routes.
CRS totals and FSW scores are cached by `crs.score_key` and `fsw.score_key`; a property
test checks that equal keys mean equal scores.
"""

from __future__ import annotations

import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.dates import add_months
from planner.eligibility.predicates import Context
from planner.eligibility.verdicts import cannot_become_eligible, is_eligible
from planner.facts.profile import JobOffer, parse_profile
from planner.facts.timeline import Move, Unchanging, canadian_job_for, project, unchanging, with_retakes
from planner.rules.catalogue import catalogue
from planner.scoring import crs as crs
from planner.scoring import fsw as fsw

from .strategies import profiles

EXAMPLES = int(os.environ.get("PLANNER_PROPERTY_EXAMPLES", "500"))

AS_OF = date(2026, 11, 25)
STEM = "federal.express_entry.category.stem"
HEALTHCARE = "federal.express_entry.category.healthcare"
CEC = "federal.express_entry.cec"
FRENCH = "federal.express_entry.category.french"
MILITARY = "federal.express_entry.category.military"
CUSMA = "temporary.cusma.professional"


def test_values_between_lists_every_version_in_force_in_the_window():
    stem = catalogue().get(STEM).requirement("stem_experience")
    # The 2025-02-27 list is in force at the start; the 2026-02-18 version starts inside the window.
    versions = stem.values_between(date(2025, 6, 1), date(2026, 6, 1))
    assert [v.min_months for v in versions] == [6, 12]
    assert stem.values_between(date(2020, 1, 1), date(2020, 2, 1)) == [None]


def person(
    occupations=("21231",), languages=("en",), offer=None, citizenships=("IN",), levels=(10, 10, 10, 10)
) -> Unchanging:
    return Unchanging(
        occupations=frozenset(occupations),
        test_languages=frozenset(languages),
        job_offer=offer,
        citizenships=frozenset(citizenships),
        language_levels=frozenset((language, tuple(levels)) for language in languages),
    )


def test_a_category_without_the_persons_occupation_is_hopeless():
    cat = catalogue()
    # Software engineers (21231) left the STEM list on 2025-02-27; the healthcare list is empty.
    assert cannot_become_eligible(cat.get(STEM), person(), AS_OF, add_months(AS_OF, 60))
    assert cannot_become_eligible(cat.get(HEALTHCARE), person(), AS_OF, add_months(AS_OF, 60))
    # Cybersecurity specialists (21220) are on the list: not ruled out.
    assert not cannot_become_eligible(cat.get(STEM), person(["21220"]), AS_OF, add_months(AS_OF, 60))
    # Before 2025-02-27 software engineers were listed, so a window reaching back then is not hopeless.
    assert not cannot_become_eligible(cat.get(STEM), person(), date(2024, 6, 1), date(2025, 6, 1))


def test_a_program_the_person_can_still_meet_is_not_ruled_out():
    assert not cannot_become_eligible(catalogue().get(CEC), person(), AS_OF, add_months(AS_OF, 60))


def test_the_french_category_needs_a_french_test_and_no_route_adds_one():
    french, end = catalogue().get(FRENCH), add_months(AS_OF, 60)
    assert cannot_become_eligible(french, person(languages=["en"]), AS_OF, end)
    assert cannot_become_eligible(french, person(languages=[]), AS_OF, end)
    assert not cannot_become_eligible(french, person(languages=["en", "fr"]), AS_OF, end)
    # A French result below NCLC 7 in some ability never reaches it: a retake keeps the scores.
    assert cannot_become_eligible(french, person(languages=["en", "fr"], levels=(7, 7, 6, 7)), AS_OF, end)


def test_french_results_below_the_category_minimum_rule_it_out_for_the_whole_plan():
    """The PGWP example's TEF (2025) converts below NCLC 7 under every table in force through the plan."""
    from pathlib import Path

    from planner import load_profile
    from planner.facts.language import convert

    profile = load_profile(Path(__file__).resolve().parents[2] / "examples" / "profiles" / "pgwp-worker-in-canada.json")
    end = add_months(AS_OF, 60)
    tef = next(t for t in profile.language_tests if t.test == "tef_canada")
    assert min(convert(tef, AS_OF).levels.values()) < 7
    assert cannot_become_eligible(catalogue().get(FRENCH), unchanging(profile, AS_OF, end), AS_OF, end)
    stronger = profile.model_copy(
        update={
            "language_tests": [
                t.model_copy(update={"listening": 600, "reading": 600, "writing": 600, "speaking": 600})
                if t is tef
                else t
                for t in profile.language_tests
            ]
        }
    )
    assert not cannot_become_eligible(catalogue().get(FRENCH), unchanging(stronger, AS_OF, end), AS_OF, end)


def test_the_military_category_is_never_met_by_what_a_profile_records():
    """Ten years of foreign military service is a manual check (models/.../category_military.yaml): never planned."""
    military, end = catalogue().get(MILITARY), add_months(AS_OF, 60)
    software = JobOffer(noc="21231", province="ON", annual_salary_cad=120000, permanent=True)
    assert cannot_become_eligible(military, person(offer=None), AS_OF, end)
    assert cannot_become_eligible(military, person(offer=software), AS_OF, end)
    assert cannot_become_eligible(
        military, person(occupations=["40042"], offer=software.model_copy(update={"noc": "40042"})), AS_OF, end
    )
    # Before the category existed (2026-02-18) its manual check did not apply every day, so nothing is proved then.
    assert not cannot_become_eligible(catalogue().get(CUSMA), person(citizenships=["US"]), AS_OF, end)


def test_cusma_is_hopeless_for_citizens_of_other_countries():
    cusma, end = catalogue().get(CUSMA), add_months(AS_OF, 60)
    assert cannot_become_eligible(cusma, person(citizenships=["IN"]), AS_OF, end)
    assert not cannot_become_eligible(cusma, person(citizenships=["IN", "MX"]), AS_OF, end)


@settings(
    max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(profiles(), st.integers(0, 12))
def test_hopeless_programs_are_never_met_in_any_month(data, arrival):
    """The shortcut agrees with evaluating each month along a route, moved to Canada or not, tests retaken."""
    profile = parse_profile(data)
    cat = catalogue()
    end = add_months(AS_OF, 48)
    hopeless = [p for p in cat.programs if cannot_become_eligible(p, unchanging(profile, AS_OF, end), AS_OF, end)]
    job = canadian_job_for(profile, AS_OF)
    moves = [None] + (
        [Move("temporary.cusma.professional", "cusma_worker", arrival, *job[:3], None, job[3])] if job else []
    )
    for move in moves:
        for month in range(0, 49, 4):
            on = add_months(AS_OF, month)
            projected, _ = with_retakes(project(profile, AS_OF, month, move), on)
            ctx = Context(projected, on)
            for program in hopeless:
                assert not is_eligible(program, ctx), (program.id, month, move)


@settings(
    max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
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
        assert crs.score_total(projected, on) == total, month  # what the month tables use
        assert crs_totals.setdefault(crs.score_key(projected, on), total) == total, month
        if nominated:  # the key the planner derives for a nominated month is the nominated profile's own
            plain = project(profile, AS_OF, month, move)
            assert crs.nominated_key(crs.score_key(plain, on)) == crs.score_key(projected, on), month
        grid = fsw.score(projected, on)
        assert fsw_scores.setdefault(fsw.score_key(projected, on), (grid.total, grid.passes)) == (
            grid.total,
            grid.passes,
        ), month


@settings(
    max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(profiles(), st.integers(0, 12), st.booleans())
def test_no_program_needing_canadian_work_is_met_before_its_earliest_work_month(data, arrival, moves):
    """The bound the search skips templates by: before it, every month fails the program (exact, not a guess).

    Along a route that moves the person to Canada in ``arrival`` (or none), each month
    before :meth:`States.earliest_work_month` fails the program's work requirements.
    """
    from planner.eligibility.verdicts import evaluate
    from planner.planning.states import States

    # Top language results, so an experience-and-language requirement fails only for its work.
    data = {
        **data,
        "language_tests": [
            {
                "test": "ielts_general",
                "date": "2026-11-01",
                "listening": 9.0,
                "reading": 9.0,
                "writing": 9.0,
                "speaking": 9.0,
            }
        ],
    }
    profile = parse_profile(data)
    cat = catalogue()
    horizon = 36
    states = States(profile, AS_OF, cat, horizon)
    job = canadian_job_for(profile, AS_OF)
    move = (
        Move("temporary.cusma.professional", "cusma_worker", arrival, *job[:3], None, job[3]) if moves and job else None
    )
    needing_work = [
        p for p in cat.programs if any(r.kind in ("work_experience", "experience_language") for r in p.requirements)
    ]
    for program in needing_work:
        earliest = states.earliest_work_month(program, move.arrival_month if move else None)
        for month in range(0, min(earliest, horizon + 1)):
            on = add_months(AS_OF, month)
            projected, _ = with_retakes(project(profile, AS_OF, month, move), on)
            verdicts = evaluate(program, projected, on, kinds=frozenset({"work_experience", "experience_language"}))
            work = [v for v in verdicts.verdicts if v.kind != "program_open"]
            assert work and not all(v.met for v in work), (program.id, month, earliest)


def test_the_earliest_work_month_of_cec_after_moving_is_a_year_on():
    """1,560 hours at the 30-hour weekly cap take 364 days: CEC can be met 12 months after arriving, not 11."""
    from pathlib import Path

    from planner import load_profile
    from planner.planning.states import States

    profile = load_profile(Path(__file__).resolve().parents[2] / "examples" / "profiles" / "us-software-engineer.json")
    states = States(profile, AS_OF, catalogue(), 60)
    cec = catalogue().get(CEC)
    assert states.earliest_work_month(cec, 0) == 12
    assert states.earliest_work_month(cec, 3) == 15
    assert states.earliest_work_month(cec, None) == 61  # never moving, never in Canada: past the horizon


@settings(
    max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(profiles())
def test_a_template_whose_invitation_is_impossible_has_no_invitation_in_any_month(data):
    """The search skips such templates unevaluated; evaluated in full, they hold no invitation entry."""
    from planner.planning.search import prepare

    _, _, tables, _ = prepare(parse_profile(data), AS_OF, 36)
    for table in tables:
        if table.invitation_impossible:
            assert not table.invitation, table.template.programs


def test_no_federal_skilled_worker_round_for_two_years_makes_an_fsw_invitation_impossible():
    """No FSW or general round since April 2024 (models/rounds/history.yaml): FSW alone cannot be invited."""
    from pathlib import Path

    from planner import load_profile
    from planner.api import plan
    from planner.planning.search import prepare

    no_offer = load_profile(
        Path(__file__).resolve().parents[2] / "examples" / "profiles" / "indian-developer-no-offer.json"
    )
    # With a permanent Calgary offer, Alberta's Express Entry-linked tech pathway is on some templates.
    profile = no_offer.model_copy(
        update={"job_offer": JobOffer(noc="21232", province="AB", annual_salary_cad=110000, permanent=True)}
    )
    _, _, tables, _ = prepare(profile, AS_OF, 60, through=-1)
    fsw_alone = next(
        t for t in tables if t.template.programs[0] == "federal.express_entry.fsw" and t.template.nomination is None
    )
    assert fsw_alone.invitation_impossible
    with_nomination = [t for t in tables if t.template.nomination is not None and t.template.invitation is not None]
    assert with_nomination and not any(t.invitation_impossible for t in with_nomination)  # provincial rounds happen
    reasons = plan(no_offer, as_of=AS_OF, horizon=10).no_route_reasons  # long enough for FSW alone (9 months)
    assert any("Federal Skilled Worker" in r and "no invitation is possible at any CRS" in r for r in reasons), reasons


@settings(
    max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(profiles())
def test_a_template_waiting_from_its_pool_month_loses_no_pool_month_nor_its_invitation(data):
    """Months skipped before the pool program can be met, or where it is not met, hold nothing a route could use.

    For each template whose invitation waits from its pool month, every (arrival, month)
    is evaluated directly: the pool entries are exactly the months the pool program is
    met, and each has the invitation entry a direct evaluation gives.
    """
    from planner.planning.search import prepare
    from planner.planning.tables import StepTables, _waits_from_pool, invitation_entry

    horizon = 36
    _, _, tables, states = prepare(parse_profile(data), AS_OF, horizon)
    for table in tables:
        if table.notes or not _waits_from_pool(table.template):
            continue
        for arrival in table.arrivals:
            move = table.moves[arrival]
            for month in range(max(arrival, 0), horizon + 1):
                met = states.eligible(table.template.pool.program, move, month)
                assert ((arrival, month) in table.pool) == met, (table.template.programs, arrival, month)
                direct = StepTables(
                    template=table.template,
                    arrivals=table.arrivals,
                    moves=table.moves,
                    as_of=AS_OF,
                    horizon=horizon,
                    decision=table.decision,
                    prep_months=table.prep_months,
                )
                entry = invitation_entry(direct, states, move, month, horizon)
                expected = entry[0] if met and entry is not None else None
                assert table.invitation.get((arrival, month)) == expected, (table.template.programs, arrival, month)
