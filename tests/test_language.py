"""Language test results -> CLB/NCLC per ability, checked at every band boundary.

The expected tables below are typed in by hand from the shared reference
``federal-rules.md`` §5 (5.1 IELTS, 5.2 CELPIP, 5.3 PTE Core, 5.4 TEF Canada, 5.5 TCF
Canada), not read from ``models/language/``, so a wrong number in a model file fails here.
Each table lists, per ability, the minimum score of each level (highest level first).
"""

from __future__ import annotations

from datetime import date

import pytest

from planner.errors import ProfileError
from planner.facts.language import check_scores, convert
from planner.facts.profile import LanguageTest

ABILITIES = ("listening", "reading", "writing", "speaking")

# level -> (listening, reading, writing, speaking) minimum score, from federal-rules.md §5
IELTS = {  # §5.1, half-band steps
    10: (8.5, 8.0, 7.5, 7.5),
    9: (8.0, 7.0, 7.0, 7.0),
    8: (7.5, 6.5, 6.5, 6.5),
    7: (6.0, 6.0, 6.0, 6.0),
    6: (5.5, 5.0, 5.5, 5.5),
    5: (5.0, 4.0, 5.0, 5.0),
    4: (4.5, 3.5, 4.0, 4.0),
}
CELPIP = {level: (level,) * 4 for level in range(10, 3, -1)}  # §5.2: CELPIP level n = CLB n
PTE_CORE = {  # §5.3, lower bound of each range
    10: (89, 88, 90, 89),
    9: (82, 78, 88, 84),
    8: (71, 69, 79, 76),
    7: (60, 60, 69, 68),
    6: (50, 51, 60, 59),
    5: (39, 42, 51, 51),
    4: (28, 33, 41, 42),
    3: (18, 24, 32, 34),
}
TEF_NEW = {  # §5.4, tests taken after 2023-12-10
    10: (546, 546, 558, 556),
    9: (503, 503, 512, 518),
    8: (462, 462, 472, 494),
    7: (434, 434, 428, 456),
    6: (393, 393, 379, 422),
    5: (352, 352, 330, 387),
    4: (306, 306, 268, 328),
}
TEF_OLD = {
    level: (low,) * 4
    for level, low in {  # §5.4, tests taken 2019-10-01 .. 2023-12-10
        10: 566,
        9: 533,
        8: 500,
        7: 450,
        6: 400,
        5: 350,
        4: 300,
    }.items()
}
TCF = {  # §5.5
    10: (549, 549, 16, 16),
    9: (523, 524, 14, 14),
    8: (503, 499, 12, 12),
    7: (458, 453, 10, 10),
    6: (398, 406, 7, 7),
    5: (369, 375, 6, 6),
    4: (331, 342, 4, 4),
}

# test name -> (table, step, test date, as-of date, a filler score valid for every ability)
CASES = {
    "ielts_general": (IELTS, 0.5, date(2025, 1, 15), date(2025, 6, 1)),
    "celpip_general": (CELPIP, 1, date(2025, 1, 15), date(2025, 6, 1)),
    "pte_core": (PTE_CORE, 1, date(2025, 1, 15), date(2025, 6, 1)),
    "tef_canada": (TEF_NEW, 1, date(2025, 1, 15), date(2025, 6, 1)),
    "tcf_canada": (TCF, 1, date(2025, 1, 15), date(2025, 6, 1)),
}
TEF_OLD_CASE = (TEF_OLD, 1, date(2023, 6, 1), date(2024, 1, 15))


def _boundaries(table: dict, step: float):
    """(ability, score, expected level) at each band's minimum and one step below it."""
    levels = sorted(table, reverse=True)
    for i, ability in enumerate(ABILITIES):
        for n, level in enumerate(levels):
            low = table[level][i]
            yield ability, low, level
            below = low - step
            lower = next((lv for lv in levels[n + 1 :] if table[lv][i] <= below), 0)
            yield ability, below, lower


def _params():
    for name, (table, step, taken, as_of) in CASES.items():
        for ability, score, level in _boundaries(table, step):
            yield pytest.param(name, taken, as_of, ability, score, level, id=f"{name}-{ability}-{score:g}-clb{level}")
    table, step, taken, as_of = TEF_OLD_CASE
    for ability, score, level in _boundaries(table, step):
        yield pytest.param(
            "tef_canada",
            taken,
            as_of,
            ability,
            score,
            level,
            id=f"tef_canada_2019_scale-{ability}-{score:g}-clb{level}",
        )


def _test(name: str, taken: date, **scores) -> LanguageTest:
    filler = {"ielts_general": 9.0, "celpip_general": 12, "pte_core": 90, "tef_canada": 699, "tcf_canada": 699}[name]
    values = {ability: filler for ability in ABILITIES}
    if name == "tcf_canada":
        values.update(writing=20, speaking=20)
    values.update(scores)
    return LanguageTest(test=name, date=taken, **values)


@pytest.mark.parametrize("name,taken,as_of,ability,score,level", list(_params()))
def test_band_boundary(name, taken, as_of, ability, score, level):
    """The minimum score of a band gives that band; one step below gives the band beneath."""
    result = convert(_test(name, taken, **{ability: score}), as_of)
    assert result.usable, result.describe()
    assert result.levels[ability] == level


@pytest.mark.parametrize("score,level", [(10, 10), (11, 10), (12, 10), (4, 4), (3, 0), (0, 0)])
def test_celpip_levels_above_10_and_below_4(score, level):
    """CELPIP 10-12 are all CLB 10; below CELPIP 4 is below CLB 4 (level 0)."""
    result = convert(_test("celpip_general", date(2025, 1, 15), speaking=score), date(2025, 6, 1))
    assert result.levels["speaking"] == level


