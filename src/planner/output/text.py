"""Terminal rendering of results with rich tables (the "why" of every number is shown)."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from planner.eligibility.verdicts import ProgramEligibility
from planner.facts.profile import Profile
from planner.scoring.crs import CrsResult


class PlannerConsole(Console):
    """The rich console every command prints through; it leaves a closed output (``planner ... | head``) to the CLI.

    rich's own handling exits with 1, which ``planner route`` uses for "no route"; the CLI
    exits with :data:`planner.errors.EXIT_OUTPUT_CLOSED` instead.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


_console = PlannerConsole(soft_wrap=False, width=160)


def print_footer(text: str) -> None:
    """Print a dimmed last line (the stamp of what made the answer)."""
    _console.print(f"[dim]{text}[/]")


def _mark(certainty: str) -> str:
    return {"confirmed": "", "single_source": " [yellow](1 source)[/]", "uncertain": " [red](uncertain)[/]"}[certainty]


def print_crs(result: CrsResult) -> None:
    """Print a CRS breakdown: one row per line, with the rule and its effective date."""
    table = Table(
        title=f"CRS {result.total} as of {result.as_of}"
        + (" (with spouse)" if result.with_spouse else " (without spouse)"),
        show_lines=False,
    )
    table.add_column("section")
    table.add_column("factor")
    table.add_column("points", justify="right")
    table.add_column("what we saw")
    table.add_column("rule (in force since)", overflow="fold")
    for line in result.lines:
        table.add_row(
            line.section,
            line.label,
            str(line.points),
            line.detail,
            f"{line.rule} ({line.effective})" + _mark(line.certainty),
        )
    for section, points in result.sections.items():
        table.add_row("", f"[bold]{section} total[/]", f"[bold]{points}[/]", "", "")
    _console.print(table)
    for note in result.notes:
        _console.print(f"note: {note}")


def print_eligibility(results: list[ProgramEligibility], profile: Profile, as_of: date) -> None:
    """Print each program's verdicts: met or not, the value seen, the threshold, the rule."""
    for result in results:
        verdict = "[green]eligible[/]" if result.eligible else "[red]not eligible[/]"
        table = Table(title=f"{result.label} ({result.program}) — {verdict} as of {as_of}")
        table.add_column("requirement")
        table.add_column("met")
        table.add_column("what we saw")
        table.add_column("needed")
        table.add_column("rule (in force since)", overflow="fold")
        for v in result.verdicts:
            table.add_row(
                v.label,
                "yes" if v.met else "[red]no[/]",
                v.value + (f"\n[italic]fix: {v.fix}[/]" if v.fix else ""),
                v.threshold,
                f"{v.rule} ({v.effective})" + _mark(v.certainty),
            )
        _console.print(table)
