"""planner.memo: answers are remembered inside a scope only, and forgotten when it ends."""

from __future__ import annotations

from planner import memo

calls: list[int] = []


@memo.per_scope
def square(x: int) -> int:
    calls.append(x)
    return x * x


def test_outside_a_scope_every_call_computes():
    calls.clear()
    assert square(3) == 9 and square(3) == 9
    assert calls == [3, 3]


def test_inside_a_scope_an_answer_is_computed_once_and_forgotten_after():
    calls.clear()
    with memo.scope():
        assert square(4) == 16 and square(4) == 16 and square(5) == 25
        with memo.scope():  # a nested scope shares the outer memory
            assert square(4) == 16
    assert calls == [4, 5]
    with memo.scope():
        square(4)
    assert calls == [4, 5, 4]
