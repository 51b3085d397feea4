"""The archive is the truth (issue #12 point 4): verify, rebuild that refuses to lose imports, backup /
restore into another folder, a copied data folder rebuilt, and SIGKILL of a CLI import at fixed points
and at seeded random moments (then verify + rebuild)."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import dump, progress_book
from hostile_corpus import TITLE, good_rows
from ledger import archive, db, importer

ROOT = Path(__file__).resolve().parents[2]
T2 = "附件1 八步区帮扶产业项目推进梳理表（2023年11月14日）"


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ledger", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def two_imports(d: Path) -> Path:
    """贺街镇 2023-10-29 (P001, P002) then 2023-11-14 (P001, P002, P003)."""
    dbf = d / "l.duckdb"
    con = db.connect(dbf)
    try:
        assert importer.import_file(con, progress_book(d / "贺街镇_1.xlsx", good_rows(), title=TITLE)).status == "accepted"
        rows = good_rows() + [[3, "贺街镇", "P003", "茶厂", 2021, 10, 10, None, None, 0, "在建", "未运营", None]]
        assert importer.import_file(con, progress_book(d / "贺街镇_2.xlsx", rows, title=T2)).status == "accepted"
    finally:
        con.close()
    return dbf


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True)
    return p


def contents(dbf: Path) -> dict:
    con = db.connect(dbf, read_only=True)
    try:
        d = dump(con)
    finally:
        con.close()
    return {k: v for k, v in d.items() if k != "meta"}


def test_verify_ok_and_paths_relative(tmp_path):
    dbf = two_imports(tmp_path)
    rep = archive.verify(dbf)
    assert (rep["ok"], rep["imports"], rep["records"], rep["problems"]) == (True, 2, 2, [])
    con = db.connect(dbf, read_only=True)
    paths = [p for (p,) in con.execute("SELECT archive_path FROM imports").fetchall()]
    con.close()
    assert all(not Path(p).is_absolute() for p in paths)
    for side in (tmp_path / "l.archive").glob("*/*.json"):
        for ev in json.loads(side.read_text(encoding="utf-8"))["events"]:
            assert ev["db"] == "l.duckdb" and ev["committed"] is True
    assert cli("verify", "--db", str(dbf)).returncode == 0


def test_copied_folder_rebuilds_everything(tmp_path):
    """The old bug: a copied data folder rebuilt to a database missing every import (57 → 0)."""
    dbf = two_imports(_mkdir(tmp_path / "a"))
    before = contents(dbf)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    r = cli("rebuild", "--db", str(tmp_path / "b" / "l.duckdb"))
    assert r.returncode == 0, r.stderr
    assert contents(tmp_path / "b" / "l.duckdb") == before


def test_rebuild_refuses_to_lose_an_import(tmp_path):
    dbf = two_imports(tmp_path)
    before = contents(dbf)
    arch = sorted((tmp_path / "l.archive").glob("*/*.xlsx"))
    arch[0].unlink()                                   # one original is gone
    r = cli("rebuild", "--db", str(dbf))
    assert r.returncode == 1 and "重建中止" in r.stderr and "Traceback" not in r.stderr
    assert contents(dbf) == before                     # untouched
    assert not archive.verify(dbf)["ok"]
    r = cli("rebuild", "--db", str(dbf), "--force")
    assert r.returncode == 0, r.stderr
    con = db.connect(dbf, read_only=True)
    assert con.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 1
    con.close()


def test_missing_record_is_detected_and_rebuilt_from_the_db(tmp_path):
    """A crash between COMMIT and the archive record (simulated: the record removed): verify says so,
    rebuild replays the import from the database's own row."""
    dbf = two_imports(tmp_path)
    before = contents(dbf)
    con = db.connect(dbf, read_only=True)
    rel = con.execute("SELECT archive_path FROM imports WHERE import_id = 2").fetchone()[0]
    con.close()
    (tmp_path / "l.archive" / (rel + ".json")).unlink()
    rep = archive.verify(dbf)
    assert not rep["ok"] and any("没有该导入的记录" in p["message"] for p in rep["problems"])
    r = cli("rebuild", "--db", str(dbf))
    assert r.returncode == 0, r.stderr
    assert contents(dbf) == before


def test_backup_restore_into_another_folder_then_rebuild(tmp_path):
    dbf = two_imports(_mkdir(tmp_path / "live"))
    before = contents(dbf)
    assert cli("backup", str(tmp_path / "bk"), "--db", str(dbf)).returncode == 0
    other = tmp_path / "elsewhere" / "restored.duckdb"
    r = cli("restore", str(tmp_path / "bk"), "--db", str(other))
    assert r.returncode == 0, r.stdout + r.stderr
    assert contents(other) == before
    assert archive.verify(other)["ok"]
    assert cli("rebuild", "--db", str(other)).returncode == 0
    assert contents(other) == before
    # restoring over a database that has imports needs --force
    r = cli("restore", str(tmp_path / "bk"), "--db", str(other))
    assert r.returncode == 1 and "--force" in r.stderr


# --- SIGKILL during a CLI import ------------------------------------------------------------------
POINTS = {  # fault point → imports in the database afterwards
    "after_archive_copy": 1, "mid_insert": 1, "before_record": 1, "before_commit": 1, "after_commit": 2,
}


def _second_file(d: Path) -> Path:
    rows = good_rows() + [[3, "贺街镇", "P003", "茶厂", 2021, 10, 10, None, None, 0, "在建", "未运营", None]]
    return progress_book(d / "贺街镇_2.xlsx", rows, title=T2)


def _one_import(d: Path) -> Path:
    dbf = d / "l.duckdb"
    con = db.connect(dbf)
    assert importer.import_file(con, progress_book(d / "贺街镇_1.xlsx", good_rows(), title=TITLE)).status == "accepted"
    con.close()
    return dbf


def _after_kill(dbf: Path, expect_imports: int) -> None:
    rep = archive.verify(dbf)
    assert rep["ok"], rep["problems"]
    assert rep["imports"] == expect_imports
    before = contents(dbf)
    r = cli("rebuild", "--db", str(dbf))
    assert r.returncode == 0, r.stderr
    assert contents(dbf) == before
    assert archive.verify(dbf)["ok"]


def test_sigkill_at_each_point_then_verify_and_rebuild(tmp_path):
    for point, n in POINTS.items():
        d = tmp_path / point
        d.mkdir()
        dbf = _one_import(d)
        # a killed command cleans nothing up: its temp files go to the test's own folder, not /tmp
        (d / "tmp").mkdir()
        r = cli("import", str(_second_file(d)), "--db", str(dbf), env={"LEDGER_FAULT_AT": point, "TMPDIR": str(d / "tmp")})
        assert r.returncode == -signal.SIGKILL, (point, r.returncode, r.stderr)
        _after_kill(dbf, n)


def test_sigkill_at_seeded_random_moments(tmp_path):
    """Kill moments drawn with a fixed seed; whatever moment is hit, the store stays consistent. The
    delays only choose moments: nothing asserts on time."""
    rng = random.Random(20261201)
    for i, delay in enumerate(rng.uniform(0.0, 2.5) for _ in range(4)):
        d = tmp_path / f"k{i}"
        d.mkdir()
        dbf = _one_import(d)
        (d / "tmp").mkdir()
        p = subprocess.Popen([sys.executable, "-m", "ledger", "import", str(_second_file(d)), "--db", str(dbf)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "TMPDIR": str(d / "tmp")})
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        con = db.connect(dbf, read_only=True)
        n = con.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
        con.close()
        assert n in (1, 2)
        _after_kill(dbf, n)
