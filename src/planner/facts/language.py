"""Language test results → CLB/NCLC levels, per ability, from the tables in ``models/language/``.

A result older than the validity period on the as-of date is *expired*: it is reported,
never used silently.  Which table applies is decided by the test date for tests whose
scale changed (TEF Canada), and by the as-of date otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from planner.dates import add_years
from planner.errors import ProfileError
from planner.facts.profile import LanguageTest, TestName
from planner.rules.vocabulary import ABILITIES, Ability
from planner.memo import per_scope
from planner.rules.book import rule_file
from planner.rules.schema import Amount, Count, Dated, InForce, ModelFile, Strict

TEST_NAMES: tuple[TestName, ...] = ("ielts_general", "celpip_general", "pte_core", "tef_canada", "tcf_canada")


class ScoreRange(Strict):
    """The valid raw scores for one ability: from ``min`` to ``max`` (not below ``min``) in steps of ``step`` (above 0)."""

    min: Amount
    max: Amount
    step: float = Field(gt=0)

    @model_validator(mode="after")
    def _max_not_below_min(self):
        if self.max < self.min:
            raise ValueError(f"max ({self.max:g}) is below min ({self.min:g})")
        return self

    def contains(self, score: float) -> bool:
        """True if ``score`` is a score the test can give."""
        if not self.min <= score <= self.max:
            return False
        steps = (score - self.min) / self.step
        return abs(steps - round(steps)) < 1e-9


class Band(Strict):
    """Minimum raw score per ability for one CLB/NCLC level (1 to 12)."""

    clb: int = Field(ge=1, le=12)
    listening: Amount
    reading: Amount
    writing: Amount
    speaking: Amount


class LanguageTestFile(ModelFile):
    """Schema of ``models/language/<test>.yaml``."""

    test: TestName
    language: Literal["en", "fr"]
    label: str
    keyed_by: Literal["as_of", "test_date"] = "as_of"
    accepted: Dated[bool]
    score_ranges: Dated[dict[Ability, ScoreRange]]
    """A range for each of the four abilities."""
    table: Dated[Annotated[list[Band], Field(min_length=1)]]

    @field_validator("score_ranges")
    @classmethod
    def _every_ability(cls, ranges: Dated[dict[Ability, ScoreRange]]) -> Dated[dict[Ability, ScoreRange]]:
        for effective, dated in ranges.values.items():
            missing = [ability for ability in ABILITIES if ability not in dated.value]
            if missing:
                raise ValueError(f"the ranges from {effective} have none for {', '.join(missing)}")
        return ranges


class ValidityFile(ModelFile):
    """Schema of ``models/language/validity.yaml``."""

    validity_years: Dated[Count]


def test_rules(test: TestName) -> LanguageTestFile:
    """Return the conversion rules for one test."""
    return rule_file(f"language/{test}.yaml", LanguageTestFile)


def validity_rules() -> ValidityFile:
    """Return the validity rule for test results."""
    return rule_file("language/validity.yaml", ValidityFile)


@dataclass(frozen=True)
class LanguageResult:
    """One test converted to levels as of a date."""

    test: LanguageTest
    language: Literal["en", "fr"]
    levels: dict[Ability, int] | None
    """CLB/NCLC per ability; 0 means below the lowest level in the table.  None if no table applies."""
    valid_until: date
    expired: bool
    accepted: bool
    table: InForce | None
    problem: str | None = None

    @property
    def usable(self) -> bool:
        """True if the result can be used on the as-of date."""
        return self.levels is not None and not self.expired and self.accepted and self.problem is None

    @property
    def minimum(self) -> int:
        """The lowest level over the four abilities (0 if unusable)."""
        return min(self.levels.values()) if self.levels else 0

    def describe(self) -> str:
        """A short human description, e.g. 'IELTS 2025-09-20: CLB L10 R9 W9 S9'."""
        label = test_rules(self.test.test).label
        system = "NCLC" if self.language == "fr" else "CLB"
        if self.levels is None:
            return f"{label} {self.test.date}: {self.problem}"
        levels = " ".join(f"{a[0].upper()}{self.levels[a]}" for a in ABILITIES)
        state = (
            " (expired)"
            if self.expired
            else f" ({self.problem})"
            if self.problem
            else ""
            if self.accepted
            else " (not accepted on this date)"
        )
        return f"{label} {self.test.date}: {system} {levels}{state}"


def level_for(score: float, ability: Ability, bands: list[Band]) -> int:
    """Return the highest level whose minimum ``score`` meets for ``ability`` (0 if below every row).

    >>> bands = [Band(clb=9, listening=8, reading=7, writing=7, speaking=7),
    ...          Band(clb=7, listening=6, reading=6, writing=6, speaking=6)]
    >>> level_for(6.5, "reading", bands), level_for(5.5, "reading", bands)
    (7, 0)
    """
    best = 0
    for band in bands:
        if score >= getattr(band, ability) and band.clb > best:
            best = band.clb
    return best


def valid_until(test: LanguageTest, as_of: date) -> date:
    """The day a result stops being valid, under the validity rule in force on ``as_of``."""
    return add_years(test.date, validity_rules().validity_years.at(as_of))


@per_scope
def convert(test: LanguageTest, as_of: date) -> LanguageResult:
    """Convert one test result to CLB/NCLC levels as they stand on ``as_of`` (remembered inside a memo scope)."""
    rules = test_rules(test.test)
    until = valid_until(test, as_of)
    expired = as_of >= until
    # a result counts only if the test is approved on the as-of date *and* was approved when taken
    # (PTE Core: approved from 2024-01-30, so an earlier PTE Core result is not an approved result)
    accepted = bool(rules.accepted.get(as_of)) and bool(rules.accepted.get(test.date))
    problem = None
    if test.date > as_of:
        problem = f"taken after {as_of}"
    elif not accepted and rules.accepted.get(as_of) and not rules.accepted.get(test.date):
        problem = f"taken before {rules.label} was accepted ({next(iter(rules.accepted.values))})"
    table_date = test.date if rules.keyed_by == "test_date" else as_of
    table = rules.table.entry(table_date)
    if table is None:
        first = next(iter(rules.table.values))
        return LanguageResult(
            test,
            rules.language,
            None,
            until,
            expired,
            accepted,
            None,
            problem=f"no conversion table in models/ for tests taken before {first}",
        )
    return LanguageResult(
        test, rules.language, _levels(test, table.effective), until, expired, accepted, table, problem=problem
    )


@per_scope
def _levels(test: LanguageTest, table_effective: date) -> dict[Ability, int]:
    """A test's level per ability under the conversion table in force from ``table_effective`` (shared: do not change)."""
    table = test_rules(test.test).table.at(table_effective)
    return {ability: level_for(test.score(ability), ability, table) for ability in ABILITIES}


