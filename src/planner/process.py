"""Process rules of Express Entry (ITA deadline, profile validity) and the planner's labelled assumptions.

``models/federal/express_entry.yaml`` holds rules IRCC sets; ``models/planning.yaml`` holds
the few planning assumptions the route planner needs that no authority sets (how long
documents take to gather after an invitation, what a language retake costs).  Every
assumption is marked ``uncertain`` with a doubt, and is shown in plans that use it.
"""

from __future__ import annotations

from functools import lru_cache

from planner.rules.loader import load_model_file
from planner.programs import Processing
from planner.rules.schema import Dated, ModelFile, Strict


class ExpressEntryProcessFile(ModelFile):
    """Schema of ``models/federal/express_entry.yaml``."""

    ita_deadline_days: Dated[int]
    profile_validity_months: Dated[int]


class Retake(Strict):
    months: int
    cost_cad: float


class PlanningFile(ModelFile):
    """Schema of ``models/planning.yaml``."""

    months_to_submit_after_invitation: Dated[int]
    language_retake: Dated[Retake]
    default_hours_per_week: Dated[float]
    unknown_processing_months: Dated[int]
    min_route_probability: Dated[float]
    annual_hours_for_wages: Dated[int]


class PrProcessingFile(ModelFile):
    """Schema of ``models/federal/pr_processing.yaml``."""

    provincial_base: Dated[Processing]
    quebec: Dated[Processing]


@lru_cache(maxsize=1)
def pr_processing() -> PrProcessingFile:
    return load_model_file("federal/pr_processing.yaml", PrProcessingFile)


@lru_cache(maxsize=1)
def express_entry_process() -> ExpressEntryProcessFile:
    return load_model_file("federal/express_entry.yaml", ExpressEntryProcessFile)


@lru_cache(maxsize=1)
def planning() -> PlanningFile:
    return load_model_file("planning.yaml", PlanningFile)
