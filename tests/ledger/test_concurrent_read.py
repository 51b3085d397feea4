"""Concurrent import and read (issue #12 point 8): one process imports a sequence of ledgers through
``python -m ledger import`` (one CLI run per file) while another process keeps opening the database the
way a page run does (``ledger.db.open_file`` with a wait, as ui/connection.py) and reads the summary.

Every read must see a committed state: (number of imports, summary) equal to the state after exactly that
many of the files imported serially, never a half-written one; the reader never crashes (the documented
Chinese ``DatabaseBusy`` after its wait is the only allowed failure, counted); and the final store equals
importing the same files serially in one process.

Deterministic in what it checks: the files are fixed, the reader's pauses come from a fixed seed, and the
coordinator starts import k only after the reader has reported state k−1, so every state is seen at least
once whatever the machine's speed. Loops are bounded by counts; timeouts only stop a hang.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import TABLES, progress_book
from hostile_corpus import TITLE, good_rows
from ledger import db, importer

ROOT = Path(__file__).resolve().parents[2]
HANG = 300          # seconds: only to stop a hung child, never asserted on

T_1114 = "附件1 八步区帮扶产业项目推进梳理表（2023年11月14日）"
T_1129 = "附件1 八步区帮扶产业项目推进梳理表（2023年11月29日）"
BUTOU = "填报单位：步头镇人民政府    填报日期：2023年11月13日    单位：万元"


def ledgers(d: Path) -> list[Path]:
    """Four imports, each changing the summary: 贺街镇 10-29 (P001 100 衔接 + 20 粤桂, P002 50.5), 贺街镇
    11-14 (+ P003 10), 步头镇 11-14 (Q001 80), 贺街镇 11-29 (P001's 衔接 now 90)."""
    p003 = [3, "贺街镇", "P003", "茶厂", 2021, 10, 10, None, None, 0, "在建", "未运营", None]
    q001 = [[1, "步头镇", "Q001", "砂糖橘基地", 2021, 90, 80, None, None, 0, "已完工", "正常运营", None]]
    return [
        progress_book(d / "贺街镇_2023-10-29.xlsx", good_rows(), title=TITLE),
        progress_book(d / "贺街镇_2023-11-14.xlsx", good_rows() + [p003], title=T_1114),
        progress_book(d / "步头镇_2023-11-14.xlsx", q001, title=T_1114, unit_line=BUTOU),
        progress_book(d / "贺街镇_2023-11-29.xlsx", good_rows(amount=90) + [p003], title=T_1129),
    ]


def _state(con) -> list:
    """What a reader sees, in one transaction: the number of imports and the summary of the latest round."""
    con.execute("BEGIN TRANSACTION")
    try:
        n = con.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
        return [n, importer.summary(con)]
    finally:
        con.execute("ROLLBACK")


def _comparable(con) -> dict:
    """Every table except meta (a fresh state token per write) and the imports' time, user and archive path."""
    out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES
           if t not in ("meta", "imports")}
    out["imports"] = con.execute(
        "SELECT import_id, file_name, sha256, unit, round_date, forms, rows_accepted, rows_skipped, rows_rejected, "
        "warnings_json, replaced_import_id FROM imports ORDER BY import_id").fetchall()
    return out


# The reader, as a plain `python -c` child (multiprocessing's spawn would re-run a page test's __main__).
# It opens the file like a page run (read-write, no schema, wait), reads, closes, and only then appends one
# JSON line to its log (so it never holds the file while blocked on output). It stops when the stop file
# appears or after MAX reads.
_READER = r"""
import json, random, sys, time
from pathlib import Path
from ledger import db, importer
path, log, stop, seed, max_reads = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
with log.open("a", encoding="utf-8") as out:
    for _ in range(max_reads):
        if stop.exists():
            break
        try:
            con = db.open_file(path, wait=30.0)
        except db.DatabaseBusy as e:
            rec = {"busy": str(e)}
        else:
            try:
                con.execute("SET enable_progress_bar = false")
                con.execute("BEGIN TRANSACTION")
                n = con.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
                rec = {"state": [n, importer.summary(con)]}
                con.execute("ROLLBACK")
            finally:
                con.close()
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.flush()
        time.sleep(rng.uniform(0.0, 0.03))
"""
MAX_READS = 20000


