"""Route templates: a path through the pruned pathway graph with one program chosen per edge."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import networkx as nx

from planner.planning.graph import WORK_STEP, ProfileGraph
from planner.rules.book import per_book
from planner.rules.catalogue import Catalogue, ProgramFile
from planner.rules.vocabulary import FEDERAL


@dataclass(frozen=True)
class TemplateStep:
    """One edge of a route with the program that makes it."""

    source: str
    target: str
    step: str
    program: ProgramFile


@dataclass
class RouteTemplate:
    """A candidate route: its steps in order, and the roles the solver times (shared by plans: read-only)."""

    steps: list[TemplateStep]
    rank: int = 0
    temp: TemplateStep | None = None
    pool: TemplateStep | None = None
    nomination: TemplateStep | None = None
    invitation: TemplateStep | None = None
    apply: TemplateStep | None = None
    decision: TemplateStep | None = None
    key: tuple[str, ...] = field(default=())

    @property
    def programs(self) -> tuple[str, ...]:
        """The distinct programs the route uses, in order."""
        return tuple(dict.fromkeys(s.program.id for s in self.steps))

    def describe(self) -> str:
        return " → ".join(
            s.program.label for s in self.steps if s.step in ("apply_permit", "enter_pool", "nomination", "selection")
        )


# Steps whose program follows from the rest of the route instead of being a free choice.
_FOLLOWING_STEPS = ("invitation", "apply_pr", "decision")


def _pick_following(options: tuple[str, ...], chosen: list[str], cat: Catalogue) -> list[str]:
    """For invitation/application/decision edges use the program already on the route, else the federal one.

    Category-based selection programs only say which round types a person fits (their
    rounds are combined in the invitation estimate); they are never the edge's program.
    """
    for program_id in reversed(chosen):
        if program_id in options:
            return [program_id]
    usable = sorted(p for p in options if cat.get(p).kind != "category")
    federal = [p for p in usable if cat.get(p).jurisdiction == FEDERAL]
    return federal[:1] or usable[:1]


def enumerate_templates(
    pg: ProfileGraph, cat: Catalogue, target: str = "permanent_resident", max_length: int = 8
) -> list[RouteTemplate]:
    """Every route template from the person's start status to ``target`` in the pruned graph.

    People whose pruned graphs have the same steps and programs share one enumeration
    (the templates are shared, read-only, by their plans).
    """
    edges = tuple(
        sorted(
            (u, v, d["step"], tuple(sorted(d["programs"])))
            for u, v, d in pg.graph.edges(data=True)
            if d["step"] != WORK_STEP
        )
    )
    return list(_enumerate(edges, tuple(sorted(pg.graph.nodes)), pg.start, cat, target, max_length))


@per_book(maxsize=64)
def _enumerate(
    edges: tuple, nodes: tuple[str, ...], start: str, cat: Catalogue, target: str, max_length: int
) -> tuple[RouteTemplate, ...]:
    G = nx.DiGraph()
    G.add_nodes_from(nodes)
    G.add_edges_from((u, v, {"step": step, "programs": programs}) for u, v, step, programs in edges)
    if start not in G or target not in G:
        return ()
    templates: list[RouteTemplate] = []
    for path in nx.all_simple_paths(G, start, target, cutoff=max_length):
        path_edges = list(pairwise(path))
        if sum(1 for u, v in path_edges if G.edges[u, v]["step"] == "apply_permit") > 1:
            continue  # one temporary permit per route
        partials: list[list[TemplateStep]] = [[]]
        for u, v in path_edges:
            data = G.edges[u, v]
            grown = []
            for partial in partials:
                chosen = [s.program.id for s in partial]
                options = (
                    _pick_following(data["programs"], chosen, cat)
                    if data["step"] in _FOLLOWING_STEPS
                    else sorted(data["programs"])
                )
                for program_id in options:
                    grown.append(partial + [TemplateStep(u, v, data["step"], cat.get(program_id))])
            partials = grown
        for steps in partials:
            templates.append(_with_roles(steps))
    unique = {t.key: t for t in templates}
    ordered = sorted(unique.values(), key=lambda t: (len(t.steps), t.key))
    for rank, template in enumerate(ordered):
        template.rank = rank
    return tuple(ordered)


def _with_roles(steps: list[TemplateStep]) -> RouteTemplate:
    template = RouteTemplate(steps=steps, key=tuple(f"{s.source}>{s.target}:{s.program.id}" for s in steps))
    for step in steps:
        if step.step == "apply_permit":
            template.temp = step
        elif step.step == "enter_pool":
            template.pool = step
        elif step.step in ("nomination", "selection"):
            template.nomination = step
        elif step.step == "invitation":
            template.invitation = step
        elif step.step == "apply_pr":
            template.apply = step
        elif step.step == "decision":
            template.decision = step
    return template
