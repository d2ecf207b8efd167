"""How long a permit lasts for one person: its program's grant read with the person's facts.

A grant states an initial length, renewals and a maximum; some lengths are the person's
own: a post-graduation work permit is as long as the study program (up to its maximum),
and an International Experience Canada permit as long as the country of citizenship's
arrangement allows.
"""

from __future__ import annotations

from datetime import date

from planner.eligibility.predicates import latest_canadian_credential
from planner.facts.profile import Profile
from planner.rules.catalogue import Grant, LengthFromProgram


def permit_months(grant: Grant | None, profile: Profile, on: date) -> int | None:
    """Months a permit applied for on ``on`` can last with renewals; None when nothing the plan can hit limits it.

    Its maximum, else the initial length if it cannot be renewed, else no limit (renewable
    without a cap, or no grant stated); a length of the person's own replaces the initial one.
    """
    if grant is None:
        return None
    own = _own_months(grant, profile, on)
    if own is not None:
        return own if grant.max_months is None else min(own, grant.max_months)
    if grant.max_months is not None:
        return grant.max_months
    return None if grant.renewal_months else grant.initial_months


def issued_months(grant: Grant, profile: Profile, on: date) -> int | None:
    """Months a permit lasts as first issued, before any renewal: the person's own length, else the initial one.

    None when the program states no length.
    """
    own = _own_months(grant, profile, on)
    issued = grant.initial_months if own is None else own
    if issued is None or grant.max_months is None:
        return issued
    return min(issued, grant.max_months)


def _own_months(grant: Grant, profile: Profile, on: date) -> int | None:
    if grant.months_by_citizenship is not None:
        lengths = [grant.months_by_citizenship[c] for c in profile.citizenships if c in grant.months_by_citizenship]
        return max(lengths, default=None)
    if grant.length_from_program is not None:
        return program_permit_months(grant.length_from_program, profile, on)
    return None


def program_permit_months(rule: LengthFromProgram, profile: Profile, on: date) -> int | None:
    """The post-graduation work permit length for the most recent Canadian credential on ``on`` (None: none qualifies)."""
    credential = latest_canadian_credential(profile, on)
    if credential is None or credential.length_months < rule.min_program_months:
        return None
    if credential.length_months >= rule.full_from_program_months or credential.level in rule.full_for_levels:
        return rule.full_months
    return credential.length_months
