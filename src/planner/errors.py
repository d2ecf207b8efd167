"""Errors the planner raises, and the exit codes the CLI maps them to.

Every error a user can cause (a bad profile, a broken model file, an unknown NOC code)
is an :class:`InputError`: it names the file, the field path inside it, what is wrong
and how to fix it.  The CLI prints it without a traceback and exits with
:data:`EXIT_BAD_INPUT`.  "No route" is a normal answer, not an error of the user:
it exits with :data:`EXIT_NO_ROUTE`.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NO_ROUTE = 1
EXIT_BAD_INPUT = 2
EXIT_OUTPUT_CLOSED = 141
"""The reader of the output went away (``planner route p.json | head -1``): 128 + SIGPIPE, as a shell reports
a command killed by a closed pipe, so it is never mistaken for "no route"."""


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose."""


class InputError(PlannerError):
    """Something the user gave us (a profile, a model file, an option) is wrong.

    Parameters
    ----------
    message:
        What is wrong, in the user's terms.
    file:
        The file the problem is in, when there is one.
    field:
        The path of the field inside the file, e.g. ``work_history[1].end``.
    hint:
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        hint: str | None = None,
        problems: list[InputError] | None = None,
    ):
        self.message = message
        self.file = file
        self.field = field
        self.hint = hint
        self.problems = problems or []
        super().__init__(self.render())

    def render(self) -> str:
        """Return the one-paragraph message shown to the user."""
        where = ": ".join(part for part in (self.file, self.field) if part)
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  fix: {self.hint}"
        for problem in self.problems:
            text += "\n" + problem.render()
        return text


class ProfileError(InputError):
    """The profile JSON is malformed or holds impossible values."""


class ModelFileError(InputError):
    """A file under ``models/`` is malformed, breaks the schema, or contradicts another."""


class RuleNotInForceError(PlannerError):
    """A dated rule has no value on the date asked for (it starts later)."""
