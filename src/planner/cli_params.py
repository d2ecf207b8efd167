"""Click parameter types shared by the CLI modules."""

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
        from planner.inputs import check_as_of
        return check_as_of(found, f"--{param.name.replace('_', '-')}" if param is not None else "date")


DATE = DateParam()
