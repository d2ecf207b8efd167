"""FSW, CEC and FST eligibility: each requirement's verdict, worked by hand from federal-rules.md §2-§4.

FSW grid (§2.2): language 6/5/4 per ability for CLB 9+/8/7 (nothing below CLB 7),
second language 4, education (secondary 5 .. doctoral 25; two or more with one 3+ years
22; bachelor 21), experience 1 yr 9 / 2-3 yrs 11 / 4-5 yrs 13 / 6+ 15, age 18-35 12,
arranged employment 10, adaptability up to 10; pass mark 67.  Funds (§2.3) by family size.
CEC (§3): 1,560 h skilled work in Canada in 3 years; CLB 7 for TEER 0/1, CLB 5 for TEER 2/3.
FST (§4): 2 years in a trade in 5 years; CLB 5 speaking/listening, 4 reading/writing;
a trade job offer or a certificate of qualification.
"""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from planner.eligibility.verdicts import evaluate, evaluate_many
from planner.facts.profile import parse_profile
from planner.rules.catalogue import catalogue
from planner.scoring import fsw as fsw

AS_OF = date(2025, 6, 1)

IELTS_CLB9 = {
    "test": "ielts_general",
    "date": "2025-01-10",
    "listening": 8.0,
    "reading": 7.0,
    "writing": 7.0,
    "speaking": 7.0,
}
IELTS_CLB7 = {**IELTS_CLB9, "listening": 6.0, "reading": 6.0, "writing": 6.0, "speaking": 6.0}
IELTS_CLB5 = {**IELTS_CLB9, "listening": 5.0, "reading": 4.0, "writing": 5.0, "speaking": 5.0}


def fsw_base() -> dict:
    """67 points: language 4 x 6 = 24, education two-or-more 22, 1 year experience 9, age 35 12."""
    return {
        "birth_date": "1990-01-01",  # 35 on 2025-06-01
        "citizenships": ["IN"],
        "education": [
            {"level": "bachelor", "country": "IN", "completed": "2012-05-31", "eca": True},
            {"level": "post_secondary", "program_years": 1, "country": "IN", "completed": "2013-05-31", "eca": True},
        ],
        "language_tests": [dict(IELTS_CLB9)],
        # 2023-01-01 .. 2024-06-30 = 547 days at 40 h (30 counted) = 2,344 h -> 1 year
        "work_history": [
            {"noc": "21231", "country": "IN", "start": "2023-01-01", "end": "2024-06-30", "hours_per_week": 40}
        ],
        "settlement_funds_cad": 20000,
    }


def run(program: str, data: dict, on: date = AS_OF):
    return evaluate(catalogue().get(program), parse_profile(data), on)


def verdict(result, requirement: str):
    return next(v for v in result.verdicts if v.requirement == requirement)


def grid_lines(data: dict, on: date = AS_OF) -> dict[str, int]:
    return {line["factor"]: line["points"] for line in fsw.score(parse_profile(data), on).lines}


# --- FSW: the 67-point grid ---------------------------------------------------------------------


def test_fsw_base_profile_scores_67_and_is_eligible():
    lines = grid_lines(fsw_base())
    assert lines == {
        "first official language": 24,
        "second official language": 0,
        "education": 22,
        "experience": 9,
        "age": 12,
        "arranged employment": 0,
        "adaptability": 0,
    }
    result = run("fsw", fsw_base())
    grid = verdict(result, "selection_grid")
    assert grid.met
    assert grid.value.startswith("67 points")
    assert grid.threshold == "67 points"
    assert result.eligible, [v for v in result.verdicts if not v.met]


def test_fsw_66_points_by_language_fails_the_grid():
    """Speaking 6.5 is CLB 8 (5 points, not 6): 66 points."""
    data = fsw_base()
    data["language_tests"][0]["speaking"] = 6.5
    assert grid_lines(data)["first official language"] == 23
    result = run("fsw", data)
    grid = verdict(result, "selection_grid")
    assert not grid.met
    assert grid.value.startswith("66 points")
    assert grid.fix and "1 more" in grid.fix
    assert not result.eligible
    assert verdict(result, "language").met  # CLB 8 still meets the CLB 7 minimum


