"""Staying in status (issue 15): permits' stays, renewals, the bridging permit, and the validator's month-by-month check."""

from __future__ import annotations

from datetime import date

import pytest

from planner.api import plan
from planner.facts.profile import parse_profile
from planner.planning.status import Stay, bridging_program, current_stay, route_stay
from planner.planning.validate import validate_plan
from planner.rules.catalogue import catalogue

ON = date(2026, 12, 3)
CAT = catalogue()


def person(**fields):
    data = {"birth_date": "1994-05-01", "citizenships": ["IN"]}
    data.update(fields)
    return parse_profile(data)


def test_renewals_reach_a_month_in_whole_renewals_up_to_the_cap():
    stay = Stay(program=None, ends=10, renew_months=24, last=50)
    assert [stay.renewals_to_reach(m) for m in (5, 10, 11, 34, 35, 50)] == [0, 0, 1, 1, 2, 2]
    assert stay.end_after(0) == 10 and stay.end_after(1) == 34 and stay.end_after(2) == 50  # capped at 50
    assert stay.reaches(50) and not stay.reaches(51)
    assert Stay(program=None, ends=10, renew_months=None, last=10).renewals_to_reach(20) == 0


def test_a_current_pgwp_cannot_be_renewed_and_ends_on_its_date():
    pgwp = person(status_in_canada={"status": "worker", "permit": "pgwp", "valid_until": "2027-06-15"})
    stay = current_stay(pgwp, ON, CAT)
    assert stay.ends == 6 and stay.renew_months is None and stay.last == 6 and stay.can_bridge()


def test_a_current_gts_permit_renews_without_a_cap_and_an_ict_permit_up_to_seven_years_from_its_start():
    gts = person(status_in_canada={"status": "worker", "permit": "gts_category_b", "valid_until": "2027-03-01"})
    stay = current_stay(gts, ON, CAT)
    assert stay.renew_months and stay.last is None
    job = {"noc": "20012", "country": "CA", "start": "2024-12-03", "end": None, "hours_per_week": 40}
    ict = person(
        work_history=[job], status_in_canada={"status": "worker", "permit": "c62", "valid_until": "2027-12-03"}
    )
    stay = current_stay(ict, ON, CAT)
    assert stay.renew_months == 24 and stay.last == 84 - 24  # 7 years from the job's start two years ago


def test_a_students_stay_cannot_be_bridged():
    student = person(status_in_canada={"status": "student", "valid_until": "2027-04-30"})
    assert not current_stay(student, ON, CAT).can_bridge()
    assert current_stay(person(), ON, CAT) is None  # outside Canada: no stay to keep


def test_an_employer_specific_permit_ends_with_a_temporary_offer():
    gts = CAT.get("gts_category_b")
    short = person(job_offer={"noc": "21231", "province": "ON", "duration_months": 12, "lmia": True})
    stay = route_stay(gts, short, ON, 0, 1)
    assert stay.ends == 13 and stay.last == 13
    permanent = person(job_offer={"noc": "21231", "province": "ON", "permanent": True, "lmia": True})
    stay = route_stay(gts, permanent, ON, 0, 1)
    assert stay.ends == 1 + 36 and stay.last is None  # renewed with a new LMIA, no cap


def test_a_pgwp_stay_is_the_programs_length_and_is_not_renewable():
    graduate = person(
        education=[
            {
                "level": "post_secondary",
                "program_years": 1,
                "program_months": 12,
                "country": "CA",
                "completed": "2026-10-31",
            }
        ]
    )
    stay = route_stay(CAT.get("pgwp"), graduate, ON, 0, 3)
    assert (stay.ends, stay.renew_months, stay.last) == (15, None, 15)


def test_the_bridging_permit_is_named_by_the_status_rules():
    assert bridging_program(CAT, ON).id == "temporary.bridging_open_work_permit"


