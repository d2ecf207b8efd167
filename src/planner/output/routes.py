"""Rendering of route plans, comparisons, the program list and the graph (text, markdown, mermaid, dot, images)."""

from __future__ import annotations

import json

import networkx as nx
from rich.table import Table

from planner.output.text import PlannerConsole
from planner.planning.result import Route, RoutePlan

_console = PlannerConsole(soft_wrap=False, width=160)


def _verdict_lines(step) -> list[str]:
    return [
        f"{'✓' if v.met else '✗'} {v.label}: {v.value} (needs {v.threshold}; {v.rule}, in force since {v.effective})"
        for v in step.verdicts
        if v.kind != "program_open" or not v.met
    ]


def _exclusion_text(exclusion, cite: bool = False) -> str:
    """A program ruled out, with each unmet requirement's value (and, with ``cite``, its threshold and rule)."""
    reasons = "; ".join(
        f"{v.label}: {v.value}" + (f" (needs {v.threshold}; {v.rule})" if cite else "") for v in exclusion.reasons
    )
    return f"{exclusion.label}: {reasons}"


def print_plan(plan: RoutePlan) -> None:
    """Print a route plan: the steps with dates and why each is allowed, then exclusions and notes."""
    if not plan.found:
        _console.print(
            f"[red]No route to permanent residence[/] within {plan.horizon_months} months from {plan.as_of}."
        )
        for reason in plan.no_route_reasons:
            _console.print(f"  - {reason}")
        if plan.what_would_change:
            _console.print("What would change the answer:")
            for change in plan.what_would_change:
                _console.print(f"  - {change}")
        _print_stamp(plan)
        return
    route = plan.route
    _console.print(f"[bold]{route.summary}[/]  ({plan.objective}; as of {plan.as_of})")
    _console.print(
        f"Permanent residence in about {route.expected_months} months (80%: {route.p80_months}); "
        f"probability within {plan.horizon_months} months {route.probability:.0%}; government fees CAD {route.cost_cad:,}"
        f"{_fees_left_out(route)}"
    )
    table = Table(show_lines=True)
    for column in ("from", "to", "step", "status held", "CRS", "p", "why it is allowed"):
        table.add_column(column, overflow="fold")
    for step in route.steps:
        why = "\n".join(_verdict_lines(step)) or (step.note or "")
        if step.note and step.verdicts:
            why += f"\n{step.note}"
        table.add_row(
            step.start_date.isoformat(),
            step.end_date.isoformat(),
            step.label,
            step.status,
            "" if step.crs is None else str(step.crs),
            f"{step.probability:.2f}",
            why,
        )
    _console.print(table)
    _print_tail(plan)


def _print_tail(plan: RoutePlan) -> None:
    if plan.alternatives:
        _console.print(
            "Alternatives: "
            + "; ".join(f"{a.summary} ({a.expected_months} months, p={a.probability:.2f})" for a in plan.alternatives)
        )
    if plan.excluded:
        _console.print("Programs ruled out for you:")
        for exclusion in plan.excluded:
            _console.print(f"  - {_exclusion_text(exclusion)}")
    if plan.not_met_on_date:
        _console.print(f"Not met on {plan.as_of} (so not on this plan):")
        for exclusion in plan.not_met_on_date:
            _console.print(f"  - {_exclusion_text(exclusion, cite=True)}")
    if plan.what_would_change:
        _console.print("What would change the answer:")
        for change in plan.what_would_change:
            _console.print(f"  - {change}")
    for note in plan.notes:
        _console.print(f"note: {note}")
    _print_stamp(plan)


def _print_stamp(plan: RoutePlan) -> None:
    """The footer saying what made the answer (version, rules hash, newest round)."""
    if plan.stamp is not None:
        _console.print(f"[dim]{plan.stamp.text()}[/]")


def _fees_left_out(route: Route) -> str:
    """What the route's fees leave out (programs whose fee is not in the planner's rules), or nothing."""
    if not route.fees_not_included:
        return ""
    return f" (not counted: the fee of {', '.join(route.fees_not_included)}, which the planner's rules do not have)"