def _lines(log: Path) -> list[dict]:
    if not log.exists():
        return []
    return [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if x.endswith("}")]


def _wait_for_state(reader: subprocess.Popen, log: Path, n: int) -> None:
    """Until the reader has logged a read with n imports (bounded: the reader's own MAX_READS and exit)."""
    import time

    for _ in range(HANG * 20):
        if any(r.get("state", [None])[0] == n for r in _lines(log)):
            return
        assert reader.poll() is None, f"reader exited early: {reader.returncode}, {reader.stderr.read()[-2000:]}"
        time.sleep(0.05)
    raise AssertionError(f"the reader never saw {n} imports")


def test_reads_during_cli_imports_see_only_committed_states(tmp_path):
    files = ledgers(tmp_path)

    # the states, serially in one process: before any import and after each one
    ref = tmp_path / "serial" / "l.duckdb"
    ref.parent.mkdir()
    con = db.connect(ref)
    try:
        expected = [_state(con)]
        for f in files:
            assert importer.import_file(con, f).status == "accepted", f
            expected.append(_state(con))
        serial = _comparable(con)
    finally:
        con.close()
    expected = json.loads(json.dumps(expected, ensure_ascii=False))   # as the reader's JSON gives them
    assert [n for n, _ in expected] == [0, 1, 2, 3, 4]
    assert len({json.dumps(s) for s in expected}) == 5                # every import changes what a reader sees
    # by hand: after 3 imports, at 11-14: 贺街镇 (P001 100+20, P002 50.5, P003 10) + 步头镇 (Q001 80) = 260.5;
    # after 4, at 11-29: 贺街镇 11-29 (P001 90+20, P002 50.5, P003 10) + 步头镇's 11-14 file still in force = 250.5
    assert [(s["projects"], s["total_funds_wan"]) for _, s in expected[3:]] == [(4, 260.5), (4, 250.5)]

    # the concurrent run: an empty database (schema applied, as the app's first start would leave it)
    dbf = tmp_path / "live" / "l.duckdb"
    dbf.parent.mkdir()
    db.connect(dbf).close()
    log, stop = tmp_path / "reads.jsonl", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(dbf), str(log), str(stop), "20261202",
                               str(MAX_READS)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        for k, f in enumerate(files):
            _wait_for_state(reader, log, k)          # state k seen; now import file k+1 while it keeps reading
            r = subprocess.run([sys.executable, "-m", "ledger", "import", str(f), "--db", str(dbf), "--json"],
                               cwd=ROOT, capture_output=True, text=True, timeout=HANG)
            assert r.returncode == 0, (f.name, r.stdout[-1500:], r.stderr[-1500:])
            assert "Traceback" not in r.stderr
        _wait_for_state(reader, log, len(files))
    finally:
        stop.touch()
        try:
            reader.wait(timeout=HANG)
        finally:
            if reader.poll() is None:
                reader.kill()
    err = reader.stderr.read()
    assert reader.returncode == 0 and "Traceback" not in err, err[-2000:]

    reads = _lines(log)
    states = [r["state"] for r in reads if "state" in r]
    busy = [r["busy"] for r in reads if "busy" in r]
    assert len(states) + len(busy) == len(reads) and len(reads) < MAX_READS
    assert all(s == expected[s[0]] for s in states), [s for s in states if s != expected[s[0]]][:3]
    counts = [n for n, _ in states]
    assert counts == sorted(counts)                  # a reader never goes back to an older state
    assert set(counts) == {0, 1, 2, 3, 4}            # and saw every state (the coordinator waited for each)
    assert all(b.startswith("台账数据库正被另一个程序占用") for b in busy)

    con = db.connect(dbf, read_only=True)
    try:
        assert _comparable(con) == serial
    finally:
        con.close()
