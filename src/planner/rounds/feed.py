"""Read IRCC's Express Entry rounds feed (``ee_rounds_123_en.json``) into normalized rounds.

The feed is a JSON object with a ``rounds`` list, newest first.  Every value is a string;
numbers of 1,000 or more have comma separators; a pool distribution that was not
published is a block of ``"0"``; the tie-break text is free-form.  :func:`parse_feed`
turns each entry into a :class:`~planner.rounds.history.Round`: it maps the round name to
a stable type through the name table, parses numbers, dates and the tie-break time, stores
an unpublished distribution as ``None``, and records data problems it detects (bucket sums
that do not add up, dates out of order) in the round's ``issues``.

Unknown fields are errors, so a change in IRCC's format is noticed, not ignored.  Round
names not in the table are collected and reported by the caller, never dropped.

The feed is untrusted input, so it is checked before anything is stored: the file must be
at most :data:`MAX_FEED_BYTES`; numbers must be ASCII digits with optional thousands commas
and lie within plausible bounds (CRS 0..1200, draw size 0..100,000); dates must lie between
:data:`EARLIEST_DATE` and the feed's snapshot date; ``fetchedAt`` must be a whole number of
milliseconds between 2015 and tomorrow.  Every refusal is a :class:`FeedError` naming the
file, the field and the fix; no input gives a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from planner.errors import InputError
from planner.rounds.history import BUCKETS, NamesFile, PoolDistribution, Round, normalize_name
from planner.rounds.tiebreak import MONTHS, parse_tie_break
from planner.rounds.types import UNKNOWN_TYPE

BUCKET_KEYS: tuple[str, ...] = (
    "dd1",
    "dd2",
    "dd4",
    "dd5",
    "dd6",
    "dd7",
    "dd8",
    "dd10",
    "dd11",
    "dd12",
    "dd13",
    "dd14",
    "dd15",
    "dd16",
    "dd17",
)
"""Feed keys of the CRS ranges in :data:`~planner.rounds.history.BUCKETS`, same order."""

REQUIRED_FIELDS = ("drawNumber", "drawDate", "drawName", "drawSize", "drawCRS")
OPTIONAL_FIELDS = (
    "drawNumberURL",
    "drawCutOff",
    "drawDistributionAsOn",
    *BUCKET_KEYS,
    "dd18",
    "dd3",
    "dd9",
    # present in the live feed, not used by the planner:
    "drawDateFull",
    "mitext",
    "DrawText1",
    "drawText2",
    "drawDateTime",
)
TOP_LEVEL_FIELDS = ("rounds", "classes", "fetchedAt")

SITE = "https://www.canada.ca"
FEED_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"

MAX_FEED_BYTES = 5_000_000
"""Largest feed file read; IRCC's full feed is under 1 MB.  A larger file is refused before parsing."""
EARLIEST_DATE = date(2015, 1, 1)
"""Express Entry began in 2015: no round, pool distribution or download of the feed is older."""
MAX_CRS = 1200
MAX_DRAW_SIZE = 100_000
MAX_POOL_COUNT = 10_000_000
"""Upper bound of a pool-distribution count (the whole pool has been under 300,000)."""
MAX_VALUE_CHARS = 10_000
"""Longest string value of a round; IRCC's longest are a few hundred characters of HTML."""
MAX_JSON_INT_DIGITS = 30
"""A bare JSON integer longer than this is never converted (Python refuses over 4,300 digits)."""

_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){1,2}|[0-9]{1,9}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LONG_DATE = re.compile(r"([A-Za-z]+) ([0-9]{1,2}),? ([0-9]{4})")
_ROUND_NUMBER = re.compile(r"[0-9]{1,5}[a-z]?")


class FeedError(InputError):
    """The rounds feed file is missing, is not JSON, or does not have IRCC's format."""


