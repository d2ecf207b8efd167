"""Processing of a permit for one person: at a port of entry, from inside Canada, or as the program publishes.

The rules are in :mod:`planner.rules.process` and the program files; this module reads
what about the person decides which figure applies (citizenship, being in Canada).
"""

from __future__ import annotations

from datetime import date

from planner.facts.derived import IN_CANADA_STATUSES
from planner.facts.profile import Profile
from planner.rules.catalogue import ProgramFile
from planner.rules.process import months_ceil, planning, program_processing, work_permit_processing


def at_port_of_entry(program: ProgramFile, profile: Profile, on: date) -> bool:
    """True if the person may apply for the permit at a port of entry on ``on`` (a citizenship its rule lists)."""
    rule = program.port_of_entry.get(on) if program.port_of_entry is not None else None
    return rule is not None and any(c in rule.citizenships for c in profile.citizenships)


def applies_from_inside_canada(program: ProgramFile, profile: Profile) -> bool:
    """True if the person applies from inside Canada and the program's processing figure is for applications from outside."""
    return program.processing_outside_canada_only and profile.status_in_canada.status in IN_CANADA_STATUSES


def permit_processing(program: ProgramFile, profile: Profile, on: date) -> tuple[int, int]:
    """(median, p80) months for a permit applied for on ``on``.

    None at a port of entry; IRCC's in-Canada time for someone applying from inside Canada
    when the program's figure is only for applications from outside (else the planner's
    labelled assumption, when no in-Canada time is known for the date); otherwise
    :func:`program_processing`.
    """
    if at_port_of_entry(program, profile, on):
        return 0, 0
    if applies_from_inside_canada(program, profile):
        found = work_permit_processing().in_canada.get(on)
        if found is None:
            assumed = planning().unknown_processing_months.at(on)
            return assumed, assumed
        return months_ceil(found.median_months), months_ceil(found.p80_months)
    return program_processing(program, on)
