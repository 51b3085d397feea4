"""The committed sample is exactly what the generator writes: regenerating it into a temporary folder gives
every file (471 workbooks and expected.json) byte for byte, so an edit to data/sample/gen/ without
regenerating (``.venv/bin/python data/sample/generate.py``) fails here. Takes ~3 s.

Also: the generator stays a second implementation (it imports nothing from ledger/ or analytics/), and
the words it writes from its frozen vocabulary are still accepted by the importer's forms."""
from __future__ import annotations

import ast

from tests.conftest import ROOT

SAMPLE = ROOT / "data" / "sample"
GEN = SAMPLE / "gen"


def _files(folder):
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def test_regenerated_sample_equals_committed_files(tmp_path):
    from data.sample.gen.main import generate

    res = generate(tmp_path)
    new, old = _files(tmp_path), _files(SAMPLE / "ledgers")
    new_ledgers = {k.removeprefix("ledgers/"): v for k, v in new.items() if k.startswith("ledgers/")}
    assert sorted(new_ledgers) == sorted(old)
    assert len(old) == res["files"] == 471        # 25 units × 19 rounds − 4 missed (信都镇 ×2, 区商务局 ×2)
    differ = [k for k in sorted(old) if new_ledgers[k].read_bytes() != old[k].read_bytes()]
    assert differ == [], f"{len(differ)} files differ, e.g. {differ[:3]}: regenerate with data/sample/generate.py"
    assert (tmp_path / "expected.json").read_bytes() == (SAMPLE / "expected.json").read_bytes()


def test_generator_imports_nothing_from_the_app():
    bad = []
    for path in sorted(GEN.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("ledger", "analytics", "ui", "views")]
    assert bad == []


def test_frozen_vocabulary_is_still_accepted_by_the_forms():
    """Every header the generator may write in a form is a synonym the importer knows for that field, and
    every label it writes is the glossary's label (a rename in ledger/ shows up here, by name)."""
    from data.sample.gen import vocab
    from ledger import forms, glossary

    known = {form: {fl.name: set(fl.synonyms) for fl in fields} for form, fields in forms.FORMS.items()}
    unknown = [(form, f, h) for form, fields in vocab.FORM_HEADERS.items() for f, heads in fields.items()
               for h in heads if h not in known[form].get(f, set())]
    assert unknown == []
    for name in ("TOWNS", "DEPARTMENTS", "FUND_SOURCES", "THREE_FAILURES", "PROBLEMS", "GRADES", "ASSET_TYPES",
                 "BUILD_STATUS", "OP_STATUS", "DISPOSAL", "SIGNOFF_STATUS", "TASK_STATUS", "SENSITIVE",
                 "PRETREATMENT", "SIGNOFF_CHECKLIST", "INTERACTION_KIND", "INTERACTION_STATUS"):
        assert getattr(vocab, name) == getattr(glossary, name), name
    for alias, canon in vocab.DEPARTMENT_ALIASES.items():
        assert glossary.DEPARTMENT_ALIASES[alias] == canon
    for code, syns in vocab.FUND_SOURCE_SYNONYMS.items():
        assert set(syns) <= set(glossary.FUND_SOURCE_SYNONYMS[code]), code