@dataclass
class ParsedFeed:
    """What :func:`parse_feed` read: the rounds (oldest first) and what it could not map.

    ``snapshot`` is the date of the feed's ``fetchedAt`` (UTC), when it has one.
    """

    rounds: list[Round]
    snapshot: date | None
    unknown_names: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    """The feed being read: its file, the latest date it may hold (and why), the name table."""

    file: str
    latest: date
    latest_source: str
    names: dict
    unknown: dict[str, list[str]]

    def error(self, message: str, where: str, hint: str | None = None) -> FeedError:
        return FeedError(message, file=self.file, field=where, hint=hint or _value_hint())


class _LongNumber:
    """Stands for a bare JSON integer too long to be data; it is never converted to ``int``."""

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))

    def __repr__(self) -> str:
        return f"a {self.digits:,}-digit number"


def _hint() -> str:
    return f"the file should be IRCC's ee_rounds_123_en.json ({FEED_URL})"


def _show(raw: object) -> str:
    """Describe a value for a message: short, and never the repr of a huge or deeply nested structure."""
    if isinstance(raw, dict | list):
        return f"a JSON {'object' if isinstance(raw, dict) else 'list'}"
    text = repr(raw)
    return text if len(text) <= 40 else f"{text[:30]}... ({len(text):,} characters)"


def _value_hint() -> str:
    return f"correct this value, or download the feed again ({FEED_URL})"


def _key(key: str) -> str:
    """A field name for a message, cut short if a feed invents a huge one."""
    return key if len(key) <= 60 else f"{key[:50]}... ({len(key):,} characters)"


def _json_int(text: str) -> int | _LongNumber:
    return int(text) if len(text) <= MAX_JSON_INT_DIGITS else _LongNumber(text)


