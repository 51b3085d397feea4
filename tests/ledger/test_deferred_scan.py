"""The uncached-cell scan runs after the parse, beside validation and the writes (issue #7), and its
errors still reject the file before anything commits.

The scan (ledger/sandbox.py ``_uncached_formulas``) finds cells that read as empty although they are not
(a formula without a cached value, an error value). It used to run in a third process during the parse,
on the two cores the parse needs; now ``reader.parse_workbook(defer_scan=True)`` starts it in its own
sandboxed child when the parse is done, and the importer waits for it just before COMMIT."""
from __future__ import annotations

from pathlib import Path

from conftest import dump, progress_book
from hostile_corpus import TITLE, good_rows

from ledger import db, importer, state
from ledger import reader as R
from ledger import sandbox as SB

NEEDLE = "公式但没有计算结果"
ROOT = Path(__file__).resolve().parents[2]


def _optional_formula(tmp_path):
    """A valid 贺街镇 ledger but for one uncached formula in row 2's 粤桂协作 (column H, Excel row 7),
    a cell that may be empty: validation passes, only the scan sees the formula."""
    rows = good_rows()
    rows[1][7] = "=1+1"        # openpyxl writes the formula with no cached value
    return progress_book(tmp_path / "贺街镇_公式.xlsx", rows, title=TITLE)


def test_the_scan_rejects_after_the_writes_began_and_the_rollback_undoes_them(tmp_path, monkeypatch):
    con = db.connect(tmp_path / "x.duckdb")
    base = importer.import_file(con, progress_book(tmp_path / "贺街镇_附件1.xlsx", good_rows(), title=TITLE),
                                archive_root=tmp_path / "archive")
    assert base.status == "accepted"
    before = dump(con)
    refreshed = []
    real = state.refresh_after_import
    monkeypatch.setattr(state, "refresh_after_import", lambda *a, **k: (refreshed.append(1), real(*a, **k))[1])
    res = importer.import_file(con, _optional_formula(tmp_path), archive_root=tmp_path / "archive")
    assert res.status == "rejected"
    errors = [p for p in res.problems if p["severity"] == "error"]
    # the one faulty cell, by sheet, Excel row (title, unit line, blank, 2 header rows, then rows 6 and 7)
    # and column: H is 粤桂协作 under 资金来源（万元）
    assert [(p["sheet"], p["row"], p["column"][:1]) for p in errors] == [("附件1", 7, "H")]
    assert NEEDLE in errors[0]["message"]
    assert refreshed == [1]            # the rows were written and the state refreshed, inside the transaction
    assert dump(con) == before         # … and all of it rolled back (even the state token)
    assert res.rejected == 1           # one faulty row
    con.close()


def test_a_check_reports_the_scan_problem_without_writing(tmp_path):
    con = db.connect(tmp_path / "x.duckdb")
    before = dump(con)
    res = importer.import_file(con, _optional_formula(tmp_path), dry_run=True)
    assert res.status == "rejected"
    assert any(NEEDLE in p["message"] for p in res.problems if p["severity"] == "error")
    assert dump(con) == before
    con.close()


def test_a_clean_file_is_accepted_after_the_scan(tmp_path):
    con = db.connect(tmp_path / "x.duckdb")
    res = importer.import_file(con, progress_book(tmp_path / "贺街镇_附件1.xlsx", good_rows(), title=TITLE),
                               archive_root=tmp_path / "archive")
    assert res.status == "accepted" and res.accepted == 2
    assert con.execute("SELECT count(*) FROM progress_rows").fetchone()[0] == 2
    con.close()


def test_parse_workbook_without_defer_keeps_the_problem_in_the_sheet_notes(tmp_path):
    path = _optional_formula(tmp_path)
    sheets, _notes = R.parse_workbook(path)
    assert [(n["row"], n["column"][:1]) for ps in sheets for n in ps.notes if NEEDLE in n["message"]] == [(7, "H")]
    sheets, _notes, finish = R.parse_workbook(path, defer_scan=True)
    assert not any(NEEDLE in n["message"] for ps in sheets for n in ps.notes)   # not yet: the scan runs
    assert [(p["row"], p["column"][:1]) for p in finish()] == [(7, "H")]


def test_a_second_parse_of_the_same_file_reuses_the_running_scan(tmp_path):
    path = _optional_formula(tmp_path)
    _s, _n, first = R.parse_workbook(path, defer_scan=True)
    assert isinstance(first.scan, SB.PendingScan)
    _s, _n, second = R.parse_workbook(path, defer_scan=first.scan)
    assert second.scan is first.scan
    assert [p["row"] for p in second()] == [7]


def test_a_failed_scan_is_a_chinese_rejection(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_SANDBOX_FAULT", "scan_abort")
    path = progress_book(tmp_path / "贺街镇_附件1.xlsx", good_rows(), title=TITLE)
    _s, _n, finish = R.parse_workbook(path, defer_scan=True)   # the parse itself is not affected
    try:
        finish()
    except SB.ReadError as e:
        assert "读取程序中止" in e.message
    else:
        raise AssertionError("the scan's crash was not reported")


def test_an_xls_has_nothing_to_scan_and_starts_no_child():
    # .xls (OLE) cells have no XML to scan: the deferred scan is {} without a sandboxed child
    path = ROOT / "data" / "sample" / "ledgers" / "2024-06-29" / "南乡镇_2024-06-29.xls"
    sheets, _notes, finish = R.parse_workbook(path, defer_scan=True)
    assert sheets                                     # the sheets themselves were parsed
    assert finish.scan.thread is None and finish() == []
