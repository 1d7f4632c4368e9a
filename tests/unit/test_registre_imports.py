"""domain/registre stays standard-library only, with no clock (DESIGN.md rules 1–2)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REGISTRE = Path(__file__).resolve().parents[2] / "domain" / "registre"


def test_registre_imports_only_the_standard_library_and_the_domain() -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__", "domain"}
    found = []
    for path in sorted(REGISTRE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path.name, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((path.name, node.module))
    assert len({name for name, _ in found}) == 9
    assert [f for f in found if f[1].split(".")[0] not in allowed] == []


def test_registre_never_reads_the_clock() -> None:
    for path in REGISTRE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {n.func.attr for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        assert not calls & {"now", "today", "utcnow"}, path.name