def test_fsw_66_points_by_education_fails_the_grid():
    """Only the bachelor's (21, not 22 for two-or-more): 66 points."""
    data = fsw_base()
    data["education"] = data["education"][:1]
    assert grid_lines(data)["education"] == 21
    assert not verdict(run("fsw", data), "selection_grid").met


def test_fsw_grid_breakdown_with_offer_and_adaptability():
    """Bachelor 21 + CLB 8 (4 x 5 = 20) + 1 yr 9 + age 12 + arranged employment 10
    + adaptability (arranged employment 5 + relative 5 = 10) = 82."""
    data = fsw_base()
    data["education"] = data["education"][:1]
    data["language_tests"] = [{**IELTS_CLB9, "listening": 7.5, "reading": 6.5, "writing": 6.5, "speaking": 6.5}]
    data["job_offer"] = {"noc": "21231", "lmia": True, "permanent": True}
    data["relative_in_canada"] = True
    lines = grid_lines(data)
    assert lines == {
        "first official language": 20,
        "second official language": 0,
        "education": 21,
        "experience": 9,
        "age": 12,
        "arranged employment": 10,
        "adaptability": 10,
    }


@pytest.mark.parametrize(
    "birth_date,points",
    [
        ("1989-06-02", 12),  # 35 (turns 36 the next day)
        ("1989-06-01", 11),  # 36
        ("1980-06-01", 2),  # 45
        ("1979-06-01", 1),  # 46
        ("1978-06-01", 0),  # 47
        ("2007-06-02", 0),  # 17
        ("2007-06-01", 12),  # 18
    ],
)
def test_fsw_age_points(birth_date, points):
    data = {**fsw_base(), "birth_date": birth_date}
    assert grid_lines(data)["age"] == points


@pytest.mark.parametrize("years_of_work,points", [(1, 9), (2, 11), (3, 11), (4, 13), (5, 13), (6, 15), (9, 15)])
def test_fsw_experience_points(years_of_work, points):
    """Full years of 30 h/week: 364 days per year, plus a few spare days."""
    data = fsw_base()
    start = date(2025, 5, 1).replace(year=2025 - years_of_work)
    data["work_history"] = [
        {"noc": "21231", "country": "IN", "start": start.isoformat(), "end": "2025-05-31", "hours_per_week": 30}
    ]
    assert grid_lines(data)["experience"] == points


def test_second_official_language_4_points():
    """TEF NCLC 5 in all four (new scale: L/R 352, W 330, S 387) adds 4 points -> 71."""
    data = fsw_base()
    data["language_tests"].append(
        {"test": "tef_canada", "date": "2025-01-10", "listening": 352, "reading": 352, "writing": 330, "speaking": 387}
    )
    assert grid_lines(data)["second official language"] == 4
    assert verdict(run("fsw", data), "selection_grid").value.startswith("71 points")


# --- FSW: minimum language ----------------------------------------------------------------------


def test_fsw_language_clb7_met():
    data = {**fsw_base(), "language_tests": [dict(IELTS_CLB7)]}
    assert verdict(run("fsw", data), "language").met
    assert grid_lines(data)["first official language"] == 16


def test_fsw_language_clb6_unmet():
    """Reading 5.5 is CLB 6 (5.0-5.5): below the CLB 7 minimum, and no grid language points at all."""
    data = {**fsw_base(), "language_tests": [{**IELTS_CLB7, "reading": 5.5}]}
    language = verdict(run("fsw", data), "language")
    assert not language.met
    assert "R6" in language.value
    assert language.fix
    assert grid_lines(data)["first official language"] == 0


def test_fsw_no_language_test():
    data = {**fsw_base(), "language_tests": []}
    language = verdict(run("fsw", data), "language")
    assert not language.met and "no valid language test" in language.value


# --- FSW: education needs an ECA for foreign credentials -------------------------------------------


def test_fsw_foreign_education_without_eca_unmet():
    data = fsw_base()
    for credential in data["education"]:
        credential["eca"] = False
    education = verdict(run("fsw", data), "education")
    assert not education.met
    assert "Educational Credential Assessment" in education.fix


# --- FSW: proof of funds ------------------------------------------------------------------------


