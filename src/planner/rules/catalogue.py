"""The program catalogue: one file per program under ``models/programs/``, loaded strictly.

A program states when it is open, its requirements (instances of the kinds in
:mod:`planner.rules.requirements`), the status it grants and for how long, processing times,
fees, whether an LMIA is needed, what an accompanying spouse can get, and the
transitions between statuses it makes possible (the edges of the pathway graph).
Statuses (the graph's nodes) are listed in ``models/graph/statuses.yaml``.
"""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from planner.errors import InputError, ModelFileError
from planner.rules.book import RuleBook, current, per_book
from planner.rules.draws import ProvincialDrawsFile
from planner.rules.loader import model_files, read_yaml, validate
from planner.rules.requirements import Requirement
from planner.rules.schema import Amount, Count, Dated, ModelFile, Probability, Reference, Strict
from planner.rules.status import StatusRulesFile
from planner.rules.vocabulary import EducationLevel, Jurisdiction, Province

ProgramKind = Literal["temporary", "permanent", "provincial", "quebec", "express_entry", "category"]
STATUS_WILDCARD_PREFIX = "@"
"""A transition source like ``@temporary`` means every status of that kind."""
StepKind = Literal["apply_permit", "enter_pool", "nomination", "invitation", "apply_pr", "selection", "decision"]


class Processing(Strict):
    """Processing time in months: the median and the 80th percentile (never below the median)."""

    median_months: Amount
    p80_months: Amount

    @model_validator(mode="after")
    def _p80_not_below_median(self):
        if self.p80_months < self.median_months:
            raise ValueError(
                f"p80_months ({self.p80_months:g}) is below median_months ({self.median_months:g}); "
                "80% of applications cannot be done sooner than half of them"
            )
        return self


class Fee(Strict):
    """A government fee: charged once per application, or per adult, child, person or dependant (every person but
    the principal applicant) it covers, up to ``max_cad``."""

    label: str
    amount_cad: Amount
    payer: Literal["applicant", "employer"] = "applicant"
    per: Literal["application", "adult", "child", "person", "dependant"] = "application"
    max_cad: Amount | None = None
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
    """A key of ``series`` in ``models/rounds/provincial_draws.yaml`` (checked when the catalogue loads)."""
    after_invitation: Probability


class PortOfEntry(Strict):
    """Citizens who may apply for the permit at a port of entry, where it is decided on arrival (no wait)."""

    citizenships: list[str] = Field(min_length=1)


class LengthFromProgram(Strict):
    """A permit as long as the person's Canadian study program (the post-graduation work permit).

    Programs shorter than ``min_program_months`` give none; programs of ``full_from_program_months``
    or more, and credentials of ``full_for_levels``, give ``full_months``; others their own length.
    """

    min_program_months: Count
    full_from_program_months: Count
    full_months: Count
    full_for_levels: list[EducationLevel] = Field(default_factory=list)