def _read_text(path: Path) -> str:
    """Return the text of ``path``: at most :data:`MAX_FEED_BYTES`, UTF-8, a file (not a directory)."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FEED_BYTES + 1)
    except FileNotFoundError:
        raise FeedError(
            "file not found", file=str(path), field="(file)", hint="give the path of a downloaded rounds feed"
        ) from None
    except IsADirectoryError:
        raise FeedError(
            "this is a directory, not a feed file",
            file=str(path),
            field="(file)",
            hint="give the path of the downloaded feed file itself",
        ) from None
    except OSError as error:
        raise FeedError(f"cannot read the file ({error})", file=str(path), field="(file)", hint=_hint()) from None
    if len(raw) > MAX_FEED_BYTES:
        raise FeedError(
            f"the file is larger than {MAX_FEED_BYTES:,} bytes; IRCC's feed is under 1 MB",
            file=str(path),
            field="(file size)",
            hint=_hint(),
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FeedError(
            f"not UTF-8 text ({error.reason} at byte {error.start:,})", file=str(path), field="(file)", hint=_hint()
        ) from None


def read_feed_json(path: Path) -> object:
    """Return the parsed JSON of ``path``, raising :class:`FeedError` if unreadable, too large or not JSON."""
    text = _read_text(path)
    try:
        return json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise FeedError(
            f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}",
            file=str(path),
            field="(JSON)",
            hint=_hint(),
        ) from None
    except RecursionError:
        raise FeedError(
            "the JSON is nested too deeply to be a rounds feed", file=str(path), field="(JSON)", hint=_hint()
        ) from None
    except ValueError as error:  # any other limit of the parser: still the user's file, never a traceback
        raise FeedError(f"not readable as JSON ({error})", file=str(path), field="(JSON)", hint=_hint()) from None


def _number(raw: object, ctx: _Context, where: str, maximum: int) -> int:
    text = raw.strip() if isinstance(raw, str) else ""
    if not _NUMBER.fullmatch(text):  # not str.isdigit(): it accepts superscripts such as "²"
        raise ctx.error(
            f'expected a whole number such as "2,000" (ASCII digits, optional thousands commas), got {_show(raw)}',
            where,
        )
    value = int(text.replace(",", ""))
    if value > maximum:
        raise ctx.error(f"{value:,} is above the plausible maximum of {maximum:,}", where)
    return value


def _in_range(value: date, ctx: _Context, where: str) -> date:
    if not EARLIEST_DATE <= value <= ctx.latest:
        raise ctx.error(
            f"{value.isoformat()} is outside {EARLIEST_DATE.isoformat()} (Express Entry's start) to "
            f"{ctx.latest.isoformat()} (the feed's snapshot date, from {ctx.latest_source})",
            where,
            hint="a date after the snapshot means the feed or its fetchedAt is wrong; download the "
            "feed again, or give the download date with --snapshot-date",
        )
    return value


def _draw_date(raw: str, ctx: _Context, where: str) -> date:
    text = raw.strip()
    try:
        value = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:  # 2026-02-30
        value = None
    if value is None:
        raise ctx.error(f"expected a date as YYYY-MM-DD, got {_show(raw)}", where)
    return _in_range(value, ctx, where)


def _long_date(raw: str, ctx: _Context, where: str) -> date | None:
    """Parse "September 13, 2026"; return None for an empty string."""
    text = " ".join(raw.split())
    if not text:
        return None
    match = _LONG_DATE.fullmatch(text)
    month = MONTHS.get(match.group(1).lower()) if match else None
    try:
        value = date(int(match.group(3)), month, int(match.group(2))) if month else None
    except ValueError:  # September 31
        value = None
    if value is None:
        raise ctx.error(f'expected a date such as "September 13, 2026", got {_show(raw)}', where)
    return _in_range(value, ctx, where)


def _url(raw: str) -> str | None:
    match = re.search(r"href=['\"]([^'\"]+)['\"]", raw)
    if not match:
        return None
    href = match.group(1)
    return SITE + href if href.startswith("/") else href


def _subtotal_issues(entry: dict, counts: dict[str, int], ctx: _Context, where: str) -> list[str]:
    issues = []
    for subtotal, parts, label in (("dd3", BUCKET_KEYS[2:7], "451-500"), ("dd9", BUCKET_KEYS[7:12], "401-450")):
        if subtotal in entry:
            value = _number(entry[subtotal], ctx, f"{where}.{subtotal}", MAX_POOL_COUNT)
            if value and value != sum(counts[key] for key in parts):
                issues.append(
                    f"IRCC's subtotal {subtotal} ({label}) is {value:,} but its ranges add up to "
                    f"{sum(counts[key] for key in parts):,}"
                )
    return issues


def _pool(entry: dict, round_date: date, ctx: _Context, where: str, issues: list[str]) -> PoolDistribution | None:
    counts = {
        key: _number(entry.get(key, "0"), ctx, f"{where}.{key}", MAX_POOL_COUNT) for key in (*BUCKET_KEYS, "dd18")
    }
    as_of = _long_date(entry.get("drawDistributionAsOn", ""), ctx, f"{where}.drawDistributionAsOn")
    if as_of is not None and as_of > round_date:
        issues.append(f"pool distribution date {as_of.isoformat()} is after the round")
    if not any(counts.values()):
        return None  # IRCC fills unpublished distributions with zeros
    if as_of is None:
        raise ctx.error(
            "a pool distribution is given but drawDistributionAsOn is empty", f"{where}.drawDistributionAsOn"
        )
    buckets = dict(zip(BUCKETS, (counts[key] for key in BUCKET_KEYS), strict=True))
    total = counts["dd18"]
    if sum(buckets.values()) != total:
        issues.append(
            f"pool buckets add up to {sum(buckets.values()):,} but IRCC's total (dd18) is {total:,}; "
            f"difference {total - sum(buckets.values()):+,}"
        )
    issues.extend(_subtotal_issues(entry, counts, ctx, where))
    return PoolDistribution(as_of=as_of, total=total, buckets=buckets)


def _check_shape(entry: object, ctx: _Context, where: str) -> dict:
    """Return ``entry`` if it is an object of known fields, all present ones strings, the required ones there."""
    if not isinstance(entry, dict):
        raise ctx.error(f"each round must be a JSON object, got {_show(entry)}", where)
    for key in entry:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            raise ctx.error(
                "unknown field; IRCC's feed format may have changed",
                f"{where}.{_key(key)}",
                hint=f"known fields: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}",
            )
    for key in REQUIRED_FIELDS:
        if key not in entry:
            raise ctx.error("required field is missing", f"{where}.{key}")
    for key, value in entry.items():
        if not isinstance(value, str):
            raise ctx.error(f"expected a string (the feed quotes every value), got {_show(value)}", f"{where}.{key}")
        if len(value) > MAX_VALUE_CHARS:
            raise ctx.error(
                f"the value is {len(value):,} characters long, over the plausible {MAX_VALUE_CHARS:,}", f"{where}.{key}"
            )
    return entry


def _round_number(raw: str, ctx: _Context, where: str) -> str:
    number = raw.strip()
    if not _ROUND_NUMBER.fullmatch(number):
        raise ctx.error(f'expected a round number such as "444" or "91a", got {_show(raw)}', where)
    return number


def _round(entry: object, index: int, ctx: _Context) -> Round:
    entry = _check_shape(entry, ctx, f"rounds[{index}]")
    number = _round_number(entry["drawNumber"], ctx, f"rounds[{index}].drawNumber")
    where = f"rounds[{index}] (round {number})"
    round_date = _draw_date(entry["drawDate"], ctx, f"{where}.drawDate")
    name = " ".join(entry["drawName"].split())
    mapped = ctx.names.get(normalize_name(name))
    if mapped is None:
        ctx.unknown.setdefault(name, []).append(number)
    raw_tie = entry.get("drawCutOff", "")
    tie_break, issues = parse_tie_break(raw_tie, round_date)
    if tie_break is not None and tie_break.date() > round_date:
        issues.append(f"tie-break time {tie_break.date().isoformat()} is after the round date")
    pool = _pool(entry, round_date, ctx, where, issues)
    try:
        return Round(
            number=number,
            date=round_date,
            name=name,
            type=mapped.type if mapped else UNKNOWN_TYPE,
            version=mapped.version if mapped else None,
            invitations=_number(entry["drawSize"], ctx, f"{where}.drawSize", MAX_DRAW_SIZE),
            cutoff=_number(entry["drawCRS"], ctx, f"{where}.drawCRS", MAX_CRS),
            tie_break=tie_break,
            tie_break_raw=raw_tie.strip() or None,
            url=_url(entry.get("drawNumberURL", "")),
            pool=pool,
            issues=issues,
        )
    except ValidationError as error:
        problem = error.errors()[0]
        raise ctx.error(problem["msg"], f"{where}.{'.'.join(map(str, problem['loc']))}") from None


def _flag_repeated_pools(rounds: list[Round]) -> list[Round]:
    """Note rounds whose buckets equal another round's while the distribution dates differ (e.g. round 386)."""
    by_buckets: dict[tuple, set[date]] = {}
    for item in rounds:
        if item.pool is not None:
            by_buckets.setdefault(tuple(item.pool.buckets.values()), set()).add(item.pool.as_of)
    flagged = []
    for item in rounds:
        dates = by_buckets.get(tuple(item.pool.buckets.values()), set()) if item.pool else set()
        if len(dates) > 1:
            others = ", ".join(d.isoformat() for d in sorted(dates) if d != item.pool.as_of)
            note = (
                f"pool buckets are identical to the distribution published as of {others}, "
                f"yet dated {item.pool.as_of.isoformat()}; one of the two dates may be wrong"
            )
            item = item.model_copy(update={"issues": [*item.issues, note]})
        flagged.append(item)
    return flagged


