"""Independent oracle for the CRS engine: hand-worked cases in ``tests/crs/cases/*.yaml``.

Every expected value in the YAML files was worked out by hand from the CRS grid
(shared reference ``federal-rules.md`` §1 and the language tables §5), never from the
engine; the arithmetic is in the ``# working:`` comment of each case.

Two kinds of test live here:

* ``test_case_file_is_well_formed`` / ``test_case_profile_is_valid`` only check the
  cases themselves (YAML shape, self-consistent expectations, profile accepted by
  :func:`planner.facts.profile.parse_profile`).  They do not need the engine.
* ``test_crs_case`` runs :func:`planner.scoring.crs.score` on each case and compares the total,
  the four sections and any named lines.

Case file format (a YAML list)::

    - name: A sentence stating what is checked
      # working: the arithmetic
      as_of: 2026-11-25
      profile: {...}          # the planner's profile JSON contract
      expect:
        total: 412
        sections: {core: 380, spouse: 0, transferability: 32, additional: 0}
        lines: {age: 105}     # optional; a line the engine does not report counts as 0
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

CASES_DIR = Path(__file__).parent / "cases"
SECTIONS = ("core", "spouse", "transferability", "additional")
LINES_BY_SECTION = {
    "core": ("age", "education", "first_language", "second_language", "canadian_work"),
    "spouse": ("spouse_education", "spouse_language", "spouse_canadian_work"),
    "transferability": (
        "education_language",
        "education_canadian_work",
        "foreign_work_language",
        "foreign_work_canadian_work",
        "certificate_language",
    ),
    "additional": ("provincial_nomination", "arranged_employment", "sibling", "french", "canadian_study"),
}
SECTION_OF_LINE = {line: section for section, lines in LINES_BY_SECTION.items() for line in lines}
CASE_KEYS = {"name", "as_of", "profile", "expect"}
EXPECT_KEYS = {"total", "sections", "lines"}
MIN_CASES = 45


@dataclass
class Case:
    """One hand-worked case, or a placeholder carrying the reason it could not be read."""

    id: str
    file: str
    name: str = ""
    as_of: date | None = None
    profile: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)
    working: str = ""
    problem: str | None = None


def _jsonish(value):
    """Turn YAML-native dates back into ISO strings, as the profile would arrive as JSON."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonish(v) for v in value]
    return value


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise ValueError(f"as_of must be a date YYYY-MM-DD, got {value!r}")


_NAME_LINE = re.compile(r"^-\s+name:\s*(?P<name>.+?)\s*$")
_WORKING_LINE = re.compile(r"^\s*#\s*working:\s*(?P<text>.*)$")


def _working_comments(text: str) -> dict[str, str]:
    """Map case name → its ``# working:`` comment (best effort, for failure messages)."""
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        name_match = _NAME_LINE.match(line)
        if name_match:
            try:
                current = str(yaml.safe_load(name_match.group("name")))
            except yaml.YAMLError:
                current = name_match.group("name")
            continue
        working_match = _WORKING_LINE.match(line)
        if working_match and current is not None:
            found[current] = (found.get(current, "") + " " + working_match.group("text")).strip()
    return found


def _check_expect(expect) -> list[str]:
    problems = []
    if not isinstance(expect, dict):
        return ["'expect' must be a mapping"]
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        problems.append(f"unknown keys in expect: {sorted(unknown)}")
    if not isinstance(expect.get("total"), int) or isinstance(expect.get("total"), bool):
        problems.append("expect.total must be an integer")
    sections = expect.get("sections")
    if not isinstance(sections, dict) or set(sections) != set(SECTIONS):
        problems.append(f"expect.sections must give exactly {list(SECTIONS)}")
    elif not all(isinstance(v, int) and not isinstance(v, bool) for v in sections.values()):
        problems.append("expect.sections values must be integers")
    lines = expect.get("lines", {})
    if lines is None:
        lines = {}
    if not isinstance(lines, dict):
        problems.append("expect.lines must be a mapping of line name → points")
    else:
        for name, points in lines.items():
            if name not in SECTION_OF_LINE:
                problems.append(f"unknown line name {name!r} (known: {sorted(SECTION_OF_LINE)})")
            if not isinstance(points, int) or isinstance(points, bool):
                problems.append(f"expect.lines.{name} must be an integer")
    return problems


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    """Read every case file; a file or case that cannot be read becomes a failing placeholder."""
    cases: list[Case] = []
    files = sorted(list(directory.glob("*.yaml")) + list(directory.glob("*.yml")))
    if not files:
        return [Case(id="no case files", file=str(directory), problem=f"no *.yaml files in {directory}")]
    seen: dict[str, str] = {}
    for path in files:
        rel = path.name
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            cases.append(Case(id=f"{rel}: unreadable", file=rel, problem=f"{rel}: cannot load YAML: {error}"))
            continue
        if data is None:
            continue
        if not isinstance(data, list):
            cases.append(Case(id=f"{rel}: not a list", file=rel, problem=f"{rel}: top level must be a list of cases"))
            continue
        workings = _working_comments(text)
        for index, raw in enumerate(data):
            where = f"{rel}[{index}]"
            if not isinstance(raw, dict):
                cases.append(Case(id=where, file=rel, problem=f"{where}: a case must be a mapping"))
                continue
            name = str(raw.get("name") or where)
            problems = []
            missing = CASE_KEYS - set(raw)
            if missing:
                problems.append(f"missing keys {sorted(missing)}")
            unknown = set(raw) - CASE_KEYS
            if unknown:
                problems.append(f"unknown keys {sorted(unknown)}")
            as_of = None
            try:
                as_of = _as_date(raw.get("as_of"))
            except ValueError as error:
                problems.append(str(error))
            profile = raw.get("profile")
            if not isinstance(profile, dict):
                problems.append("'profile' must be a mapping")
                profile = {}
            problems += _check_expect(raw.get("expect"))
            if name in seen:
                problems.append(f"duplicate case name (also in {seen[name]})")
            seen.setdefault(name, where)
            case_id = name if name not in [c.id for c in cases] else f"{name} [{where}]"
            cases.append(
                Case(
                    id=case_id,
                    file=rel,
                    name=name,
                    as_of=as_of,
                    profile=_jsonish(profile),
                    expect=raw.get("expect") if isinstance(raw.get("expect"), dict) else {},
                    working=workings.get(name, ""),
                    problem=f"{where} {name!r}: " + "; ".join(problems) if problems else None,
                )
            )
    return cases


