"""Calendar helpers: ages, month arithmetic and day counts.

Plans are made in whole months from an as-of date; these helpers convert between
month offsets and calendar dates the same way everywhere.
"""

from __future__ import annotations

import calendar
from datetime import date


def age_on(birth_date: date, on: date) -> int:
    """Return the age in completed years on ``on``.

    >>> age_on(date(1993, 4, 12), date(2023, 4, 11))
    29
    >>> age_on(date(1993, 4, 12), date(2023, 4, 12))
    30
    """
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def add_months(start: date, months: int) -> date:
    """Return the date ``months`` calendar months after ``start`` (day clipped to month end).

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2026, 11, 25), -12)
    datetime.date(2025, 11, 25)
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = start.day
    if day > 28:  # every month has 28 days; only later days may need clipping
        day = min(day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_years(start: date, years: int) -> date:
    """Return the same calendar day ``years`` later (29 February becomes 28 February)."""
    return add_months(start, 12 * years)


def months_between(start: date, end: date) -> int:
    """Return the number of whole calendar months from ``start`` to ``end``.

    >>> months_between(date(2026, 1, 15), date(2026, 3, 14))
    1
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months