def _family(size: int, funds: float) -> dict:
    data = fsw_base()
    data["settlement_funds_cad"] = funds
    if size > 1:
        data["marital_status"] = "married"
        data["spouse"] = {"accompanying": False}  # counted even if not accompanying
        data["dependent_children"] = size - 2
    return data


@pytest.mark.parametrize(
    "size,on,needed",
    [
        (1, date(2025, 7, 6), 14690),
        (1, date(2025, 7, 7), 15263),
        (2, date(2025, 7, 6), 18288),
        (2, date(2025, 7, 7), 19001),
        (3, date(2025, 7, 6), 22483),
        (3, date(2025, 7, 7), 23360),
        (7, date(2025, 7, 6), 38875),
        (7, date(2025, 7, 7), 40392),
        (8, date(2025, 7, 6), 38875 + 3958),
        (8, date(2025, 7, 7), 40392 + 4112),
        (10, date(2025, 7, 7), 40392 + 3 * 4112),
        (1, date(2024, 5, 27), 13757),
        (1, date(2024, 5, 28), 14690),
    ],
)
def test_funds_by_family_size_and_table_date(size, on, needed):
    """Exactly the amount is enough; a dollar less is not (2024 table from 2024-05-28, 2025 table from 2025-07-07)."""
    enough = verdict(run("fsw", _family(size, needed), on), "settlement_funds")
    assert enough.met, enough
    assert f"CAD {needed:,}" in enough.threshold and f"family of {size}" in enough.threshold
    short = verdict(run("fsw", _family(size, needed - 1), on), "settlement_funds")
    assert not short.met
    assert short.fix and "1 more" in short.fix


def test_funds_exempt_when_authorized_to_work_with_a_job_offer():
    data = {
        **fsw_base(),
        "settlement_funds_cad": 0,
        "status_in_canada": {"status": "worker"},
        "job_offer": {"noc": "21231", "lmia": True, "permanent": True},
    }
    funds = verdict(run("fsw", data), "settlement_funds")
    assert funds.met and "exempt" in funds.value


def test_funds_not_exempt_with_offer_but_outside_canada():
    data = {**fsw_base(), "settlement_funds_cad": 0, "job_offer": {"noc": "21231", "lmia": True, "permanent": True}}
    assert not verdict(run("fsw", data), "settlement_funds").met


def test_funds_not_exempt_when_working_in_canada_without_offer():
    data = {**fsw_base(), "settlement_funds_cad": 0, "status_in_canada": {"status": "worker"}}
    assert not verdict(run("fsw", data), "settlement_funds").met


# --- FSW: one year of continuous work in one occupation --------------------------------------------


def _jobs(*jobs: tuple[str, str, str, float]) -> dict:
    data = fsw_base()
    data["work_history"] = [
        {"noc": noc, "country": "IN", "start": start, "end": end, "hours_per_week": hours}
        for noc, start, end, hours in jobs
    ]
    return data


def test_continuous_one_occupation_met():
    result = run("fsw", _jobs(("21231", "2023-01-01", "2024-06-30", 40)))
    work = verdict(result, "continuous_skilled_work")
    assert work.met and "21231" in work.value


def test_two_occupations_of_8_months_are_not_continuous():
    """16 months of skilled work, but no 12 months in a single occupation."""
    data = _jobs(("21231", "2023-01-01", "2023-08-31", 40), ("21232", "2023-09-01", "2024-04-30", 40))
    assert not verdict(run("fsw", data), "continuous_skilled_work").met


def test_same_occupation_back_to_back_employers_is_continuous():
    data = _jobs(("21231", "2023-01-01", "2023-08-31", 40), ("21231", "2023-09-01", "2024-04-30", 40))
    assert verdict(run("fsw", data), "continuous_skilled_work").met


def test_gap_breaks_continuity():
    """7 months, a 2-month gap, 7 months in the same occupation: no 12-month continuous run."""
    data = _jobs(("21231", "2023-01-01", "2023-07-31", 40), ("21231", "2023-10-01", "2024-04-30", 40))
    assert not verdict(run("fsw", data), "continuous_skilled_work").met


