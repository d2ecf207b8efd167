"""The words rules and profiles share: provinces, language abilities, education levels and tiers, roles, places.

Rule files name these in their requirements (:mod:`planner.rules.requirements`) and a
profile states them (:mod:`planner.facts.profile`), so they live here, below both.
"""

from __future__ import annotations

from typing import Literal

Ability = Literal["listening", "reading", "writing", "speaking"]
ABILITIES: tuple[Ability, ...] = ("listening", "reading", "writing", "speaking")

EducationLevel = Literal["secondary", "post_secondary", "bachelor", "master", "professional", "doctoral"]
"""A credential's level as a profile states it."""

EducationTier = Literal[
    "less_than_secondary",
    "secondary",
    "one_year",
    "two_year",
    "bachelor_or_three_year",
    "two_or_more",
    "master_or_professional",
    "doctoral",
]
"""The CRS and FSW education factor's rows, which a credential's level and length map to."""

Province = Literal["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]

FEDERAL: Literal["federal"] = "federal"
"""The jurisdiction of Canada's own programs (the others are provinces and territories)."""

Jurisdiction = Literal["federal", "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]

Role = Literal["executive", "managerial", "specialized_knowledge", "other"]
"""A job's role, as intra-company transfer rules distinguish them."""

Where = Literal["canada", "abroad", "any"]
"""Where work or study took place, as a requirement counts it."""
