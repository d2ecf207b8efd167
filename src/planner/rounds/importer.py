"""Import a rounds feed into ``models/rounds/history.yaml``, merging with what is there.

Rounds are keyed by IRCC's round number.  Importing a newer feed adds the new rounds,
updates rounds whose published values changed (IRCC does correct its data), leaves the
rest untouched, and keeps rounds that the feed no longer lists.  Nothing is duplicated,
and the header's hand-written ``notes`` survive.  The file is written oldest round first,
so a re-import shows up in ``git diff`` as lines added at the end.

A feed that lists no rounds, or whose newest round is older than the newest one already
imported, is refused (:class:`StaleFeed`) unless forced; a forced empty feed changes
nothing, and a forced older feed does not move ``last_verified``.  The data's end
(``feed_snapshot``) never moves back and never past today.

The history is read, merged and replaced under an exclusive lock (``history.yaml.lock``
beside it), and written to a temporary file in the same directory that then replaces it,
so concurrent imports all land, one after the other, and a reader never sees half a file.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from planner.errors import InputError
from planner.rounds.feed import EARLIEST_DATE, FEED_URL, ParsedFeed, parse_feed
from planner.rounds.history import HistoryFile, Round, history_path, read_history_file, read_names, user_history_path
from planner.rules import book
from planner.rules.schema import Reference

DESCRIPTION = (
    "Every Express Entry round of invitations IRCC has published, oldest first, normalized from IRCC's "
    "rounds feed by `planner data import-rounds`. type/version come from round_names.yaml; cutoff is the CRS "
    "score of the lowest-ranked candidate invited; tie_break is IRCC's tie-breaking text parsed to UTC "
    "(tie_break_raw keeps the text); pool is the CRS distribution of the whole pool on pool.as_of, or null "
    "when IRCC published none (the feed fills those with zeros); issues lists data problems found on import."
)

LOCK_TIMEOUT_SECONDS = 120.0
"""How long an import waits for another one to finish before giving up."""


class UnknownRoundNames(InputError):
    """The feed has round names that are not in ``models/rounds/round_names.yaml``."""


class StaleFeed(InputError):
    """The feed lists no rounds, or ends before the history already imported (``--force`` imports it anyway)."""


@dataclass
class ImportReport:
    """What an import changed, for the CLI to print.

    ``written`` is False when nothing was written (a forced import of an empty feed).
    """

    path: Path
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    kept_not_in_feed: list[str] = field(default_factory=list)
    unknown_names: dict[str, list[str]] = field(default_factory=dict)
    issues: dict[str, list[str]] = field(default_factory=dict)
    snapshot: date | None = None
    written: bool = True


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
        "number": item.number,
        "date": item.date,
        "name": item.name,
        "type": item.type,
        "version": item.version,
        "invitations": item.invitations,
        "cutoff": item.cutoff,
        "tie_break": item.tie_break.isoformat().replace("+00:00", "Z") if item.tie_break else None,
        "tie_break_raw": item.tie_break_raw,
        "url": item.url,
        "pool": None
        if item.pool is None
        else {"as_of": item.pool.as_of, "total": item.pool.total, "buckets": dict(item.pool.buckets)},
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


def _history_yaml(history: HistoryFile) -> str:
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
    return text


def _replace_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and rename it over ``path`` (readers see old or new, whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_history(history: HistoryFile, path: Path) -> None:
    """Write ``history`` to ``path`` as YAML, atomically (validated again first, so a bad file is never written).

    Hold :func:`history_lock` around reading the old history and this call when merging.
    """
    HistoryFile.model_validate(history.model_dump())
    _replace_atomically(path, _history_yaml(history))


def _lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _acquire(lock_path: Path, deadline: float):
    """Open ``lock_path`` and lock it exclusively; return the open file.  Retries if the file was replaced."""
    while True:
        stream = lock_path.open("a")
        try:
            _wait_for_lock(stream, lock_path, deadline)
        except BaseException:
            stream.close()
            raise
        if _same_file(stream, lock_path):
            return stream
        stream.close()  # the holder before us removed the file: lock the new one


def _wait_for_lock(stream, lock_path: Path, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise InputError(
                    "another import into this models directory is still running",
                    file=str(lock_path),
                    hint="wait for it to finish, then run the import again",
                ) from None
            time.sleep(0.05)


def _same_file(stream, lock_path: Path) -> bool:
    try:
        return os.stat(lock_path).st_ino == os.fstat(stream.fileno()).st_ino
    except FileNotFoundError:
        return False


@contextmanager
def history_lock(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on the history at ``path`` (``flock`` on ``<path>.lock``, removed on release)."""
    lock_path = _lock_file(path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    wait = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    stream = _acquire(lock_path, time.monotonic() + wait)
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)  # while still locked, so a waiter on this file retries on a new one
        stream.close()


def _check_names(parsed: ParsedFeed, feed_path: Path, root: Path, allow_unknown: bool) -> None:
    if parsed.unknown_names and not allow_unknown:
        listed = "; ".join(
            f"{name!r} (round{'s' if len(numbers) > 1 else ''} {', '.join(numbers)})"
            for name, numbers in parsed.unknown_names.items()
        )
        raise UnknownRoundNames(
            f"round names the planner does not know: {listed}",
            file=str(feed_path),
            field="drawName",
            hint=f"add each name to {root / 'rounds/round_names.yaml'} with its round type "
            "and version, or rerun with --allow-unknown to keep them as type 'unknown'",
        )


