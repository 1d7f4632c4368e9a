"""The calendar feeds' fast folding path gives exactly icalendar's own folding."""

from __future__ import annotations

import random

from icalendar.parser.string import _foldline


def test_fast_fold_matches_the_library_on_every_kind_of_line() -> None:
    import icalendar.parser.content_line as content_line

    from service.reunions.calendars import install_fast_fold

    install_fast_fold()
    install_fast_fold()  # idempotent: wraps once
    fast = content_line._foldline
    assert getattr(fast, "_fast_path", False)
    rng = random.Random(7)
    alphabet = "abcdefghij KLMNOP;:,\\^éèàœ€ễ😀"
    lines = ["", "UID:reunion-1@x", "a" * 74, "a" * 75, "a" * 76, "é" * 37, "é" * 38, "€" * 25]
    lines += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200))) for _ in range(500)]
    for line in lines:
        assert fast(line) == _foldline(line), line
