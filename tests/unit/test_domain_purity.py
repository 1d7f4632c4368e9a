"""DESIGN.md rules 1–2, checked once for the whole of domain/: the standard library only,
and neither the clock nor randomness read inside it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
TREES = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(DOMAIN.rglob("*.py"))}


def test_domain_imports_only_the_standard_library() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__", "domain"}
    offenders = []
    for path, tree in TREES.items():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(DOMAIN)}:{node.lineno} {n}" for n in names if n.split(".")[0] not in allowed]
    assert offenders == []


def test_domain_reads_no_clock_nor_random() -> None:
    """Rule 2: the clock and randomness come in as arguments."""
    bad = []
    for path, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"now", "today", "utcnow"}:
                bad.append(f"{path.relative_to(DOMAIN)}:{node.lineno} .{node.func.attr}()")
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                bad += [f"{path.relative_to(DOMAIN)}:{node.lineno} import {m}" for m in mods if m.split(".")[0] in {"random", "secrets"}]
            if isinstance(node, ast.Attribute) and node.attr == "time" and isinstance(node.value, ast.Name) and node.value.id == "time":
                bad.append(f"{path.relative_to(DOMAIN)}:{node.lineno} time.time")
    assert bad == []