def possible_levels(test: LanguageTest, start: date, end: date) -> set[tuple[int, ...]]:
    """Every level vector (in ``ABILITIES`` order) ``test`` could convert to on a day from ``start`` to ``end``.

    A superset, whether the result is used as it is or retaken with the same scores on any
    day up to ``end``: the levels under each conversion table in force at some time from
    the test's date (or ``start``, if earlier) to ``end``.
    """
    rules = test_rules(test.test)
    tables = rules.table.values_between(min(test.date, start), end)
    return {
        tuple(level_for(test.score(ability), ability, table) for ability in ABILITIES)
        for table in tables
        if table is not None
    }


def usable_levels(tests, as_of: date) -> tuple:
    """The usable results among ``tests`` on ``as_of`` as (test, language, levels): all a score reads of them."""
    return tuple(
        (r.test.test, r.language, tuple(r.levels[a] for a in ABILITIES))
        for r in (convert(t, as_of) for t in tests)
        if r.usable
    )


def check_scores(test: LanguageTest, source: str, field: str) -> None:
    """Raise ProfileError if a raw score is impossible for its test (e.g. IELTS 9.5)."""
    rules = test_rules(test.test)
    ranges = rules.score_ranges.get(test.date) or next(iter(rules.score_ranges.values.values())).value
    for ability in ABILITIES:
        allowed = ranges[ability]
        score = test.score(ability)
        if not allowed.contains(score):
            step = f" in steps of {allowed.step:g}" if allowed.step != 1 else " (whole numbers)"
            raise ProfileError(
                f"{score:g} is not a possible {rules.label} {ability} score",
                file=source,
                field=f"{field}.{ability}",
                hint=f"{rules.label} {ability} scores run from {allowed.min:g} to {allowed.max:g}{step}",
            )
