"""The program catalogue: one file per program under ``models/programs/``, loaded strictly.

A program states when it is open, its requirements (instances of the kinds in
:mod:`planner.requirements`), the status it grants and for how long, processing times,
fees, whether an LMIA is needed, what an accompanying spouse can get, and the
transitions between statuses it makes possible (the edges of the pathway graph).
Statuses (the graph's nodes) are listed in ``models/graph/statuses.yaml``.
"""

from __future__ import annotations

import difflib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from planner.errors import InputError, ModelFileError
from planner.profile import EducationLevel, Province
from planner.requirements import Requirement
from planner.rules.loader import models_dir, read_yaml, validate
from planner.rules.schema import Dated, ModelFile, Reference, Strict

ProgramKind = Literal["temporary", "permanent", "provincial", "quebec", "express_entry", "category"]
STATUS_WILDCARD_PREFIX = "@"
"""A transition source like ``@temporary`` means every status of that kind."""
StepKind = Literal["apply_permit", "enter_pool", "nomination", "invitation", "apply_pr", "selection", "decision"]


class Processing(Strict):
    """Processing time in months: the median and the 80th percentile."""

    median_months: float = Field(ge=0)
    p80_months: float = Field(ge=0)


class Fee(Strict):
    """A government fee: charged once per application, or per adult, child, person or dependant (every person but
    the principal applicant) it covers, up to ``max_cad``."""

    label: str
    amount_cad: float = Field(ge=0)
    payer: Literal["applicant", "employer"] = "applicant"
    per: Literal["application", "adult", "child", "person", "dependant"] = "application"
    max_cad: float | None = Field(default=None, ge=0)
    """The most charged for one application, whatever the number of people (biometrics: CAD 170 a family)."""
    on_renewal: bool = True
    """Charged again when the permit is renewed (biometrics, valid ten years, are not)."""
    only_if_offer_in: list[Province] | None = None
    """Charged only when the job offer is in one of these provinces (Quebec's CAQ for a job in Quebec)."""
    exempt_citizenships: list[str] | None = None
    """Not charged to citizens of these countries (US nationals give no biometrics for a work permit)."""


class Selection(Strict):
    """How a province selects for a program: the draw series (models/rounds/provincial_draws.yaml) and what follows.

    The step's probability is then P(selected in a draw within the time the plan leaves) from
    the draws, times ``after_invitation`` (the chance an invited applicant is nominated), not
    the program's ``success_probability``.
    """

    series: str
    after_invitation: float = Field(ge=0, le=1)


class PortOfEntry(Strict):
    """Citizens who may apply for the permit at a port of entry, where it is decided on arrival (no wait)."""

    citizenships: list[str] = Field(min_length=1)


class LengthFromProgram(Strict):
    """A permit as long as the person's Canadian study program (the post-graduation work permit).

    Programs shorter than ``min_program_months`` give none; programs of ``full_from_program_months``
    or more, and credentials of ``full_for_levels``, give ``full_months``; others their own length.
    """

    min_program_months: int = Field(ge=1)
    full_from_program_months: int = Field(ge=1)
    full_months: int = Field(ge=1)
    full_for_levels: list[EducationLevel] = Field(default_factory=list)


class Grant(Strict):
    """The status a program grants and for how long (months; None means not limited by the program).

    ``months_by_citizenship`` (the country's permit length, e.g. International Experience
    Canada) and ``length_from_program`` (the post-graduation work permit) make the length
    the person's own; see :func:`planner.permits.permit_months`.
    """

    status: str
    initial_months: int | None = None
    renewal_months: int | None = None
    max_months: int | None = None
    months_by_citizenship: dict[str, int] | None = None
    length_from_program: LengthFromProgram | None = None
    open_permit: bool = False
    counts_as_canadian_experience: bool = True


class SpousePermit(Strict):
    """Whether an accompanying spouse can get an open work permit, and on what condition."""

    eligible: Literal["yes", "no", "conditional", "unknown"]
    condition: str | None = None