class Grant(Strict):
    """The status a program grants and for how long (months; None means not limited by the program).

    ``months_by_citizenship`` (the country's permit length, e.g. International Experience
    Canada) and ``length_from_program`` (the post-graduation work permit) make the length
    the person's own; see :func:`planner.planning.permits.permit_months`.
    """

    status: str
    initial_months: Count | None = None
    renewal_months: Count | None = None
    max_months: Count | None = None
    months_by_citizenship: dict[str, Count] | None = Field(default=None, min_length=1)
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
    aliases: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]] = Field(default_factory=list)
    """Other names for ``--program``; unique across the catalogue (no other program's id or alias)."""
    kind: ProgramKind
    jurisdiction: Jurisdiction
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
    success_probability: Dated[Probability] | None = None
    selection: Dated[Selection] | None = None
    """From when a province's published draws select for the program (see :class:`Selection`)."""
    express_entry_linked: bool | None = None
    round_types: list[str] = Field(default_factory=list)
    """The Express Entry round types the program's candidates are invited in (an Express Entry-linked
    nomination's: the provincial rounds)."""
    transitions: list[Transition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _linked_programs_name_their_rounds(self):
        if self.express_entry_linked and not self.round_types:
            raise ValueError(
                "an Express Entry-linked program must list the round types its nominees are invited in "
                "(round_types, e.g. [pnp])"
            )
        return self

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
        raise InputError(
            f"unknown program '{name}'",
            field="program",
            hint=(f"did you mean {', '.join(close)}?" if close else "run 'planner programs' for the list"),
        )


PROGRAMS_DIR = "programs/"
DRAWS_FILE = "rounds/provincial_draws.yaml"
STATUS_RULES_FILE = "federal/status.yaml"


def program_paths(book: RuleBook) -> list[Path]:
    """The program files: those ``models/manifest.yaml`` lists under ``programs/``, sorted.

    A file under ``programs/`` the manifest does not list, a listed one that is missing, and
    one whose name does not end in ``.yaml`` are errors, so none is silently skipped or lost.
    """
    root = book.root
    listed = {name for name in book.manifest().files if name.startswith(PROGRAMS_DIR)}
    present = set(model_files(root, PROGRAMS_DIR))
    wrong = sorted((present ^ listed) | {name for name in present | listed if not name.endswith(".yaml")})
    if wrong:
        raise _program_path_error(root, wrong[0], wrong[0] in present)
    return [root / name for name in sorted(listed)]


def _program_path_error(root: Path, name: str, present: bool) -> ModelFileError:
    if not present:
        return ModelFileError(
            "listed in models/manifest.yaml but missing",
            file=str(root / name),
            hint="restore the file, or remove it from models/manifest.yaml",
        )
    if not name.endswith(".yaml"):
        return ModelFileError(
            "not a program file (a program file's name ends in .yaml)",
            file=str(root / name),
            hint="rename it (and list it in models/manifest.yaml), or remove it",
        )
    return ModelFileError(
        "not listed in models/manifest.yaml",
        file=str(root / name),
        hint="add it to the files of models/manifest.yaml, or remove it",
    )


def _unknown_nodes(transition: Transition, known: dict[str, Status], kinds: set[str]) -> list[str]:
    """A transition's endpoints that are no status (``@kind`` wildcards of a known kind count, as sources only)."""
    sources = [
        node
        for node in transition.from_statuses
        if node not in known and not (node.startswith(STATUS_WILDCARD_PREFIX) and node[1:] in kinds)
    ]
    return sources + ([transition.to] if transition.to not in known else [])


def _status_problems(program: ProgramFile, path: Path, statuses: StatusesFile) -> list[ModelFileError]:
    """Statuses a program's transitions and grants name that ``models/graph/statuses.yaml`` does not define."""
    known, kinds = statuses.statuses, {status.kind for status in statuses.statuses.values()}
    hint = "add it to models/graph/statuses.yaml or fix the name"
    problems = [
        ModelFileError(
            f"transition names unknown status '{node}'", file=str(path), field=f"transitions[{index}]", hint=hint
        )
        for index, transition in enumerate(program.transitions)
        for node in _unknown_nodes(transition, known, kinds)
    ]
    for effective, grant in program.grants.values.items() if program.grants is not None else ():
        if grant.value.status not in known:
            problems.append(
                ModelFileError(
                    f"grants unknown status '{grant.value.status}'",
                    file=str(path),
                    field=f"grants.values.{effective}.value.status",
                    hint=hint,
                )
            )
    return problems


def _series_problems(program: ProgramFile, path: Path, draws) -> list[ModelFileError]:
    """Draw series a program's ``selection`` names that ``models/rounds/provincial_draws.yaml`` does not hold."""
    values = program.selection.values.items() if program.selection is not None else ()
    return [
        ModelFileError(
            f"selection names unknown draw series '{dated.value.series}'",
            file=str(path),
            field=f"selection.values.{effective}.value.series",
            hint=f"use a series of {DRAWS_FILE}: {', '.join(sorted(draws.series))}",
        )
        for effective, dated in values
        if dated.value is not None and dated.value.series not in draws.series
    ]


def _name_clashes(programs: dict[Path, ProgramFile]) -> list[ModelFileError]:
    """Every program id or alias that another program (in an earlier file) already has as its id or an alias."""
    owners: dict[str, tuple[ProgramFile, Path]] = {}
    problems = []
    for path, program in sorted(programs.items()):
        for field, name in [("id", program.id), *((f"aliases[{i}]", alias) for i, alias in enumerate(program.aliases))]:
            other, other_path = owners.setdefault(name, (program, path))
            if other_path != path:
                role = "the id" if name == other.id else "an alias"
                problems.append(
                    ModelFileError(
                        f"'{name}' is also {role} of {other.id} in {other_path}",
                        file=str(path),
                        field=field,
                        hint="program ids and aliases must be unique across programs",
                    )
                )
    return problems


def _bridging_problems(root: Path, programs: dict[Path, ProgramFile], rules) -> list[ModelFileError]:
    """Bridging permits in ``models/federal/status.yaml`` that name no program (by id or alias)."""
    names = {name for program in programs.values() for name in (program.id, *program.aliases)}
    return [
        ModelFileError(
            f"names unknown program '{dated.value}'",
            file=str(root / STATUS_RULES_FILE),
            field=f"bridging_permit.values.{effective}.value",
            hint="use a program id from models/programs/",
        )
        for effective, dated in rules.bridging_permit.values.items()
        if dated.value not in names
    ]


def catalogue_problems(
    root: Path, programs: dict[Path, ProgramFile], statuses: StatusesFile | None, draws=None, status_rules=None
) -> list[ModelFileError]:
    """What valid files get wrong together, as one error per file (the first problem, carrying the others).

    Checks that programs name known statuses and draw series, that no id or alias names two
    programs, and that the bridging permit is a program.  A file given as None (it failed to
    load) is skipped, and so are the checks that need it.
    """
    found: dict[str, list[ModelFileError]] = {}
    for path, program in sorted(programs.items()):
        own = [
            *(_status_problems(program, path, statuses) if statuses is not None else []),
            *(_series_problems(program, path, draws) if draws is not None else []),
        ]
        for problem in own:
            found.setdefault(problem.file, []).append(problem)
    shared = [*_name_clashes(programs), *(_bridging_problems(root, programs, status_rules) if status_rules else [])]
    for problem in shared:
        found.setdefault(problem.file, []).append(problem)
    return [
        ModelFileError(first.message, file=first.file, field=first.field, hint=first.hint, problems=rest)
        for first, *rest in found.values()
    ]


def load_catalogue(book: RuleBook) -> Catalogue:
    """Load a book's statuses and the program files its manifest lists, and check them together
    (:func:`catalogue_problems`)."""
    root = book.root
    statuses = book.file("graph/statuses.yaml", StatusesFile)
    programs = {path: validate(read_yaml(path), ProgramFile, path) for path in program_paths(book)}
    problems = catalogue_problems(
        root,
        programs,
        statuses,
        book.file(DRAWS_FILE, ProvincialDrawsFile),
        book.file(STATUS_RULES_FILE, StatusRulesFile),
    )
    if problems:
        raise problems[0]
    return Catalogue(
        {program.id: (program, str(path.relative_to(root))) for path, program in programs.items()}, statuses
    )


def catalogue() -> Catalogue:
    """The program catalogue of the rules in force (loaded once per :class:`~planner.rules.book.RuleBook`)."""
    return _book_catalogue()


@per_book(maxsize=1)
def _book_catalogue() -> Catalogue:
    return load_catalogue(current())
