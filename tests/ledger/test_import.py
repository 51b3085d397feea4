"""Importing into DuckDB: all or nothing, idempotence, replacement, rebuild, summary, exact problems."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from ledger import db, importer
from conftest import dump, progress_book, rebuilt_equal, risk_book, write_xlsx

D = Decimal
ROOT = Path(__file__).resolve().parents[2]


def _good(tmp_path, name="贺街镇_附件1.xlsx", amount=100):
    return progress_book(tmp_path / name, [
        [1, "贺街镇", "P001", "百香果基地", "2019年", "120万元", amount, "20", None, "35,000", "已完工", "正常运营", "2023.9.15"],
        [2, "贺街镇", "P002", "养牛场", 2020, 50.5, "50.5", None, "—", 0, "在建", "未运营", 45184],
        ["合计", None, None, None, None, 170.5, amount + 50.5, 20, None],
    ])


def test_accepts_clean_file_and_writes_rows(con, tmp_path):
    res = importer.import_file(con, _good(tmp_path))
    assert (res.status, res.accepted, res.skipped, res.rejected) == ("accepted", 2, 1, 0)
    assert res.round_date == date(2023, 10, 29)          # from the title "（2023年10月29日）"
    assert res.unit == "贺街镇"                            # 填报单位：贺街镇人民政府
    assert con.execute("SELECT submitted_on FROM submissions").fetchall() == [(date(2023, 10, 28),)]
    assert con.execute("SELECT project_code, source, fund_year, amount_wan FROM funding_rows ORDER BY ALL").fetchall() == [
        ("P001", "guangdong", 2019, D("20")), ("P001", "linkage", 2019, D("100")), ("P002", "linkage", 2020, D("50.5"))]
    assert con.execute("SELECT enterprise_funds_wan FROM progress_rows WHERE project_code='P001'").fetchone()[0] == D("3.5")
    arch = tmp_path / "t.archive"
    assert len(list(arch.glob("*/*.xlsx"))) == 1 and len(list(arch.glob("*/*.json"))) == 1


def test_broken_file_exact_problems_and_nothing_written(con, tmp_path):
    importer.import_file(con, _good(tmp_path))
    before = dump(con)
    bad = risk_book(tmp_path / "bad.xlsx", [
        [1, "贺街", "R1", "茶园", 2019, "1,000,000", "建而不成", "🔴", "2023年10月16日", None, 12],
        [2, "火星镇", "R2", "鱼塘", 2010, "-5", "用而不好", "紫", "2023.10.16", None, 3],
        [3, "贺街", "R1", "茶园二期", 2020, 10, None, "绿", "昨天", None, 1],
        [4, "贺街", "R4", None, 2020, 10, None, "黄", None, None, 1],
    ], title="附件2 风险排查表（2023年10月29日）")
    res = importer.import_file(con, bad)
    assert res.status == "rejected" and res.accepted == 0
    errs = [(p["row"], p["column"], p["value"], p["message"], p["severity"]) for p in res.problems
            if p["severity"] != "info"]
    assert errs == [
        (3, "J 运营状态说明", "运营状态说明", "未识别的列“运营状态说明”，该列数据未导入", "warning"),  # no such risk field
        (5, "B 所属乡镇", "火星镇", "未知的乡镇(街道)：火星镇（不作为新乡镇，乡镇留空）", "warning"),
        (5, "H 风险等级", "紫", "无法识别的风险等级：紫", "error"),
        (6, "I 认定日期", "昨天", "无法识别的日期：昨天", "error"),
        (5, "E 建设年度", "2010", "年度 2010 超出范围（2013—2023年）", "error"),
        (5, "F 扶贫资金帮扶资金(元)", "-0.0005", "金额/数量不能为负数", "error"),
        (6, "C 项目编码", "R1", "同一项目在本期被评级两次：项目编号 R1 与第4行重复", "error"),
        (7, "D 项目名称", "", "缺少必填项：项目名称", "error"),
    ]
    assert res.rejected == 3                      # rows 5, 6, 7 carry errors
    assert dump(con) == before                    # every table unchanged
    log = (tmp_path / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(log) == 1 and json.loads(log[0])["file_name"] == "bad.xlsx"


def test_one_bad_row_leaves_every_table_unchanged(con, tmp_path):
    importer.import_file(con, _good(tmp_path))
    before = dump(con)
    bad = progress_book(tmp_path / "贺街镇_v2.xlsx", [
        [1, "贺街镇", "P001", "百香果基地", 2019, 120, 100, 20, None, 0, "已完工", "正常运营", "2023.9.15"],
        [2, "贺街镇", "P002", "养牛场", 2020, 50, 60, None, None, 0, "在建", "未运营", "2023.9.15"],  # 60 > 50
    ])
    res = importer.import_file(con, bad)
    assert res.status == "rejected"
    assert [(p["row"], p["column"], p["message"]) for p in res.problems if p["severity"] == "error"] == [
        (7, "F 总投资(万元)", "九类资金合计 60 万元大于总投资 50 万元")]
    assert dump(con) == before


def test_same_file_twice_is_unchanged(con, tmp_path):
    f = _good(tmp_path)
    assert importer.import_file(con, f).status == "accepted"
    before = dump(con)
    res = importer.import_file(con, f)
    assert res.status == "unchanged"
    assert dump(con) == before


def test_corrected_file_replaces_only_that_unit(con, tmp_path):
    importer.import_file(con, _good(tmp_path))
    other = progress_book(tmp_path / "信都.xlsx", [
        [1, "信都镇", "X1", "砂糖橘", 2021, 10, 10, None, None, 0, "在建", "未运营", None]],
        unit_line="填报单位：信都镇    填报日期：2023-10-29")
    assert importer.import_file(con, other).status == "accepted"
    xindu_before = con.execute("SELECT * FROM progress_rows WHERE unit='信都镇' ORDER BY ALL").fetchall()
    fixed = progress_book(tmp_path / "贺街镇_更正.xlsx", [
        [1, "贺街镇", "P001", "百香果基地", 2019, 120, 90, 20, None, 0, "已完工", "正常运营", None]])
    res = importer.import_file(con, fixed)
    assert res.status == "accepted"
    assert con.execute("SELECT project_code FROM progress_rows WHERE unit='贺街镇'").fetchall() == [("P001",)]
    assert con.execute("SELECT SUM(amount_wan) FROM funding_rows WHERE unit='贺街镇'").fetchone()[0] == D("110")  # 90+20
    assert con.execute("SELECT * FROM progress_rows WHERE unit='信都镇' ORDER BY ALL").fetchall() == xindu_before
    assert con.execute("SELECT import_id, replaced_import_id FROM imports ORDER BY import_id").fetchall() == [
        (1, None), (2, None), (3, 1)]
    assert con.execute("SELECT import_id FROM submissions WHERE unit='贺街镇'").fetchone()[0] == 3


def test_rebuild_from_archive_gives_identical_tables(tmp_path):
    dbf = tmp_path / "r.duckdb"
    con = db.connect(dbf)
    importer.import_file(con, _good(tmp_path))
    importer.import_file(con, progress_book(tmp_path / "贺街镇_更正.xlsx", [
        [1, "贺街镇", "P001", "百香果基地", 2019, 120, 90, 20, None, 0, "已完工", "正常运营", None]]))
    importer.import_file(con, risk_book(tmp_path / "risk.xlsx", [
        [1, "贺街", "P001", "百香果基地", 2019, "1,000,000", "建而不成", "🔴", "2023年10月16日", None, 12]],
        title="附件2 风险排查表（2023年10月29日）"))
    before, summ = dump(con), importer.summary(con)
    con.close()
    importer.rebuild(dbf)
    con = db.connect(dbf)
    assert rebuilt_equal(dump(con)) == rebuilt_equal(before)
    assert importer.summary(con) == summ
    assert summ["grades"] == {"red": 1, "yellow": 0, "green": 0}
    con.close()


def test_graded_by_another_unit_in_same_round_is_rejected(con, tmp_path):
    f1 = risk_book(tmp_path / "a.xlsx", [[1, "贺街", "R1", "茶园", 2019, 100, "建而不成", "红", None, None, 1]],
                   title="附件2（2023年10月29日）")
    assert importer.import_file(con, f1).status == "accepted"
    f2 = risk_book(tmp_path / "b.xlsx", [[1, "贺街", "R1", "茶园", 2019, 100, "建而不成", "黄", None, None, 1]],
                   title="附件2（2023年10月29日）", unit_line="填报单位：区农业农村局")
    before = dump(con)
    res = importer.import_file(con, f2)
    assert res.status == "rejected"
    assert [p["message"] for p in res.problems if p["severity"] == "error"] == [
        "项目 R1 本期（2023-10-29）已由贺街镇评级，同一项目一期只能评级一次"]
    assert dump(con) == before


def test_derived_codes_and_funding_years(con, tmp_path):
    rows = [["序号", "乡镇", "项目名称", "建设年度", "资金年度", "总投资", "衔接资金"],
            [1, "贺街", "百香果基地", 2019, 2019, 100, 40],
            [2, "贺街", "百香果基地", 2019, 2020, 100, 60],    # same project, second funding year: allowed
            [3, "贺街", "养猪场", 2020, None, 30, 30]]
    p = write_xlsx(tmp_path / "贺街_2023-11-14.xlsx", {"附件1": rows})
    res = importer.import_file(con, p)
    assert res.status == "accepted" and res.round_date == date(2023, 11, 14) and res.unit == "贺街镇"
    import hashlib
    k1 = "K" + hashlib.sha1("2019|贺街镇|百香果基地".encode()).hexdigest()[:12]
    warn = [p["message"] for p in res.problems if p["severity"] == "warning"]
    assert f"未填项目编号，已按(建设年度,乡镇,项目名称)生成编号 {k1}" in warn
    assert con.execute("SELECT fund_year, amount_wan FROM funding_rows WHERE project_code = ? ORDER BY 1",
                       [k1]).fetchall() == [(2019, D("40")), (2020, D("60"))]
    assert con.execute("SELECT COUNT(*), bool_and(code_derived) FROM progress_rows").fetchone() == (2, True)
    # the same derived key twice (same year, town, name, no distinct 资金年度) must not merge silently
    rows2 = [rows[0], [1, "贺街", "养猪场", 2020, None, 30, 30], [2, "贺街镇", "养 猪 场", 2020, None, 20, 20]]
    res2 = importer.import_file(con, write_xlsx(tmp_path / "贺街_2023-11-29.xlsx", {"附件1": rows2}))
    assert res2.status == "rejected"
    assert any(p["row"] == 3 and "不能自动合并" in p["message"] for p in res2.problems)


def test_summary_totals_to_the_cent(con, tmp_path):
    # amounts in 元: 0.01 元 = 0.000001 万元; 123,456.78 元 = 12.345678 万元
    rows = [["附件1（2023年10月29日）"], ["填报单位：贺街镇"],
            ["序号", "项目编号", "项目名称", "建设年度", "总投资（元）", "衔接资金（元）", "社会捐赠（元）"],
            [1, "A1", "甲", 2020, 1000000, 0.01, "123,456.78"],
            [2, "A2", "乙", 2021, 1000000, 0.02, 0.01]]
    assert importer.import_file(con, write_xlsx(tmp_path / "c.xlsx", {"附件1": rows})).status == "accepted"
    s = importer.summary(con)
    assert set(s) == {"rounds", "projects", "total_funds_wan", "funds_wan", "grades"}
    assert list(s["funds_wan"]) == ["财政专项扶贫资金", "统筹整合财政涉农资金", "彩票公益金", "用于支持脱贫攻坚的政府债券",
                                    "行业扶贫资金", "各级财政衔接推进乡村振兴补助资金", "广东帮扶广西财政协作资金",
                                    "中央单位定点帮扶无偿援助资金", "社会捐赠资金"]
    # 衔接 0.01+0.02 元 = 0.000003 万元; 捐赠 123456.78+0.01 元 = 12.345679 万元; total 12.345682
    assert s["funds_wan"]["各级财政衔接推进乡村振兴补助资金"] == 0.000003
    assert s["funds_wan"]["社会捐赠资金"] == 12.345679
    assert s["total_funds_wan"] == 12.345682
    assert (s["rounds"], s["projects"], s["funds_wan"]["彩票公益金"]) == (1, 2, 0)


def test_cli_import_json_and_exit_codes(tmp_path):
    dbf = tmp_path / "cli.duckdb"
    good = _good(tmp_path)
    bad = progress_book(tmp_path / "bad.xlsx", [[1, "贺街镇", "P9", None, 2019, 1, 1, None, None, 0, None, None, None]])
    def run(*a):
        return subprocess.run([sys.executable, "-m", "ledger", *a], cwd=ROOT, capture_output=True, text=True)

    r = run("import", str(good), "--db", str(dbf), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["accepted"], out["skipped"], out["rejected"]) == (2, 1, 0)
    assert set(out["problems"][0]) == {"sheet", "row", "column", "value", "message", "severity"}
    r = run("import", str(bad), "--db", str(dbf), "--json", "--round", "2023-11-14", "--unit", "贺街")
    assert r.returncode == 1
    assert json.loads(r.stdout)["rejected"] == 1
    r = run("summary", "--db", str(dbf), "--json")
    s = json.loads(r.stdout)
    assert (s["projects"], s["total_funds_wan"]) == (2, 170.5)   # 100 + 20 + 50.5
    assert run("rebuild", "--db", str(dbf)).returncode == 0
    assert json.loads(run("summary", "--db", str(dbf), "--json").stdout) == s


def test_cli_closed_pipe_is_quiet_and_keeps_the_import(tmp_path):
    """``ledger … | head -c N``: the reader closes the pipe before the command has written. The command
    exits 141 (as a shell reports a SIGPIPE death) with nothing on stderr, not a BrokenPipeError traceback
    or the "内部错误：数据库未改动" message; an import it was running is still committed."""
    dbf = tmp_path / "cli.duckdb"
    good = _good(tmp_path)

    def run_closed(*a):
        r, w = os.pipe()
        os.close(r)   # the reader is gone before the command starts: every write to stdout fails with EPIPE
        try:
            return subprocess.run([sys.executable, "-m", "ledger", *a], cwd=ROOT, stdout=w,
                                  stderr=subprocess.PIPE, text=True)
        finally:
            os.close(w)

    p = run_closed("import", str(good), "--db", str(dbf), "--json")
    assert (p.returncode, p.stderr) == (141, "")
    p = run_closed("summary", "--db", str(dbf), "--json")
    assert (p.returncode, p.stderr) == (141, "")
    s = json.loads(subprocess.run([sys.executable, "-m", "ledger", "summary", "--db", str(dbf), "--json"],
                                  cwd=ROOT, capture_output=True, text=True).stdout)
    assert (s["projects"], s["total_funds_wan"]) == (2, 170.5)   # 100 + 20 + 50.5, as in the test above


def test_cli_rejected_import_leaves_no_temp_files(tmp_path):
    """An import rejected for its file (here: a unit name with characters no unit has) does not wait for
    its deferred uncached-cell scan (``sandbox.PendingScan``): the command exits while the scan's child
    still runs (``scan_slow`` makes it take 3 s more). The scan's outcome file must not stay behind in the
    temp directory, one per rejected import."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    bad = progress_book(tmp_path / "bad.xlsx", [[1, "贺街镇", "P9", None, 2019, 1, 1, None, None, 0, None, None, None]])
    env = {**os.environ, "TMPDIR": str(tmpdir), "LEDGER_SANDBOX_FAULT": "scan_slow"}
    r = subprocess.run([sys.executable, "-m", "ledger", "import", str(bad), "--db", str(tmp_path / "c.duckdb"),
                        "--round", "2023-11-14", "--unit", "贺街<x>"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 1, r.stderr
    assert "不允许的字符" in r.stdout, r.stdout
    assert sorted(p.name for p in tmpdir.iterdir()) == []