def _entries(data: object, file: str) -> list:
    """Return the feed's ``rounds`` list, after checking the top level."""
    if not isinstance(data, dict):
        raise FeedError(
            f'expected a JSON object with a "rounds" list, got {_show(data)}',
            file=file,
            field="(top level)",
            hint=_hint(),
        )
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            raise FeedError(
                "unknown top-level field; IRCC's feed format may have changed",
                file=file,
                field=_key(key),
                hint=f"known top-level fields: {', '.join(TOP_LEVEL_FIELDS)}",
            )
    if "rounds" not in data:
        raise FeedError(
            'expected a JSON object with a "rounds" list; there is none', file=file, field="rounds", hint=_hint()
        )
    if not isinstance(data["rounds"], list):
        raise FeedError(
            f'"rounds" must be a list, got {_show(data["rounds"])}', file=file, field="rounds", hint=_hint()
        )
    return data["rounds"]


def _millis(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


def _fetched_date(value: object, file: str, today: date) -> date | None:
    """Return the UTC date of ``fetchedAt`` (None if absent); refuse anything but plausible whole milliseconds."""
    if value is None:
        return None
    hint = (
        "fetchedAt is when the feed was downloaded, in milliseconds since 1970 (1790576469911 is "
        "2026-09-28); correct it, or remove it and give the download date with --snapshot-date"
    )
    if isinstance(value, bool) or not isinstance(value, int):
        raise FeedError(
            f"expected a whole number of milliseconds since 1970, got {_show(value)}",
            file=file,
            field="fetchedAt",
            hint=hint,
        )
    tomorrow = today + timedelta(days=1)
    if not _millis(EARLIEST_DATE) <= value < _millis(tomorrow + timedelta(days=1)):
        raise FeedError(
            f"{value} ms is not between {EARLIEST_DATE.isoformat()} and {tomorrow.isoformat()} (tomorrow, UTC)",
            file=file,
            field="fetchedAt",
            hint=hint,
        )
    return datetime.fromtimestamp(value / 1000, tz=UTC).date()


def _context(file: str, names: NamesFile, fetched: date | None, snapshot: date | None, today: date) -> _Context:
    """The context of a feed: no date in it may be after the snapshot (given, else fetchedAt, else today)."""
    latest, source = (
        (snapshot, "--snapshot-date")
        if snapshot
        else (fetched, "fetchedAt")
        if fetched
        else (today, "today, as the feed has no fetchedAt")
    )
    return _Context(file=file, latest=latest, latest_source=source, names=names.lookup(), unknown={})


def _parse_rounds(entries: list, ctx: _Context) -> list[Round]:
    rounds: dict[str, Round] = {}
    for index, entry in enumerate(entries):
        parsed = _round(entry, index, ctx)
        previous = rounds.get(parsed.number)
        if previous is not None and previous != parsed:
            raise ctx.error(
                f"round {parsed.number} appears twice with different contents",
                f"rounds[{index}]",
                hint="the feed is inconsistent; download it again",
            )
        rounds[parsed.number] = parsed
    return sorted(rounds.values(), key=lambda item: item.sort_key)


def parse_feed(path: Path, names: NamesFile, *, today: date | None = None, snapshot: date | None = None) -> ParsedFeed:
    """Read the feed at ``path`` and return its rounds, oldest first.

    Raises :class:`FeedError` for a missing, oversized or non-JSON file, unknown or missing
    fields, and unreadable or implausible values.  Dates may not be after ``snapshot`` (the
    download date, when the caller knows it), else the feed's ``fetchedAt``, else ``today``.
    Round names missing from ``names`` do not raise: those rounds get type ``unknown`` and are
    listed in :attr:`ParsedFeed.unknown_names`.
    """
    file, today = str(path), today or date.today()
    data = read_feed_json(path)
    entries = _entries(data, file)
    fetched = _fetched_date(data.get("fetchedAt"), file, today)
    ctx = _context(file, names, fetched, snapshot, today)
    rounds = _parse_rounds(entries, ctx)
    return ParsedFeed(rounds=_flag_repeated_pools(rounds), snapshot=fetched, unknown_names=ctx.unknown)