def _check_snapshot_option(snapshot: date | None, today: date) -> None:
    if snapshot is not None and not EARLIEST_DATE <= snapshot <= today:
        raise InputError(
            f"the snapshot date {snapshot.isoformat()} is not between {EARLIEST_DATE.isoformat()} "
            f"and today ({today.isoformat()})",
            field="--snapshot-date",
            hint="give the date the feed was downloaded",
        )


def _is_older(parsed: ParsedFeed, existing: HistoryFile | None) -> bool:
    """True if the feed's newest round is older than the newest round already imported."""
    if existing is None or not existing.rounds or not parsed.rounds:
        return False
    return parsed.rounds[-1].sort_key < existing.rounds[-1].sort_key


def _check_not_stale(parsed: ParsedFeed, existing: HistoryFile | None, feed_path: Path, path: Path) -> None:
    if not parsed.rounds:
        raise StaleFeed(
            "the feed lists no rounds",
            file=str(feed_path),
            field="rounds",
            hint="download the feed again; --force accepts it, but changes nothing (last_verified is kept)",
        )
    if _is_older(parsed, existing):
        new, old = parsed.rounds[-1], existing.rounds[-1]
        raise StaleFeed(
            f"the feed ends with round {new.number} ({new.date.isoformat()}), older than round "
            f"{old.number} ({old.date.isoformat()}) already in {path}",
            file=str(feed_path),
            field="rounds",
            hint="import a newer copy of the feed, or rerun with --force to merge "
            "this one anyway (last_verified is then kept)",
        )


def _data_end(snapshot: date | None, parsed: ParsedFeed, existing: HistoryFile | None, today: date) -> date:
    """The data's end: the given snapshot, else fetchedAt, else today; never earlier than before, never future.

    A (forced) feed older than the history leaves the end where it was.
    """
    end = snapshot or parsed.snapshot or today
    if existing is not None:
        end = existing.feed_snapshot if _is_older(parsed, existing) else max(end, existing.feed_snapshot)
    return min(end, today)


def _merged_history(
    parsed: ParsedFeed, existing: HistoryFile | None, report: ImportReport, *, imported_from: str, today: date
) -> HistoryFile:
    rounds = merge(list(existing.rounds) if existing else [], parsed.rounds, report)
    report.issues = {item.number: item.issues for item in rounds if item.issues}
    older = _is_older(parsed, existing)
    return HistoryFile(
        description=DESCRIPTION,
        source=Reference(
            title="IRCC: Express Entry rounds of invitations, JSON feed ee_rounds_123_en.json", href=FEED_URL
        ),
        feed_snapshot=report.snapshot,
        imported_from=existing.imported_from if older else imported_from,
        last_verified=existing.last_verified if older else today,
        notes=list(existing.notes) if existing else [],
        rounds=rounds,
    )


def _import_locked(
    parsed: ParsedFeed,
    report: ImportReport,
    *,
    feed_path: Path,
    force: bool,
    snapshot: date | None,
    imported_from: str,
    today: date,
    current: Path,
) -> None:
    """Read the current history (``current``), merge ``parsed`` into it and write ``report.path``; call with the lock held."""
    existing = read_history_file(current) if current.exists() else None
    if not force:
        _check_not_stale(parsed, existing, feed_path, report.path)
    report.snapshot = _data_end(snapshot, parsed, existing, today)
    if not parsed.rounds:  # forced empty feed: nothing to merge, and nothing was verified
        report.kept_not_in_feed = [item.number for item in existing.rounds] if existing else []
        report.snapshot, report.written = (existing.feed_snapshot if existing else None), False
        return
    write_history(_merged_history(parsed, existing, report, imported_from=imported_from, today=today), report.path)


def import_feed(
    feed_path: Path,
    *,
    root: Path | None = None,
    allow_unknown: bool = False,
    snapshot: date | None = None,
    imported_from: str | None = None,
    today: date | None = None,
    force: bool = False,
) -> ImportReport:
    """Import the feed at ``feed_path`` into ``<root>/rounds/history.yaml`` and return what changed.

    Without ``root``, the history in use (:func:`planner.rounds.history.history_path`) is read and
    the result written to the user's data directory, which a reinstall keeps; with ``root``, that
    models directory's history is read and replaced.  Round names missing from the name table
    raise :class:`UnknownRoundNames` (nothing is written) unless ``allow_unknown``, in
    which case those rounds are stored with type ``unknown`` and listed in the report.
    ``snapshot`` is the date the feed was downloaded (not after ``today``); it defaults to
    the feed's ``fetchedAt`` when present, else ``today``.  An empty feed, or one older than
    the history, raises :class:`StaleFeed` unless ``force``.  Concurrent imports wait for
    each other (see :func:`history_lock`).
    """
    explicit = root is not None
    target = history_path(root) if explicit else user_history_path()
    root = root if explicit else book.current().root
    today = today or date.today()
    _check_snapshot_option(snapshot, today)
    parsed = parse_feed(feed_path, read_names(root), today=today, snapshot=snapshot)
    report = ImportReport(path=target, unknown_names=parsed.unknown_names)
    _check_names(parsed, feed_path, root, allow_unknown)
    target.parent.mkdir(parents=True, exist_ok=True)
    with history_lock(report.path):
        current = target if explicit else history_path()  # the user's copy, or the shipped one to start from
        _import_locked(
            parsed,
            report,
            feed_path=feed_path,
            force=force,
            snapshot=snapshot,
            imported_from=imported_from or feed_path.name,
            today=today,
            current=current,
        )
    return report  # the next read sees the new file: histories are remembered by path, time and size
