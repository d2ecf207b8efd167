"""Parse IRCC's hand-written tie-breaking text into a UTC timestamp.

IRCC publishes, for each round, the profile-submission time used to break ties at the
cut-off score ("September 01, 2026 at 23:05:13 UTC").  The text is typed by hand and
varies: ordinal days ("July 3rd"), a missing year, "at" or "UTC", "May 19,2022",
"March 02. 2024", stray spaces, and "AM"/"PM" (once on a 24-hour time, "20:19:59 PM").
:func:`parse_tie_break` reads all of these and says what it had to assume.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}

_PATTERN = re.compile(
    r"^(?P<month>[a-z]+)\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*[,.]?\s*"
    r"(?:(?P<year>\d{4})\s*,?\s*)?(?:at\s+)?"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})\s*(?P<ampm>am|pm)?\s*(?P<utc>utc)?$",
    re.IGNORECASE,
)


def parse_tie_break(text: str, round_date: date) -> tuple[datetime | None, list[str]]:
    """Return the tie-break time in UTC and notes on any assumption made, or ``None`` if unreadable.

    A missing year is taken from the round date (or the year before, if the day would
    otherwise fall after the round).  A missing "UTC" is assumed to be UTC.  "PM" on a
    time already past noon is ignored.

    >>> parse_tie_break("July 3rd 2024 at 16:33:20 UTC", date(2024, 7, 8))[0].isoformat()
    '2024-07-03T16:33:20+00:00'
    >>> moment, notes = parse_tie_break("October 9 at 10:22:15 UTC", date(2019, 10, 16))
    >>> moment.isoformat(), notes
    ('2019-10-09T10:22:15+00:00', ['tie-break text has no year; took 2019 from the round date'])
    >>> parse_tie_break("", date(2015, 1, 31))
    (None, [])
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        return None, []
    match = _PATTERN.match(cleaned)
    month = MONTHS.get(match.group("month").lower()) if match else None
    if match is None or month is None:
        return None, [f"tie-break text {text!r} could not be read as a date and time"]
    notes: list[str] = []
    day, hour = int(match.group("day")), int(match.group("hour"))
    minute, second = int(match.group("minute")), int(match.group("second"))
    if match.group("year"):
        year = int(match.group("year"))
    else:
        year = round_date.year if (month, day) <= (round_date.month, round_date.day) else round_date.year - 1
        notes.append(f"tie-break text has no year; took {year} from the round date")
    ampm = (match.group("ampm") or "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    elif ampm == "pm" and hour > 12:
        notes.append(f"tie-break text says PM on a 24-hour time ({hour}:{minute:02d}); kept {hour}:{minute:02d}")
    if not match.group("utc"):
        notes.append("tie-break text does not say UTC; assumed UTC")
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as error:
        return None, [f"tie-break text {text!r} is not a real date and time ({error})"]
    return moment, notes
