"""The Federal Skilled Worker Program 67-point selection grid, with a line per factor.

The grid's values live in ``models/federal/fsw_grid.yaml``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from planner.dates import age_on
from planner.facts import derived as facts
from planner.facts.derived import EducationTier, ExperienceQuery
from planner.facts.language import LanguageResult, convert, usable_levels
from planner.facts.profile import Profile
from planner.rules.vocabulary import ABILITIES
from planner.rules.book import per_book, rule_file
from planner.rules.schema import Dated, InForce, ModelFile, Strict, bracket, change_dates_in


class _MinClb(Strict):
    min_clb: int
    points: int


class _MinYears(Strict):
    min_years: int
    points: int


class _MinAge(Strict):
    min_age: int
    points: int


class _SecondLanguage(Strict):
    min_clb_all_four: int
    points: int


class _Adaptability(Strict):
    cap: int
    spouse_language_min_clb: int
    spouse_language: int
    own_study_in_canada_min_years: int
    own_study_in_canada: int
    spouse_study_in_canada: int
    own_work_in_canada_min_years: int
    own_work_in_canada: int
    spouse_work_in_canada: int
    arranged_employment: int
    relative_in_canada: int


class Grid(Strict):
    pass_mark: int
    first_language: list[_MinClb]
    second_language: _SecondLanguage
    education: dict[EducationTier, int]
    experience: list[_MinYears]
    experience_window_years: int
    age: list[_MinAge]
    arranged_employment: int
    adaptability: _Adaptability


class FswGridFile(ModelFile):
    grid: Dated[Grid]


def grid_file() -> FswGridFile:
    """Load the FSW grid."""
    return rule_file("federal/fsw_grid.yaml", FswGridFile)


@dataclass(frozen=True)
class FswLine:
    factor: str
    points: int
    maximum: int
    detail: str


class FswScore(BaseModel):
    """The FSW grid score with its breakdown."""

    total: int
    pass_mark: int
    lines: list[dict]
    first_language_minimum: int
    source: InForce

    @property
    def passes(self) -> bool:
        return self.total >= self.pass_mark


def _points_for_language(result: LanguageResult, grid: Grid) -> int:
    if result.minimum < grid.first_language[0].min_clb:
        return 0
    return sum(bracket(grid.first_language, result.levels[a], "min_clb").points for a in ABILITIES)


def _skilled_query(on: date, within_years: int, where: str = "any") -> ExperienceQuery:
    return facts.shared_query(
        where, within_years, tuple(facts.work_rules().skilled_teers.at(on)), require_authorized=True
    )  # only checked for work in Canada


@per_book(maxsize=1)
def _rule_change_dates() -> list[date]:
    """Dates on which the FSW grid or a work-counting rule changes."""
    return change_dates_in(grid_file(), facts.work_rules())


def score_key(profile: Profile, as_of: date) -> tuple:
    """What :func:`score` depends on that changes while a route unfolds: equal keys, equal scores.

    The same contract as :func:`planner.scoring.crs.score_key`: it holds for profiles that differ
    only in work history, status in Canada, language tests and nomination.  The key holds
    the grid version, age, completed credentials, usable language levels, years of
    skilled work (anywhere and in Canada), whether the offer qualifies, and the
    accompanying spouse's language levels, credentials and years of work in Canada.
    """
    found = grid_file().grid.get(as_of)
    window = found.experience_window_years if found is not None else 0
    spouse = profile.spouse if profile.spouse and profile.spouse.accompanying else None
    spouse_key = (
        None
        if spouse is None
        else (
            usable_levels(spouse.language_tests, as_of),
            tuple(e.completed <= as_of for e in spouse.education),
            facts.experience_years(spouse.work_history, as_of, ExperienceQuery(where="canada", within_years=window)),
        )
    )
    return (
        bisect_right(_rule_change_dates(), as_of),
        age_on(profile.birth_date, as_of),
        tuple(e.completed <= as_of for e in profile.education),
        usable_levels(profile.language_tests, as_of),
        facts.experience_years(profile.work_history, as_of, _skilled_query(as_of, window)),
        facts.experience_years(profile.work_history, as_of, _skilled_query(as_of, window, where="canada")),
        facts.qualifying_job_offer(profile, as_of)[0],
        spouse_key,
    )


def score(profile: Profile, as_of: date) -> FswScore:
    """Score ``profile`` on the FSW selection grid in force on ``as_of``."""
    found = grid_file().grid.entry(as_of)
    if found is None:
        grid_file().grid.at(as_of)  # raises RuleNotInForceError naming the first date
    grid = found.value
    lines: list[FswLine] = []
    usable = [r for r in (convert(t, as_of) for t in profile.language_tests) if r.usable]
    first = max(usable, key=lambda r: (_points_for_language(r, grid), r.minimum), default=None)
    first_points = _points_for_language(first, grid) if first else 0
    most = max(band.points for band in grid.first_language) * len(ABILITIES)
    lines.append(
        FswLine("first official language", first_points, most, first.describe() if first else "no valid language test")
    )
    second = max((r for r in usable if first and r.language != first.language), key=lambda r: r.minimum, default=None)
    second_points = (
        grid.second_language.points if second and second.minimum >= grid.second_language.min_clb_all_four else 0
    )
    lines.append(
        FswLine(
            "second official language",
            second_points,
            grid.second_language.points,
            second.describe() if second else "no test in the other official language",
        )
    )
    tier = facts.education_tier(facts.recognised_credentials(profile.education, as_of))
    lines.append(FswLine("education", grid.education[tier], max(grid.education.values()), facts.TIER_LABELS[tier]))
    years = facts.experience_years(profile.work_history, as_of, _skilled_query(as_of, grid.experience_window_years))
    row = bracket(grid.experience, years, "min_years")
    lines.append(
        FswLine(
            "experience",
            row.points if row else 0,
            grid.experience[-1].points,
            f"{years} year(s) of skilled work in the last {grid.experience_window_years} years",
        )
    )
    age = age_on(profile.birth_date, as_of)
    lines.append(
        FswLine("age", bracket(grid.age, age, "min_age").points, max(r.points for r in grid.age), f"age {age}")
    )
    offer, offer_text = facts.qualifying_job_offer(profile, as_of)
    lines.append(
        FswLine("arranged employment", grid.arranged_employment if offer else 0, grid.arranged_employment, offer_text)
    )
    adaptability, text = _adaptability(profile, as_of, grid, offer)
    lines.append(FswLine("adaptability", adaptability, grid.adaptability.cap, text))
    return FswScore(
        total=sum(line.points for line in lines),
        pass_mark=grid.pass_mark,
        lines=[line.__dict__ for line in lines],
        first_language_minimum=first.minimum if first else 0,
        source=found,
    )


def _studied_in_canada_years(education, on: date) -> int:
    """Years of the longest full-time Canadian program completed by ``on``."""
    return max(
        (
            e.program_years or (3 if facts.is_three_year_or_more(e) else 1)
            for e in education
            if e.canadian and e.full_time and e.completed <= on
        ),
        default=0,
    )


def _adaptability(profile: Profile, as_of: date, grid: Grid, offer: bool) -> tuple[int, str]:
    a = grid.adaptability
    items: list[tuple[str, int]] = []
    spouse = profile.spouse if profile.spouse and profile.spouse.accompanying else None
    if spouse is not None:
        tests = [r for r in (convert(t, as_of) for t in spouse.language_tests) if r.usable]
        if any(r.minimum >= a.spouse_language_min_clb for r in tests):
            items.append((f"spouse CLB {a.spouse_language_min_clb}+", a.spouse_language))
        if _studied_in_canada_years(spouse.education, as_of) >= a.own_study_in_canada_min_years:
            items.append(("spouse studied in Canada", a.spouse_study_in_canada))
        spouse_years = facts.experience_years(
            spouse.work_history, as_of, ExperienceQuery(where="canada", within_years=grid.experience_window_years)
        )
        if spouse_years >= a.own_work_in_canada_min_years:
            items.append(("spouse worked in Canada", a.spouse_work_in_canada))
    if _studied_in_canada_years(profile.education, as_of) >= a.own_study_in_canada_min_years:
        items.append(("studied in Canada", a.own_study_in_canada))
    own_years = facts.experience_years(
        profile.work_history, as_of, _skilled_query(as_of, grid.experience_window_years, where="canada")
    )
    if own_years >= a.own_work_in_canada_min_years:
        items.append(("skilled work in Canada", a.own_work_in_canada))
    if offer:
        items.append(("arranged employment", a.arranged_employment))
    if profile.relative_in_canada or profile.sibling_in_canada:
        items.append(("relative in Canada", a.relative_in_canada))
    raw = sum(points for _, points in items)
    text = ", ".join(f"{name} {points}" for name, points in items) or "none"
    if raw > a.cap:
        text += f" (capped at {a.cap})"
    return min(raw, a.cap), text
