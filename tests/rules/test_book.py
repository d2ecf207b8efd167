"""The RuleBook: one models directory's rules, loaded once, hashed, and put in force explicitly."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from planner.api import plan
from planner.facts.profile import parse_profile
from planner.planning.result import current_stamp
from planner.rules.book import RuleBook, current, use
from planner.rules.loader import models_dir
from planner.scoring import crs

PROFILE = {
    "birth_date": "1995-05-01",
    "citizenships": ["US"],
    "education": [{"level": "bachelor", "country": "US", "completed": "2017-05-01", "eca": True}],
    "language_tests": [
        {
            "test": "ielts_general",
            "date": "2026-06-10",
            "listening": 8.5,
            "reading": 8.0,
            "writing": 7.5,
            "speaking": 7.5,
        }
    ],
    "work_history": [{"noc": "21231", "country": "US", "start": "2018-01-01", "hours_per_week": 40}],
    "job_offer": {"noc": "21231", "province": "ON", "employer": "Acme"},
}
ON = date(2026, 11, 25)


@pytest.fixture
def models_copy(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(models_dir(), target)
    return target


def _raise_age_points(root: Path) -> None:
    """Give single 31-year-olds one more CRS point (an edit to models/crs/core.yaml in a copy)."""
    path = root / "crs/core.yaml"
    text = path.read_text(encoding="utf-8")
    old = "{min_age: 31, with_spouse: 90, without_spouse: 99}"
    assert old in text
    path.write_text(text.replace(old, "{min_age: 31, with_spouse: 90, without_spouse: 100}", 1), encoding="utf-8")


def test_the_same_files_give_the_same_hash_and_any_edit_a_new_one(models_copy):
    assert RuleBook(models_copy).content_hash == RuleBook(models_dir()).content_hash
    _raise_age_points(models_copy)
    assert RuleBook(models_copy).content_hash != RuleBook(models_dir()).content_hash


def test_a_book_put_in_force_is_the_one_every_rule_comes_from(models_copy):
    _raise_age_points(models_copy)
    person = parse_profile(PROFILE)
    shipped = crs.score(person, ON).total
    with use(RuleBook(models_copy)) as book:
        assert current() is book
        assert crs.score(person, ON).total == shipped + 1
    assert crs.score(person, ON).total == shipped  # the shipped rules again, nothing remembered across books


def test_a_plan_made_with_a_book_says_so_in_its_stamp(models_copy):
    _raise_age_points(models_copy)
    book = RuleBook(models_copy)
    result = plan(parse_profile(PROFILE), as_of=ON, rules=book)
    assert result.stamp.rules_hash == book.content_hash
    assert result.stamp.rules_hash != current_stamp().rules_hash
    assert result.stamp.last_round == date(2026, 9, 16)


def test_a_book_reads_each_file_once(models_copy):
    book = RuleBook(models_copy)
    from planner.scoring.crs import CoreFile

    first = book.file("crs/core.yaml", CoreFile)
    _raise_age_points(models_copy)  # read already: this book keeps what it read
    assert book.file("crs/core.yaml", CoreFile) is first
    assert RuleBook(models_copy).file("crs/core.yaml", CoreFile) != first  # a new book reads the edit


def test_no_module_keeps_a_cache_of_rules():
    """Rules and what is computed from them are remembered only in a RuleBook (rules/book.py's per_book).

    The few functools caches left hold pure functions of their arguments, never rules.
    """
    import ast

    source = Path(__file__).resolve().parents[2] / "src" / "planner"
    pure = {"_models_dir", "shared_query", "_window", "_constant"}
    cached = []
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                    if name in ("lru_cache", "cache") and node.name not in pure:
                        cached.append(f"{path.relative_to(source)}:{node.name}")
    assert cached == []
