"""A large workbook is read and parsed by two sandbox processes at once (issue #7): every other sheet
in a grandchild of the parse child. The split must give exactly what one process gives, and a crash or
a spin in the grandchild must reject the file like the child's own (issue #12).

The split normally happens only for files of at least ``sandbox.SPLIT_MIN_BYTES``; the test faults
``split`` / ``nosplit`` force it on or off, so small sample ledgers exercise both paths."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ledger import db, importer, reader as R, sandbox as SB
from conftest import dump

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "ledgers"


def _parsed(path: Path, monkeypatch, fault: str) -> tuple:
    monkeypatch.setenv("LEDGER_SANDBOX_FAULT", fault)
    sheets, notes = R.parse_workbook(path)
    monkeypatch.delenv("LEDGER_SANDBOX_FAULT")
    return ([(ps.name, ps.form, ps.title, ps.meta, [vars(c) for c in ps.columns], ps.header_rows, ps.records,
              ps.raw, ps.notes, ps.skipped, ps.parts, ps.companion) for ps in sheets], notes)


# one round's ledgers: .xlsx and .xls, with 附件1/2/5 sheets (three sheets: the grandchild gets the second)
ROUND_FILES = sorted(p for p in (SAMPLE / "2023-10-29").iterdir() if p.suffix in (".xlsx", ".xls"))


def test_round_has_multi_sheet_xlsx_and_xls():
    import python_calamine as pc
    multi = [p for p in ROUND_FILES if len(pc.CalamineWorkbook.from_path(str(p)).sheet_names) >= 2]
    assert {p.suffix for p in multi} == {".xlsx", ".xls"}


@pytest.mark.parametrize("path", ROUND_FILES, ids=lambda p: p.name)
def test_split_parse_equals_one_process(path, monkeypatch):
    one = _parsed(path, monkeypatch, "nosplit")
    two = _parsed(path, monkeypatch, "split")
    assert one == two
    assert one[0], "the sample ledger has recognised sheets"


def test_big_ledger_splits_by_size_and_equals_one_process(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "bench"))
    import make_big_ledger
    path = make_big_ledger.make(1500, tmp_path)
    assert path.stat().st_size >= SB.SPLIT_MIN_BYTES   # so the default path below splits
    one = _parsed(path, monkeypatch, "nosplit")
    monkeypatch.setenv("LEDGER_SANDBOX_FAULT", "")
    two = _parsed(path, monkeypatch, "")
    assert one == two
    # 1,500 projects in 附件1 and 1,500 in 附件2
    assert [len(s[6]) for s in one[0]] == [1500, 1500]


@pytest.mark.parametrize("fault, needle, settings", [
    ("part_abort", "文件解析失败", {}),
    ("part_spin", "超时", {"parse_cpu_seconds": 1, "parse_timeout_seconds": 30}),
])
def test_grandchild_failure_rejects_and_changes_nothing(fault, needle, settings, tmp_path, monkeypatch):
    from ledger.settings import set_setting
    con = db.connect(tmp_path / "s.duckdb")
    good = ROUND_FILES[0]
    assert importer.import_file(con, good, archive_root=tmp_path / "a").status == "accepted"
    for k, v in settings.items():
        set_setting(con, k, v, by="test")
    before = dump(con)
    monkeypatch.setenv("LEDGER_SANDBOX_FAULT", fault)
    res = importer.import_file(con, ROUND_FILES[1], archive_root=tmp_path / "a")
    assert res.status == "rejected"
    errors = [p["message"] for p in res.problems if p["severity"] == "error"]
    assert any(needle in m for m in errors), errors
    assert dump(con) == before
    con.close()


def test_raw_rows_parsed_here_equal_the_sandbox_parse(monkeypatch):
    """``read_workbook`` (raw rows from the sandbox) parsed in this process gives what ``parse_workbook``
    (parsed in the sandbox) gives: the two modes of the child read the same cells."""
    path = next(p for p in ROUND_FILES if p.suffix == ".xlsx")
    grids = R.read_workbook(path)
    here = [R.parse_sheet(g) for g in grids]
    there, _notes = R.parse_workbook(path)
    own = {ps.form for ps in here if ps is not None and not ps.parts}
    here = [q for ps in here if ps is not None for q in R.split_combined(ps, own)]
    assert [(q.name, q.form, q.records, q.raw, q.notes) for q in here] == \
        [(q.name, q.form, q.records, q.raw, q.notes) for q in there]
    assert sum(len(q.records) for q in there) > 0


def test_bool_cells_do_not_share_a_parse_with_equal_numbers():
    """Two text columns of one sheet share a parse cache; a TRUE cell (bool) in one must not give its
    parse to the 1 of the other (True == 1.0 as dict keys): clean_text(True) is "True", of 1.0 "1"."""
    grid = R.Grid("附件1", [
        ["附件1 八步区帮扶产业项目推进梳理表（2023年10月29日）"],
        ["填报单位：贺街镇    单位：万元"],
        ["序号", "所属乡镇", "项目编号", "项目名称", "运营主体", "实施单位", "总投资"],
        [1.0, "贺街镇", "P1", "甲", True, 1.0, 10.0],     # 运营主体 holds bools only, 实施单位 numbers only
        [2.0, "贺街镇", "P2", "乙", "某合作社", 3.0, 20.0],
    ], [], "visible")
    ps = R.parse_sheet(grid, memo={})
    assert [(r["operator"], r["implementer"]) for r in ps.records] == [("True", "1"), ("某合作社", "3")]
