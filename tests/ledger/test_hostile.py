"""The hostile corpus (tests/ledger/hostile_corpus.py, ≥ 40 generated files), each imported into a copy
of a baseline database: a rejection leaves every table unchanged (row counts and a checksum of all
contents), adds one line to rejected.jsonl, archives nothing and speaks Chinese; an acceptance stores
what it says and keeps the archive consistent (``verify``)."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.settings import set_setting
from conftest import dump
from hostile_corpus import build, good_rows, TITLE
from conftest import progress_book
from ledger import archive, db, importer

ROOT = Path(__file__).resolve().parents[2]
_ENGLISH = ("Error", "error", "Traceback", "password", "Password", "Workbook", "Exception", "invalid", "failed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {c.name: c for c in build(tmp_path_factory.mktemp("hostile"))}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """贺街镇, round 2023-10-29: P001 (百香果基地) and P002 (养牛场)."""
    d = tmp_path_factory.mktemp("base")
    con = db.connect(d / "base.duckdb")
    res = importer.import_file(con, progress_book(d / "贺街镇_附件1.xlsx", good_rows(), title=TITLE))
    assert res.status == "accepted" and res.accepted == 2
    con.execute("CHECKPOINT")
    con.close()
    return d


def _copy(baseline: Path, dst: Path) -> Path:
    shutil.copyfile(baseline / "base.duckdb", dst / "base.duckdb")
    shutil.copytree(baseline / "base.archive", dst / "base.archive")
    return dst / "base.duckdb"


def snapshot(con) -> tuple[dict, str]:
    d = dump(con)
    return {t: len(v) for t, v in d.items()}, hashlib.sha256(repr(d).encode()).hexdigest()


def _archive_files(dbf: Path) -> set[str]:
    return {p.relative_to(dbf.parent).as_posix() for p in (dbf.parent / "base.archive").rglob("*") if p.is_file()}


def _rejections(dbf: Path) -> int:
    p = dbf.parent / "rejected.jsonl"
    return len(p.read_text(encoding="utf-8").splitlines()) if p.exists() else 0


def test_corpus_has_at_least_40_files(corpus):
    assert len(corpus) >= 40
    assert {c.expect for c in corpus.values()} == {"accepted", "rejected"}


def pytest_generate_tests(metafunc):
    if "case_name" in metafunc.fixturenames:
        import tempfile
        with tempfile.TemporaryDirectory() as t:
            names = [c.name for c in build(Path(t))]
        metafunc.parametrize("case_name", names)


def test_hostile_file(case_name, corpus, baseline, tmp_path, monkeypatch):
    case = corpus[case_name]
    dbf = _copy(baseline, tmp_path)
    con = db.connect(dbf)
    try:
        for k, v in case.settings.items():
            set_setting(con, k, v, by="test")
        for k, v in case.env.items():
            monkeypatch.setenv(k, v)
        counts, digest = snapshot(con)
        files, rejected = _archive_files(dbf), _rejections(dbf)
        res = importer.import_file(con, case.path, **case.kw)
        msgs = [p["message"] for p in res.problems if p["severity"] == "error"]
        warns = [p["message"] for p in res.problems if p["severity"] == "warning"]
        needles = case.needle if isinstance(case.needle, tuple) else (case.needle,)
        if case.expect == "rejected":
            assert res.status == "rejected", (res.status, res.problems)
            assert any(n in m for m in msgs for n in needles), msgs
            assert snapshot(con) == (counts, digest)                  # the database is unchanged
            assert _archive_files(dbf) == files                        # nothing archived
            assert _rejections(dbf) == rejected + 1                    # one line in rejected.jsonl
            for m in msgs:
                assert not any(w in m for w in _ENGLISH), m            # Chinese, no library text
        else:
            assert res.status == "accepted", msgs
            if case.needle:
                assert any(case.needle in w for w in warns), warns
            assert case.check is None or case.check(con)
            assert _rejections(dbf) == rejected
    finally:
        con.close()
    if case.expect == "accepted":
        rep = archive.verify(dbf)
        assert rep["ok"], rep["problems"]
        assert rep["imports"] == 2


def test_cli_rejects_crashers_cleanly(corpus, baseline, tmp_path):
    """Through the CLI: exit 1, JSON on stdout, nothing on stderr (no traceback), one rejected.jsonl
    line per file, the database unchanged, and the process alive to report every file."""
    dbf = _copy(baseline, tmp_path)
    names = ["dimension_bomb", "far_cell_no_dimension", "zip_bomb_shared_strings", "xls_looping_sector_chain",
             "encrypted_workbook", "amount_too_large", "same_code_two_sheets", "round_2099", "amount_nan",
             "headers_only"]
    con = db.connect(dbf)
    set_setting(con, "parse_memory_mb", 512, by="test")
    before = snapshot(con)
    con.close()
    r = subprocess.run([sys.executable, "-m", "ledger", "import", "--db", str(dbf), "--json",
                        *[str(corpus[n].path) for n in names]], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr == ""
    out = json.loads(r.stdout)
    assert [f["status"] for f in out["files"]] == ["rejected"] * len(names)
    assert [f["file"] for f in out["files"]] == [corpus[n].path.name for n in names]
    assert all(f["errors"] >= 1 for f in out["files"])
    assert _rejections(dbf) == len(names)
    con = db.connect(dbf, read_only=True)
    try:
        assert snapshot(con) == before
    finally:
        con.close()
