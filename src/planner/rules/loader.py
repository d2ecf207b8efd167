"""Read files under ``models/`` strictly: duplicate keys, unknown keys and bad values are errors.

Every problem becomes a :class:`~planner.errors.ModelFileError` naming the file and the
key path (``values.2025-03-25.value.other_teer``) with a hint, so a contributor who
breaks a rule file learns exactly where.  That includes what is wrong with the file
itself: missing, a directory, a symbolic link that loops, too large, not UTF-8, or
starting with a byte-order mark.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from planner.errors import ModelFileError
from planner.rules.parse_cache import cached_parse

M = TypeVar("M", bound=BaseModel)

MODELS_ENV = "PLANNER_MODELS_DIR"
MANIFEST = "manifest.yaml"
"""The file under ``models/`` listing every other file there (schema: :class:`~planner.rules.schema.Manifest`)."""
MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest rule file read: the largest shipped one (the rounds history) is about 0.3 MB, so a bigger one is a mistake."""
YAML_SUFFIXES = (".yaml", ".yml")


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one."""


class _StrictLoader(_BaseLoader):
    """A YAML loader that rejects duplicate keys instead of keeping the last one.

    It remembers the key path it is inside, so a bad key (a duplicate, or a date such as
    ``2017-13-06`` that looks like a date but is not one) is reported with its path.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.key_path: list[str] = []


def _key_text(key: object) -> str:
    return key.isoformat() if isinstance(key, date) else str(key)


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    mapping = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        try:
            key = loader.construct_object(key_node, deep=deep)
        except ValueError as error:  # e.g. a timestamp-shaped key with month 13
            path = ".".join(loader.key_path + [str(key_node.value)])
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {path!r} (line {line}) is not a valid date ({error}); write dates as YYYY-MM-DD",
                key_node.start_mark,
            ) from None
        try:
            seen = key in mapping
        except TypeError:  # a list or mapping as a key: unhashable
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a key inside {'.'.join(loader.key_path) or 'the top level'} is a list or mapping; "
                "keys must be plain names, numbers or dates",
                key_node.start_mark,
            ) from None
        if seen:
            path = ".".join(loader.key_path + [_key_text(key)])
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {path!r} (line {line}); each key may appear once", key_node.start_mark
            )
        loader.key_path.append(_key_text(key))
        try:
            mapping[key] = loader.construct_object(value_node, deep=True)  # eager, so key_path is right
        finally:
            loader.key_path.pop()
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def models_dir() -> Path:
    """Return the rules directory: ``$PLANNER_MODELS_DIR``, the source tree's ``models/``, or the wheel's copy."""
    return _models_dir(os.environ.get(MODELS_ENV))


@lru_cache(maxsize=8)
def _models_dir(override: str | None) -> Path:
    if override:
        return Path(override)
    source_tree = Path(__file__).resolve().parents[3] / "models"
    if source_tree.is_dir() and (source_tree / "README.md").exists():
        return source_tree
    packaged = Path(str(resources.files("planner") / "models"))
    if packaged.is_dir():
        return packaged
    raise ModelFileError(
        "the rules directory models/ was not found",
        file=str(source_tree),
        hint=f"reinstall the package, or set {MODELS_ENV} to a models/ directory",
    )


