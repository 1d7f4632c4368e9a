"""DESIGN.md §2: a feature reaches another feature only through that feature's use cases
or store methods, never its tables. Checked on the source with ``ast`` (no database, no
import of the service): no module of ``service/<feature>/`` other than the feature's own
table modules (``tables.py``, ``tables_*.py``, where foreign keys name other features'
tables) imports another feature's table module. ``service.db.tables`` (the service's
shared state) is plumbing, not a feature's, and stays open to all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"
SHARED_TABLES = {"service.db.tables"}


def _features() -> list[str]:
    """Packages declared as features (a ``feature.py``), not the shared plumbing."""
    return sorted(p.parent.name for p in SERVICE.glob("*/feature.py"))


def _is_table_module(name: str) -> bool:
    return name == "tables" or name.startswith("tables_")


def _package_of(path: Path) -> str:
    parts = path.relative_to(SERVICE.parent).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1])


def _imports(tree: ast.Module, package: str) -> list[tuple[ast.Import | ast.ImportFrom, set[str]]]:
    """Every import statement (local ones too) with the modules it may name, relative
    ones resolved; ``from pkg import name`` names ``pkg`` and maybe ``pkg.name``."""
    out: list[tuple[ast.Import | ast.ImportFrom, set[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.append((node, {a.name for a in node.names}))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            out.append((node, {base} | {f"{base}.{a.name}" for a in node.names}))
    return out


def _foreign_table(module: str, feature: str) -> bool:
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "service" or not _is_table_module(parts[2]):
        return False
    return parts[1] != feature and ".".join(parts[:3]) not in SHARED_TABLES


def violations(path: Path, source: str, feature: str) -> list[str]:
    """``<module>:<line> <import statement>`` for each import of another feature's tables."""
    tree = ast.parse(source, filename=str(path))
    where = path.relative_to(SERVICE.parent)
    return [
        f"{where}:{node.lineno} {ast.unparse(node)}"
        for node, modules in sorted(_imports(tree, _package_of(path)), key=lambda nm: nm[0].lineno)
        if any(_foreign_table(m, feature) for m in modules)
    ]


def _modules() -> list[tuple[Path, str]]:
    return [
        (path, feature)
        for feature in _features()
        for path in sorted((SERVICE / feature).rglob("*.py"))
        if not (path.parent == SERVICE / feature and _is_table_module(path.stem))
    ]


def test_no_feature_imports_another_features_tables() -> None:
    found = [v for path, feature in _modules() for v in violations(path, path.read_text(encoding="utf-8"), feature)]
    if found:
        pytest.fail(
            "A feature imports another feature's tables; call that feature's store or use cases "
            "instead (DESIGN.md §2):\n  " + "\n  ".join(found),
            pytrace=False,
        )


def test_the_check_sees_the_features_and_catches_each_form_of_import() -> None:
    """Guards the test above against passing because it looked at nothing."""
    features = _features()
    assert {"organisation", "comptes", "tirage", "composition", "indicateurs"} <= set(features)
    assert len(_modules()) > 100
    store = SERVICE / "tirage" / "store.py"
    for bad in (
        "from service.organisation.tables import Council",
        "import service.comptes.tables",
        "from service.organisation import tables",
        "from ..organisation.tables import Council",
        "def f():\n    from service.reunions.tables_convocations import Convocation\n",
    ):
        assert violations(store, bad, "tirage"), bad
    for fine in (
        "from service.tirage.tables import Draw",
        "from .tables import Draw",
        "from service.db.tables import AppState",
        "from service.organisation.store import OrganisationStore",
        "from service.organisation import usecases",
    ):
        assert not violations(store, fine, "tirage"), fine
