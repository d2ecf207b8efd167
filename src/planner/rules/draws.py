"""Provincial draw histories (``models/rounds/provincial_draws.yaml``): the schema and the file in force.

:mod:`planner.rounds.provincial` estimates selection from them; the catalogue checks that
every program's ``selection`` names a series here.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from planner.rules.book import rule_file
from planner.rules.schema import Certainty, ModelFile, Reference, Strict
from planner.rules.vocabulary import Province

Criterion = Literal["hourly_wage", "crs_band", "aaip_score", "sinp_score"]


class ProvincialDraw(Strict):
    """One published draw: when, how many were invited, and what admitted them."""

    date: date
    invited: int | str | None = None
    min_hourly_wage: float | None = Field(default=None, ge=0)
    min_score: int | None = None
    max_score: int | None = None
    nocs: list[str] | None = None
    certainty: Certainty = "confirmed"
    doubt: str | None = None


class DrawSeries(Strict):
    """A province's draws that select by one criterion, with the period its record is complete for."""

    description: str
    province: Province
    criterion: Criterion
    references: list[Reference] = Field(min_length=1)
    complete_from: date | None = None
    """The record holds every draw from this date to ``data_until`` (None: incomplete, not estimated)."""
    data_until: date
    draws: list[ProvincialDraw]


class ProvincialDrawsFile(ModelFile):
    """Schema of ``models/rounds/provincial_draws.yaml``."""

    series: dict[str, DrawSeries]


def provincial_draws() -> ProvincialDrawsFile:
    return rule_file("rounds/provincial_draws.yaml", ProvincialDrawsFile)
