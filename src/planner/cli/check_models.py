"""``planner check-models``: check every file under ``models/`` and report each problem once.

Each file must be listed in ``models/manifest.yaml`` and be read by a schema (a stray file
is an error, so nothing is silently ignored), and each listed file and each file the
planner reads must be there.  Every rule file is loaded with the schema the planner loads
it with, and the program catalogue is checked across files as the planner checks it.
A file is reported on one line: ``ok``, ``STALE`` (not verified in the last N months),
``ERROR`` with the problems found in it, or ``skip`` when checking it needs another file
that is broken (that file's ERROR says why).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import BaseModel

from planner.dates import add_months
from planner.errors import InputError, ModelFileError
from planner.rules.book import current
from planner.rules.loader import MANIFEST, model_files, read_yaml, validate
from planner.rules.schema import Manifest

PROGRAM_FILES = "programs/*.yaml"
"""Program files, at any depth under ``programs/`` (fnmatch's ``*`` crosses ``/``)."""


@dataclass
class CheckReport:
    """What check-models found: one line per file, errors and stale files counted."""

    lines: list[str] = field(default_factory=list)
    errors: int = 0
    stale: int = 0


def _schemas() -> list[tuple[str, Callable[[Path], object]]]:
    """(path relative to models/, loader) pairs: every file the planner reads, loaded as the planner loads it.

    Each pattern but :data:`PROGRAM_FILES` is a file's exact path.
    """
    from planner.eligibility.predicates import ProofOfFundsFile
    from planner.facts.derived import WorkExperienceRules
    from planner.facts.language import TEST_NAMES, LanguageTestFile, ValidityFile
    from planner.rounds.history import read_history_file, read_names
    from planner.rules.catalogue import ProgramFile, StatusesFile
    from planner.rules.draws import ProvincialDrawsFile
    from planner.rules.noc import NocFile
    from planner.rules.process import ExpressEntryProcessFile, PlanningFile, PrProcessingFile, WorkPermitProcessingFile
    from planner.rules.status import StatusRulesFile
    from planner.scoring.crs import AdditionalFile, CoreFile, SpouseFile, TransferabilityFile
    from planner.scoring.fsw import FswGridFile

    def schema(model):
        return lambda path: validate(read_yaml(path), model, path)

    models = {
        "crs/core.yaml": CoreFile,
        "crs/spouse.yaml": SpouseFile,
        "crs/transferability.yaml": TransferabilityFile,
        "crs/additional.yaml": AdditionalFile,
        "language/validity.yaml": ValidityFile,
        **{f"language/{test}.yaml": LanguageTestFile for test in TEST_NAMES},
        "federal/work_experience.yaml": WorkExperienceRules,
        "federal/fsw_grid.yaml": FswGridFile,
        "federal/proof_of_funds.yaml": ProofOfFundsFile,
        "federal/express_entry.yaml": ExpressEntryProcessFile,
        "federal/pr_processing.yaml": PrProcessingFile,
        "federal/work_permit_processing.yaml": WorkPermitProcessingFile,
        "federal/status.yaml": StatusRulesFile,
        "noc/noc2021.yaml": NocFile,
        "graph/statuses.yaml": StatusesFile,
        "rounds/provincial_draws.yaml": ProvincialDrawsFile,
        "planning.yaml": PlanningFile,
        PROGRAM_FILES: ProgramFile,
    }
    pairs = [(pattern, schema(model)) for pattern, model in models.items()]
    pairs.append(("rounds/history.yaml", read_history_file))
    pairs.append(("rounds/round_names.yaml", lambda path: read_names(path.parent.parent)))
    return pairs


def _loader_for(name: str, pairs) -> Callable[[Path], object] | None:
    return next((load for pattern, load in pairs if fnmatchcase(name, pattern)), None)


def _read_manifest(root: Path) -> Manifest | InputError:
    path = root / MANIFEST
    try:
        return validate(read_yaml(path), Manifest, path)
    except InputError as error:
        return error


def _file_error(root: Path, name: str, message: str, hint: str) -> ModelFileError:
    return ModelFileError(message, file=str(root / name), hint=hint)


def _stray(root: Path, name: str, expected: list[str]) -> ModelFileError:
    close = difflib.get_close_matches(name, expected, n=1, cutoff=0.8)
    hint = f"did you mean {close[0]}?" if close else "remove it, or move it out of models/"
    return _file_error(root, name, "no schema reads this file", hint)


def _check_one(root: Path, name: str, manifest: Manifest | None, present: set[str], pairs, expected: list[str]):
    """Return what loading ``models/<name>`` gave (None for a document), or the InputError it raised
    (:class:`Unchecked` when it cannot be checked: without a manifest, a file no schema reads may be a document)."""
    if name not in present:
        why = (
            "listed in models/manifest.yaml but missing"
            if manifest and name in {*manifest.files, *manifest.documents}
            else "missing, and the planner reads it"
        )
        return _file_error(root, name, why, "restore it from the repository")
    if manifest is not None and name in manifest.documents:
        return None
    load = _loader_for(name, pairs)
    if load is None:
        return _stray(root, name, expected) if manifest is not None else Unchecked(MANIFEST)
    try:
        loaded = load(root / name)
    except InputError as error:
        return error
    if manifest is not None and name not in manifest.files:
        return _file_error(root, name, "not listed in models/manifest.yaml", "add it to the manifest's files")
    return loaded


def _cross_file_errors(root: Path, results: dict[str, object]) -> list[InputError]:
    """The catalogue's checks across files, run on the files that loaded, then the planner's own catalogue load."""
    from planner.rules.book import RuleBook
    from planner.rules.catalogue import catalogue_problems, load_catalogue

    def loaded(name):
        found = results.get(name)
        return found if isinstance(found, BaseModel) else None  # not an error, a document or unchecked

    programs = {root / name: loaded(name) for name in results if fnmatchcase(name, PROGRAM_FILES) and loaded(name)}
    found: list[InputError] = catalogue_problems(
        root,
        programs,
        loaded("graph/statuses.yaml"),
        loaded("rounds/provincial_draws.yaml"),
        loaded("federal/status.yaml"),
    )
    try:
        load_catalogue(RuleBook(root))  # whatever else the planner would trip on when it loads the catalogue
    except InputError as error:
        found.append(error)
    return found


def _line(name: str, result: object, cutoff: date, max_age_months: int, on: date) -> tuple[str, str]:
    """(kind, text) of one file's report line: kind is ``ok``, ``skip``, ``STALE`` or ``ERROR``."""
    if isinstance(result, InputError):
        return "ERROR", f"ERROR {result.render()}"
    if isinstance(result, Unchecked):
        return "skip", f"skip  {name}: not checked: it needs {result.needs}, which is broken"
    verified = getattr(result, "last_verified", None)
    if verified is not None and verified < cutoff:
        return "STALE", f"STALE {name}: last_verified {verified} is more than {max_age_months} months before {on}"
    return "ok", f"ok    {name}" + (f" (verified {verified})" if verified else "")


def check_all(on: date, max_age_months: int = 12, root: Path | None = None) -> CheckReport:
    """Check every file under ``models/`` (and every file listed or read but missing), one report line per file."""
    root = root or current().root
    pairs = _schemas()
    manifest = _read_manifest(root)
    present = set(model_files(root))
    required = {pattern for pattern, _ in pairs if "*" not in pattern}
    listed = set() if isinstance(manifest, InputError) else {*manifest.files, *manifest.documents}
    expected = sorted(required | listed)
    usable = None if isinstance(manifest, InputError) else manifest
    results: dict[str, object] = {MANIFEST: manifest}
    for name in sorted((present | required | listed) - {MANIFEST}):
        results[name] = _check_one(root, name, usable, present, pairs, expected)
    by_file = {str(root / name): name for name in results}
    _move_errors_to_their_files(results, by_file)
    for error in _cross_file_errors(root, results):
        _record(results, by_file, error)
    return _report(results, on, max_age_months)


@dataclass(frozen=True)
class Unchecked:
    """A file not checked because a file its check needs (``needs``) is broken (and reported)."""

    needs: str


def _move_errors_to_their_files(results: dict[str, object], by_file: dict[str, str]) -> None:
    """A file whose check failed on another, broken file (the rounds history reads the CRS maximum) is unchecked,
    and the error goes to that other file."""
    for name, result in list(results.items()):
        if isinstance(result, InputError) and result.file and by_file.get(result.file) != name:
            results[name] = Unchecked(by_file.get(result.file, result.file))
            _record(results, by_file, result)


def _record(results: dict[str, object], by_file: dict[str, str], error: InputError) -> None:
    """Put ``error`` on the file it names, unless that file already has one: each broken file is reported once."""
    name = by_file.get(error.file or "", error.file or "(catalogue)")
    if not isinstance(results.get(name), InputError):
        results[name] = error


def _report(results: dict[str, object], on: date, max_age_months: int) -> CheckReport:
    report = CheckReport()
    cutoff = add_months(on, -max_age_months)
    for name in sorted(results):
        kind, text = _line(name, results[name], cutoff, max_age_months, on)
        report.errors += kind == "ERROR"
        report.stale += kind == "STALE"
        report.lines.append(text)
    report.lines.append(f"{report.errors} error(s), {report.stale} stale file(s) not verified since {cutoff}")
    return report
