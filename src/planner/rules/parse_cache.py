"""A cache of parsed rule files, so a new process does not parse the same YAML again.

Parsing the shipped YAML takes about 0.2 s of every ``planner route`` (the rounds history
alone is 270 KB); reading back an earlier parse of the same bytes takes a few milliseconds.
An entry is named by the file's path and the digest of its exact bytes (with the parser's
name and the PyYAML version), so an edited file is parsed afresh; only successful parses
are stored, so every error is still found and reported by the parser.

Those names are computed from public data, so an entry is trusted only if it is
authenticated: it starts with an HMAC-SHA256, keyed by a per-install secret, over the
format, the entry's name and its pickled bytes.  The key (32 random bytes) is made on
first use in the cache directory as ``key``, written atomically with mode 0600.  An entry
whose MAC does not verify (planted, tampered with, or copied from another name) is never
unpickled: the file is parsed afresh and the entry rewritten.  A verified entry is still
read by an unpickler that rebuilds nothing but plain data and dates.

The cache is used only if its directory (made with mode 0700) is owned by the current
user and not group- or world-writable, and the key file is owned by the user and not
readable by group or others; otherwise every file is parsed, without an error.

Each path keeps one entry: a new one replaces the old.  Reading an entry touches it; when
an entry is stored, entries unused for ``MAX_AGE_DAYS`` days are deleted, and beyond
``MAX_ENTRIES`` the least recently used ones.  Where the cache lives:
``$PLANNER_CACHE_DIR``, else ``$XDG_CACHE_HOME/planner``, else ``~/.cache/planner``; set
``PLANNER_NO_CACHE`` to any value to turn it off.  A cache that cannot be read or written
is skipped silently: it only saves time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import os
import pickle
import secrets
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

CACHE_ENV = "PLANNER_CACHE_DIR"
NO_CACHE_ENV = "PLANNER_NO_CACHE"
KEY_FILE = "key"
MAX_AGE_DAYS = 30
MAX_ENTRIES = 500
_FORMAT = b"planner parse cache 2"
_KEY_SIZE = 32
_MAC_SIZE = hashlib.sha256().digest_size
_MISSING = object()
_ALLOWED_CLASSES = {
    ("datetime", "date"): datetime.date,
    ("datetime", "datetime"): datetime.datetime,
    ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "timezone"): datetime.timezone,
}


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
    key = None if directory is None else _open_cache(directory)
    if key is None:
        return parse(raw.decode("utf-8"))
    entry = directory / entry_name(path, parser, raw)
    data = _load(entry, key)
    if data is _MISSING:
        data = parse(raw.decode("utf-8"))
        _store(entry, key, data)
    return data


def entry_name(path: Path, parser: str, raw: bytes) -> str:
    """The file name of the entry for ``parser``'s parse of ``raw``, the bytes of ``path`` (public, not secret)."""
    path_key = hashlib.blake2b(f"{parser}\0{path.resolve()}".encode(), digest_size=10).hexdigest()
    content_key = hashlib.blake2b(raw, digest_size=16, key=_FORMAT + yaml.__version__.encode()).hexdigest()
    return f"{path_key}-{content_key}.pickle"


def _owned_by_user(status: os.stat_result, forbidden_bits: int) -> bool:
    return hasattr(os, "getuid") and status.st_uid == os.getuid() and not status.st_mode & forbidden_bits


def _open_cache(directory: Path) -> bytes | None:
    """The install's key, if ``directory`` and its key file are safe to use; else None (the cache is not used)."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _owned_by_user(os.stat(directory), stat.S_IWGRP | stat.S_IWOTH):
            return None
        key_file = directory / KEY_FILE
        if not os.path.lexists(key_file):
            _create_key(key_file)
        return _read_key(key_file)
    except OSError:
        return None


def _create_key(key_file: Path) -> None:
    """Write a new random key atomically (mode 0600); if another process made one first, keep theirs."""
    handle, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=".tmp-key-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(_KEY_SIZE))
        try:
            os.link(temporary, key_file)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def _read_key(key_file: Path) -> bytes | None:
    """The key, if the file is a regular file owned by the user, unreadable by others, of the right size."""
    handle = os.open(key_file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(handle, "rb") as file:
        status = os.fstat(file.fileno())
        if not stat.S_ISREG(status.st_mode) or not _owned_by_user(status, 0o077):
            return None
        key = file.read(_KEY_SIZE + 1)
    return key if len(key) == _KEY_SIZE else None


def _mac(key: bytes, name: str, payload: bytes) -> bytes:
    """The MAC of an entry: binds its bytes to its name, so no entry is valid under another name."""
    mac = hmac.new(key, _FORMAT + b"\0" + name.encode() + b"\0", hashlib.sha256)
    mac.update(payload)
    return mac.digest()


def _load(entry: Path, key: bytes) -> object:
    """The data in ``entry`` if its MAC verifies and it holds only plain data; else ``_MISSING``."""
    try:
        blob = entry.read_bytes()
    except OSError:
        return _MISSING
    mac, payload = blob[:_MAC_SIZE], blob[_MAC_SIZE:]
    if not hmac.compare_digest(mac, _mac(key, entry.name, payload)):
        return _MISSING  # never unpickled
    try:
        data = _DataUnpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - a foreign class or a damaged pickle: parse instead
        return _MISSING
    try:
        os.utime(entry)  # recently used: not pruned
    except OSError:
        pass
    return data


def _store(entry: Path, key: bytes, data: object) -> None:
    """Write ``entry`` with its MAC atomically, then prune; give up quietly on data that cannot be pickled or an OS error."""
    try:
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(_mac(key, entry.name, payload) + payload)
        os.replace(temporary, entry)
        temporary = None
        _prune(entry)
    except OSError:
        pass
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _prune(current: Path) -> None:
    """Delete this path's other entries, entries unused for MAX_AGE_DAYS, and the least recently used beyond MAX_ENTRIES."""
    path_prefix = current.name.split("-")[0] + "-"
    now, kept = time.time(), []
    for entry in current.parent.glob("*.pickle"):
        if entry == current:
            continue
        try:
            unused_for = now - entry.stat().st_mtime
            if entry.name.startswith(path_prefix) or unused_for > MAX_AGE_DAYS * 86400:
                entry.unlink(missing_ok=True)
            else:
                kept.append((unused_for, entry.name, entry))
        except OSError:
            continue
    for _, _, entry in sorted(kept)[max(MAX_ENTRIES - 1, 0) :]:
        entry.unlink(missing_ok=True)
