"""Staying in status: how long a person in Canada may stay on a permit, renewals, and the bridging permit.

A person inside Canada must hold a status in every month of a plan. A :class:`Stay`
says, in plan months, when the permit they hold ends as issued, how long each renewal
lasts (applied for before it ends, so maintained status covers the wait, IRPR 183(5) and
186(u)), and the last month renewals can reach (a program's maximum, the job offer's
end for an employer-specific permit, or none). Once the PR application is submitted, a
bridging open work permit applied for while the permit is still valid keeps the person
in status until the decision. The program files say which permits renew and for how
long; ``models/federal/status.yaml`` names the bridging permit's program.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from planner.dates import add_months, months_between
from planner.facts.derived import IN_CANADA_STATUSES
from planner.facts.profile import Profile
from planner.planning.permits import issued_months
from planner.rules.catalogue import Catalogue, Grant, ProgramFile
from planner.rules.status import status_rules


@dataclass(frozen=True)
class Stay:
    """A permit held in Canada, in plan months: ``ends`` as issued, renewals of ``renew_months`` up to ``last``.

    ``renew_months`` is None when the permit cannot be renewed (then ``last == ends``);
    ``last`` is None when renewals have no cap the plan can reach.
    """

    program: ProgramFile | None
    ends: int
    renew_months: int | None
    last: int | None
    ends_on: date | None = None
    """The day the permit as issued ends, when known exactly (a current permit's ``valid_until``)."""
    work_permit: bool = True
    """A work permit (a study permit or a visitor's stay is not: its holder cannot get a bridging permit)."""

    def can_bridge(self) -> bool:
        """True if a bridging open work permit can follow this stay (it needs a work permit or a worker's maintained status)."""
        return self.work_permit

    def reaches(self, month: int) -> bool:
        """True if the permit, renewed as needed, is still valid in ``month``."""
        return self.last is None or month <= self.last

    def renewals_to_reach(self, month: int) -> int:
        """How many renewals keep the permit valid in ``month`` (0 when the permit as issued does)."""
        if month <= self.ends or not self.renew_months:
            return 0
        return math.ceil((month - self.ends) / self.renew_months)

    def end_date(self, renewals: int, as_of: date) -> date:
        """The day the permit ends after ``renewals`` renewals (the exact day as issued, when known)."""
        if renewals == 0 and self.ends_on is not None:
            return self.ends_on
        return add_months(as_of, self.end_after(renewals))

    def end_after(self, renewals: int) -> int:
        """The month the permit ends after ``renewals`` renewals (never past ``last``)."""
        end = self.ends + renewals * (self.renew_months or 0)
        return end if self.last is None else min(end, self.last)


def _renewal_cap(grant: Grant, start_month: int) -> int | None:
    """The last month renewals can reach for a permit first issued in ``start_month`` (None: no cap)."""
    return None if grant.max_months is None else start_month + grant.max_months


def route_stay(program: ProgramFile, profile: Profile, as_of: date, applied: int, arrival: int) -> Stay | None:
    """The stay a permit applied for in month ``applied`` gives from ``arrival``, for this person.

    Its length as issued is the person's own (:func:`planner.planning.permits.issued_months`: the
    initial length, a PGWP's program length, an IEC country's length); an employer-specific
    permit ends no later than a temporary job offer. None when nothing limits the stay.
    """
    on = add_months(as_of, applied)
    grant = program.grants.get(on) if program.grants is not None else None
    issued = issued_months(grant, profile, on) if grant is not None else None
    if issued is None:
        return None
    renew = grant.renewal_months or None
    last = _renewal_cap(grant, arrival) if renew else arrival + issued
    offer = profile.job_offer
    if not grant.open_permit and offer is not None and not offer.permanent and offer.duration_months:
        issued = min(issued, offer.duration_months)
        last = arrival + offer.duration_months if last is None else min(last, arrival + offer.duration_months)
    return Stay(program, arrival + issued, renew, last)


def current_stay(profile: Profile, as_of: date, cat: Catalogue) -> Stay | None:
    """The stay of the permit the person holds now in Canada; None when they hold none with an end date.

    A known permit renews as its program allows; the cap counts from the start of the
    person's current Canadian job (the work on this permit), else from today. An unknown
    permit is taken as not renewable.
    """
    current = profile.status_in_canada
    if current.status not in IN_CANADA_STATUSES or current.valid_until is None:
        return None
    ends = months_between(as_of, current.valid_until)
    worker = current.status == "worker"
    program = cat.permit_program(current.permit) if worker else None
    grant = program.grants.get(as_of) if program is not None else None
    if grant is None or not grant.renewal_months:
        return Stay(program, ends, None, ends, current.valid_until, work_permit=worker)
    jobs = [job.start for job in profile.work_history if job.in_canada and job.end is None]
    began = months_between(as_of, min(jobs)) if jobs else 0
    return Stay(program, ends, grant.renewal_months, _renewal_cap(grant, began), current.valid_until)


def bridging_program(cat: Catalogue, on: date) -> ProgramFile:
    """The bridging open work permit's program (named in models/federal/status.yaml)."""
    return cat.get(status_rules().bridging_permit.at(on))


def current_work_end(profile: Profile, as_of: date, cat: Catalogue) -> date | None:
    """The last day the person's current Canadian job can go on: their permit's end, or later when it renews.

    None when renewals have no cap (a plan renews the permit as often as it needs).
    """
    stay = current_stay(profile, as_of, cat)
    if stay is None or stay.renew_months is None:
        return profile.status_in_canada.valid_until
    return None if stay.last is None else add_months(as_of, stay.last)
