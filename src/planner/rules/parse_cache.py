"""A cache of parsed rule files, so a new process does not parse the same YAML again.

Parsing the shipped YAML takes about 0.2 s of every ``planner route`` (the rounds history
alone is 270 KB); reading back an earlier parse of the same bytes takes a few milliseconds.
An entry is found by the file's path and the digest of its exact bytes (with the parser's
name and the PyYAML version), so an edited file is parsed afresh; only successful parses
are stored, so every error is still found and reported by the parser.  Each path keeps one
entry: a new one replaces the old.

Entries are pickles read by an unpickler that rebuilds nothing but plain data and dates.
Where the cache lives: ``$PLANNER_CACHE_DIR``, else ``$XDG_CACHE_HOME/planner``, else
``~/.cache/planner``; set ``PLANNER_NO_CACHE`` to any value to turn it off.  A cache that
cannot be read or written is skipped silently: it only saves time.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml

CACHE_ENV = "PLANNER_CACHE_DIR"
NO_CACHE_ENV = "PLANNER_NO_CACHE"
_FORMAT = b"planner parse cache 1"
_ALLOWED_CLASSES = {("datetime", "date"): datetime.date, ("datetime", "datetime"): datetime.datetime,
                    ("datetime", "timedelta"): datetime.timedelta, ("datetime", "timezone"): datetime.timezone}


def cache_dir() -> Path | None:
    """The cache directory in use, or None when caching is turned off."""
    if os.environ.get(NO_CACHE_ENV):
        return None
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "planner"


class _DataUnpickler(pickle.Unpickler):
    """Rebuilds plain data (dicts, lists, strings, numbers...) and dates; refuses every other class."""

    def find_class(self, module: str, name: str):
        allowed = _ALLOWED_CLASSES.get((module, name))
        if allowed is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a parse cache")
        return allowed


def cached_parse(path: Path, parser: str, parse: Callable[[str], object]) -> object:
    """Return ``parse(text of path)``, reusing an earlier parse of the identical bytes by the same parser.

    ``parser`` names the parse function (files read by two parsers get separate entries).
    Errors reading the file, decoding it or parsing it propagate unchanged.
    """
    raw = path.read_bytes()
    directory = cache_dir()
    if directory is None:
        return parse(raw.decode("utf-8"))
    path_key = hashlib.blake2b(f"{parser}\0{path.resolve()}".encode(), digest_size=10).hexdigest()
    content_key = hashlib.blake2b(raw, digest_size=16, key=_FORMAT + yaml.__version__.encode()).hexdigest()
    entry = directory / f"{path_key}-{content_key}.pickle"
    try:
        return _DataUnpickler(io.BytesIO(entry.read_bytes())).load()
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: parse instead
        pass
    data = parse(raw.decode("utf-8"))
    _store(directory, path_key, entry, data)
    return data


def _store(directory: Path, path_key: str, entry: Path, data: object) -> None:
    """Write ``entry`` atomically and drop this path's older entries; give up quietly on any OS error."""
    temporary = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
        temporary = None
        for old in directory.glob(f"{path_key}-*.pickle"):
            if old != entry:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