def plan_markdown(plan: RoutePlan) -> str:
    """A markdown rendering of a plan, for pasting into notes or tickets."""
    lines = [f"# Route plan ({plan.objective}, as of {plan.as_of})", ""]
    if not plan.found:
        lines += ["**No route to permanent residence** within the horizon.", ""]
        lines += [f"- {r}" for r in plan.no_route_reasons]
        if plan.what_would_change:
            lines += ["", "## What would change the answer", ""] + [f"- {c}" for c in plan.what_would_change]
        return "\n".join(lines) + "\n"
    route = plan.route
    lines += [
        f"**{route.summary}** — PR in about {route.expected_months} months (80%: {route.p80_months}), "
        f"probability {route.probability:.0%}, fees CAD {route.cost_cad:,}{_fees_left_out(route)}.",
        "",
        "| from | to | step | CRS | p | why |",
        "|---|---|---|---|---|---|",
    ]
    for step in route.steps:
        why = "<br>".join(_verdict_lines(step)) or (step.note or "")
        lines.append(
            f"| {step.start_date} | {step.end_date} | {step.label} | {step.crs or ''} | {step.probability:.2f} | {why} |"
        )
    if plan.excluded:
        lines += ["", "## Ruled out", ""] + [
            f"- **{e.label}**: " + "; ".join(f"{v.label}: {v.value}" for v in e.reasons) for e in plan.excluded
        ]
    if plan.not_met_on_date:
        lines += ["", f"## Not met on {plan.as_of}", ""] + [
            f"- **{e.label}**: " + "; ".join(f"{v.label}: {v.value} (needs {v.threshold}; {v.rule})" for v in e.reasons)
            for e in plan.not_met_on_date
        ]
    if plan.what_would_change:
        lines += ["", "## What would change the answer", ""] + [f"- {c}" for c in plan.what_would_change]
    if plan.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in plan.notes]
    if plan.stamp is not None:
        lines += ["", f"_{plan.stamp.text()}_"]
    return "\n".join(lines) + "\n"


def print_comparison(plan: RoutePlan) -> None:
    """Print routes side by side, marking the Pareto set of time against probability."""
    routes: list[Route] = ([plan.route] if plan.route else []) + list(plan.alternatives)
    if not routes:
        print_plan(plan)
        return
    legend = "* = Pareto-optimal in time and probability"
    if any(r.below_minimum_probability for r in routes):
        legend += "; ! = below the minimum probability of PR"
    if any(r.fees_not_included for r in routes):
        legend += "; + = leaves out a fee the planner has no source for"
    table = Table(title=f"Routes compared ({plan.objective}, as of {plan.as_of}); {legend}")
    for column in ("#", "route", "expected months", "80% months", "probability", "fees CAD", "riskiest step"):
        table.add_column(column, overflow="fold")
    for index, route in enumerate(routes, 1):
        marks = (" *" if route.pareto else "") + (" !" if route.below_minimum_probability else "")
        table.add_row(
            f"{index}{marks}",
            route.summary,
            str(route.expected_months),
            str(route.p80_months),
            f"{route.probability:.0%}",
            f"{route.cost_cad:,}" + ("+" if route.fees_not_included else ""),
            route.riskiest_step,
        )
    _console.print(table)
    _print_tail(plan.model_copy(update={"alternatives": []}))


def print_programs(rows: list[dict]) -> None:
    table = Table(title="Programs")
    for column in ("id", "label", "kind", "open", "processing (median / 80%)", "sources"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["id"], row["label"], row["kind"], row["open"], row["processing"], "\n".join(row["sources"]))
    _console.print(table)


# --- graph formats ----------------------------------------------------------------------------


def _edge_label(data: dict) -> str:
    return data.get("label") or data["step"]


