"""The planner's stable ids for Express Entry round types.

IRCC names its rounds in free text that changes from year to year ("French language
proficiency (Version 1)", "French-Language proficiency 2026-Version 2").  The planner
reduces every round to one of these ids plus a version label, through the name table in
``models/rounds/round_names.yaml``, which also holds each type's label.  The ids are the
contract with the route planner (a person's eligibility is expressed as a set of them) and
with the history file's schema, so they are vocabulary here, like provinces.

Program rounds (``general``, ``cec``, ``fsw``, ``fst``, ``pnp``) have no version.
Category rounds carry the version IRCC gave the category's occupation list, labelled
``<year the version was first used>-v<number>`` (e.g. ``stem`` ``2023-v1``).
"""

from __future__ import annotations

ROUND_TYPES: tuple[str, ...] = (
    "general",
    "cec",
    "fsw",
    "fst",
    "pnp",
    "french",
    "stem",
    "healthcare",
    "trades",
    "transport",
    "agriculture",
    "education",
    "physicians",
    "senior_managers",
    "researchers",
    "military",
)
"""Canonical round-type ids, program rounds first, then categories."""

UNKNOWN_TYPE = "unknown"
"""Type given to a round whose IRCC name is not in the name table (only with ``--allow-unknown``)."""
