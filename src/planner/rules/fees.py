"""Government fees of a program step: who pays them and how much, from the program files' dated fee lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.rules.catalogue import Fee, ProgramFile


@dataclass(frozen=True)
class Payers:
    """Who per-person fees are charged for, and where the job is (for fees charged only for some provinces)."""

    adults: int
    children: int
    offer_province: str | None = None
    citizenships: tuple[str, ...] = ()


def _charged(fee: Fee, payers: Payers) -> bool:
    """Whether the applicant pays ``fee``: not the employer's, the job in a province it is for, no exempt citizenship."""
    return (
        fee.payer == "applicant"
        and (fee.only_if_offer_in is None or payers.offer_province in fee.only_if_offer_in)
        and not (fee.exempt_citizenships and set(payers.citizenships) & set(fee.exempt_citizenships))
    )


def fee_is_known(program: ProgramFile, on: date) -> bool:
    """True if ``models/`` states the program's fees in force on ``on`` (none stated: :func:`step_fees` counts 0)."""
    return program.fees is not None and program.fees.get(on) is not None


def step_fees(program: ProgramFile, on: date, payers: Payers, renewal: bool = False) -> int:
    """Government fees the applicant pays for a program on a date.

    Each fee once, or per adult, child, person or dependant (its ``per``), up to its
    ``max_cad``; a fee for jobs in some provinces counts when the offer is in one of them, and
    a fee some citizens are exempt from is not charged to them. For a ``renewal`` of the
    permit, fees not charged again on renewal (biometrics) are left out.
    """
    if not fee_is_known(program, on):
        return 0
    people = payers.adults + payers.children
    count = {
        "application": 1,
        "adult": payers.adults,
        "child": payers.children,
        "person": people,
        "dependant": people - 1,
    }
    total = 0.0
    for fee in program.fees.get(on):
        if not _charged(fee, payers) or renewal and not fee.on_renewal:
            continue
        amount = fee.amount_cad * count[fee.per]
        total += amount if fee.max_cad is None else min(amount, fee.max_cad)
    return int(round(total))