def graph_json(G: nx.DiGraph, excluded: list | None = None) -> str:
    data = {
        "nodes": [{"id": n, **{k: v for k, v in d.items()}} for n, d in G.nodes(data=True)],
        "edges": [
            {"from": u, "to": v, "step": d["step"], "label": _edge_label(d), "programs": sorted(d["programs"])}
            for u, v, d in G.edges(data=True)
        ],
        "excluded": [
            {"program": e.program, "edge": list(e.edge), "reasons": [r.label + ": " + r.value for r in e.reasons]}
            for e in (excluded or [])
        ],
    }
    return json.dumps(data, indent=2)


def graph_mermaid(G: nx.DiGraph, excluded: list | None = None) -> str:
    lines = ["flowchart LR"]
    for node, data in G.nodes(data=True):
        lines.append(f'    {node}["{data.get("label", node)}"]')
    for u, v, data in G.edges(data=True):
        programs = ", ".join(sorted(p.rsplit(".", 1)[-1] for p in data["programs"])) or _edge_label(data)
        lines.append(f'    {u} -->|"{programs}"| {v}')
    for exclusion in excluded or []:
        u, v = exclusion.edge
        lines.append(f'    {u} -.->|"not for you: {exclusion.program.rsplit(".", 1)[-1]}"| {v}')
    return "\n".join(lines) + "\n"


def graph_dot(G: nx.DiGraph, excluded: list | None = None) -> str:
    lines = ["digraph pathways {", "  rankdir=LR;"]
    for node, data in G.nodes(data=True):
        lines.append(f'  {node} [label="{data.get("label", node)}"];')
    for u, v, data in G.edges(data=True):
        programs = "\\n".join(sorted(p.rsplit(".", 1)[-1] for p in data["programs"])) or _edge_label(data)
        lines.append(f'  {u} -> {v} [label="{programs}"];')
    for exclusion in excluded or []:
        u, v = exclusion.edge
        lines.append(
            f'  {u} -> {v} [label="{exclusion.program.rsplit(".", 1)[-1]} (ruled out)", style=dashed, color=gray];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_image(G: nx.DiGraph, path: str, excluded: list | None = None, image_format: str = "png") -> None:
    """Draw the graph with matplotlib; excluded options are drawn faded and dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = {
        "outside": 0,
        "temporary": 1,
        "pool": 2,
        "nominee": 3,
        "selected": 3,
        "invited": 4,
        "applicant": 5,
        "permanent": 6,
    }
    layers: dict[int, list[str]] = {}
    for node, data in G.nodes(data=True):
        layers.setdefault(order.get(data.get("kind"), 3), []).append(node)
    positions = {}
    for x, nodes in layers.items():
        for i, node in enumerate(sorted(nodes)):
            positions[node] = (x, -i + len(nodes) / 2)
    figure, axis = plt.subplots(figsize=(16, 9))
    nx.draw_networkx_nodes(G, positions, ax=axis, node_color="#cfe3ff", node_size=1800)
    nx.draw_networkx_labels(G, positions, ax=axis, labels={n: n.replace("_", "\n") for n in G}, font_size=7)
    solid = [(u, v) for u, v, d in G.edges(data=True) if u != v]
    nx.draw_networkx_edges(G, positions, ax=axis, edgelist=solid, arrows=True, node_size=1800, edge_color="#335")
    faded = [
        e.edge for e in (excluded or []) if e.edge[0] in positions and e.edge[1] in positions and e.edge[0] != e.edge[1]
    ]
    if faded:
        nx.draw_networkx_edges(
            G,
            positions,
            ax=axis,
            edgelist=list(set(faded)),
            arrows=True,
            node_size=1800,
            style="dashed",
            edge_color="#bbb",
            alpha=0.6,
        )
    labels = {
        (u, v): "\n".join(sorted(p.rsplit(".", 1)[-1] for p in d["programs"]))
        for u, v, d in G.edges(data=True)
        if u != v
    }
    nx.draw_networkx_edge_labels(G, positions, edge_labels=labels, ax=axis, font_size=6)
    axis.set_title("Pathways to permanent residence (dashed grey: ruled out for this profile)")
    axis.axis("off")
    figure.tight_layout()
    figure.savefig(path, format=image_format)
    plt.close(figure)
