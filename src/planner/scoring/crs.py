"""The Comprehensive Ranking System (CRS) score, line by line, each line citing its rule.

Sections follow the Ministerial Instructions: A core/human capital, B spouse factors,
C skill transferability (two 50-point bundles, a certificate bundle, 100 in all) and
D additional points (600 at most).  Every table comes from ``models/crs/``; the value
in force on the as-of date is used, so ``score(profile, date(2024, 6, 1))`` still gives
arranged-employment points that ``score(profile, date(2025, 3, 25))`` does not.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from planner.dates import age_on
from planner.facts import derived as facts
from planner.facts.derived import EducationTier, ExperienceQuery
from planner.facts.language import LanguageResult, convert, usable_levels
from planner.facts.profile import Profile, Spouse
from planner.rules.vocabulary import ABILITIES
from planner.rules.book import per_book, rule_file
from planner.rules.schema import Certainty, Dated, ModelFile, Reference, Strict, bracket, change_dates_in

Section = Literal["core", "spouse", "transferability", "additional"]
SECTIONS: tuple[Section, ...] = ("core", "spouse", "transferability", "additional")


# --- schema of models/crs/*.yaml -------------------------------------------------------------


class AgeRow(Strict):
    min_age: int
    with_spouse: int
    without_spouse: int


class ClbRow(Strict):
    min_clb: int
    with_spouse: int
    without_spouse: int


class YearsRow(Strict):
    min_years: int
    with_spouse: int
    without_spouse: int


class ClbPoints(Strict):
    min_clb: int
    points: int


class YearsPoints(Strict):
    min_years: int
    points: int


class SpousePair(Strict):
    with_spouse: int
    without_spouse: int


class SecondLanguage(Strict):
    rows: list[ClbPoints]
    cap: SpousePair


class CoreFile(ModelFile):
    age: Dated[list[AgeRow]]
    education: Dated[dict[EducationTier, SpousePair]]
    first_language: Dated[list[ClbRow]]
    second_language: Dated[SecondLanguage]
    canadian_work: Dated[list[YearsRow]]
    work_window_years: Dated[int]
    maximum_total: Dated[int]


class SpouseFile(ModelFile):
    education: Dated[dict[EducationTier, int]]
    language: Dated[list[ClbPoints]]
    canadian_work: Dated[list[YearsPoints]]


class ForeignRow(Strict):
    min_years: int
    language: list[int]
    canadian_work: list[int]


class Certificate(Strict):
    columns: list[int]
    points: list[int]


class Caps(Strict):
    education: int
    foreign_work: int
    certificate: int
    total: int


class TransferabilityFile(ModelFile):
    language_columns: Dated[list[int]]
    canadian_work_columns: Dated[list[int]]
    education_language: Dated[dict[Literal["post_secondary", "advanced"], list[int]]]
    education_canadian_work: Dated[dict[Literal["post_secondary", "advanced"], list[int]]]
    foreign_work_rows: Dated[list[ForeignRow]]
    certificate_language: Dated[Certificate]
    caps: Dated[Caps]


class ArrangedEmployment(Strict):
    senior_management_prefixes: list[str]
    senior_management: int
    other_skilled: int


class French(Strict):
    min_nclc: int
    english_min_clb: int
    without_english: int
    with_english: int


class CanadianStudy(Strict):
    one_or_two_year: int
    three_year_or_more: int
    min_months_in_canada: int


class AdditionalFile(ModelFile):
    provincial_nomination: Dated[int]
    arranged_employment: Dated[ArrangedEmployment]
    sibling: Dated[int]
    french: Dated[French]
    canadian_study: Dated[CanadianStudy]
    cap: Dated[int]


@dataclass(frozen=True)
class CrsRules:
    """The four CRS rule files."""

    core: CoreFile
    spouse: SpouseFile
    transferability: TransferabilityFile
    additional: AdditionalFile


@per_book(maxsize=1)
def crs_rules() -> CrsRules:
    """Load the CRS tables from ``models/crs/``."""
    return CrsRules(
        core=rule_file("crs/core.yaml", CoreFile),
        spouse=rule_file("crs/spouse.yaml", SpouseFile),
        transferability=rule_file("crs/transferability.yaml", TransferabilityFile),
        additional=rule_file("crs/additional.yaml", AdditionalFile),
    )


def maximum_total(on: date) -> int:
    """The most points the whole CRS can give on a date (``maximum_total`` in ``models/crs/core.yaml``)."""
    return crs_rules().core.maximum_total.at(on)


# --- result ---------------------------------------------------------------------------------


class CrsLine(BaseModel):
    """One line of the breakdown: a factor, its points, what was seen, and the rule it comes from."""

    model_config = ConfigDict(frozen=True)

    section: Section
    name: str
    label: str
    points: int
    detail: str
    rule: str
    effective: date | None
    references: list[Reference]
    certainty: Certainty = "confirmed"
    doubt: str | None = None


class CrsResult(BaseModel):
    """A CRS score with its breakdown."""

    model_config = ConfigDict(frozen=True)

    total: int
    sections: dict[Section, int]
    lines: list[CrsLine]
    as_of: date
    with_spouse: bool
    first_official_language: Literal["en", "fr"] | None
    notes: list[str]

    def line(self, name: str) -> CrsLine:
        """Return the line called ``name``."""
        return next(line for line in self.lines if line.name == name)

    def to_json(self) -> dict:
        """The stable JSON shape printed by ``planner crs --json``."""
        return {
            "total": self.total,
            "sections": dict(self.sections),
            "as_of": self.as_of.isoformat(),
            "with_spouse": self.with_spouse,
            "first_official_language": self.first_official_language,
            "lines": [
                {
                    "section": line.section,
                    "name": line.name,
                    "label": line.label,
                    "points": line.points,
                    "detail": line.detail,
                    "rule": line.rule,
                    "effective": line.effective.isoformat() if line.effective else None,
                    "certainty": line.certainty,
                    "doubt": line.doubt,
                    "references": [r.href for r in line.references],
                }
                for line in self.lines
            ],
            "notes": list(self.notes),
        }


# --- helpers --------------------------------------------------------------------------------


def _column(value: int, thresholds: list[int]) -> int | None:
    """Index of the highest threshold ``value`` reaches, or None if below all."""
    index = None
    for i, threshold in enumerate(thresholds):
        if value >= threshold:
            index = i
    return index


class _Lines:
    """Collects lines, resolving each rule's value and provenance on the as-of date.

    With ``detailed=False`` only each line's section and points are kept (for :func:`score_total`).
    """

    def __init__(self, as_of: date, detailed: bool = True):
        self.as_of = as_of
        self.detailed = detailed
        self.lines: list[CrsLine] = []
        self.points: list[tuple[Section, int]] = []

    def section_total(self, section: Section) -> int:
        return sum(points for s, points in self.points if s == section)

    def add(
        self,
        section: Section,
        name: str,
        label: str,
        points: int,
        detail: str,
        rule_file: str,
        param_name: str,
        param: Dated,
    ) -> None:
        self.points.append((section, points))
        if not self.detailed:
            return
        found = param.entry(self.as_of)
        self.lines.append(
            CrsLine(
                section=section,
                name=name,
                label=label,
                points=points,
                detail=detail,
                rule=f"models/crs/{rule_file}#{param_name}",
                effective=found.effective if found else None,
                references=found.references if found else list(param.references),
                certainty=found.certainty if found else "confirmed",
                doubt=found.doubt if found else None,
            )
        )


def canadian_work_query(rules: CrsRules, on: date) -> ExperienceQuery:
    """Skilled, authorized Canadian work that counts for CRS (not self-employed, not while a full-time student)."""
    return facts.shared_query(
        "canada",
        rules.core.work_window_years.at(on),
        tuple(facts.work_rules().skilled_teers.at(on)),
        exclude_self_employed=True,
        exclude_full_time_student=True,
        require_authorized=True,
    )


def foreign_work_query(rules: CrsRules, on: date) -> ExperienceQuery:
    """Skilled work outside Canada that counts for CRS, inside the CRS work window."""
    return facts.shared_query(
        "abroad", rules.core.work_window_years.at(on), tuple(facts.work_rules().skilled_teers.at(on))
    )


def _levels_text(result: LanguageResult | None) -> str:
    return "no valid test" if result is None else result.describe()


def _usable_results(tests, as_of: date) -> tuple[list[LanguageResult], list[str]]:
    results, notes = [], []
    for test in tests:
        converted = convert(test, as_of)
        if converted.usable:
            results.append(converted)
        else:
            reason = (
                "expired on " + converted.valid_until.isoformat()
                if converted.expired
                else None
                if converted.problem and converted.levels is not None  # describe() shows it
                else converted.problem or "not an accepted test on this date"
            )
            notes.append(f"{converted.describe()} not used" + (f": {reason}" if reason else ""))
    return results, notes


# --- the score ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    """Facts about the profile on the as-of date that do not depend on the language choice."""

    age: int
    tier: EducationTier
    canadian_years: int
    foreign_years: int


def _inputs(profile: Profile, as_of: date, rules: CrsRules) -> tuple[_Inputs, list[str]]:
    notes = []
    recognised = facts.recognised_credentials(profile.education, as_of)
    for credential in profile.education:
        if credential not in recognised and credential.completed <= as_of:
            notes.append(
                f"{credential.level} from {credential.country} earns no education points: "
                'a foreign credential needs an Educational Credential Assessment (set "eca": true once you have one)'
            )
    return _Inputs(
        age=age_on(profile.birth_date, as_of),
        tier=facts.education_tier(recognised),
        canadian_years=facts.experience_years(profile.work_history, as_of, canadian_work_query(rules, as_of)),
        foreign_years=facts.experience_years(profile.work_history, as_of, foreign_work_query(rules, as_of)),
    ), notes


@per_book(maxsize=1)
def _rule_change_dates() -> list[date]:
    """Dates on which some CRS table or work-counting rule changes."""
    return change_dates_in(crs_rules(), facts.work_rules())


def score_key(profile: Profile, as_of: date) -> tuple:
    """What :func:`score`'s total depends on that changes while a route unfolds: equal keys, equal totals.

    This holds for profiles that agree on every field except the work history, the status
    in Canada, the language tests and the provincial nomination (the fields a route
    changes), scored on any dates.  The key holds the version of the rules in force, age,
    which credentials are complete, years of Canadian and foreign work, the usable
    language levels (and the spouse's), whether the job offer qualifies, and whether an
    Express Entry-linked nomination is in force.
    The route planner computes each distinct key's score once instead of every month.
    """
    rules = crs_rules()
    nomination = profile.provincial_nomination
    nominated = nomination is not None and nomination.express_entry_linked and nomination.date <= as_of
    spouse = profile.spouse
    spouse_key = None
    if profile.has_scoring_spouse:
        spouse_key = (
            tuple(e.completed <= as_of for e in spouse.education),
            usable_levels(spouse.language_tests, as_of),
            facts.experience_years(spouse.work_history, as_of, canadian_work_query(rules, as_of)),
        )
    return (
        bisect_right(_rule_change_dates(), as_of),
        age_on(profile.birth_date, as_of),
        tuple(e.completed <= as_of for e in profile.education),
        facts.experience_years(profile.work_history, as_of, canadian_work_query(rules, as_of)),
        facts.experience_years(profile.work_history, as_of, foreign_work_query(rules, as_of)),
        usable_levels(profile.language_tests, as_of),
        spouse_key,
        facts.qualifying_job_offer(profile, as_of)[0],
        nominated,
    )


def nominated_key(key: tuple) -> tuple:
    """The :func:`score_key` of the same profile on the same date with an Express Entry-linked nomination in force.

    The nomination is the key's last element and nothing else in the key reads it.
    """
    return key[:-1] + (True,)


def score_total(profile: Profile, as_of: date) -> int:
    """``score(profile, as_of).total``, without building the breakdown (the route planner needs only totals)."""
    rules = crs_rules()
    inputs, _ = _inputs(profile, as_of, rules)
    results, _ = _usable_results(profile.language_tests, as_of)
    return max(
        sum(points for _, points in _lines_with(profile, as_of, rules, inputs, first, second, False).points)
        for first, second in _language_candidates(profile, results)
    )


def score(profile: Profile, as_of: date) -> CrsResult:
    """Return the CRS score of ``profile`` on ``as_of``, trying both official-language orders if not declared."""
    rules = crs_rules()
    inputs, notes = _inputs(profile, as_of, rules)
    results, language_notes = _usable_results(profile.language_tests, as_of)
    notes += language_notes
    candidates = _language_candidates(profile, results)
    scored = [_score_with(profile, as_of, rules, inputs, first, second) for first, second in candidates]
    best = max(scored, key=lambda r: r.total)  # max keeps the first of equals: declared or English-first order
    if profile.first_official_language is None and len(candidates) > 1:
        others = sorted({r.total for r in scored if r is not best})
        alternative = f" (the other assignment scores {others[-1]})" if others else ""
        notes.append(
            f"first official language not declared: using {_language_name(best.first_official_language)} "
            f"as first language because it scores higher{alternative}"
        )
    return best.model_copy(update={"notes": notes + best.notes})


def _language_name(code: str | None) -> str:
    return {"en": "English", "fr": "French", None: "none"}[code]


def _language_candidates(profile: Profile, results: list[LanguageResult]):
    english = [r for r in results if r.language == "en"]
    french = [r for r in results if r.language == "fr"]
    orders = [("en", english, french), ("fr", french, english)]
    if profile.first_official_language is not None:
        orders = [o for o in orders if o[0] == profile.first_official_language]
    candidates = []
    for _, firsts, seconds in orders:
        for first, second in itertools.product(firsts, seconds or [None]):
            candidates.append((first, second))
    return candidates or [(None, None)]


def _score_with(
    profile: Profile,
    as_of: date,
    rules: CrsRules,
    inputs: _Inputs,
    first: LanguageResult | None,
    second: LanguageResult | None,
) -> CrsResult:
    lines = _lines_with(profile, as_of, rules, inputs, first, second, True)
    sections = {s: lines.section_total(s) for s in SECTIONS}
    return CrsResult(
        total=sum(sections.values()),
        sections=sections,
        lines=lines.lines,
        as_of=as_of,
        with_spouse=profile.has_scoring_spouse,
        first_official_language=first.language if first else None,
        notes=[],
    )


def _lines_with(
    profile: Profile,
    as_of: date,
    rules: CrsRules,
    inputs: _Inputs,
    first: LanguageResult | None,
    second: LanguageResult | None,
    detailed: bool,
) -> _Lines:
    """Every line of the score with ``first`` and ``second`` as the official-language results."""
    lines = _Lines(as_of, detailed)
    with_spouse = profile.has_scoring_spouse
    column = "with_spouse" if with_spouse else "without_spouse"
    core = rules.core

    # A. Core / human capital
    age_row = bracket(core.age.at(as_of), inputs.age, "min_age")
    lines.add(
        "core", "age", "Age", getattr(age_row, column), f"age {inputs.age} on {as_of}", "core.yaml", "age", core.age
    )
    lines.add(
        "core",
        "education",
        "Level of education",
        getattr(core.education.at(as_of)[inputs.tier], column),
        facts.TIER_LABELS[inputs.tier],
        "core.yaml",
        "education",
        core.education,
    )
    first_points = 0
    if first is not None:
        table = core.first_language.at(as_of)
        first_points = sum(getattr(bracket(table, first.levels[a], "min_clb"), column) for a in ABILITIES)
    lines.add(
        "core",
        "first_language",
        "First official language",
        first_points,
        _levels_text(first),
        "core.yaml",
        "first_language",
        core.first_language,
    )
    second_points = 0
    if second is not None:
        table = core.second_language.at(as_of)
        raw = sum(bracket(table.rows, second.levels[a], "min_clb").points for a in ABILITIES)
        second_points = min(raw, getattr(table.cap, column))
    lines.add(
        "core",
        "second_language",
        "Second official language",
        second_points,
        _levels_text(second),
        "core.yaml",
        "second_language",
        core.second_language,
    )
    canadian_row = bracket(core.canadian_work.at(as_of), inputs.canadian_years, "min_years")
    lines.add(
        "core",
        "canadian_work",
        "Canadian work experience",
        getattr(canadian_row, column),
        f"{inputs.canadian_years} year(s) of skilled work in Canada in the last {core.work_window_years.at(as_of)} years",
        "core.yaml",
        "canadian_work",
        core.canadian_work,
    )

    # B. Spouse
    if with_spouse:
        _spouse_lines(lines, profile.spouse, as_of, rules)

    # C. Skill transferability
    _transferability_lines(lines, profile, as_of, rules, inputs, first)

    # D. Additional
    _additional_lines(lines, profile, as_of, rules, inputs, first, second)
    return lines


def _spouse_lines(lines: _Lines, spouse: Spouse, as_of: date, rules: CrsRules) -> None:
    table = rules.spouse
    tier = facts.education_tier(facts.recognised_credentials(spouse.education, as_of))
    lines.add(
        "spouse",
        "spouse_education",
        "Spouse's education",
        table.education.at(as_of)[tier],
        facts.TIER_LABELS[tier],
        "spouse.yaml",
        "education",
        table.education,
    )
    results, _ = _usable_results(spouse.language_tests, as_of)
    rows = table.language.at(as_of)
    best_points, best = 0, None
    for result in results:
        points = sum(bracket(rows, result.levels[a], "min_clb").points for a in ABILITIES)
        if best is None or points > best_points:
            best_points, best = points, result
    lines.add(
        "spouse",
        "spouse_language",
        "Spouse's official language",
        best_points,
        _levels_text(best),
        "spouse.yaml",
        "language",
        table.language,
    )
    years = facts.experience_years(spouse.work_history, as_of, canadian_work_query(rules, as_of))
    row = bracket(table.canadian_work.at(as_of), years, "min_years")
    lines.add(
        "spouse",
        "spouse_canadian_work",
        "Spouse's Canadian work experience",
        row.points,
        f"{years} year(s) of skilled work in Canada",
        "spouse.yaml",
        "canadian_work",
        table.canadian_work,
    )


def _transferability_lines(
    lines: _Lines, profile: Profile, as_of: date, rules: CrsRules, inputs: _Inputs, first: LanguageResult | None
) -> None:
    t = rules.transferability
    caps = t.caps.at(as_of)
    minimum_clb = first.minimum if first else 0
    language_column = _column(minimum_clb, t.language_columns.at(as_of))
    canadian_column = _column(inputs.canadian_years, t.canadian_work_columns.at(as_of))
    group = (
        "advanced"
        if facts.tier_at_least(inputs.tier, "two_or_more")
        else "post_secondary"
        if facts.tier_at_least(inputs.tier, "one_year")
        else None
    )
    language_text = f"lowest first-language level {minimum_clb}"

    def cell(table: dict, key: str | None, col: int | None) -> int:
        return 0 if key is None or col is None else table[key][col]

    education_language = cell(t.education_language.at(as_of), group, language_column)
    education_canadian = cell(t.education_canadian_work.at(as_of), group, canadian_column)
    bundle = education_language + education_canadian
    education_language_capped = min(education_language, caps.education)
    education_canadian_capped = min(education_canadian, caps.education - education_language_capped)
    capped_note = f"; education bundle capped at {caps.education} (raw {bundle})" if bundle > caps.education else ""
    lines.add(
        "transferability",
        "education_language",
        "Education + official language",
        education_language_capped,
        f"{facts.TIER_LABELS[inputs.tier]}; {language_text}",
        "transferability.yaml",
        "education_language",
        t.education_language,
    )
    lines.add(
        "transferability",
        "education_canadian_work",
        "Education + Canadian work experience",
        education_canadian_capped,
        f"{facts.TIER_LABELS[inputs.tier]}; {inputs.canadian_years} year(s) in Canada{capped_note}",
        "transferability.yaml",
        "education_canadian_work",
        t.education_canadian_work,
    )

    foreign_row = bracket(t.foreign_work_rows.at(as_of), inputs.foreign_years, "min_years")
    foreign_language = 0 if foreign_row is None or language_column is None else foreign_row.language[language_column]
    foreign_canadian = (
        0 if foreign_row is None or canadian_column is None else foreign_row.canadian_work[canadian_column]
    )
    bundle = foreign_language + foreign_canadian
    foreign_language_capped = min(foreign_language, caps.foreign_work)
    foreign_canadian_capped = min(foreign_canadian, caps.foreign_work - foreign_language_capped)
    capped_note = (
        f"; foreign-work bundle capped at {caps.foreign_work} (raw {bundle})" if bundle > caps.foreign_work else ""
    )
    lines.add(
        "transferability",
        "foreign_work_language",
        "Foreign work experience + official language",
        foreign_language_capped,
        f"{inputs.foreign_years} year(s) of foreign skilled work; {language_text}",
        "transferability.yaml",
        "foreign_work_rows",
        t.foreign_work_rows,
    )
    lines.add(
        "transferability",
        "foreign_work_canadian_work",
        "Foreign work experience + Canadian work experience",
        foreign_canadian_capped,
        f"{inputs.foreign_years} year(s) foreign; {inputs.canadian_years} year(s) in Canada{capped_note}",
        "transferability.yaml",
        "foreign_work_rows",
        t.foreign_work_rows,
    )

    certificate = t.certificate_language.at(as_of)
    certificate_points = 0
    if profile.trade_certificate is not None:
        col = _column(minimum_clb, certificate.columns)
        certificate_points = 0 if col is None else min(certificate.points[col], caps.certificate)
    lines.add(
        "transferability",
        "certificate_language",
        "Certificate of qualification + official language",
        certificate_points,
        "certificate of qualification held" if profile.trade_certificate else "no certificate of qualification",
        "transferability.yaml",
        "certificate_language",
        t.certificate_language,
    )
    raw_total = lines.section_total("transferability")
    if raw_total > caps.total:
        lines.add(
            "transferability",
            "transferability_cap",
            "Skill transferability cap",
            caps.total - raw_total,
            f"combinations add up to {raw_total}; the section is capped at {caps.total}",
            "transferability.yaml",
            "caps",
            t.caps,
        )


def _qualifying_offer_points(profile: Profile, as_of: date, table: ArrangedEmployment) -> tuple[int, str]:
    qualifies, detail = facts.qualifying_job_offer(profile, as_of)
    if not qualifies:
        return 0, detail
    offer = profile.job_offer
    senior = any(offer.noc.startswith(prefix) for prefix in table.senior_management_prefixes)
    points = table.senior_management if senior else table.other_skilled
    kind = "senior management (NOC major group 00)" if senior else "skilled occupation"
    return points, f"{detail}, {kind}" + ("" if points else "; arranged-employment points were removed on this date")


def _canadian_study_points(profile: Profile, as_of: date, table: CanadianStudy) -> tuple[int, str, bool]:
    best, text, assumed = 0, "no Canadian post-secondary credential", False
    for credential in profile.education:
        if (
            not credential.canadian
            or credential.completed > as_of
            or credential.level not in facts.POST_SECONDARY_LEVELS
        ):
            continue
        if not credential.full_time:
            continue
        months = credential.months_studied_in_canada
        if months is not None and months < table.min_months_in_canada:
            continue
        points = table.three_year_or_more if facts.is_three_year_or_more(credential) else table.one_or_two_year
        if points > best:
            best = points
            text = f"Canadian {credential.level.replace('_', '-')} credential ({credential.completed})"
            assumed = months is None
    if assumed:
        text += f"; assumed full-time study with {table.min_months_in_canada}+ months in Canada (set months_studied_in_canada)"
    return best, text, assumed


def _additional_lines(
    lines: _Lines,
    profile: Profile,
    as_of: date,
    rules: CrsRules,
    inputs: _Inputs,
    first: LanguageResult | None,
    second: LanguageResult | None,
) -> None:
    a = rules.additional
    nomination = profile.provincial_nomination
    nominated = nomination is not None and nomination.express_entry_linked and nomination.date <= as_of
    detail = (
        f"{nomination.province} nomination of {nomination.date} (Express Entry-linked)"
        if nominated
        else "base (non-Express Entry) nomination: it leads to a separate application, not CRS points"
        if nomination is not None and not nomination.express_entry_linked
        else "no provincial nomination"
    )
    lines.add(
        "additional",
        "provincial_nomination",
        "Provincial nomination",
        a.provincial_nomination.at(as_of) if nominated else 0,
        detail,
        "additional.yaml",
        "provincial_nomination",
        a.provincial_nomination,
    )

    arranged = a.arranged_employment.get(as_of)
    points, detail = (
        (0, "no arranged-employment points on this date")
        if arranged is None
        else _qualifying_offer_points(profile, as_of, arranged)
    )
    lines.add(
        "additional",
        "arranged_employment",
        "Arranged employment",
        points,
        detail,
        "additional.yaml",
        "arranged_employment",
        a.arranged_employment,
    )

    sibling = a.sibling.get(as_of)
    lines.add(
        "additional",
        "sibling",
        "Brother or sister in Canada",
        sibling if sibling is not None and profile.sibling_in_canada else 0,
        ("sibling in Canada" if profile.sibling_in_canada else "no sibling in Canada")
        + ("" if sibling is not None else "; not a CRS factor on this date"),
        "additional.yaml",
        "sibling",
        a.sibling,
    )

    french = a.french.get(as_of)
    french_points, detail = (
        0,
        "no French-language points on this date"
        if french is None
        else "French NCLC 7 not reached in all four abilities",
    )
    if french is not None:
        french_result = next((r for r in (first, second) if r is not None and r.language == "fr"), None)
        english_result = next((r for r in (first, second) if r is not None and r.language == "en"), None)
        if french_result is not None and french_result.minimum >= french.min_nclc:
            with_english = english_result is not None and english_result.minimum >= french.english_min_clb
            french_points = french.with_english if with_english else french.without_english
            detail = (
                f"French NCLC {french.min_nclc}+ in all four, English CLB {french.english_min_clb}+ in all four"
                if with_english
                else f"French NCLC {french.min_nclc}+ in all four; English below CLB {french.english_min_clb} or not tested"
            )
    lines.add(
        "additional", "french", "French-language ability", french_points, detail, "additional.yaml", "french", a.french
    )

    study = a.canadian_study.get(as_of)
    points, detail = (
        (0, "no Canadian-study points on this date")
        if study is None
        else _canadian_study_points(profile, as_of, study)[:2]
    )
    lines.add(
        "additional",
        "canadian_study",
        "Post-secondary education in Canada",
        points,
        detail,
        "additional.yaml",
        "canadian_study",
        a.canadian_study,
    )

    cap = a.cap.at(as_of)
    raw_total = lines.section_total("additional")
    if raw_total > cap:
        lines.add(
            "additional",
            "additional_cap",
            "Additional points cap",
            cap - raw_total,
            f"additional points add up to {raw_total}; capped at {cap}",
            "additional.yaml",
            "cap",
            a.cap,
        )
