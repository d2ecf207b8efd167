"""Process rules (ITA deadline, profile validity, processing times) and the planner's labelled assumptions.

``models/federal/express_entry.yaml`` holds rules IRCC sets; ``models/planning.yaml`` holds
the few planning assumptions the route planner needs that no authority sets (how long
documents take to gather after an invitation, what a language retake costs).  Every
assumption is marked ``uncertain`` with a doubt, and is shown in plans that use it.
"""

from __future__ import annotations

import math
from datetime import date

from planner.rules.book import rule_file
from planner.rules.catalogue import Processing, ProgramFile
from planner.rules.schema import Amount, Count, Dated, ModelFile, Probability, Strict


class ExpressEntryProcessFile(ModelFile):
    """Schema of ``models/federal/express_entry.yaml``."""

    ita_deadline_days: Dated[Count]
    profile_validity_months: Dated[Count]


class Retake(Strict):
    months: Count
    cost_cad: Amount


class PlanningFile(ModelFile):
    """Schema of ``models/planning.yaml``."""

    months_to_submit_after_invitation: Dated[int]
    language_retake: Dated[Retake]
    default_hours_per_week: Dated[float]
    unknown_processing_months: Dated[Count]
    min_route_probability: Dated[Probability]
    annual_hours_for_wages: Dated[Count]


class WorkPermitProcessingFile(ModelFile):
    """Schema of ``models/federal/work_permit_processing.yaml``."""

    in_canada: Dated[Processing]


def work_permit_processing() -> WorkPermitProcessingFile:
    return rule_file("federal/work_permit_processing.yaml", WorkPermitProcessingFile)


class PrProcessingFile(ModelFile):
    """Schema of ``models/federal/pr_processing.yaml``."""

    provincial_base: Dated[Processing]
    quebec: Dated[Processing]


def pr_processing() -> PrProcessingFile:
    return rule_file("federal/pr_processing.yaml", PrProcessingFile)


def express_entry_process() -> ExpressEntryProcessFile:
    return rule_file("federal/express_entry.yaml", ExpressEntryProcessFile)


def planning() -> PlanningFile:
    return rule_file("planning.yaml", PlanningFile)


def months_ceil(value: float) -> int:
    """Whole months a duration occupies in the plan."""
    return int(math.ceil(value - 1e-9))


def program_processing(program: ProgramFile, on: date) -> tuple[int, int]:
    """(median, p80) processing in whole months for a program on a date.

    A program that publishes none gets the labelled planning assumption
    ``unknown_processing_months`` (see :func:`processing_is_assumed`).
    """
    found = program.processing.get(on) if program.processing is not None else None
    if found is None:
        assumed = planning().unknown_processing_months.at(on)
        return assumed, assumed
    return months_ceil(found.median_months), months_ceil(found.p80_months)


def processing_is_assumed(program: ProgramFile, on: date) -> bool:
    """True when a program's processing time is the planner's assumption, not a published figure."""
    return program.processing is None or program.processing.get(on) is None


def decision_processing(decision: ProgramFile, selected: ProgramFile | None, on: date) -> tuple[int, int]:
    """(median, p80) months of IRCC's decision on a PR application submitted on ``on``.

    Express Entry's processing (the deciding program's), or for a base provincial nomination
    or a Quebec selection (``selected``, not Express Entry-linked) IRCC's time for those
    applications, when models/federal/pr_processing.yaml has one for the date.
    """
    if selected is not None and not selected.express_entry_linked:
        table = pr_processing().quebec if selected.kind == "quebec" else pr_processing().provincial_base
        found = table.get(on)
        if found is not None:
            return months_ceil(found.median_months), months_ceil(found.p80_months)
    return program_processing(decision, on)


def step_probability(program: ProgramFile, on: date) -> float:
    """A program step's success probability on a date (1.0 when the program states none, or when draws select
    for it then: the nomination entry carries that chance, see :func:`nomination_entry`)."""
    if program.selection is not None and program.selection.get(on) is not None:
        return 1.0
    if program.success_probability is None:
        return 1.0
    value = program.success_probability.get(on)
    return 1.0 if value is None else float(value)
