"""Derived facts: work hours and years, the windows rules count in, education tiers, age, language order.

Expected values are worked by hand from federal-rules.md: a year of experience is
1,560 hours (30 h/week x 52 weeks; §2.1, §3); no more than 30 h in a week count;
part-time is pro-rated; CEC looks back 3 years, FSW and CRS Canadian work 10 years;
self-employment and work while a full-time student do not count as Canadian
experience (§3).  Days are inclusive, so 364 days of full-time work is
364 / 7 x 30 = 1,560 hours exactly.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import memo
from planner.dates import add_years, age_on
from planner.facts import derived as facts
from planner.facts.derived import ExperienceQuery
from planner.facts.profile import Education, Work, parse_profile
from planner.scoring import crs as crs

AS_OF = date(2025, 6, 1)
CANADA = ExperienceQuery(
    where="canada",
    within_years=3,
    teers=frozenset({0, 1, 2, 3}),
    exclude_self_employed=True,
    exclude_full_time_student=True,
    require_authorized=True,
)


def job(start: date, days: int, hours: float, **extra) -> Work:
    """A job of ``days`` calendar days (inclusive) from ``start``."""
    fields = {
        "noc": "21231",
        "country": "CA",
        "start": start,
        "end": start + timedelta(days=days - 1),
        "hours_per_week": hours,
    }
    fields.update(extra)
    return Work(**fields)


START = date(2023, 1, 1)


# --- the 1,560-hour year ----------------------------------------------------------------------


def test_364_days_full_time_is_one_year():
    jobs = [job(START, 364, 30)]
    assert facts.counted_hours(jobs, AS_OF, CANADA) == 1560
    assert facts.experience_years(jobs, AS_OF, CANADA) == 1


def test_363_days_full_time_is_not_a_year():
    jobs = [job(START, 363, 30)]
    assert facts.counted_hours(jobs, AS_OF, CANADA) == Fraction(363 * 30, 7)  # 1,555.7 h
    assert facts.experience_years(jobs, AS_OF, CANADA) == 0


def test_part_time_20h_takes_longer():
    """At 20 h/week a year takes 1,560 / 20 x 7 = 546 days; 364 days give only 1,040 h."""
    assert facts.counted_hours([job(START, 364, 20)], AS_OF, CANADA) == 1040
    assert facts.experience_years([job(START, 364, 20)], AS_OF, CANADA) == 0
    assert facts.experience_years([job(START, 545, 20)], AS_OF, CANADA) == 0
    assert facts.experience_years([job(START, 546, 20)], AS_OF, CANADA) == 1


def test_overtime_does_not_shorten_the_year():
    """60 h/week counts as 30: still 364 days for a year, and 363 days are not enough."""
    assert facts.counted_hours([job(START, 364, 60)], AS_OF, CANADA) == 1560
    assert facts.experience_years([job(START, 363, 60)], AS_OF, CANADA) == 0
    assert facts.experience_years([job(START, 364, 60)], AS_OF, CANADA) == 1


def test_two_overlapping_20h_jobs_count_as_30_not_40():
    jobs = [job(START, 364, 20, employer="A"), job(START, 364, 20, employer="B", noc="21232")]
    assert facts.counted_hours(jobs, AS_OF, CANADA) == 1560  # 30 h/week, not 40 (that would be 2,080 h)
    assert facts.experience_years(jobs, AS_OF, CANADA) == 1


def test_two_overlapping_jobs_below_the_cap_add_up():
    """Two 10 h/week jobs at the same time count as 20 h/week."""
    jobs = [job(START, 364, 10, employer="A"), job(START, 364, 10, employer="B")]
    assert facts.counted_hours(jobs, AS_OF, CANADA) == 1040


def test_partly_overlapping_jobs():
    """Job A 20 h/week for 364 days; job B 20 h/week starting half-way: overlap capped at 30."""
    a = job(START, 364, 20)
    b = job(START + timedelta(days=182), 364, 20)
    # days 0-181: 20 h; days 182-363: 40 -> 30 h; days 364-545: 20 h
    expected = Fraction(182 * 20 + 182 * 30 + 182 * 20, 7)
    assert facts.counted_hours([a, b], AS_OF, CANADA) == expected


def test_current_job_counts_up_to_the_as_of_date():
    """A job with no end counts until the as-of date (inclusive)."""
    current = Work(noc="21231", country="CA", start=date(2024, 6, 3), hours_per_week=30)
    on = date(2025, 6, 1)  # 2024-06-03 .. 2025-06-01 inclusive = 364 days
    assert facts.counted_hours([current], on, CANADA) == 1560


def test_future_job_does_not_count():
    future = Work(noc="21231", country="CA", start=date(2025, 7, 1), hours_per_week=30)
    assert facts.counted_hours([future], AS_OF, CANADA) == 0


# --- what counts as Canadian experience ---------------------------------------------------------

# Any set of jobs: the running-total counting equals counting day by day, inside a plan's memory or not.


def _day_by_day(jobs, on, query) -> Fraction:
    """Hours counted one day at a time (the definition), independently of facts.counted_hours."""
    cap = facts.work_rules().max_hours_per_week.at(on)
    day, total = add_years(on, -query.within_years), Fraction(0)
    while day <= on:
        weekly = sum(
            Fraction(j.hours_per_week).limit_denominator(100)
            for j in jobs
            if query.counts(j) and j.start <= day and (j.end is None or day <= j.end)
        )
        total += Fraction(min(weekly, cap)) / 7
        day += timedelta(days=1)
    return total


_jobs = st.lists(
    st.builds(
        lambda start, days, hours, ongoing, canada: Work(
            noc="21231",
            country="CA" if canada else "IN",
            start=start,
            hours_per_week=hours,
            end=None if ongoing else start + timedelta(days=days),
        ),
        st.dates(date(2018, 1, 1), date(2025, 12, 31)),
        st.integers(0, 1500),
        st.sampled_from([10, 15.5, 20, 25.25, 30, 40, 60]),
        st.booleans(),
        st.booleans(),
    ),
    max_size=4,
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_jobs, st.dates(date(2019, 1, 1), date(2026, 12, 31)), st.sampled_from([1, 3]))
def test_counted_hours_equal_day_by_day_counting(jobs, on, years):
    query = ExperienceQuery(where="any", within_years=years)
    expected = _day_by_day(jobs, on, query)
    assert facts.counted_hours(jobs, on, query) == expected
    with memo.scope():
        assert facts.counted_hours(jobs, add_years(on, -1), query) == _day_by_day(jobs, add_years(on, -1), query)
        assert facts.counted_hours(jobs, on, query) == expected


def test_self_employed_canadian_work_excluded():
    jobs = [job(START, 728, 40, self_employed=True)]
    assert facts.experience_years(jobs, AS_OF, CANADA) == 0


def test_full_time_student_canadian_work_excluded():
    jobs = [job(START, 728, 30, while_full_time_student=True)]
    assert facts.experience_years(jobs, AS_OF, CANADA) == 0


def test_unpaid_and_unauthorized_work_excluded():
    assert facts.experience_years([job(START, 728, 30, paid=False)], AS_OF, CANADA) == 0
    assert facts.experience_years([job(START, 728, 30, authorized=False)], AS_OF, CANADA) == 0


def test_foreign_work_is_not_canadian_work():
    assert facts.experience_years([job(START, 728, 30, country="IN")], AS_OF, CANADA) == 0


def test_teer_filter():
    """A query for TEER 0/1 does not count TEER 2 work (NOC 22220: second digit 2)."""
    teer_0_1 = ExperienceQuery(where="canada", within_years=3, teers=frozenset({0, 1}))
    assert facts.experience_years([job(START, 728, 30, noc="22220")], AS_OF, teer_0_1) == 0
    assert facts.experience_years([job(START, 728, 30, noc="22220")], AS_OF, CANADA) == 2


def _crs_profile(jobs: list[dict]) -> dict:
    return {"birth_date": "1995-01-01", "citizenships": ["IN"], "work_history": jobs}


def _cdn(start: str, end: str, **extra) -> dict:
    return {"noc": "21231", "country": "CA", "start": start, "end": end, "hours_per_week": 40, **extra}


def test_crs_canadian_work_excludes_self_employment_and_student_work():
    """CRS Canadian work: 2 years employed -> 53 without spouse; the same years self-employed or as a student -> 0."""
    employed = crs.score(parse_profile(_crs_profile([_cdn("2023-01-01", "2024-12-31")])), AS_OF)
    assert employed.line("canadian_work").points == 53
    for flag in ("self_employed", "while_full_time_student"):
        result = crs.score(parse_profile(_crs_profile([_cdn("2023-01-01", "2024-12-31", **{flag: True})])), AS_OF)
        assert result.line("canadian_work").points == 0, flag


# --- windows ------------------------------------------------------------------------------------


def test_three_year_window_boundary():
    """A year of work that starts exactly 3 years before the as-of date counts; one day earlier it is cut."""
    window_start = add_years(AS_OF, -3)
    inside = [job(window_start, 364, 30)]
    assert facts.experience_years(inside, AS_OF, CANADA) == 1
    cut = [job(window_start - timedelta(days=1), 364, 30)]  # only 363 days fall inside the window
    assert facts.experience_years(cut, AS_OF, CANADA) == 0


def test_ten_year_window_for_crs_canadian_work():
    """CRS counts Canadian work in the last 10 years: 5 years that ended 9 years ago count (80), 11 years ago do not."""
    recent = crs.score(parse_profile(_crs_profile([_cdn("2011-06-01", "2016-06-01")])), AS_OF)
    # window 2015-06-01 .. 2025-06-01: only 2015-06-01 .. 2016-06-01 (367 days) is inside -> 1 year -> 40
    assert recent.line("canadian_work").points == 40
    old = crs.score(parse_profile(_crs_profile([_cdn("2009-01-01", "2014-06-01")])), AS_OF)
    assert old.line("canadian_work").points == 0
    inside = crs.score(parse_profile(_crs_profile([_cdn("2016-01-01", "2021-12-31")])), AS_OF)
    assert inside.line("canadian_work").points == 80  # 6 years inside the window -> 5 or more -> 80


def test_cec_three_year_window_vs_crs_ten_year_window():
    """Two years of Canadian work ending 3.5 years ago: nothing for CEC (3-year window), 2 years for CRS (10)."""
    from planner.eligibility.verdicts import evaluate
    from planner.rules.catalogue import catalogue

    profile = parse_profile(
        {
            **_crs_profile([_cdn("2019-12-01", "2021-11-30")]),
            "language_tests": [
                {
                    "test": "celpip_general",
                    "date": "2025-01-10",
                    "listening": 9,
                    "reading": 9,
                    "writing": 9,
                    "speaking": 9,
                }
            ],
        }
    )
    cec = evaluate(catalogue().get("cec"), profile, AS_OF)
    verdict = next(v for v in cec.verdicts if v.requirement == "canadian_experience_and_language")
    assert not verdict.met
    assert crs.score(profile, AS_OF).line("canadian_work").points == 53


# --- education tiers ----------------------------------------------------------------------------


def cred(
    level: str, country: str = "CA", years: int | None = None, eca: bool = False, completed: date = date(2015, 6, 1)
) -> Education:
    return Education(level=level, country=country, program_years=years, eca=eca, completed=completed)


@pytest.mark.parametrize(
    "credentials,tier",
    [
        ([], "less_than_secondary"),
        ([cred("secondary")], "secondary"),
        ([cred("post_secondary", years=1)], "one_year"),
        ([cred("post_secondary", years=2)], "two_year"),
        ([cred("post_secondary", years=3)], "bachelor_or_three_year"),
        ([cred("post_secondary", years=4)], "bachelor_or_three_year"),
        ([cred("bachelor")], "bachelor_or_three_year"),
        ([cred("bachelor"), cred("post_secondary", years=1)], "two_or_more"),
        ([cred("post_secondary", years=3), cred("post_secondary", years=2)], "two_or_more"),
        ([cred("post_secondary", years=2), cred("post_secondary", years=1)], "two_year"),  # neither is 3+ years
        (
            [cred("secondary"), cred("bachelor")],
            "bachelor_or_three_year",
        ),  # secondary is not a post-secondary credential
        ([cred("bachelor"), cred("master")], "master_or_professional"),
        ([cred("professional")], "master_or_professional"),
        ([cred("bachelor"), cred("master"), cred("doctoral")], "doctoral"),
    ],
)
def test_education_tier(credentials, tier):
    assert facts.education_tier(facts.recognised_credentials(credentials, AS_OF)) == tier


def test_foreign_credential_without_eca_is_not_recognised():
    foreign = cred("master", country="IN")
    assert facts.recognised_credentials([foreign], AS_OF) == []
    assert facts.education_tier(facts.recognised_credentials([foreign], AS_OF)) == "less_than_secondary"
    assessed = cred("master", country="IN", eca=True)
    assert facts.education_tier(facts.recognised_credentials([assessed], AS_OF)) == "master_or_professional"


def test_foreign_without_eca_does_not_make_two_or_more():
    """A Canadian 1-year diploma plus an unassessed foreign bachelor is only 'one-year'."""
    credentials = [cred("post_secondary", years=1), cred("bachelor", country="IN")]
    assert facts.education_tier(facts.recognised_credentials(credentials, AS_OF)) == "one_year"


def test_credential_completed_after_as_of_not_counted():
    later = cred("master", completed=date(2025, 9, 1))
    assert facts.education_tier(facts.recognised_credentials([later], AS_OF)) == "less_than_secondary"


def test_crs_education_points_and_eca_note():
    """CRS education without spouse (§1.3): two-or-more 128; foreign master without ECA 0 with a note."""
    both = parse_profile(
        {
            "birth_date": "1995-01-01",
            "citizenships": ["IN"],
            "education": [
                {"level": "bachelor", "country": "IN", "completed": "2017-05-01", "eca": True},
                {"level": "post_secondary", "program_years": 1, "country": "CA", "completed": "2019-05-01"},
            ],
        }
    )
    assert crs.score(both, AS_OF).line("education").points == 128
    unassessed = parse_profile(
        {
            "birth_date": "1995-01-01",
            "citizenships": ["IN"],
            "education": [{"level": "master", "country": "IN", "completed": "2019-05-01"}],
        }
    )
    result = crs.score(unassessed, AS_OF)
    assert result.line("education").points == 0
    assert any("Educational Credential Assessment" in note for note in result.notes)


# --- age ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("on,age", [(date(2025, 3, 1), 29), (date(2025, 3, 2), 30), (date(2025, 3, 3), 30)])
def test_age_changes_on_the_birthday(on, age):
    assert age_on(date(1995, 3, 2), on) == age


def test_age_of_a_29_february_birthday():
    assert age_on(date(2000, 2, 29), date(2025, 2, 28)) == 24
    assert age_on(date(2000, 2, 29), date(2025, 3, 1)) == 25


def test_crs_age_points_at_29_and_30():
    """§1.2 without spouse: 29 -> 110, 30 -> 105."""
    profile = parse_profile({"birth_date": "1995-03-02", "citizenships": ["IN"]})
    assert crs.score(profile, date(2025, 3, 1)).line("age").points == 110
    assert crs.score(profile, date(2025, 3, 2)).line("age").points == 105


# --- first and second official language ---------------------------------------------------------

BILINGUAL = {
    "birth_date": "1995-01-01",
    "citizenships": ["FR"],
    "language_tests": [
        # IELTS CLB 9 in all four (§5.1: L 8.0, R 7.0, W 7.0, S 7.0)
        {
            "test": "ielts_general",
            "date": "2025-01-10",
            "listening": 8.0,
            "reading": 7.0,
            "writing": 7.0,
            "speaking": 7.0,
        },
        # TEF (new scale, §5.4) NCLC 7 in all four: L 434, R 434, W 428, S 456
        {"test": "tef_canada", "date": "2025-01-10", "listening": 434, "reading": 434, "writing": 428, "speaking": 456},
    ],
}


def test_undeclared_first_language_picks_the_higher_scoring_order():
    """English first: 4 x 31 = 124 + French second 4 x 3 = 12; French first would be 4 x 17 + 4 x 6 = 92."""
    result = crs.score(parse_profile(BILINGUAL), AS_OF)
    assert result.first_official_language == "en"
    assert result.line("first_language").points == 124
    assert result.line("second_language").points == 12
    assert any("first official language not declared" in note for note in result.notes)


def test_declared_first_language_is_respected():
    result = crs.score(parse_profile({**BILINGUAL, "first_official_language": "fr"}), AS_OF)
    assert result.first_official_language == "fr"
    assert result.line("first_language").points == 4 * 17
    assert result.line("second_language").points == 4 * 6


def test_french_bonus_does_not_depend_on_language_order():
    """NCLC 7+ all four and CLB 5+ all four -> 50 (after October 2020), whichever language is first."""
    for first in ("en", "fr"):
        result = crs.score(parse_profile({**BILINGUAL, "first_official_language": first}), AS_OF)
        assert result.line("french").points == 50, first


def test_per_ability_levels_drive_first_language_points():
    """IELTS L 8.5 (CLB 10), R 6.5 (CLB 8), W 6.0 (CLB 7), S 5.5 (CLB 6) -> 34 + 23 + 17 + 9 = 83 without spouse."""
    profile = parse_profile(
        {
            "birth_date": "1995-01-01",
            "citizenships": ["IN"],
            "language_tests": [
                {
                    "test": "ielts_general",
                    "date": "2025-01-10",
                    "listening": 8.5,
                    "reading": 6.5,
                    "writing": 6.0,
                    "speaking": 5.5,
                }
            ],
        }
    )
    assert crs.score(profile, AS_OF).line("first_language").points == 83


# --- Canadian study (CRS additional points, §1.9: 15 for 1-2 year programs, 30 for 3+ years, from 2016-11-19) ----


def _study(on: date, **credential) -> int:
    fields = {"level": "post_secondary", "program_years": 2, "country": "CA", "completed": "2016-05-31"}
    fields.update(credential)
    fields = {key: value for key, value in fields.items() if value is not None}
    profile = parse_profile({"birth_date": "1992-01-01", "citizenships": ["IN"], "education": [fields]})
    return crs.score(profile, on).line("canadian_study").points


@pytest.mark.parametrize(
    "credential,points",
    [
        ({}, 15),  # 2-year diploma
        ({"program_years": 1}, 15),
        ({"program_years": 3}, 30),
        ({"level": "bachelor", "program_years": None}, 30),
        ({"level": "master", "program_years": None}, 30),
        ({"level": "secondary", "program_years": None}, 0),  # not post-secondary
        ({"country": "IN", "eca": True}, 0),  # not Canadian
        ({"full_time": False}, 0),
        ({"months_studied_in_canada": 7}, 0),  # under 8 months in Canada
        ({"months_studied_in_canada": 8}, 15),
        ({"completed": "2026-05-31"}, 0),  # not completed yet
    ],
)
def test_canadian_study_points(credential, points):
    assert _study(AS_OF, **credential) == points


def test_canadian_study_points_start_2016_11_19():
    assert _study(date(2016, 11, 18)) == 0
    assert _study(date(2016, 11, 19)) == 15
