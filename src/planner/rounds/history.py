"""The normalized Express Entry round history kept in ``models/rounds/``.

``models/rounds/history.yaml`` holds every round IRCC has published, oldest first, in the
planner's own vocabulary: a stable round type and version, integers instead of
comma-formatted strings, dates as dates, the tie-break time parsed to UTC (with IRCC's raw
text kept beside it), and the pool distribution, or ``null`` when IRCC did not publish one.
``models/rounds/round_names.yaml`` maps IRCC's round names to round types.

The file is written by :mod:`planner.rounds.importer` and read here, strictly, with the
shared loader: a hand edit that breaks the schema is an error naming the file and the key.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, field_validator, model_validator

from planner.rounds.types import ROUND_TYPES, UNKNOWN_TYPE
from planner.rules.book import current, per_book, rule_file
from planner.rules.loader import read_yaml, validate
from planner.rules.parse_cache import cached_parse
from planner.rules.schema import ModelFile, Reference, Strict

HISTORY_FILE = "rounds/history.yaml"
NAMES_FILE = "rounds/round_names.yaml"

BUCKETS: tuple[str, ...] = (
    "601-1200",
    "501-600",
    "491-500",
    "481-490",
    "471-480",
    "461-470",
    "451-460",
    "441-450",
    "431-440",
    "421-430",
    "411-420",
    "401-410",
    "351-400",
    "301-350",
    "0-300",
)
"""CRS ranges of the pool distribution, highest first, as IRCC publishes them (feed keys
dd1, dd2, dd4..dd8, dd10..dd14, dd15, dd16, dd17; dd3 and dd9 are subtotals, dd18 the total)."""

RoundTypeId = Literal[ROUND_TYPES + (UNKNOWN_TYPE,)]  # type: ignore[valid-type]


class PoolDistribution(Strict):
    """CRS scores of everyone in the Express Entry pool on one date, by range."""

    as_of: date
    total: int = Field(ge=0)
    buckets: dict[str, int]

    @field_validator("buckets")
    @classmethod
    def _known_ranges(cls, value: dict[str, int]) -> dict[str, int]:
        if list(value) != list(BUCKETS):
            raise ValueError(f"buckets must be exactly these CRS ranges, in this order: {', '.join(BUCKETS)}")
        if any(count < 0 for count in value.values()):
            raise ValueError("bucket counts cannot be negative")
        return value


class Round(Strict):
    """One Express Entry round of invitations."""

    number: str = Field(pattern=r"^\d+[a-z]?$", description="IRCC's round number; 91a and 91b share a number")
    date: date
    name: str = Field(description="IRCC's name for the round, as published (drawName)")
    type: RoundTypeId = Field(description="stable round type, from models/rounds/round_names.yaml")
    version: str | None = Field(
        default=None,
        pattern=r"^\d{4}-v\d+$",
        description="category list version, e.g. 2023-v1; none for program rounds",
    )
    invitations: int = Field(ge=0)
    cutoff: int = Field(ge=0, description="CRS score of the lowest-ranked candidate invited (at most the CRS maximum)")
    tie_break: datetime | None = Field(default=None, description="tie-breaking rule as a UTC timestamp, when parseable")
    tie_break_raw: str | None = Field(default=None, description="IRCC's tie-breaking text, unchanged")
    url: str | None = None
    pool: PoolDistribution | None = Field(description="pool distribution; null when IRCC published none")
    issues: list[str] = Field(default_factory=list, description="data problems found on import")

    @model_validator(mode="after")
    def _cutoff_within_scale(self):
        from planner.scoring.crs import crs_rules  # not at import: importing the rounds package stays light

        highest = crs_rules().core.maximum_total.get(self.date)
        if highest is not None and self.cutoff > highest:
            raise ValueError(
                f"cutoff {self.cutoff} is above the CRS maximum of {highest} on {self.date.isoformat()} "
                "(models/crs/core.yaml: maximum_total)"
            )
        return self

    @property
    def sort_key(self) -> tuple[date, int, str]:
        """Order rounds by date, then number (91a before 91b)."""
        digits = self.number.rstrip("abcdefghijklmnopqrstuvwxyz")
        return (self.date, int(digits), self.number[len(digits) :])


class HistoryFile(ModelFile):
    """Schema of ``models/rounds/history.yaml``."""

    source: Reference
    feed_snapshot: date = Field(description="when the imported copy of the feed was taken")
    imported_from: str = Field(description="which copy of the feed was imported")
    notes: list[str] = Field(
        default_factory=list, description="known data problems, written by hand; kept on re-import"
    )
    rounds: list[Round]

    @model_validator(mode="after")
    def _unique_and_sorted(self):
        seen: set[str] = set()
        for index, item in enumerate(self.rounds):
            if item.number in seen:
                raise ValueError(f"round {item.number} appears twice (rounds[{index}]); each round may appear once")
            seen.add(item.number)
        keys = [item.sort_key for item in self.rounds]
        if keys != sorted(keys):
            raise ValueError("rounds must be listed oldest first (by date, then number)")
        return self


class RoundName(Strict):
    """One IRCC round name and the round type (and version) it means."""

    name: str
    type: Literal[ROUND_TYPES]  # type: ignore[valid-type]
    version: str | None = Field(default=None, pattern=r"^\d{4}-v\d+$")


class NamesFile(ModelFile):
    """Schema of ``models/rounds/round_names.yaml``."""

    references: list[Reference] = Field(min_length=1)
    version_note: str
    labels: dict[RoundTypeId, str]
    """A short label per round type, for tables and explanations (every type, and ``unknown``, has one)."""
    names: list[RoundName]

    @model_validator(mode="after")
    def _every_type_labelled(self):
        missing = [t for t in (*ROUND_TYPES, UNKNOWN_TYPE) if t not in self.labels]
        if missing:
            raise ValueError(f"labels: no label for round type(s) {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _unique_names(self):
        seen: set[str] = set()
        for item in self.names:
            key = normalize_name(item.name)
            if key in seen:
                raise ValueError(f"round name {item.name!r} is listed twice")
            seen.add(key)
        return self

    def lookup(self) -> dict[str, RoundName]:
        """Return the table keyed by normalized name (see :func:`normalize_name`)."""
        return {normalize_name(item.name): item for item in self.names}


def normalize_name(name: str) -> str:
    """Collapse runs of spaces and ignore case, so "STEM  occupations" matches "stem occupations"."""
    return " ".join(name.split()).casefold()


DATA_ENV = "PLANNER_DATA_DIR"
"""Where imported rounds are kept: ``$PLANNER_DATA_DIR``, else ``$XDG_DATA_HOME/planner``, else ``~/.local/share/planner``."""


def user_data_dir() -> Path:
    """The user's data directory: imports go there, so a reinstall (which replaces the package's models/) keeps them."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "planner"


