"""Import a rounds feed into ``models/rounds/history.yaml``, merging with what is there.

Rounds are keyed by IRCC's round number.  Importing a newer feed adds the new rounds,
updates rounds whose published values changed (IRCC does correct its data), leaves the
rest untouched, and keeps rounds that the feed no longer lists.  Nothing is duplicated,
and the header's hand-written ``notes`` survive.  The file is written oldest round first,
so a re-import shows up in ``git diff`` as lines added at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from planner.errors import InputError
from planner.rounds.feed import ParsedFeed, parse_feed
from planner.rounds.history import HistoryFile, Round, clear_history_cache, history_path, read_history_file, read_names
from planner.rules.loader import models_dir
from planner.rules.schema import Reference

FEED_URL = "https://www.canada.ca/content/dam/ircc/documents/json/ee_rounds_123_en.json"

DESCRIPTION = (
    "Every Express Entry round of invitations IRCC has published, oldest first, normalized from IRCC's "
    "rounds feed by `planner data import-rounds`. type/version come from round_names.yaml; cutoff is the CRS "
    "score of the lowest-ranked candidate invited; tie_break is IRCC's tie-breaking text parsed to UTC "
    "(tie_break_raw keeps the text); pool is the CRS distribution of the whole pool on pool.as_of, or null "
    "when IRCC published none (the feed fills those with zeros); issues lists data problems found on import."
)


class UnknownRoundNames(InputError):
    """The feed has round names that are not in ``models/rounds/round_names.yaml``."""


@dataclass
class ImportReport:
    """What an import changed, for the CLI to print."""

    path: Path
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    kept_not_in_feed: list[str] = field(default_factory=list)
    unknown_names: dict[str, list[str]] = field(default_factory=dict)
    issues: dict[str, list[str]] = field(default_factory=dict)
    snapshot: date | None = None


def _changed_fields(old: Round, new: Round) -> list[str]:
    return [name for name in Round.model_fields if getattr(old, name) != getattr(new, name)]


def merge(existing: list[Round], incoming: list[Round], report: ImportReport) -> list[Round]:
    """Return ``existing`` updated with ``incoming`` (by round number), oldest first; fill ``report``."""
    merged = {item.number: item for item in existing}
    incoming_numbers = set()
    for item in incoming:
        incoming_numbers.add(item.number)
        old = merged.get(item.number)
        if old is None:
            report.added.append(item.number)
        elif old != item:
            report.updated[item.number] = _changed_fields(old, item)
        else:
            report.unchanged += 1
        merged[item.number] = item
    report.kept_not_in_feed = [number for number in merged if number not in incoming_numbers]
    return sorted(merged.values(), key=lambda item: item.sort_key)


def _round_to_yaml(item: Round) -> dict:
    data = {
        "number": item.number, "date": item.date, "name": item.name, "type": item.type,
        "version": item.version, "invitations": item.invitations, "cutoff": item.cutoff,
        "tie_break": item.tie_break.isoformat().replace("+00:00", "Z") if item.tie_break else None,
        "tie_break_raw": item.tie_break_raw, "url": item.url,
        "pool": None if item.pool is None else {
            "as_of": item.pool.as_of, "total": item.pool.total, "buckets": dict(item.pool.buckets)},
    }
    if item.issues:
        data["issues"] = list(item.issues)
    return data


class _Dumper(yaml.SafeDumper):
    """Block-style YAML with the pool buckets on one line, so each round reads as one short block."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict):
    flow = bool(data) and all(isinstance(value, int) for value in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)


def write_history(history: HistoryFile, path: Path) -> None:
    """Write ``history`` to ``path`` as YAML (validated again first, so a bad file is never written)."""
    HistoryFile.model_validate(history.model_dump())
    header = {
        "description": history.description,
        "source": history.source.model_dump(exclude_none=True),
        "feed_snapshot": history.feed_snapshot,
        "imported_from": history.imported_from,
        "last_verified": history.last_verified,
        "notes": list(history.notes),
    }
    text = yaml.dump(header, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    text += "rounds:\n"
    for item in history.rounds:
        block = yaml.dump([_round_to_yaml(item)], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)
        text += "".join("  " + line + "\n" for line in block.splitlines())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def import_feed(feed_path: Path, *, root: Path | None = None, allow_unknown: bool = False,
                snapshot: date | None = None, imported_from: str | None = None,
                today: date | None = None) -> ImportReport:
    """Import the feed at ``feed_path`` into ``<root>/rounds/history.yaml`` and return what changed.

    ``root`` defaults to the models directory.  Round names missing from the name table
    raise :class:`UnknownRoundNames` (nothing is written) unless ``allow_unknown``, in
    which case those rounds are stored with type ``unknown`` and listed in the report.
    ``snapshot`` is the date the feed was downloaded; it defaults to the feed's
    ``fetchedAt`` when present, else ``today``.
    """
    root = root if root is not None else models_dir()
    today = today or date.today()
    parsed: ParsedFeed = parse_feed(feed_path, read_names(root))
    path = history_path(root)
    report = ImportReport(path=path, unknown_names=parsed.unknown_names)
    if parsed.unknown_names and not allow_unknown:
        listed = "; ".join(f"{name!r} (round{'s' if len(numbers) > 1 else ''} {', '.join(numbers)})"
                           for name, numbers in parsed.unknown_names.items())
        raise UnknownRoundNames(f"round names the planner does not know: {listed}", file=str(feed_path),
                                field="drawName",
                                hint=f"add each name to {root / 'rounds/round_names.yaml'} with its round type "
                                     "and version, or rerun with --allow-unknown to keep them as type 'unknown'")
    existing = read_history_file(path) if path.exists() else None
    rounds = merge(list(existing.rounds) if existing else [], parsed.rounds, report)
    report.snapshot = snapshot or parsed.snapshot or today
    if existing is not None and existing.feed_snapshot > report.snapshot and not report.added:
        report.snapshot = existing.feed_snapshot  # importing an older copy does not make the data older
    report.issues = {item.number: item.issues for item in rounds if item.issues}
    history = HistoryFile(
        description=DESCRIPTION,
        source=Reference(title="IRCC: Express Entry rounds of invitations, JSON feed ee_rounds_123_en.json",
                         href=FEED_URL),
        feed_snapshot=report.snapshot,
        imported_from=imported_from or feed_path.name,
        last_verified=today,
        notes=list(existing.notes) if existing else [],
        rounds=rounds,
    )
    write_history(history, path)
    clear_history_cache()
    return report