def test_part_time_continuous_equivalent():
    """15 h/week for 2 years (731 days) = 1,566 h >= 1,560; for 1 year only 783 h."""
    assert verdict(run("fsw", _jobs(("21231", "2022-06-01", "2024-05-31", 15))), "continuous_skilled_work").met
    assert not verdict(run("fsw", _jobs(("21231", "2023-06-01", "2024-05-31", 15))), "continuous_skilled_work").met


def test_continuous_work_must_be_within_10_years():
    assert not verdict(run("fsw", _jobs(("21231", "2012-01-01", "2015-05-31", 40))), "continuous_skilled_work").met


# --- CEC ----------------------------------------------------------------------------------------


def cec_profile(
    noc: str = "21231", start: str = "2024-03-01", end: str = "2025-02-28", test: dict = IELTS_CLB9, **job
) -> dict:
    return {
        "birth_date": "1995-01-01",
        "citizenships": ["IN"],
        "language_tests": [dict(test)],
        "status_in_canada": {"status": "worker"},
        "work_history": [{"noc": noc, "country": "CA", "start": start, "end": end, "hours_per_week": 40, **job}],
    }


def cec_experience(data: dict, on: date = AS_OF):
    return verdict(run("cec", data, on), "canadian_experience_and_language")


def test_cec_12_months_met():
    """2024-03-01 .. 2025-02-28 = 365 days full-time >= 364."""
    result = run("cec", cec_profile())
    assert verdict(result, "canadian_experience_and_language").met
    assert result.eligible


def test_cec_11_months_unmet():
    """2024-03-01 .. 2025-01-31 = 337 days: 1,444 h < 1,560."""
    experience = cec_experience(cec_profile(end="2025-01-31"))
    assert not experience.met
    assert experience.fix


def test_cec_clb5_with_teer2_met():
    """NOC 22220 is TEER 2: CLB 5 is enough."""
    assert cec_experience(cec_profile(noc="22220", test=IELTS_CLB5)).met


def test_cec_clb5_with_teer1_unmet():
    """NOC 21231 is TEER 1: needs CLB 7."""
    assert not cec_experience(cec_profile(noc="21231", test=IELTS_CLB5)).met


def test_cec_clb7_with_teer1_met():
    assert cec_experience(cec_profile(noc="21231", test=IELTS_CLB7)).met


def test_cec_clb4_with_teer2_unmet():
    """Speaking 4.5 is CLB 4: below CLB 5."""
    assert not cec_experience(cec_profile(noc="22220", test={**IELTS_CLB5, "speaking": 4.5})).met


def test_cec_self_employment_not_counted():
    assert not cec_experience(cec_profile(start="2022-06-01", self_employed=True)).met


def test_cec_full_time_student_work_not_counted():
    assert not cec_experience(cec_profile(start="2022-06-01", while_full_time_student=True)).met


def test_cec_foreign_work_not_counted():
    assert not cec_experience(cec_profile(start="2022-06-01", country="IN")).met


def test_cec_work_older_than_3_years_not_counted():
    """2 years of work that ended 2022-03-31: the window on 2025-06-01 starts 2022-06-01, so none of it counts."""
    assert not cec_experience(cec_profile(start="2020-04-01", end="2022-03-31")).met


def test_cec_quebec_only_preference_unmet():
    data = {**cec_profile(), "preferences": {"provinces": ["QC"]}}
    result = run("cec", data)
    quebec = verdict(result, "outside_quebec")
    assert not quebec.met and "QC" in quebec.value
    assert not result.eligible


def test_cec_quebec_and_ontario_preference_met():
    data = {**cec_profile(), "preferences": {"provinces": ["QC", "ON"]}}
    assert verdict(run("cec", data), "outside_quebec").met


def test_cec_needs_no_funds_or_education():
    result = run("cec", {**cec_profile(), "settlement_funds_cad": 0})
    assert {v.requirement for v in result.verdicts} == {
        "program_open",
        "canadian_experience_and_language",
        "outside_quebec",
    }
    assert result.eligible


# --- FST ----------------------------------------------------------------------------------------