def test_language_of_each_test():
    """English tests give CLB, French tests give NCLC."""
    as_of = date(2025, 6, 1)
    assert {n: convert(_test(n, date(2025, 1, 15)), as_of).language for n in CASES} == {
        "ielts_general": "en",
        "celpip_general": "en",
        "pte_core": "en",
        "tef_canada": "fr",
        "tcf_canada": "fr",
    }


# --- TEF Canada: the scale follows the test date --------------------------------------------


@pytest.mark.parametrize(
    "taken,expected",
    [
        # 440 everywhere.  2019 scale: 400-449 -> NCLC 6 in all four.
        (date(2023, 12, 10), {"listening": 6, "reading": 6, "writing": 6, "speaking": 6}),
        # New scale: L/R 434-461 -> 7, W 428-471 -> 7, S 422-455 -> 6.
        (date(2023, 12, 11), {"listening": 7, "reading": 7, "writing": 7, "speaking": 6}),
    ],
)
def test_tef_scale_by_test_date(taken, expected):
    """A TEF Canada result is read on the scale in force when the test was taken, not on the as-of date."""
    result = convert(
        _test("tef_canada", taken, listening=440, reading=440, writing=440, speaking=440), date(2024, 6, 1)
    )
    assert result.usable
    assert result.levels == expected


def test_tef_scale_does_not_follow_as_of():
    """An old-scale TEF result evaluated after 2023-12-11 is still read on the old scale (546 -> NCLC 9, not 10)."""
    result = convert(
        _test("tef_canada", date(2023, 11, 1), listening=546, reading=546, writing=546, speaking=546), date(2025, 6, 1)
    )
    assert result.levels == {a: 9 for a in ABILITIES}


def test_tef_before_2019_scale_is_reported_not_guessed():
    """No table is encoded for TEF tests before 2019-10-01: the result is unusable and says why."""
    result = convert(_test("tef_canada", date(2019, 9, 30)), date(2020, 6, 1))
    assert not result.usable
    assert result.levels is None
    assert "2019-10-01" in (result.problem or "")


# --- PTE Core: accepted from 2024-01-30 -----------------------------------------------------


def test_pte_core_not_accepted_before_2024_01_30():
    """On 2024-01-29 a PTE Core result is not an accepted result."""
    result = convert(_test("pte_core", date(2024, 1, 29)), date(2024, 1, 29))
    assert not result.usable


def test_pte_core_accepted_from_2024_01_30():
    result = convert(_test("pte_core", date(2024, 1, 30)), date(2024, 1, 30))
    assert result.usable
    assert result.levels == {a: 10 for a in ABILITIES}


def test_pte_core_taken_before_acceptance_stays_unaccepted_later():
    """A PTE Core test taken before 2024-01-30 does not become acceptable when evaluated later."""
    result = convert(_test("pte_core", date(2024, 1, 15)), date(2024, 6, 1))
    assert not result.usable


def test_ielts_accepted_before_2024():
    assert convert(_test("ielts_general", date(2023, 6, 1)), date(2024, 1, 1)).usable


# --- validity: two years from the test date -------------------------------------------------


def test_valid_the_day_before_two_years():
    result = convert(_test("ielts_general", date(2024, 3, 15)), date(2026, 3, 14))
    assert not result.expired and result.usable
    assert result.valid_until == date(2026, 3, 15)


def test_expired_exactly_at_two_years():
    """A result must be less than 2 years old: on the second anniversary it is expired and not used."""
    result = convert(_test("ielts_general", date(2024, 3, 15)), date(2026, 3, 15))
    assert result.expired
    assert not result.usable
    assert "expired" in result.describe()


def test_expired_result_reported_and_not_used_in_crs():
    """The CRS gives no language points for an expired result and says so in its notes."""
    from planner.facts.profile import parse_profile
    from planner.scoring import crs as crs

    profile = parse_profile(
        {
            "birth_date": "1995-01-01",
            "citizenships": ["IN"],
            "language_tests": [
                {
                    "test": "ielts_general",
                    "date": "2024-03-15",
                    "listening": 9,
                    "reading": 9,
                    "writing": 9,
                    "speaking": 9,
                }
            ],
        }
    )
    before = crs.score(profile, date(2026, 3, 14))
    after = crs.score(profile, date(2026, 3, 15))
    assert before.line("first_language").points == 4 * 34  # CLB 10 in all four, without spouse
    assert after.line("first_language").points == 0
    assert any("expired" in note for note in after.notes)


def test_result_taken_after_as_of_is_not_used():
    """A test dated after the as-of date had not been taken yet on that date."""
    result = convert(_test("ielts_general", date(2025, 1, 10)), date(2024, 6, 1))
    assert not result.usable


# --- impossible scores ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,ability,score",
    [
        ("ielts_general", "listening", 9.5),
        ("ielts_general", "reading", 6.25),
        ("ielts_general", "writing", -0.5),
        ("celpip_general", "speaking", 13),
        ("celpip_general", "reading", 7.5),
        ("pte_core", "writing", 91),
        ("pte_core", "listening", 9),
        ("tef_canada", "speaking", 700),
        ("tcf_canada", "writing", 21),
        ("tcf_canada", "reading", 700),
    ],
)
def test_impossible_scores_rejected(name, ability, score):
    with pytest.raises(ProfileError) as caught:
        check_scores(_test(name, date(2025, 1, 15), **{ability: score}), "p.json", "language_tests[0]")
    error = caught.value
    assert error.file == "p.json"
    assert error.field == f"language_tests[0].{ability}"
    assert error.hint


@pytest.mark.parametrize("name", list(CASES))
def test_possible_scores_accepted(name):
    check_scores(_test(name, date(2025, 1, 15)), "p.json", "language_tests[0]")
