"""Benchmark registry: a benchmark is a function returning (seconds, n, notes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bench:
    name: str
    fn: Callable[[], tuple[float, int, str]]
    module: str


BENCHES: dict[str, Bench] = {}


def bench(name: str) -> Callable[[Callable[[], tuple[float, int, str]]], Callable[[], tuple[float, int, str]]]:
    def deco(fn: Callable[[], tuple[float, int, str]]) -> Callable[[], tuple[float, int, str]]:
        BENCHES[name] = Bench(name, fn, fn.__module__)
        return fn

    return deco


# Modules holding benchmarks, imported explicitly.
MODULES = ["bench.draw"]
MODULES.append("bench.tirage")
MODULES.append("bench.register")
MODULES.append("bench.letters")
MODULES.append("bench.formations")
MODULES.append("bench.meetings")
