"""How the package is laid out: the habits the README's Layout section promises."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "kpgraph"
MODULES = sorted(p for p in PACKAGE.rglob("*.py")
                 if p.name != "__main__.py" and p.read_text("utf-8").strip())


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=[_name(p) for p in MODULES])
def test_every_module_says_what_it_exports(path):
    tree = ast.parse(path.read_text("utf-8"))
    public = {n.name for n in tree.body
              if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")}
    if not public and path.name == "__init__.py":
        return  # a package marker or re-exports only
    module = importlib.import_module(_name(path))
    assert hasattr(module, "__all__"), f"{_name(path)} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{_name(path)}.__all__ names what it does not define: {missing}"


@pytest.mark.parametrize("path", MODULES, ids=[_name(p) for p in MODULES])
def test_only_the_command_line_imports_click(path):
    """The library raises typed errors; the command line maps them to click's."""
    tree = ast.parse(path.read_text("utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
    imported |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and not n.level}
    assert "click" not in imported or path == PACKAGE / "cli.py"
