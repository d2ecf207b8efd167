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
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from pydantic import ValidationError

from planner.errors import InputError
from planner.rounds.history import BUCKETS, NamesFile, PoolDistribution, Round, normalize_name
from planner.rounds.tiebreak import MONTHS, parse_tie_break
from planner.rounds.types import UNKNOWN_TYPE

BUCKET_KEYS: tuple[str, ...] = ("dd1", "dd2", "dd4", "dd5", "dd6", "dd7", "dd8", "dd10",
                                "dd11", "dd12", "dd13", "dd14", "dd15", "dd16", "dd17")
"""Feed keys of the CRS ranges in :data:`~planner.rounds.history.BUCKETS`, same order."""

REQUIRED_FIELDS = ("drawNumber", "drawDate", "drawName", "drawSize", "drawCRS")
OPTIONAL_FIELDS = ("drawNumberURL", "drawCutOff", "drawDistributionAsOn", *BUCKET_KEYS, "dd18", "dd3", "dd9",
                   # present in the live feed, not used by the planner:
                   "drawDateFull", "mitext", "DrawText1", "drawText2", "drawDateTime")
TOP_LEVEL_FIELDS = ("rounds", "classes", "fetchedAt")

SITE = "https://www.canada.ca"


class FeedError(InputError):
    """The rounds feed file is missing, is not JSON, or does not have IRCC's format."""


@dataclass
class ParsedFeed:
    """What :func:`parse_feed` read: the rounds (oldest first) and what it could not map."""

    rounds: list[Round]
    snapshot: date | None
    unknown_names: dict[str, list[str]] = field(default_factory=dict)


def _hint() -> str:
    return ("the file should be IRCC's ee_rounds_123_en.json "
            "(https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json)")