def format_loc(loc: tuple) -> str:
    """Turn a pydantic error location into a readable key path like ``values.2025-03-25.value[2]``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            part = part.isoformat() if isinstance(part, date) else str(part)
            # pydantic reports non-string dict keys by their repr: datetime.date(2025, 3, 25) -> 2025-03-25
            part = _DATE_REPR.sub(lambda m: date(*map(int, m.groups())).isoformat(), part)
            text += ("." if text else "") + part
    return text


_DATE_REPR = re.compile(r"^datetime\.date\((\d+), (\d+), (\d+)\)$")


class _ByteOrderMark(ValueError):
    """The text starts with a byte-order mark."""


def _parse_strict(text: str) -> object:
    if text.startswith("\ufeff"):
        raise _ByteOrderMark
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader


def _not_a_file(path: Path, message: str, hint: str) -> ModelFileError:
    return ModelFileError(message, file=str(path), hint=hint)


def _check_file(path: Path) -> None:
    """Raise ModelFileError unless ``path`` is a regular file (or a link to one) of at most MAX_FILE_BYTES."""
    try:
        info = path.stat()
    except FileNotFoundError:
        broken = " (a symbolic link to nothing)" if path.is_symlink() else ""
        raise _not_a_file(path, f"file not found{broken}", "restore it from the repository") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _not_a_file(
                path,
                "a symbolic link that leads back to itself (a loop)",
                "replace the link by the file it should point to",
            ) from None
        raise _not_a_file(path, f"cannot be read ({error.strerror})", "check the file's permissions") from None
    if stat.S_ISDIR(info.st_mode):
        raise _not_a_file(path, "a directory, not a file", "rename the directory (a rule file's name ends in .yaml)")
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file(path, "not a regular file", "replace it by a YAML file")
    if info.st_size > MAX_FILE_BYTES:
        raise _not_a_file(
            path,
            f"too large ({info.st_size:,} bytes; a rule file has at most {MAX_FILE_BYTES:,})",
            "check it is the right file, or split it",
        )


def read_yaml(path: Path) -> object:
    """Check ``path`` is a readable rule file, parse it strictly and return its data (an earlier parse of the same
    bytes is reused)."""
    path = Path(path)
    _check_file(path)
    try:
        return cached_parse(path, "strict-2", _parse_strict)
    except OSError as error:  # changed since _check_file looked at it
        raise ModelFileError(f"cannot be read ({error.strerror})", file=str(path), hint="check the file") from None
    except _ByteOrderMark:
        raise ModelFileError(
            "starts with a byte-order mark",
            file=str(path),
            hint="save the file as UTF-8 without a byte-order mark (BOM)",
        ) from None
    except RecursionError:
        raise ModelFileError("nested too deeply to read", file=str(path), hint="flatten the data") from None
    except UnicodeDecodeError as error:
        raise ModelFileError(
            f"not UTF-8 text (byte {error.start})", file=str(path), hint="save the file as UTF-8"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = f" (line {mark.line + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ModelFileError(
            f"not valid YAML{line}: {problem}", file=str(path), hint="fix the YAML syntax; keys must be unique"
        ) from None


def validate(data: object, model: type[M], path: Path | str) -> M:
    """Validate parsed data against a schema, turning every error into one ModelFileError."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            message = item["msg"]
            if item["type"] == "extra_forbidden":
                message = "unknown key; the schema does not allow it (misspelt, or misplaced?)"
            problems.append(ModelFileError(message, file=str(path), field=format_loc(item["loc"]) or "(top level)"))
        first, rest = problems[0], problems[1:]
        raise ModelFileError(
            first.message,
            file=first.file,
            field=first.field,
            hint="see models/README.md for the schema of this file",
            problems=rest,
        ) from None


def model_files(root: Path, under: str = "") -> list[str]:
    """Every file under ``root/under``, as ``/``-separated paths relative to ``root``, sorted.

    Directories are walked without following symbolic links.  Everything that is not a
    directory is listed (a file, a link to one, a broken or looping link, a link to a
    directory), and so is a directory whose name ends in ``.yaml`` or ``.yml``, which is
    not walked: reading it as a file then fails with a ModelFileError instead of being skipped.
    """
    found: list[str] = []
    pending = [root / under if under else root]
    while pending:
        directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            continue
        except OSError as error:
            raise ModelFileError(
                f"directory cannot be read ({error.strerror})", file=str(directory), hint="check its permissions"
            ) from None
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and not entry.name.endswith(YAML_SUFFIXES):
                pending.append(Path(entry.path))
            else:
                found.append(Path(entry.path).relative_to(root).as_posix())
    return sorted(found)
