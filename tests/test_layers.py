"""The one-way flow Excel → ledger → analytics → ui holds in the code: no module of ledger/, analytics/ or
charts/ imports ui, views or streamlit (at any depth: imports inside functions count too), and the
"which row is a project's" rule (latest round, then the first unit by name) is written once."""
from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import ROOT

FORBIDDEN = {"ui", "views", "streamlit", "app"}


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def _modules(*packages):
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("package", ["ledger", "analytics", "charts"])
def test_lower_layers_never_import_ui_or_streamlit(package):
    files = _modules(package)
    assert len(files) > 1
    bad = [f"{p.relative_to(ROOT)}: import {m}" for p in files for m in _imports(p) if m.split(".")[0] in FORBIDDEN]
    assert bad == []


def test_the_walk_sees_a_nested_import(tmp_path):
    """The check above would catch the import ledger/reports/build.py used to make inside a function."""
    f = tmp_path / "m.py"
    f.write_text("def pack():\n    from ui.overview_charts import TITLES\n    import streamlit as st\n")
    assert list(_imports(f)) == ["ui.overview_charts", "streamlit"]


def test_latest_row_rule_is_written_once():
    """ORDER BY … round_date DESC, … unit (the latest round, then the first unit by name) appears only in
    ledger.state.latest_row; every other query takes that clause from there."""
    pat = re.compile(r"ORDER\s+BY\s+[\w.{}]*round_date\s+DESC\s*,\s*[\w.{}]*unit\b", re.I)
    hits = [f"{p.relative_to(ROOT)}" for p in _modules("ledger", "analytics")
            for _ in pat.finditer(p.read_text(encoding="utf-8"))]
    assert hits == ["ledger/state.py"]


def _bare_cursors(path) -> list[int]:
    """Lines of ``path`` that call ``.cursor()`` on anything (ledger.db.cursor is the one allowed caller)."""
    return [n.lineno for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "cursor"
            and not (isinstance(n.func.value, ast.Name) and n.func.value.id in ("db", "ledger_db", "dbm"))]


def test_every_cursor_is_made_by_ledger_db():
    """A DuckDB cursor starts in its instance's empty in-memory catalog, not in the attached ledger file
    (ledger/db.py): a bare ``con.cursor()`` would fail with "table … does not exist" on a file store only."""
    files = [p for p in _modules("ledger", "analytics", "charts", "ui", "views", "tests", "bench", "scripts")
             if p != ROOT / "ledger" / "db.py"] + [ROOT / "app.py"]
    bad = [f"{p.relative_to(ROOT)}:{line}" for p in files for line in _bare_cursors(p)]
    assert bad == []


def test_the_cursor_check_sees_a_bare_cursor(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("def run(con, db):\n    a = con.cursor()\n    b = db.cursor(con)\n    return a, b\n")
    assert _bare_cursors(f) == [2]
