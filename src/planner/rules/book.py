"""The RuleBook: the loaded, validated rules of one ``models/`` directory, with a content hash.

Every rule the planner reads comes from a RuleBook, and so does everything computed from
rules alone (the catalogue, the pathway graph, fee schedules, the rounds index): a book
remembers its files and those results, so nothing about rules is cached anywhere else.

One context object says which book is in force (:func:`current`): the book a caller
passed to :func:`use` (the library API takes ``rules=``), else the book of the default
directory (``$PLANNER_MODELS_DIR``, the source tree's ``models/`` or the wheel's copy),
made on first use and made again when that directory changes.  A test that needs other
rules builds a book over a copy of ``models/`` and uses it::

    with use(RuleBook(tmp_path / "models")):
        ...

A book reads its files once; change the files and make a new book to see the change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property, lru_cache, wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel

from planner.rules.loader import MANIFEST, model_files, models_dir, read_yaml, validate
from planner.rules.schema import Manifest

M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")
R = TypeVar("R")

HASH_LENGTH = 16
"""Hex digits of the content hash shown in stamps (64 bits: enough to tell rule sets apart)."""


class RuleBook:
    """The rules of one models directory: its files, loaded and validated once, and what is computed from them."""

    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else models_dir()
        self._files: dict[tuple[str, type], BaseModel] = {}
        self._memos: dict[Callable[..., Any], Callable[..., Any]] = {}

    def __repr__(self) -> str:
        return f"RuleBook({str(self.root)!r})"

    def file(self, relative: str, schema: type[M]) -> M:
        """``models/<relative>`` validated against ``schema``, read on first use (a ModelFileError if it is broken)."""
        key = (relative, schema)
        found = self._files.get(key)
        if found is None:
            path = self.root / relative
            found = self._files[key] = validate(read_yaml(path), schema, path)
        return found  # type: ignore[return-value]

    def manifest(self) -> Manifest:
        """``models/manifest.yaml``: the list of every file in the book."""
        return self.file(MANIFEST, Manifest)

    @cached_property
    def content_hash(self) -> str:
        """A hash of every file's path and bytes (the first :data:`HASH_LENGTH` hex digits of SHA-256).

        Two books with the same hash hold the same rules; any edit to any file changes it.
        """
        digest = hashlib.sha256()
        for relative in model_files(self.root):
            digest.update(relative.encode("utf-8") + b"\0")
            try:
                digest.update((self.root / relative).read_bytes())
            except OSError as error:  # a directory named *.yaml or a broken link: its name still counts
                digest.update(f"<unreadable: {error.strerror}>".encode())
            digest.update(b"\0")
        return digest.hexdigest()[:HASH_LENGTH]

    def memo(self, function: Callable[P, R], maxsize: int | None) -> Callable[P, R]:
        """``function`` with a least-recently-used memory of ``maxsize`` results that belongs to this book."""
        found = self._memos.get(function)
        if found is None:
            found = self._memos[function] = lru_cache(maxsize=maxsize)(function)
        return found


def per_book(maxsize: int | None = 128) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Remember a function of the rules in force (and hashable arguments) in the current book, not in the module.

    For functions whose answer depends only on their arguments and the rules: a new book
    (other rules) starts with an empty memory.
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @wraps(function)
        def remembered(*args: P.args, **kwargs: P.kwargs) -> R:
            return current().memo(function, maxsize)(*args, **kwargs)

        return remembered

    return decorate


_in_use: ContextVar[RuleBook | None] = ContextVar("planner_rule_book", default=None)
_default: list[RuleBook] = []
"""The book of the default models directory, once made (at most one)."""


def current() -> RuleBook:
    """The book in force: the one :func:`use` set, else the default directory's (made again if the directory changed)."""
    book = _in_use.get()
    if book is not None:
        return book
    root = models_dir()
    if not _default or _default[0].root != root:
        _default[:] = [RuleBook(root)]
    return _default[0]


def rule_file(relative: str, schema: type[M]) -> M:
    """``models/<relative>`` of the book in force, validated against ``schema`` (see :meth:`RuleBook.file`)."""
    return current().file(relative, schema)


@contextmanager
def use(book: RuleBook | None) -> Iterator[RuleBook]:
    """Put ``book`` in force for the block (None: leave the book in force as it is)."""
    if book is None:
        yield current()
        return
    token = _in_use.set(book)
    try:
        yield book
    finally:
        _in_use.reset(token)
