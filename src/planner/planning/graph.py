"""The pathway graph: statuses as nodes, program transitions as edges, built from ``models/``.

An edge ``(u, v)`` carries the programs that make the transition possible (CEC, FSW and
FST all lead from outside Canada into the Express Entry pool), each with its
requirements, processing time, fees and success probability.  Every status with work in
Canada also has a self-loop "work N months" that accrues Canadian experience.

:func:`prune_for_profile` removes, for one person on one date, the program options whose
requirements can never be met by waiting (citizenship, an age limit already passed, a
closed program, a missing job offer...), recording why — so "why not GTS?" has an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from planner.eligibility.predicates import Context
from planner.eligibility.verdicts import Verdict, evaluate, is_eligible
from planner.facts.profile import Profile
from planner.rules.book import per_book
from planner.rules.catalogue import Catalogue, ProgramFile

# Requirement kinds that time alone cannot change inside a plan: if unmet today, the
# option is removed (with the reason).  Work experience, language and CRS are not here:
# they change with time or a retake, and the solver deals with them month by month; nor is
# status in Canada, which a route's move to Canada changes.
# An unmet age requirement is permanent too: people only get older, and the plans are for adults.
# A manual_check (a condition the profile cannot express) is shown as unmet and not planned around.
# An any_of requirement is static when all its options are (see eligibility.requirement_kinds).
STATIC_KINDS = frozenset(
    {
        "citizenship",
        "job_offer",
        "canadian_credential",
        "spouse_worker",
        "age",
        "manual_check",
        "education",
        "intended_province",
        "offer_or_certificate",
        "related_employment",
        "field_of_study",
        "iec_participations",
    }
)

WORK_STEP = "work"


@per_book(maxsize=8)
def build_graph(cat: Catalogue, as_of: date) -> nx.DiGraph:
    """Return the pathway graph with every program open on or after ``as_of`` (closed ones marked).

    The graph depends only on the rules and the date, so it is built once per catalogue and
    date and shared: it is frozen (:func:`networkx.freeze`), and its attribute dicts must not
    be changed either; :func:`prune_for_profile` works on a copy.

    Examples
    --------
    >>> from planner.rules.catalogue import catalogue
    >>> G = build_graph(catalogue(), date(2026, 11, 25))
    >>> G.has_edge("outside_canada", "express_entry_pool")
    True
    """
    G = nx.DiGraph()
    for status_id, status in cat.statuses.items():
        G.add_node(status_id, label=status.label, kind=status.kind, works_in_canada=status.works_in_canada)
        if status.works_in_canada:
            G.add_edge(
                status_id, status_id, step=WORK_STEP, programs={}, label="work N months (accrues Canadian experience)"
            )
    for program in cat.programs:
        for transition in program.transitions:
            for source in cat.expand_sources(transition.from_statuses):
                for target in cat.expand(transition.to):
                    if source == target:
                        continue
                    if not G.has_edge(source, target):
                        G.add_edge(
                            source, target, step=transition.step, programs={}, label=transition.label or transition.step
                        )
                    G.edges[source, target]["programs"][program.id] = {
                        "label": transition.label or program.label,
                        "open": program.is_open(as_of),
                    }
    return nx.freeze(G)


@dataclass
class Exclusion:
    """A program option removed for this person, with the verdicts that rule it out."""

    program: str
    label: str
    edge: tuple[str, str]
    reasons: list[Verdict]

    def summary(self) -> str:
        return "; ".join(f"{v.label}: {v.value} (needs {v.threshold})" for v in self.reasons)


@dataclass
class ProfileGraph:
    """The graph for one profile and date: options that remain, and those removed with reasons."""

    graph: nx.DiGraph
    start: str
    excluded: list[Exclusion] = field(default_factory=list)


def start_status(profile: Profile, cat: Catalogue) -> str:
    """The node a person starts from: outside Canada, their permit's status, or a generic worker."""
    current = profile.status_in_canada
    if current.status in ("permanent_resident", "citizen"):
        return "permanent_resident"
    if current.status == "worker":
        program = cat.permit_program(current.permit)
        if program is not None:
            return next(reversed(program.grants.values.values())).value.status
        return "worker"
    return "outside_canada"


def static_failures(program: ProgramFile, profile: Profile, as_of: date, cat: Catalogue, ctx: Context) -> list[Verdict]:
    """Verdicts that rule a program out for good on ``as_of`` (closed, or a static requirement unmet)."""
    if program.is_open(as_of) and is_eligible(program, ctx, kinds=STATIC_KINDS):
        return []  # nothing to explain: no verdicts built
    result = evaluate(program, profile, as_of, ctx=ctx, cat=cat, kinds=STATIC_KINDS)
    failures = []
    for verdict in result.verdicts:
        if verdict.met:
            continue
        if verdict.kind == "program_open":
            if not any(v.value for d, v in program.open.values.items() if d > as_of):
                failures.append(verdict)
        else:  # evaluated only because its kinds are static
            failures.append(verdict)
    return failures


def prune_for_profile(G: nx.DiGraph, profile: Profile, as_of: date, cat: Catalogue) -> ProfileGraph:
    """Copy ``G`` keeping, for this person, only the program options not ruled out for good."""
    ctx = Context(profile, as_of)
    H = G.copy()
    excluded: list[Exclusion] = []
    failures_of: dict[str, list[Verdict]] = {}  # a program on several edges is evaluated once
    for u, v, data in list(H.edges(data=True)):
        kept = {}
        for program_id, info in data["programs"].items():
            program = cat.get(program_id)
            if program_id not in failures_of:
                failures_of[program_id] = static_failures(program, profile, as_of, cat, ctx)
            failures = failures_of[program_id]
            if failures:
                excluded.append(Exclusion(program_id, program.label, (u, v), failures))
            else:
                kept[program_id] = info
        H.edges[u, v]["programs"] = kept
        if data["step"] != WORK_STEP and not kept:
            H.remove_edge(u, v)
    start = start_status(profile, cat)
    reachable = nx.descendants(H, start) | {start}
    H.remove_nodes_from([n for n in list(H) if n not in reachable])
    return ProfileGraph(H, start, excluded)