CASES = load_cases()


def _describe(case: Case) -> str:
    return f"[{case.file}] {case.name}\n  working: {case.working or '(none)'}"


# --- the cases themselves (no engine needed) -----------------------------------------------


def test_case_suite_shape():
    """There are enough cases, and their names are unique."""
    good = [c for c in CASES if c.problem is None]
    assert len(good) >= MIN_CASES, f"only {len(good)} well-formed cases, want at least {MIN_CASES}"
    names = [c.name for c in good]
    assert len(names) == len(set(names)), "case names must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_profile_is_valid(case: Case):
    """The case is well formed, its expectations add up, and its profile passes the contract."""
    from planner.facts.profile import parse_profile

    if case.problem:
        pytest.fail(case.problem)
    assert case.working, f"{_describe(case)}\n  every case needs a '# working:' comment"
    expect = case.expect
    sections = expect["sections"]
    assert sum(sections.values()) == expect["total"], (
        f"{_describe(case)}\n  sections {sections} add up to {sum(sections.values())}, not total {expect['total']}"
    )
    lines = expect.get("lines") or {}
    for section in ("core", "spouse"):  # uncapped sums: when every line of the section is given, they add up
        names = LINES_BY_SECTION[section]
        if all(n in lines for n in names):
            assert sum(lines[n] for n in names) == sections[section], (
                f"{_describe(case)}\n  {section} lines add up to {sum(lines[n] for n in names)}, "
                f"not {sections[section]}"
            )
    for name, points in lines.items():
        section = SECTION_OF_LINE[name]
        if section in ("core", "spouse"):  # transferability/additional lines may exceed a capped section
            assert 0 <= points <= sections[section], (
                f"{_describe(case)}\n  line {name}={points} is outside 0..{section} {sections[section]}"
            )
    parse_profile(case.profile, source=f"{case.file}: {case.name}")


# --- the engine against the cases ------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_crs_case(case: Case):
    """planner.scoring.crs.score gives the hand-worked total, sections and lines."""
    if case.problem:
        pytest.fail(case.problem)
    from planner.facts.profile import parse_profile
    from planner.scoring.crs import score, score_total

    profile = parse_profile(case.profile, source=f"{case.file}: {case.name}")
    result = score(profile, case.as_of)
    assert score_total(profile, case.as_of) == result.total  # the route planner's total-only path

    expect = case.expect
    got_lines: dict[str, int] = {}
    for line in result.lines:
        got_lines[line.name] = got_lines.get(line.name, 0) + line.points
    mismatches = []
    if result.total != expect["total"]:
        mismatches.append(f"total: expected {expect['total']}, got {result.total}")
    for section in SECTIONS:
        got = result.sections.get(section)
        if got != expect["sections"][section]:
            mismatches.append(f"section {section}: expected {expect['sections'][section]}, got {got}")
    for name, points in (expect.get("lines") or {}).items():
        got = got_lines.get(name, 0)
        if got != points:
            mismatches.append(f"line {name}: expected {points}, got {got}")
    if mismatches:
        got_all = ", ".join(f"{n}={p}" for n, p in got_lines.items())
        pytest.fail(
            f"{_describe(case)}\n  "
            + "\n  ".join(mismatches)
            + f"\n  engine: total={result.total} sections={dict(result.sections)} lines: {got_all}"
        )