def user_history_path() -> Path:
    """The imported history file in the user's data directory (it may not exist)."""
    return user_data_dir() / HISTORY_FILE


def history_path(root: Path | None = None) -> Path:
    """The history file under ``root``; by default the one in use: the user's imported copy when it exists and
    reaches at least as far as the shipped one (a newer package's history wins over an older import)."""
    if root is not None:
        return root / HISTORY_FILE
    shipped, imported = current().root / HISTORY_FILE, user_history_path()
    if imported.is_file() and _history_at(imported).feed_snapshot >= _history_at(shipped).feed_snapshot:
        return imported
    return shipped


_FastBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastStrictLoader(_FastBase):  # type: ignore[misc, valid-type]
    """libyaml-backed safe loader that also rejects duplicate keys (the history file is large)."""


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_FastStrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def _parse_fast(text: str) -> object:
    return yaml.load(text, Loader=_FastStrictLoader)  # noqa: S506 - a SafeLoader subclass


def _read_yaml_fast(path: Path) -> object:
    """Parse ``path`` with libyaml (an earlier parse of the same bytes is reused); on any problem, re-read with
    the shared loader for its precise error."""
    try:
        return cached_parse(Path(path), "history", _parse_fast)
    except (OSError, ValueError, yaml.YAMLError):  # ValueError: undecodable bytes, or a key like 2017-13-06
        return read_yaml(path)  # raises ModelFileError naming the file and line


def read_history_file(path: Path) -> HistoryFile:
    """Read and validate a history file (no caching)."""
    return validate(_read_yaml_fast(path), HistoryFile, path)


def names_in_force() -> NamesFile:
    """``models/rounds/round_names.yaml`` of the rules in force (read once per RuleBook)."""
    return rule_file(NAMES_FILE, NamesFile)


def round_type_label(round_type: str) -> str:
    """The round type's short label (``labels`` of ``models/rounds/round_names.yaml``, rules in force)."""
    return names_in_force().labels[round_type]


def read_names(root: Path | None = None) -> NamesFile:
    """Read and validate the round-name table under ``root`` (default: the models directory)."""
    path = (root if root is not None else current().root) / NAMES_FILE
    return validate(read_yaml(path), NamesFile, path)


def history_identity(path: Path) -> tuple[str, int, int]:
    """(path, modification time in ns, size) of a history file: a new import gives a new identity."""
    try:
        found = path.stat()
    except OSError:
        return str(path), -1, -1  # reading it will say what is wrong
    return str(path), found.st_mtime_ns, found.st_size


@per_book(maxsize=4)
def _history_read(path: str, modified_ns: int, size: int) -> HistoryFile:
    return read_history_file(Path(path))


def _history_at(path: Path) -> HistoryFile:
    """The history file at ``path``, read once per identity (see :func:`history_identity`) in the book in force."""
    return _history_read(*history_identity(path))


def load_history_file(root: Path | None = None) -> HistoryFile:
    """Return the history file in use (see :func:`history_path`) with its header; read again after an import."""
    return _history_at(history_path(root))


def load_history(root: Path | None = None) -> tuple[Round, ...]:
    """Return every round in the shipped history, oldest first (cached).

    >>> rounds = load_history()
    >>> rounds[0].number, rounds[0].type
    ('1', 'general')
    """
    return tuple(load_history_file(root).rounds)