def fst_profile() -> dict:
    """3 years as an automotive service technician (72410, TEER 2), a 12-month full-time offer, CLB 5/5/4/4."""
    return {
        "birth_date": "1990-01-01",
        "citizenships": ["PH"],
        "language_tests": [
            {
                "test": "ielts_general",
                "date": "2025-01-10",
                "listening": 5.0,
                "speaking": 5.0,
                "reading": 3.5,
                "writing": 4.0,
            }
        ],
        "work_history": [
            {"noc": "72410", "country": "PH", "start": "2022-01-01", "end": "2024-12-31", "hours_per_week": 40}
        ],
        "job_offer": {"noc": "72410", "duration_months": 12, "full_time": True},
        "settlement_funds_cad": 15000,
    }


def test_fst_basic_eligible():
    result = run("fst", fst_profile())
    assert result.eligible, [(v.requirement, v.value) for v in result.verdicts if not v.met]


def test_fst_reading_clb3_unmet():
    data = fst_profile()
    data["language_tests"][0]["reading"] = 3.0  # below CLB 4
    assert not verdict(run("fst", data), "language").met


def test_fst_speaking_clb4_unmet():
    data = fst_profile()
    data["language_tests"][0]["speaking"] = 4.5  # CLB 4: below the CLB 5 needed for speaking
    assert not verdict(run("fst", data), "language").met


def test_fst_needs_offer_or_certificate():
    data = fst_profile()
    del data["job_offer"]
    assert not verdict(run("fst", data), "offer_or_certificate").met
    data["trade_certificate"] = {"trade": "Automotive service technician", "province": "ON"}
    assert verdict(run("fst", data), "offer_or_certificate").met


def test_fst_short_offer_unmet():
    data = fst_profile()
    data["job_offer"]["duration_months"] = 11
    assert not verdict(run("fst", data), "offer_or_certificate").met


def test_fst_needs_two_years_of_trade_work():
    data = fst_profile()
    data["work_history"][0]["start"] = "2023-02-01"  # 23 months to 2024-12-31
    assert not verdict(run("fst", data), "trade_experience").met


def test_fst_non_trade_work_does_not_count():
    data = fst_profile()
    data["work_history"][0]["noc"] = "21231"
    assert not verdict(run("fst", data), "trade_experience").met


# --- every verdict is cited -------------------------------------------------------------------------

RULE = re.compile(r"^models/programs/federal/(fsw|cec|fst)\.yaml#[a-z][a-z0-9_]*$")


@pytest.mark.parametrize(
    "data",
    [fsw_base(), cec_profile(), fst_profile(), {"birth_date": "2000-01-01", "citizenships": ["US"]}],
    ids=["fsw", "cec", "fst", "empty"],
)
def test_every_verdict_carries_rule_and_https_reference(data):
    results = evaluate_many(parse_profile(copy.deepcopy(data)), AS_OF)
    assert {r.program for r in results} >= {
        "federal.express_entry.fsw",
        "federal.express_entry.cec",
        "federal.express_entry.fst",
    }
    for result in results:
        for v in result.verdicts:
            assert RULE.match(v.rule), v.rule
            assert any(ref.href.startswith("https://") for ref in v.references), (v.rule, v.references)
            assert v.value and v.threshold
            assert v.as_of == AS_OF
            assert v.effective is not None and v.effective <= AS_OF
            assert v.met or v.fix, v
        assert result.eligible == all(v.met for v in result.verdicts)


def test_fsw_adaptability_canadian_work_must_be_authorized():
    """A year of skilled work in Canada gives 10 adaptability points only if it was authorized."""
    data = fsw_base()
    data["work_history"].append(
        {"noc": "21231", "country": "CA", "start": "2024-07-01", "end": "2025-05-31", "hours_per_week": 40}
    )  # 335 days: less than a year
    assert grid_lines(data)["adaptability"] == 0
    data["work_history"][-1]["start"] = "2024-05-01"  # 396 days: a year
    assert grid_lines(data)["adaptability"] == 10
    data["work_history"][-1]["authorized"] = False
    assert grid_lines(data)["adaptability"] == 0


def test_fsw_grid_before_2013_05_04_is_a_clear_error():
    from planner.errors import RuleNotInForceError

    with pytest.raises(RuleNotInForceError, match="2013-05-04"):
        fsw.score(parse_profile(fsw_base()), date(2013, 5, 3))
