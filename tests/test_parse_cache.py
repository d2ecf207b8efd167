"""The parse cache: the same bytes are parsed once; edits, damage, foreign classes and errors are handled safely."""

from __future__ import annotations

import pickle
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


def _rules_file(tmp_path: Path, text: str = "a: 1\n") -> Path:
    path = tmp_path / "rule.yaml"
    path.write_text(text, encoding="utf-8")
    return path


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


def test_an_entry_naming_any_other_class_is_refused_not_run(tmp_path, cache):
    path, parse = _rules_file(tmp_path), CountingParser()
    cached_parse(path, "test", parse)
    (entry,) = cache.glob("*.pickle")
    planted = _Planted()
    planted.target = str(tmp_path / "should-not-exist")
    entry.write_bytes(pickle.dumps({"a": planted}))
    assert cached_parse(path, "test", parse)["text"] == "a: 1\n"
    assert parse.calls == 2
    assert not (tmp_path / "should-not-exist").exists()


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
