"""The answer: a RoutePlan with dated steps, verdicts, CRS, probability and cost — or the reasons there is none."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from planner.eligibility.verdicts import Verdict


class Stamp(BaseModel):
    """What an answer was made with: the package version, the rules' content hash, and the newest round known."""

    model_config = ConfigDict(frozen=True)

    version: str
    rules_hash: str = Field(description="The RuleBook's content hash (planner.rules.book.RuleBook.content_hash).")
    last_round: date | None = Field(description="The date of the newest Express Entry round in the data in use.")

    def text(self) -> str:
        """One line for a footer: 'planner 0.1.0 · rules 3f2a9c0d1e2b4a5f · rounds until 2026-09-16'."""
        rounds = f"rounds until {self.last_round.isoformat()}" if self.last_round else "no rounds data"
        return f"planner {self.version} · rules {self.rules_hash} · {rounds}"


def current_stamp() -> Stamp:
    """The stamp of the rules and rounds data in force (see :func:`planner.rules.book.current`)."""
    from planner import __version__
    from planner.rounds.estimator import default_index
    from planner.rules.book import current

    return Stamp(version=__version__, rules_hash=current().content_hash, last_round=default_index().last_round)


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
        default_factory=list,
        description="For an invitation: the last five rounds of each round type it counts on, newest first.",
    )


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
        "of them later, e.g. after a year of work in Canada.",
    )
    no_route_reasons: list[str] = Field(default_factory=list)
    what_would_change: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rules_version: str = ""
    stamp: Stamp | None = Field(
        default=None,
        description="What made this answer: the planner version, the rule "
        "set's content hash, and the newest round the data knows.",
    )