def read_feed_json(path: Path) -> object:
    """Return the parsed JSON of ``path``, raising :class:`FeedError` if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FeedError("file not found", file=str(path), hint="give the path of a downloaded rounds feed") from None
    except (OSError, UnicodeDecodeError) as error:
        raise FeedError(f"cannot read the file ({error})", file=str(path), hint=_hint()) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FeedError(f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}",
                        file=str(path), hint=_hint()) from None


def _number(raw: object, file: str, where: str) -> int:
    text = raw.replace(",", "").strip() if isinstance(raw, str) else None
    if text is None or not text.isdigit():
        raise FeedError(f"expected a whole number such as \"2,000\", got {raw!r}", file=file, field=where,
                        hint=_hint())
    return int(text)


def _long_date(raw: str, file: str, where: str) -> date | None:
    """Parse "September 13, 2026"; return None for an empty string."""
    text = " ".join(raw.split())
    if not text:
        return None
    match = re.fullmatch(r"([A-Za-z]+) (\d{1,2}),? (\d{4})", text)
    month = MONTHS.get(match.group(1).lower()) if match else None
    if match is None or month is None:
        raise FeedError(f"expected a date such as \"September 13, 2026\", got {raw!r}", file=file, field=where,
                        hint=_hint())
    return date(int(match.group(3)), month, int(match.group(2)))


def _url(raw: str) -> str | None:
    match = re.search(r"href=['\"]([^'\"]+)['\"]", raw)
    if not match:
        return None
    href = match.group(1)
    return SITE + href if href.startswith("/") else href


def _pool(entry: dict, as_of_raw: str, round_date: date, file: str, where: str,
          issues: list[str]) -> PoolDistribution | None:
    counts = {key: _number(entry.get(key, "0"), file, f"{where}.{key}") for key in (*BUCKET_KEYS, "dd18")}
    as_of = _long_date(as_of_raw, file, f"{where}.drawDistributionAsOn")
    if as_of is not None and as_of > round_date:
        issues.append(f"pool distribution date {as_of.isoformat()} is after the round")
    if not any(counts.values()):
        return None  # IRCC fills unpublished distributions with zeros
    if as_of is None:
        raise FeedError("a pool distribution is given but drawDistributionAsOn is empty", file=file,
                        field=f"{where}.drawDistributionAsOn", hint=_hint())
    buckets = dict(zip(BUCKETS, (counts[key] for key in BUCKET_KEYS), strict=True))
    total = counts["dd18"]
    if sum(buckets.values()) != total:
        issues.append(f"pool buckets add up to {sum(buckets.values()):,} but IRCC's total (dd18) is {total:,}; "
                      f"difference {total - sum(buckets.values()):+,}")
    for subtotal, parts, label in (("dd3", BUCKET_KEYS[2:7], "451-500"), ("dd9", BUCKET_KEYS[7:12], "401-450")):
        if subtotal in entry:
            value = _number(entry[subtotal], file, f"{where}.{subtotal}")
            if value and value != sum(counts[key] for key in parts):
                issues.append(f"IRCC's subtotal {subtotal} ({label}) is {value:,} but its ranges add up to "
                              f"{sum(counts[key] for key in parts):,}")
    return PoolDistribution(as_of=as_of, total=total, buckets=buckets)


def _round(entry: object, index: int, file: str, names: dict, unknown: dict[str, list[str]]) -> Round:
    where = f"rounds[{index}]"
    if not isinstance(entry, dict):
        raise FeedError("each round must be a JSON object", file=file, field=where, hint=_hint())
    for key in entry:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            raise FeedError("unknown field; IRCC's feed format may have changed", file=file, field=f"{where}.{key}",
                            hint=f"known fields: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}")
    for key in REQUIRED_FIELDS:
        if key not in entry:
            raise FeedError("required field is missing", file=file, field=f"{where}.{key}", hint=_hint())
    for key, value in entry.items():
        if not isinstance(value, str):
            raise FeedError(f"expected a string (the feed quotes every value), got {value!r}", file=file,
                            field=f"{where}.{key}", hint=_hint())
    number = entry["drawNumber"].strip()
    where = f"rounds[{index}] (round {number})"
    try:
        round_date = date.fromisoformat(entry["drawDate"].strip())
    except ValueError:
        raise FeedError(f"expected a date as YYYY-MM-DD, got {entry['drawDate']!r}", file=file,
                        field=f"{where}.drawDate", hint=_hint()) from None
    name = " ".join(entry["drawName"].split())
    mapped = names.get(normalize_name(name))
    if mapped is None:
        unknown.setdefault(name, []).append(number)
    issues: list[str] = []
    raw_tie = entry.get("drawCutOff", "")
    tie_break, tie_notes = parse_tie_break(raw_tie, round_date)
    issues.extend(tie_notes)
    if tie_break is not None and tie_break.date() > round_date:
        issues.append(f"tie-break time {tie_break.date().isoformat()} is after the round date")
    pool = _pool(entry, entry.get("drawDistributionAsOn", ""), round_date, file, where, issues)
    try:
        return Round(number=number, date=round_date, name=name,
                     type=mapped.type if mapped else UNKNOWN_TYPE, version=mapped.version if mapped else None,
                     invitations=_number(entry["drawSize"], file, f"{where}.drawSize"),
                     cutoff=_number(entry["drawCRS"], file, f"{where}.drawCRS"),
                     tie_break=tie_break, tie_break_raw=raw_tie.strip() or None,
                     url=_url(entry.get("drawNumberURL", "")), pool=pool, issues=issues)
    except ValidationError as error:
        problem = error.errors()[0]
        raise FeedError(problem["msg"], file=file, field=f"{where}.{'.'.join(map(str, problem['loc']))}",
                        hint=_hint()) from None


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
            note = (f"pool buckets are identical to the distribution published as of {others}, "
                    f"yet dated {item.pool.as_of.isoformat()}; one of the two dates may be wrong")
            item = item.model_copy(update={"issues": [*item.issues, note]})
        flagged.append(item)
    return flagged


def parse_feed(path: Path, names: NamesFile) -> ParsedFeed:
    """Read the feed at ``path`` and return its rounds, oldest first.

    Raises :class:`FeedError` for a missing file, invalid JSON, unknown or missing fields
    and unreadable values.  Round names missing from ``names`` do not raise: those rounds
    get type ``unknown`` and are listed in :attr:`ParsedFeed.unknown_names`.
    """
    file = str(path)
    data = read_feed_json(path)
    if not isinstance(data, dict) or "rounds" not in data:
        raise FeedError("expected a JSON object with a \"rounds\" list", file=file, field="(top level)", hint=_hint())
    for key in data:
        if key not in TOP_LEVEL_FIELDS:
            raise FeedError("unknown top-level field; IRCC's feed format may have changed", file=file, field=key,
                            hint=f"known top-level fields: {', '.join(TOP_LEVEL_FIELDS)}")
    if not isinstance(data["rounds"], list):
        raise FeedError("\"rounds\" must be a list", file=file, field="rounds", hint=_hint())
    table = names.lookup()
    unknown: dict[str, list[str]] = {}
    rounds: dict[str, Round] = {}
    for index, entry in enumerate(data["rounds"]):
        parsed = _round(entry, index, file, table, unknown)
        previous = rounds.get(parsed.number)
        if previous is not None and previous != parsed:
            raise FeedError(f"round {parsed.number} appears twice with different contents", file=file,
                            field=f"rounds[{index}]", hint="the feed is inconsistent; download it again")
        rounds[parsed.number] = parsed
    snapshot = None
    fetched = data.get("fetchedAt")
    if fetched is not None:
        if not isinstance(fetched, int | float) or isinstance(fetched, bool):
            raise FeedError(f"expected milliseconds since 1970, got {fetched!r}", file=file, field="fetchedAt",
                            hint=_hint())
        snapshot = datetime.fromtimestamp(fetched / 1000, tz=timezone.utc).date()
    ordered = sorted(rounds.values(), key=lambda item: item.sort_key)
    return ParsedFeed(rounds=_flag_repeated_pools(ordered), snapshot=snapshot, unknown_names=unknown)