PHD = {
    "birth_date": "1994-12-01",
    "citizenships": ["IR"],
    "education": [{"level": "doctoral", "program_years": 4, "country": "CA", "completed": "2023-05-31"}],
    "language_tests": [
        {
            "test": "ielts_general",
            "date": "2026-03-01",
            "listening": 8.5,
            "reading": 8.5,
            "writing": 7.5,
            "speaking": 8.0,
        }
    ],
    "work_history": [
        {"noc": "21211", "country": "CA", "province": "ON", "start": "2023-07-01", "end": None, "hours_per_week": 40}
    ],
    "status_in_canada": {"status": "worker", "permit": "pgwp", "valid_until": "2027-05-31", "province": "ON"},
    "settlement_funds_cad": 20000,
}


def test_a_decision_after_the_permit_ends_is_bridged_and_the_validator_sees_a_missing_bridge():
    profile = parse_profile(PHD)
    result = plan(profile, as_of=ON)
    kinds = [step.kind for step in result.route.steps]
    assert "bridging_open_work_permit" in kinds and validate_plan(result, profile) == []
    bridging = next(step for step in result.route.steps if step.kind == "bridging_open_work_permit")
    assert bridging.cost_cad == 255 and "2027-05-31" in bridging.note
    without = result.model_copy(
        update={
            "route": result.route.model_copy(
                update={"steps": [step for step in result.route.steps if step.kind != "bridging_open_work_permit"]}
            )
        }
    )
    problems = validate_plan(without, profile)
    assert any("without status" in p for p in problems), problems


def test_a_worker_whose_permit_ends_soon_renews_it_before_it_ends():
    profile = parse_profile(
        {
            **PHD,
            "status_in_canada": {
                "status": "worker",
                "permit": "gts_category_b",
                "valid_until": "2027-01-20",
                "province": "ON",
            },
            "job_offer": {"noc": "21211", "province": "ON", "permanent": True, "lmia": True, "hourly_wage_cad": 60},
            "language_tests": [
                {
                    "test": "ielts_general",
                    "date": "2026-03-01",
                    "listening": 7.0,
                    "reading": 6.5,
                    "writing": 6.5,
                    "speaking": 6.5,
                }
            ],
        }
    )
    result = plan(profile, as_of=ON)
    assert result.found and validate_plan(result, profile) == []
    renewal = next(step for step in result.route.steps if step.kind == "extend_permit")
    assert renewal.start_month <= 1 and "maintained status" in renewal.note
    late = renewal.model_copy(update={"start_month": renewal.start_month + 2})
    moved = result.model_copy(
        update={
            "route": result.route.model_copy(
                update={"steps": [late if step is renewal else step for step in result.route.steps]}
            )
        }
    )
    assert any("after the permit ends" in p for p in validate_plan(moved, profile))


@pytest.mark.parametrize("valid_until, arrives", [("2027-09-30", True), ("2027-01-31", True), ("2026-11-30", False)])
def test_a_new_permit_is_applied_for_before_the_current_one_ends(valid_until, arrives):
    """From inside Canada a GTS permit takes months, covered by maintained status when applied for before the
    PGWP ends (even a month before); a permit that has already ended leaves nothing to apply from."""
    from planner.planning.search import prepare

    profile = parse_profile(
        {
            **PHD,
            "status_in_canada": {"status": "worker", "permit": "pgwp", "valid_until": valid_until, "province": "ON"},
            "job_offer": {"noc": "21211", "province": "ON", "permanent": True, "lmia": True, "hourly_wage_cad": 60},
        }
    )
    _, _, tables, states = prepare(profile, ON, 36, through=-1)
    gts = [
        t for t in tables if t.template.temp is not None and t.template.temp.program.id == "temporary.gts.category_b"
    ]
    assert gts
    current_end = states.current_stay.ends
    for table in gts:
        assert all(arrival - table.temp_months <= current_end for arrival in table.arrivals)
    assert any(table.arrivals for table in gts) is arrives
