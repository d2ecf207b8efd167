"""``planner check-models``: load every file under ``models/`` with its schema and report problems.

Every file must have a known schema (a stray file is an error, so nothing is silently
ignored), must validate strictly, and should have been verified in the last N months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from planner.dates import add_months
from planner.errors import InputError
from planner.rules.loader import models_dir, read_yaml, validate


@dataclass
class CheckReport:
    """What check-models found: one line per file, errors and stale files counted."""

    lines: list[str] = field(default_factory=list)
    errors: int = 0
    stale: int = 0


def _schemas() -> list[tuple[str, Callable[[Path], object]]]:
    """(glob relative to models/, loader) pairs; the first matching glob wins."""
    from planner.crs import AdditionalFile, CoreFile, SpouseFile, TransferabilityFile
    from planner.facts import WorkExperienceRules
    from planner.fsw import FswGridFile
    from planner.language import LanguageTestFile, ValidityFile
    from planner.noc import NocFile
    from planner.programs import ProgramFile, StatusesFile
    from planner.rules.schema import ModelFile

    def schema(model):
        return lambda path: validate(read_yaml(path), model, path)

    pairs = [
        ("crs/core.yaml", schema(CoreFile)), ("crs/spouse.yaml", schema(SpouseFile)),
        ("crs/transferability.yaml", schema(TransferabilityFile)), ("crs/additional.yaml", schema(AdditionalFile)),
        ("language/validity.yaml", schema(ValidityFile)), ("language/*.yaml", schema(LanguageTestFile)),
        ("federal/work_experience.yaml", schema(WorkExperienceRules)), ("federal/fsw_grid.yaml", schema(FswGridFile)),
        ("noc/noc2021.yaml", schema(NocFile)), ("graph/statuses.yaml", schema(StatusesFile)),
        ("programs/**/*.yaml", schema(ProgramFile)),
    ]
    from planner.predicates import ProofOfFundsFile
    pairs.append(("federal/proof_of_funds.yaml", schema(ProofOfFundsFile)))
    from planner.process import ExpressEntryProcessFile, PlanningFile, PrProcessingFile, WorkPermitProcessingFile
    pairs.append(("federal/express_entry.yaml", schema(ExpressEntryProcessFile)))
    pairs.append(("federal/pr_processing.yaml", schema(PrProcessingFile)))
    pairs.append(("federal/work_permit_processing.yaml", schema(WorkPermitProcessingFile)))
    from planner.status import StatusRulesFile
    pairs.append(("federal/status.yaml", schema(StatusRulesFile)))
    from planner.rounds.provincial import ProvincialDrawsFile
    pairs.append(("rounds/provincial_draws.yaml", schema(ProvincialDrawsFile)))
    pairs.append(("planning.yaml", schema(PlanningFile)))
    try:
        from planner.rounds.history import read_history_file, read_names
        pairs.append(("rounds/history.yaml", read_history_file))
        pairs.append(("rounds/round_names.yaml", lambda path: read_names(path.parent.parent)))
    except ImportError:
        pass
    pairs.append(("**/*.yaml", schema(ModelFile)))  # unknown file: fails on its extra keys, naming them
    return pairs


def check_all(on: date, max_age_months: int = 12, root: Path | None = None) -> CheckReport:
    """Validate every YAML file under ``models/`` and the program catalogue as a whole."""
    root = root or models_dir()
    report = CheckReport()
    cutoff = add_months(on, -max_age_months)
    pairs = _schemas()
    for path in sorted(root.rglob("*.yaml")):
        relative = path.relative_to(root)
        # the last pair is the catch-all; Path.match("**/*.yaml") does not match a top-level file on Python < 3.13
        loader = next((load for pattern, load in pairs if relative.match(pattern) or Path(pattern) == relative),
                      pairs[-1][1])
        try:
            loaded = loader(path)
        except InputError as error:
            report.errors += 1
            report.lines.append(f"ERROR {error.render()}")
            continue
        verified = getattr(loaded, "last_verified", None)
        if verified is not None and verified < cutoff:
            report.stale += 1
            report.lines.append(f"STALE {relative}: last_verified {verified} is more than {max_age_months} months before {on}")
        else:
            report.lines.append(f"ok    {relative}" + (f" (verified {verified})" if verified else ""))
    try:
        from planner.programs import _load_catalogue
        _load_catalogue(root)
    except InputError as error:
        report.errors += 1
        report.lines.append(f"ERROR {error.render()}")
    report.lines.append(f"{report.errors} error(s), {report.stale} stale file(s) not verified since {cutoff}")
    return report
