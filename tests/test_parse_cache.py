"""The parse cache: the same bytes are parsed once; planted, tampered, foreign and unsafe entries and directories are
never trusted; old entries are pruned; edits and errors are handled safely."""

from __future__ import annotations

import os
import pickle
import secrets
import time
from datetime import date
from pathlib import Path

import pytest

from planner.errors import ModelFileError
from planner.rules import parse_cache
from planner.rules.loader import read_yaml
from planner.rules.parse_cache import CACHE_ENV, NO_CACHE_ENV, cached_parse


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(directory))
    monkeypatch.delenv(NO_CACHE_ENV, raising=False)
    return directory


class CountingParser:
    def __init__(self):
        self.calls = 0

    def __call__(self, text: str) -> object:
        self.calls += 1
        return {"text": text, "effective": date(2025, 3, 25), "items": [1, 2.5, None, True]}


def _rules_file(tmp_path: Path, text: str = "a: 1\n", name: str = "rule.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _entry_for(cache: Path, path: Path, parser: str = "test") -> Path:
    """Where the entry for ``path`` lives: a name anyone can compute from the file."""
    return cache / parse_cache.entry_name(path, parser, path.read_bytes())


def _signed(key: bytes, entry: Path, data: object) -> bytes:
    payload = pickle.dumps(data)
    return parse_cache._mac(key, entry.name, payload) + payload


def _install_key(cache: Path) -> bytes:
    return (cache / parse_cache.KEY_FILE).read_bytes()


def test_the_same_bytes_are_parsed_once_and_read_back_equal(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    first = cached_parse(path, "test", parse)
    second = cached_parse(path, "test", parse)
    assert parse.calls == 1
    assert second == first and isinstance(second["effective"], date)
    assert second is not first  # each read gets its own copy


def test_an_edited_file_is_parsed_again_and_replaces_its_entry(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    path.write_text("a: 2\n", encoding="utf-8")
    assert cached_parse(path, "test", parse)["text"] == "a: 2\n"
    assert parse.calls == 2
    assert len(list(cache.glob("*.pickle"))) == 1


def test_two_parsers_of_one_file_keep_separate_entries(tmp_path, cache):
    path = _rules_file(tmp_path)
    assert cached_parse(path, "one", lambda text: 1) == 1
    assert cached_parse(path, "two", lambda text: 2) == 2
    assert cached_parse(path, "one", CountingParser()) == 1


def test_a_damaged_entry_is_parsed_again_and_rewritten(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(b"\x80\x05 not a pickle")
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2


class _Planted:
    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_an_entry_naming_any_other_class_is_refused_not_run_even_with_a_valid_mac(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    (entry,) = cache.glob("*.pickle")
    planted = _Planted()
    planted.target = str(tmp_path / "should-not-exist")
    entry.write_bytes(_signed(_install_key(cache), entry, {"a": planted}))  # as if the key had leaked
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2
    assert not (tmp_path / "should-not-exist").exists()


@pytest.mark.parametrize("mac", ["none", "another key"])
def test_a_poisoned_entry_planted_under_the_right_name_is_ignored_and_the_real_parse_returned(tmp_path, cache, mac):
    path, parse = _rules_file(tmp_path, "crs: 481\n"), CountingParser()
    cache.mkdir(mode=0o700)
    entry = _entry_for(cache, path)
    poison = {"text": "crs: 371\n"}
    entry.write_bytes(pickle.dumps(poison) if mac == "none" else _signed(secrets.token_bytes(32), entry, poison))
    assert cached_parse(path, "test", parse)["text"] == "crs: 481\n"
    assert parse.calls == 1
    assert cached_parse(path, "test", parse)["text"] == "crs: 481\n"  # the entry was rewritten with the real parse
    assert parse.calls == 1


def test_an_entry_changed_after_writing_is_ignored(tmp_path, cache):
    path, parse = _rules_file(tmp_path, "crs: 481\n"), CountingParser()
    cached_parse(path, "test", parse)
    entry = _entry_for(cache, path)
    tampered = entry.read_bytes().replace(b"crs: 481", b"crs: 371")
    assert tampered != entry.read_bytes()
    entry.write_bytes(tampered)  # still a valid pickle, of other data
    assert cached_parse(path, "test", parse)["text"] == "crs: 481\n"
    assert parse.calls == 2


def test_a_valid_entry_of_older_bytes_copied_to_the_current_name_is_ignored(tmp_path, cache):
    path, parse = _rules_file(tmp_path, "crs: 371\n"), CountingParser()
    cached_parse(path, "test", parse)
    old_entry = _entry_for(cache, path).read_bytes()
    path.write_text("crs: 481\n", encoding="utf-8")
    _entry_for(cache, path).write_bytes(old_entry)  # a replay of the old rules under the new name
    assert cached_parse(path, "test", parse)["text"] == "crs: 481\n"
    assert parse.calls == 2


def test_the_key_is_made_once_owner_only_in_an_owner_only_directory(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    key = _install_key(cache)
    assert len(key) == 32
    assert (cache / parse_cache.KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o077 == 0
    cached_parse(_rules_file(tmp_path, name="other.yaml"), "test", parse)
    assert _install_key(cache) == key


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777], ids=oct)
def test_a_group_or_world_writable_cache_directory_is_not_used(tmp_path, cache, mode):
    cache.mkdir()
    cache.chmod(mode)
    path, parse = _rules_file(tmp_path), CountingParser()
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2
    assert list(cache.iterdir()) == []
    assert cache.stat().st_mode & 0o777 == mode


def test_a_cache_directory_owned_by_another_user_is_not_used(tmp_path, cache, monkeypatch):
    cache.mkdir(mode=0o700)
    real_uid = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real_uid + 1)
    path, parse = _rules_file(tmp_path), CountingParser()
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644], ids=oct)
def test_a_key_file_readable_by_others_is_not_used(tmp_path, cache, mode):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    key_file = cache / parse_cache.KEY_FILE
    key = key_file.read_bytes()
    key_file.chmod(mode)
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert cached_parse(_rules_file(tmp_path, name="other.yaml"), "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 3
    assert key_file.read_bytes() == key
    assert len(list(cache.glob("*.pickle"))) == 1  # nothing new was stored


def _age(entry: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(entry, (then, then))


def test_entries_unused_for_30_days_are_pruned_when_storing(tmp_path, cache):
    parse = CountingParser()
    old, recent = _rules_file(tmp_path, name="old.yaml"), _rules_file(tmp_path, name="recent.yaml")
    for path in (old, recent):
        cached_parse(path, "test", parse)
    _age(_entry_for(cache, old), 31)
    _age(_entry_for(cache, recent), 29)
    cached_parse(_rules_file(tmp_path, name="new.yaml"), "test", parse)
    assert not _entry_for(cache, old).exists()
    assert _entry_for(cache, recent).exists()
    assert len(list(cache.glob("*.pickle"))) == 2


def test_reading_an_entry_keeps_it_from_being_pruned(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    _age(_entry_for(cache, path), 31)
    cached_parse(path, "test", parse)  # used today
    cached_parse(_rules_file(tmp_path, name="new.yaml"), "test", parse)
    assert _entry_for(cache, path).exists()
    assert parse.calls == 2


def test_beyond_the_count_limit_the_least_recently_used_entries_are_pruned(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 3)
    parse = CountingParser()
    paths = [_rules_file(tmp_path, name=f"rule{number}.yaml") for number in range(5)]
    for number, path in enumerate(paths[:3]):
        cached_parse(path, "test", parse)
        _age(_entry_for(cache, path), 3 - number)  # rule0 is the least recently used
    for path in paths[3:]:
        cached_parse(path, "test", parse)
    assert sorted(cache.glob("*.pickle")) == sorted(_entry_for(cache, path) for path in paths[2:])


def test_turned_off_it_writes_nothing(tmp_path, cache, monkeypatch):
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    cached_parse(path, "test", parse)
    assert parse.calls == 2
    assert not cache.exists()
    assert parse_cache.cache_dir() is None


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file-not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    monkeypatch.delenv(NO_CACHE_ENV, raising=False)
    path, parse = _rules_file(tmp_path), CountingParser()
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2


def test_errors_are_never_cached_and_name_the_file(tmp_path, cache):
    path = _rules_file(tmp_path, "a: 1\na: 2\n")
    for _ in range(2):
        with pytest.raises(ModelFileError) as raised:
            read_yaml(path)
        assert "duplicate key 'a'" in raised.value.message and raised.value.file == str(path)
    assert not cache.exists() or not list(cache.glob("*.pickle"))


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path, cache):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Québec\n".encode("latin-1"))
    with pytest.raises(ModelFileError) as raised:
        read_yaml(path)
    assert "not UTF-8" in raised.value.message and raised.value.file == str(path)


def test_read_yaml_gives_the_same_data_from_the_cache(tmp_path, cache):
    path = _rules_file(tmp_path, "values:\n  2025-03-25: {value: 7}\n  2024-01-01: {value: 6}\n")
    first = read_yaml(path)
    assert list(cache.glob("*.pickle"))
    assert read_yaml(path) == first == {"values": {date(2025, 3, 25): {"value": 7}, date(2024, 1, 1): {"value": 6}}}
