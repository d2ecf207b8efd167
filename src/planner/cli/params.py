"""Click parameter types, options and helpers shared by the CLI modules."""

from __future__ import annotations

from datetime import date

import click


class DateParam(click.ParamType):
    """A YYYY-MM-DD date."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            found = date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-25", param, ctx)
        from planner.facts.inputs import check_as_of

        return check_as_of(found, f"--{param.name.replace('_', '-')}" if param is not None else "date")


DATE = DateParam()


def today() -> date:
    """The default as-of date: today."""
    return date.today()


AS_OF = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    default=None,
    help="Evaluate the rules as they stood on this date (YYYY-MM-DD; default: today).",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print stable JSON instead of a table.")


def warn_if_rounds_stale(as_of: date) -> None:
    """Print a warning on standard error when the rounds history ends long before ``as_of``."""
    from planner.rounds.estimator import stale_warning

    message = stale_warning(as_of)
    if message:
        click.echo(message, err=True)


def load_profile_arg(profile_path: str, as_of: date | None):
    """Read and check the profile a command was given, and the as-of date (default today)."""
    from planner.facts.inputs import read_profile

    as_of = as_of or today()
    return read_profile(profile_path, as_of), as_of


def stamp_json() -> dict:
    """The stamp of the rules and rounds in force, as JSON (see :class:`planner.planning.result.Stamp`)."""
    from planner.planning.result import current_stamp

    return current_stamp().model_dump(mode="json")


def print_stamp() -> None:
    """Print the stamp as the last line of a text answer."""
    from planner.output.text import print_footer
    from planner.planning.result import current_stamp

    print_footer(current_stamp().text())
