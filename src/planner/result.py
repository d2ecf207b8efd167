"""The answer: a RoutePlan with dated steps, verdicts, CRS, probability and cost — or the reasons there is none."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from planner.eligibility import Verdict


class RoundEvidence(BaseModel):
    """A past Express Entry round an invitation estimate rests on."""

    model_config = ConfigDict(frozen=True)

    round_type: str
    date: date
    cutoff: int


class Step(BaseModel):
    """One step of a route."""

    model_config = ConfigDict(frozen=True)

    kind: str
    program: str | None
    label: str
    start_month: int
    end_month: int
    start_date: date
    end_date: date
    status: str = Field(description="The status held during the step.")
    verdicts: list[Verdict] = Field(default_factory=list)
    crs: int | None = None
    probability: float = 1.0
    cost_cad: int = 0
    note: str | None = None
    evidence: list[RoundEvidence] = Field(
        default_factory=list, description="For an invitation: the last five rounds of each round type it counts on, "
                                          "newest first.")


class Exclusion(BaseModel):
    """A program left out of this person's plans, with why."""

    model_config = ConfigDict(frozen=True)

    program: str
    label: str
    reasons: list[Verdict]


class Route(BaseModel):
    """A complete route to permanent residence."""

    model_config = ConfigDict(frozen=True)

    programs: list[str]
    summary: str
    steps: list[Step]
    expected_months: int
    p80_months: int
    probability: float
    cost_cad: int
    riskiest_step: str
    fees_not_included: list[str] = Field(default_factory=list)
    """Labels of the programs whose fee-charging step has no fee in models/ on the step's date (e.g. a
    provincial nomination fee not yet sourced): ``cost_cad`` leaves them out, so the route may cost more."""
    pareto: bool = False
    below_minimum_probability: bool = False
    """For ``fastest`` and ``cheapest``: the route does not reach the minimum probability of PR
    (models/planning.yaml) and is shown only because no (other) route does."""


class RoutePlan(BaseModel):
    """The planner's answer for one profile, objective and date."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    objective: str
    horizon_months: int
    start_status: str
    found: bool
    route: Route | None
    alternatives: list[Route] = Field(default_factory=list)
    excluded: list[Exclusion] = Field(default_factory=list)
    not_met_on_date: list[Exclusion] = Field(
        default_factory=list,
        description="Programs on the person's possible routes that no returned route uses and whose requirements "
                    "are not met on the plan date (with results retaken where expired); a route may still meet some "
                    "of them later, e.g. after a year of work in Canada.")
    no_route_reasons: list[str] = Field(default_factory=list)
    what_would_change: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rules_version: str = ""
    rounds_until: date | None = Field(
        default=None, description="The date of the newest Express Entry round the invitation estimates know.")
