"""Pydantic building blocks shared by every file under ``models/``.

A rule value is never a bare number: it is a :class:`Dated` parameter whose values
are keyed by the date they take effect, each carrying its sources, how sure we are
of it, and a note when it is doubtful.  :meth:`Dated.at` answers "what did the rule
say on this date?", which is what lets every command take ``--as-of``.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import Counter
from datetime import date
from functools import cached_property
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.errors import RuleNotInForceError

T = TypeVar("T")

Certainty = Literal["confirmed", "single_source", "uncertain"]
"""How well a value is sourced: two or more sources agree, only one source, or sources conflict."""

Probability = Annotated[float, Field(ge=0, le=1)]
"""A chance, from 0 to 1."""
Amount = Annotated[float, Field(ge=0)]
"""A quantity that cannot be negative: a fee, months of processing, a test score."""
Count = Annotated[int, Field(ge=1)]
"""A number of months, years or people where zero is meaningless (a permit of 0 months, results valid 0 years)."""


class Strict(BaseModel):
    """Base of every model-file schema: unknown keys, NaN and infinities are errors, objects are immutable.

    Validators are built when a schema is first used (``defer_build``), not when its class
    is defined: a file's schema is built once, whole, and the nested classes are not built
    on their own, which shortens the start of every ``planner`` command.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)


class Reference(Strict):
    """A source for a rule value: an official page, regulation, or (marked) secondary source."""

    title: str
    href: str
    quote: str | None = None
    official: bool = True

    @field_validator("href")
    @classmethod
    def _href_is_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be a full URL starting with https:// (or http:// for archived pages)")
        return value


class DatedValue(Strict, Generic[T]):
    """One value of a parameter, in force from its key date until the next key date."""

    value: T
    references: list[Reference] = Field(default_factory=list)
    certainty: Certainty = "confirmed"
    doubt: str | None = None

    @model_validator(mode="after")
    def _doubt_explained(self):
        if self.certainty != "confirmed" and not self.doubt:
            raise ValueError(f"certainty '{self.certainty}' needs a 'doubt' saying what is unsure and why")
        return self


class InForce(BaseModel, Generic[T]):
    """A parameter value as it stood on a date, with the date it took effect and its sources."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    value: T
    effective: date
    references: list[Reference]
    certainty: Certainty
    doubt: str | None = None


_UNSEEN = object()
_NOT_IN_FORCE = object()
_SEEN_LIMIT = 4096
"""Dates one rule parameter remembers its value for (a memory bound, not a rule)."""


class Dated(Strict, Generic[T]):
    """A rule parameter whose value changes on known dates.

    ``values`` maps each effective date to the value in force from that day until the
    next key.  Before the first key the rule did not exist; :meth:`at` raises then, and
    :meth:`get` returns ``None``.
    """

    description: str
    references: list[Reference] = Field(min_length=1)
    values: dict[date, DatedValue[T]] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted_keys(self):
        keys = list(self.values)
        if keys != sorted(keys):
            raise ValueError("dated values must be listed oldest first")
        return self

    @cached_property
    def _keys(self) -> list[date]:
        return list(self.values)

    def _effective(self, on: date) -> date | None:
        """The key date of the value in force on ``on`` (None before the first)."""
        index = bisect_right(self._keys, on)
        return self._keys[index - 1] if index else None

    def entry(self, on: date) -> InForce[T] | None:
        """Return the value in force on ``on`` with its provenance, or ``None`` if none yet."""
        effective = self._effective(on)
        if effective is None:
            return None
        found = self._in_force.get(effective)
        if found is None:
            dated = self.values[effective]
            found = self._in_force[effective] = InForce(
                value=dated.value,
                effective=effective,
                references=list(dated.references) or list(self.references),
                certainty=dated.certainty,
                doubt=dated.doubt,
            )
        return found

    @cached_property
    def _in_force(self) -> dict[date, InForce[T]]:
        """Each version's InForce, built once (they are frozen, so callers share them)."""
        return {}

    @cached_property
    def _seen(self) -> dict[date, object]:
        """Values already looked up, by date: a plan asks for the same month dates thousands of times."""
        return {}

    def _lookup(self, on: date):
        """The value in force on ``on`` (``_NOT_IN_FORCE`` before the first key), remembered for the date."""
        seen = self._seen
        found = seen.get(on, _UNSEEN)
        if found is _UNSEEN:
            if len(seen) >= _SEEN_LIMIT:  # a long-running tool asks for ever new dates: start afresh
                seen.clear()
            effective = self._effective(on)
            found = seen[on] = _NOT_IN_FORCE if effective is None else self.values[effective].value
        return found

    def get(self, on: date) -> T | None:
        """Return the value in force on ``on``, or ``None`` before the rule existed."""
        found = self._lookup(on)
        return None if found is _NOT_IN_FORCE else found

    def at(self, on: date) -> T:
        """Return the value in force on ``on``; raise if the rule did not exist yet."""
        found = self._lookup(on)
        if found is _NOT_IN_FORCE:
            first = next(iter(self.values))
            raise RuleNotInForceError(
                f"'{self.description}' has no value before {first.isoformat()} (asked for {on.isoformat()})"
            )
        return found

    def values_between(self, start: date, end: date) -> list[T | None]:
        """Every value in force on some day from ``start`` to ``end`` (``None`` first if the rule starts later)."""
        keys = self._keys
        first = bisect_right(keys, start)
        found: list[T | None] = [self.values[keys[first - 1]].value if first else None]
        found.extend(self.values[key].value for key in keys[first:] if key <= end)
        return found

    def change_dates(self) -> list[date]:
        """Return every date on which this parameter changes."""
        return list(self.values)


