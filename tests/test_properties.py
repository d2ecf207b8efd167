"""Properties of the CRS and eligibility over random valid profiles (hypothesis, >= 200 examples each).

Maxima from federal-rules.md §1.1: core 500 (460 with spouse), spouse 40, core + spouse
500, transferability 100, additional 600, total 1,200.  Age points (§1.2) peak at 20-29
and only fall from 30 on.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.dates import add_years, age_on
from planner.eligibility.verdicts import evaluate, evaluate_many
from planner.facts.inputs import check_profile
from planner.facts.profile import Profile, parse_profile
from planner.rules import noc as noc
from planner.rules.catalogue import catalogue
from planner.scoring import crs as crs

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2027, 12, 31)
NOCS = sorted(noc.noc_table().occupations)
PROVINCES = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
COUNTRIES = ["CA", "IN", "PH", "FR", "US", "NG"]

# valid raw scores per test: (listening, reading, writing, speaking) strategies
_IELTS = st.integers(0, 18).map(lambda n: n / 2)
_SCORES = {
    "ielts_general": (_IELTS,) * 4,
    "celpip_general": (st.integers(0, 12),) * 4,
    "pte_core": (st.integers(10, 90),) * 4,
    "tef_canada": (st.integers(0, 699),) * 4,
    "tcf_canada": (st.integers(0, 699), st.integers(0, 699), st.integers(0, 20), st.integers(0, 20)),
}


def _iso(day: date) -> str:
    return day.isoformat()


def dates(low: date, high: date):
    return st.dates(min_value=low, max_value=max(low, high))


@st.composite
def language_tests(draw, as_of: date):
    name = draw(st.sampled_from(sorted(_SCORES)))
    listening, reading, writing, speaking = (draw(s) for s in _SCORES[name])
    taken = draw(dates(as_of - timedelta(days=3 * 365), as_of))
    return {
        "test": name,
        "date": _iso(taken),
        "listening": listening,
        "reading": reading,
        "writing": writing,
        "speaking": speaking,
    }


@st.composite
def credentials(draw, as_of: date, born: date = date(1900, 1, 1)):
    level = draw(st.sampled_from(["secondary", "post_secondary", "bachelor", "master", "professional", "doctoral"]))
    item = {
        "level": level,
        "country": draw(st.sampled_from(COUNTRIES)),
        "completed": _iso(draw(dates(max(as_of - timedelta(days=30 * 365), born), as_of + timedelta(days=365)))),
        "eca": draw(st.booleans()),
        "full_time": draw(st.booleans()),
    }
    if level == "post_secondary" or draw(st.booleans()):
        item["program_years"] = draw(st.integers(1, 5))
    if draw(st.booleans()):
        item["months_studied_in_canada"] = draw(st.integers(0, 60))
    return item


@st.composite
def jobs(draw, as_of: date, born: date = date(1900, 1, 1)):
    start = draw(dates(max(as_of - timedelta(days=15 * 365), born), as_of + timedelta(days=180)))
    item = {
        "noc": draw(st.sampled_from(NOCS)),
        "country": draw(st.sampled_from(COUNTRIES)),
        "start": _iso(start),
        "hours_per_week": draw(st.sampled_from([5, 10, 15, 20, 25, 30, 35, 37.5, 40, 50, 60, 80])),
        "self_employed": draw(st.booleans()),
        "while_full_time_student": draw(st.booleans()),
        "paid": draw(st.booleans() | st.just(True)),
        "authorized": draw(st.booleans() | st.just(True)),
    }
    if draw(st.integers(0, 3)):
        item["end"] = _iso(draw(dates(start, start + timedelta(days=8 * 365))))
    if draw(st.booleans()):
        item["employer"] = draw(st.sampled_from(["Acme", "Globex", "Initech"]))
    return item


@st.composite
def profiles(draw, as_of: date | None = None):
    """A random profile that passes the schema and the as-of checks, with its as-of date."""
    as_of = as_of or draw(dates(FIRST_DAY, LAST_DAY))
    birth = draw(dates(as_of - timedelta(days=60 * 365), as_of - timedelta(days=16 * 366)))  # at least 16 years
    data = {
        "birth_date": _iso(birth),
        # a Canadian citizen needs no route and is refused at the boundary (tests/test_hostile_profiles.py)
        "citizenships": draw(
            st.lists(st.sampled_from([c for c in COUNTRIES if c != "CA"]), min_size=1, max_size=2, unique=True)
        ),
        "education": draw(st.lists(credentials(as_of, birth), max_size=3)),
        "language_tests": draw(st.lists(language_tests(as_of), max_size=3)),
        "work_history": draw(st.lists(jobs(as_of, birth), max_size=4)),
        "sibling_in_canada": draw(st.booleans()),
        "relative_in_canada": draw(st.booleans()),
        "dependent_children": draw(st.integers(0, 4)),
        "settlement_funds_cad": draw(st.sampled_from([0, 10000, 15000, 25000, 60000])),
        "status_in_canada": {"status": draw(st.sampled_from(["outside", "worker", "student", "visitor"]))},
        "preferences": {"provinces": draw(st.lists(st.sampled_from(PROVINCES), max_size=3, unique=True))},
    }
    if draw(st.booleans()):
        data["first_official_language"] = draw(st.sampled_from(["en", "fr"]))
    if draw(st.booleans()):
        data["job_offer"] = {
            "noc": draw(st.sampled_from(NOCS)),
            "lmia": draw(st.booleans()),
            "permanent": draw(st.booleans()),
            "full_time": draw(st.booleans()),
            "duration_months": draw(st.integers(1, 36)),
            "employer": draw(st.sampled_from(["Acme", "Globex"])),
        }
    if draw(st.integers(0, 4)) == 0:
        data["trade_certificate"] = {"trade": "Electrician", "province": draw(st.sampled_from(PROVINCES))}
    if draw(st.integers(0, 4)) == 0:
        data["provincial_nomination"] = {
            "province": draw(st.sampled_from(PROVINCES)),
            "date": _iso(draw(dates(as_of - timedelta(days=365), as_of))),
            "express_entry_linked": draw(st.booleans()),
        }
    status = draw(st.sampled_from(["single", "married", "common_law", "divorced"]))
    data["marital_status"] = status
    if status in ("married", "common_law"):
        data["spouse"] = {
            "accompanying": draw(st.booleans()),
            "canadian_citizen_or_pr": draw(st.integers(0, 4)) == 0,
            "education": draw(st.lists(credentials(as_of), max_size=2)),
            "language_tests": draw(st.lists(language_tests(as_of), max_size=2)),
            "work_history": draw(st.lists(jobs(as_of), max_size=2)),
        }
    profile = check_profile(parse_profile(data), as_of)
    return profile, as_of


def _crs_invariants(result: crs.CrsResult) -> None:
    sections = result.sections
    assert set(sections) == {"core", "spouse", "transferability", "additional"}
    assert result.total == sum(sections.values())
    assert 0 <= result.total <= crs.maximum_total(result.as_of)
    assert all(points >= 0 for points in sections.values()), sections
    assert sections["core"] <= (460 if result.with_spouse else 500)
    assert sections["spouse"] <= (40 if result.with_spouse else 0)
    assert sections["core"] + sections["spouse"] <= 500
    assert sections["transferability"] <= 100
    assert sections["additional"] <= 600
    for section, points in sections.items():
        assert points == sum(line.points for line in result.lines if line.section == section)


@SETTINGS
@given(profiles())
def test_crs_total_is_sum_of_sections_and_within_bounds(case):
    profile, as_of = case
    _crs_invariants(crs.score(profile, as_of))


@SETTINGS
@given(profiles())
def test_every_crs_line_is_cited(case):
    profile, as_of = case
    for line in crs.score(profile, as_of).lines:
        assert line.rule.startswith("models/crs/") and "#" in line.rule
        assert line.references, line.name


def _with_extra_canadian_year(profile: Profile, as_of: date) -> Profile:
    data = profile.model_dump(mode="json", exclude_none=True)
    data["work_history"] = data.get("work_history", []) + [
        {
            "noc": "21231",
            "country": "CA",
            "start": _iso(as_of - timedelta(days=364)),
            "end": _iso(as_of),
            "hours_per_week": 30,
        }
    ]
    return parse_profile(data)


@SETTINGS
@given(profiles())
def test_adding_a_year_of_canadian_work_never_lowers_the_total(case):
    profile, as_of = case
    before = crs.score(profile, as_of)
    after = crs.score(_with_extra_canadian_year(profile, as_of), as_of)
    _crs_invariants(after)
    assert after.total >= before.total, (before.sections, after.sections)
    assert after.line("canadian_work").points >= before.line("canadian_work").points


@SETTINGS
@given(profiles(), st.integers(0, 25 * 365), st.integers(0, 20 * 365))
def test_age_points_never_increase_from_29_as_as_of_advances(case, offset, step):
    profile, _ = case
    first = max(add_years(profile.birth_date, 29), FIRST_DAY) + timedelta(days=offset)  # the CRS starts 2015
    later = first + timedelta(days=step)
    assert age_on(profile.birth_date, first) >= 29
    earlier_points = crs.score(profile, first).line("age").points
    later_points = crs.score(profile, later).line("age").points
    assert later_points <= earlier_points, (age_on(profile.birth_date, first), age_on(profile.birth_date, later))


def _check_verdicts(results) -> None:
    for result in results:
        assert result.eligible == all(v.met for v in result.verdicts)
        for v in result.verdicts:
            assert v.rule.startswith("models/") and "#" in v.rule, v
            assert v.references, v.rule
            assert isinstance(v.met, bool)
            assert v.value and v.threshold


@SETTINGS
@given(profiles())
def test_express_entry_eligibility_never_raises_and_is_cited(case):
    profile, as_of = case
    results = evaluate_many(profile, as_of)
    assert len(results) >= 3
    _check_verdicts(results)


@SETTINGS
@given(profiles())
def test_every_program_evaluates_without_raising(case):
    """Every program in the catalogue (not only Express Entry) gives cited verdicts for any valid profile."""
    profile, as_of = case
    cat = catalogue()
    _check_verdicts([evaluate(program, profile, as_of, cat=cat) for program in cat.programs])
