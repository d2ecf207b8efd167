"""The planner's stable ids for Express Entry round types.

IRCC names its rounds in free text that changes from year to year ("French language
proficiency (Version 1)", "French-Language proficiency 2026-Version 2").  The planner
reduces every round to one of these ids plus a version label, through the name table in
``models/rounds/round_names.yaml``.  The ids are the contract with the route planner: a
person's eligibility is expressed as a set of them.

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

PROGRAM_TYPES: frozenset[str] = frozenset({"general", "cec", "fsw", "fst", "pnp"})
"""Round types that select by program (or by none, for ``general``) rather than by category."""

UNKNOWN_TYPE = "unknown"
"""Type given to a round whose IRCC name is not in the name table (only with ``--allow-unknown``)."""

LABELS: dict[str, str] = {
    "general": "General (all programs)",
    "cec": "Canadian Experience Class",
    "fsw": "Federal Skilled Worker",
    "fst": "Federal Skilled Trades",
    "pnp": "Provincial Nominee Program",
    "french": "French-language proficiency",
    "stem": "STEM occupations",
    "healthcare": "Healthcare (and social services) occupations",
    "trades": "Trade occupations",
    "transport": "Transport occupations",
    "agriculture": "Agriculture and agri-food occupations",
    "education": "Education occupations",
    "physicians": "Physicians with Canadian work experience",
    "senior_managers": "Senior managers with Canadian work experience",
    "researchers": "Researchers with Canadian work experience",
    "military": "Skilled military recruits",
    UNKNOWN_TYPE: "Unrecognised round name",
}
"""Short human labels for tables and explanations."""