class Transition(Strict):
    """An edge of the pathway graph that this program makes possible."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_statuses: list[str] = Field(alias="from", min_length=1)
    to: str
    step: StepKind
    label: str | None = None


class ProgramFile(ModelFile):
    """Schema of one file under ``models/programs/``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    label: str
    aliases: list[str] = Field(default_factory=list)
    kind: ProgramKind
    jurisdiction: str
    references: list[Reference] = Field(min_length=1)
    open: Dated[bool]
    requirements: list[Requirement] = Field(default_factory=list)
    grants: Dated[Grant] | None = None
    processing: Dated[Processing] | None = None
    processing_outside_canada_only: bool = False
    """``processing`` is a standard for applications from outside Canada (the Global Skills Strategy's two weeks):
    someone applying from inside Canada gets IRCC's in-Canada work permit time instead."""
    port_of_entry: Dated[PortOfEntry] | None = None
    """Who may instead apply at the border (``processing`` is then the online application's, from outside Canada)."""
    fees: Dated[list[Fee]] | None = None
    lmia_required: bool = False
    spouse_open_work_permit: Dated[SpousePermit] | None = None
    success_probability: Dated[float] | None = None
    selection: Dated[Selection] | None = None
    """From when a province's published draws select for the program (see :class:`Selection`)."""
    express_entry_linked: bool | None = None
    round_types: list[str] = Field(default_factory=list)
    transitions: list[Transition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_requirement_ids(self):
        seen = set()
        for requirement in self.requirements:
            if requirement.id in seen:
                raise ValueError(f"requirement id '{requirement.id}' is used twice")
            seen.add(requirement.id)
        return self

    def is_open(self, on: date) -> bool:
        """True if the program accepts applications on ``on``."""
        return bool(self.open.get(on))

    def requirement(self, requirement_id: str):
        """Return the requirement with this id."""
        return next(r for r in self.requirements if r.id == requirement_id)


class Status(Strict):
    """A node of the pathway graph."""

    label: str
    kind: Literal["outside", "temporary", "pool", "nominee", "selected", "invited", "applicant", "permanent"]
    works_in_canada: bool = False


class StatusesFile(ModelFile):
    """Schema of ``models/graph/statuses.yaml``."""

    statuses: dict[str, Status]


class Catalogue:
    """All programs and statuses, with lookups by id or alias."""

    def __init__(self, programs: dict[str, tuple[ProgramFile, str]], statuses: StatusesFile):
        self._programs = programs
        self.statuses = statuses.statuses
        self._aliases = {alias: pid for pid, (program, _) in programs.items() for alias in program.aliases}
        self._ordered = tuple(programs[pid][0] for pid in sorted(programs))

    def expand(self, node: str) -> list[str]:
        """Expand a transition endpoint: a status id, or ``@kind`` for every status of that kind."""
        if node.startswith(STATUS_WILDCARD_PREFIX):
            return sorted(sid for sid, status in self.statuses.items() if status.kind == node[1:])
        return [node]

    def expand_sources(self, nodes: list[str]) -> list[str]:
        """Expand a transition's source list (ids and ``@kind`` wildcards) without duplicates."""
        return list(dict.fromkeys(sid for node in nodes for sid in self.expand(node)))

    @property
    def programs(self) -> list[ProgramFile]:
        """Every program, ordered by id."""
        return list(self._ordered)

    def path_of(self, program_id: str) -> str:
        """The models/-relative file a program comes from."""
        return self._programs[program_id][1]

    def permit_program(self, name: str | None) -> ProgramFile | None:
        """The program that grants a permit named by ``status_in_canada.permit`` (its id, an alias or the id's last part)."""
        if not name:
            return None
        for program in self._ordered:
            if program.grants is not None and name in {program.id, *program.aliases, program.id.rsplit(".", 1)[-1]}:
                return program
        return None

    def get(self, name: str) -> ProgramFile:
        """Return a program by id or alias; raise InputError naming close matches."""
        pid = self._aliases.get(name, name)
        if pid in self._programs:
            return self._programs[pid][0]
        names = sorted(set(self._programs) | set(self._aliases))
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        raise InputError(f"unknown program '{name}'", field="program",
                         hint=(f"did you mean {', '.join(close)}?" if close else "run 'planner programs' for the list"))


def _load_catalogue(root: Path) -> Catalogue:
    statuses = validate(read_yaml(root / "graph" / "statuses.yaml"), StatusesFile, root / "graph" / "statuses.yaml")
    programs: dict[str, tuple[ProgramFile, str]] = {}
    for path in sorted((root / "programs").rglob("*.yaml")):
        program = validate(read_yaml(path), ProgramFile, path)
        relative = str(path.relative_to(root))
        if program.id in programs:
            raise ModelFileError(f"program id '{program.id}' is also used by {programs[program.id][1]}",
                                 file=str(path), field="id", hint="program ids must be unique")
        kinds = {status.kind for status in statuses.statuses.values()}
        for transition in program.transitions:
            for node in [*transition.from_statuses, transition.to]:
                if node.startswith(STATUS_WILDCARD_PREFIX) and node != transition.to and node[1:] in kinds:
                    continue
                if node not in statuses.statuses:
                    raise ModelFileError(f"transition names unknown status '{node}'", file=str(path),
                                         field="transitions", hint="add it to models/graph/statuses.yaml or fix the name")
        if program.grants is not None:
            for effective, grant in program.grants.values.items():
                if grant.value.status not in statuses.statuses:
                    raise ModelFileError(f"grants unknown status '{grant.value.status}'", file=str(path),
                                         field=f"grants.values.{effective}.value.status",
                                         hint="add it to models/graph/statuses.yaml or fix the name")
        programs[program.id] = (program, relative)
    return Catalogue(programs, statuses)


@lru_cache(maxsize=4)
def catalogue(root: str | None = None) -> Catalogue:
    """Load (once) and return the program catalogue."""
    return _load_catalogue(Path(root) if root else models_dir())
