"""NOC 2021 occupations: titles and TEER levels from ``models/noc/noc2021.yaml``.

IRCC has used NOC 2021 since 2022-11-16; "skilled" work means TEER 0, 1, 2 or 3.
An unknown code is an error that names the closest known codes.
"""

from __future__ import annotations

import difflib

from pydantic import Field, model_validator

from planner.errors import ProfileError
from planner.rules.book import rule_file
from planner.rules.schema import ModelFile, Reference, Strict


class Occupation(Strict):
    """One NOC 2021 unit group."""

    title: str
    teer: int = Field(ge=0, le=5)


class NocFile(ModelFile):
    """Schema of ``models/noc/noc2021.yaml``."""

    version: str
    references: list[Reference] = Field(min_length=1)
    occupations: dict[str, Occupation]

    @model_validator(mode="after")
    def _codes_well_formed(self):
        for code, occupation in self.occupations.items():
            if len(code) != 5 or not code.isdigit():
                raise ValueError(f"occupation code {code!r} must be five digits (quote it in YAML: '21231')")
            if int(code[1]) != occupation.teer:
                raise ValueError(
                    f"occupation {code}: teer {occupation.teer} does not match the code's second digit {code[1]}"
                )
        return self


def noc_table() -> NocFile:
    """Return the NOC 2021 table."""
    return rule_file("noc/noc2021.yaml", NocFile)


def occupation(code: str) -> Occupation | None:
    """Return the occupation for ``code``, or None if it is not in the table."""
    return noc_table().occupations.get(code)


def teer(code: str) -> int:
    """Return the TEER of a known code (callers check the code first with :func:`require_known`)."""
    found = occupation(code)
    if found is None:
        raise KeyError(code)
    return found.teer


def close_matches(code: str, n: int = 3) -> list[str]:
    """Return up to ``n`` known codes that look like ``code``: same minor group first, then typo neighbours."""
    codes = list(noc_table().occupations)
    same_minor = [c for c in codes if c[:4] == code[:4]]
    same_major = [c for c in codes if c[:2] == code[:2] and c not in same_minor]
    similar = difflib.get_close_matches(code, codes, n=n, cutoff=0.6)
    return list(dict.fromkeys(same_minor + similar + same_major))[:n]


def require_known(code: str, source: str, field: str) -> Occupation:
    """Return the occupation for ``code`` or raise a ProfileError naming close matches."""
    found = occupation(code)
    if found is not None:
        return found
    suggestions = close_matches(code)
    described = ", ".join(f"{c} ({noc_table().occupations[c].title})" for c in suggestions)
    hint = (
        f"did you mean {described}?" if suggestions else "use a five-digit NOC 2021 code"
    ) + " Look codes up at https://noc.esdc.gc.ca/"
    raise ProfileError(f"unknown NOC 2021 code '{code}'", file=source, field=field, hint=hint)
