"""DESIGN.md rule 1: domain/ imports nothing outside the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def test_domain_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__", "domain"}
    offenders = []
    files = list(DOMAIN.rglob("*.py"))
    assert len(files) > 5
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] not in allowed]
    assert offenders == []


def test_domain_reads_no_clock_nor_random() -> None:
    """Rule 2: the clock and randomness come in as arguments."""
    bad = []
    for path in DOMAIN.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ("datetime.now(", "date.today(", "time.time(", "import random", "from random"):
            if needle in text:
                bad.append(f"{path.name}: {needle}")
    assert bad == []