def change_dates_in(*objects) -> list[date]:
    """Every date on which a :class:`Dated` parameter anywhere inside ``objects`` changes, sorted.

    Between two consecutive dates of this list every such parameter has one value, so a
    computation that reads only these parameters gives the same result on any day between.
    """
    found: set[date] = set()
    stack = list(objects)
    while stack:
        item = stack.pop()
        if isinstance(item, Dated):
            found.update(item.values)
        elif isinstance(item, BaseModel):
            stack.extend(getattr(item, name) for name in type(item).model_fields)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return sorted(found)


class ModelFile(Strict):
    """Fields every file under ``models/`` starts with."""

    description: str
    last_verified: date


class Manifest(ModelFile):
    """Schema of ``models/manifest.yaml``: every file that belongs under ``models/``.

    ``files`` are the rule files the planner reads (each has a schema); ``documents`` are
    read by people only (``README.md``).  ``planner check-models`` reports a listed file
    that is missing and a file present but not listed; the program catalogue loads the
    program files listed here.
    """

    documents: list[str] = Field(default_factory=list)
    files: list[str] = Field(min_length=1)

    @field_validator("documents", "files")
    @classmethod
    def _relative_paths(cls, names: list[str]) -> list[str]:
        for name in names:
            parts = name.split("/")
            if "\\" in name or any(part in ("", ".", "..") for part in parts):
                raise ValueError(
                    f"{name!r} is not a path inside models/ written with '/' (like programs/federal/cec.yaml)"
                )
        return names

    @model_validator(mode="after")
    def _listed_once(self):
        twice = sorted(name for name, times in Counter([*self.documents, *self.files]).items() if times > 1)
        if twice:
            raise ValueError(f"listed more than once: {', '.join(twice)}")
        return self


def bracket(rows, value: int, key: str):
    """Return the last row whose minimum ``key`` the ``value`` reaches (rows ascending), or None if below all.

    This is how every points table in ``models/`` is read: a row applies from its minimum up to the next row.
    """
    chosen = None
    for row in rows:
        if value >= getattr(row, key):
            chosen = row
    return chosen
