"""A hostile corpus (issue #12 point 8): small files generated on the fly (nothing large is committed),
each with its expected outcome. Used by tests/ledger/test_hostile.py.

Every case imports one file into a copy of a baseline database (贺街镇, round 2023-10-29, projects
P001 and P002 from ``good_rows``). ``expect`` is "rejected" (``needle``: a substring of one error
message — any of them when a tuple) or "accepted" (``needle``: a substring of a warning, or None;
``check``: a function of the connection asserting what was stored). ``settings``: overrides written
into the copy first (the parse limits are settings); ``env``: environment for the parse (faults);
``kw``: extra ``import_file`` arguments.
"""
from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl

from conftest import PROGRESS_HEADER_SUB, PROGRESS_HEADER_TOP, PROGRESS_MERGES, progress_book, write_xlsx

TITLE = "附件1 八步区帮扶产业项目推进梳理表（2023年10月29日）"


def good_rows(code1="P001", name1="百香果基地", amount=100):
    return [
        [1, "贺街镇", code1, name1, "2019年", "120万元", amount, "20", None, "35,000", "已完工", "正常运营", "2023.9.15"],
        [2, "贺街镇", "P002", "养牛场", 2020, 50.5, "50.5", None, "—", 0, "在建", "未运营", 45184],
    ]


@dataclass
class Case:
    name: str
    path: Path
    expect: str                                   # 'rejected' | 'accepted'
    needle: str | tuple | None = None
    check: Callable | None = None
    settings: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    kw: dict = field(default_factory=dict)


# --- raw builders ----------------------------------------------------------------------------------
def rewrite_part(src: Path, dst: Path, part: str, fn) -> Path:
    """Copy a zip, passing one part's bytes through ``fn`` (bytes → bytes)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            data = zin.read(i.filename)
            if i.filename == part:
                data = fn(data)
            zout.writestr(i.filename, data)
    return dst


def add_part(src: Path, dst: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i.filename, zin.read(i.filename))
        zout.writestr(part, data)
    return dst


SHEET1 = "xl/worksheets/sheet1.xml"


def with_value(tmp: Path, name: str, marker: str, raw: bytes, *, t: bytes | None = None) -> Path:
    """A good ledger whose numeric cell holding ``marker`` carries the raw XML value ``raw`` instead
    (inf, NaN, an error code …)."""
    base = progress_book(tmp / f"_{name}.xlsx", good_rows(amount=int(marker)), title=TITLE)

    def fn(d: bytes) -> bytes:
        m = re.search(rb'<c r="([A-Z]+\d+)"( [^>]*)?><v>' + marker.encode() + rb"</v></c>", d)
        assert m, "marker cell not found"
        cell = b'<c r="' + m.group(1) + b'"' + (b' t="' + t + b'"' if t else b"") + b"><v>" + raw + b"</v></c>"
        return d[:m.start()] + cell + d[m.end():]
    return rewrite_part(base, tmp / f"{name}.xlsx", SHEET1, fn)


def cfb(fat_links: dict[int, int], *, extra: bytes = b"") -> bytes:
    """A minimal OLE compound file: FAT in sector 0, directory from sector 1; ``fat_links`` sets FAT
    entries (e.g. {1: 1}: the directory chain loops on itself)."""
    h = bytearray(b"\xff" * 512)
    h[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    h[8:24] = b"\0" * 16
    struct.pack_into("<HHHHH", h, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    h[0x22:0x2C] = b"\0" * 10
    struct.pack_into("<IIIIIIIII", h, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    fat = bytearray(b"\xff" * 512)
    struct.pack_into("<I", fat, 0, 0xFFFFFFFD)
    for k, v in fat_links.items():
        struct.pack_into("<I", fat, 4 * k, v)
    d = bytearray(512)
    nm = "Root Entry".encode("utf-16-le") + b"\0\0"
    d[0:len(nm)] = nm
    struct.pack_into("<H", d, 0x40, len(nm))
    d[0x42] = 5
    return bytes(h + fat + d) + extra


def two_sheets(path: Path, rows1, rows2, *, states=("visible", "visible")) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, (rows, state) in enumerate(zip((rows1, rows2), states), 1):
        ws = wb.create_sheet(f"附件1-{i}")
        for r in [[TITLE], ["填报单位：贺街镇人民政府    填报日期：2023年10月28日    单位：万元"], [],
                  PROGRESS_HEADER_TOP, PROGRESS_HEADER_SUB] + rows:
            ws.append(r)
        for m in ["A1:M1"] + PROGRESS_MERGES:
            ws.merge_cells(m)
        ws.sheet_state = state
    wb.save(path)
    return path


def _codes(con):
    return sorted(c for (c,) in con.execute("SELECT project_code FROM progress_rows WHERE round_date = DATE '2023-10-29'").fetchall())


def _name_of(code):
    def get(con):
        return con.execute("SELECT name FROM progress_rows WHERE project_code = ? AND round_date = DATE '2023-10-29'",
                           [code]).fetchone()[0]
    return get


# --- the corpus ------------------------------------------------------------------------------------
def build(tmp: Path) -> list[Case]:
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    C: list[Case] = []
    good = progress_book(tmp / "_good.xlsx", good_rows(amount=101), title=TITLE)

    def add(name, path, expect, needle=None, **kw):
        C.append(Case(name, path, expect, needle, **kw))

    # 1 — files that would crash or exhaust the parser
    add("dimension_bomb", rewrite_part(good, tmp / "dimension_bomb.xlsx", SHEET1, lambda d: re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d)), "rejected", "过大")
    add("far_cell_no_dimension", rewrite_part(good, tmp / "far_cell.xlsx", SHEET1, lambda d: re.sub(
        rb"<dimension [^>]*/>", b"", d).replace(b'r="A1"', b'r="XFD1048576"', 1)), "rejected",
        ("文件解析失败", "过大", "内存超过上限"), settings={"parse_memory_mb": 1024})
    sst = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
          b"<si><t>" + b"A" * (24 << 20) + b"</t></si></sst>"
    add("zip_bomb_shared_strings", rewrite_part(good, tmp / "zip_bomb.xlsx", "xl/sharedStrings.xml", lambda d: sst)
        if _has_part(good, "xl/sharedStrings.xml") else add_part(good, tmp / "zip_bomb.xlsx", "xl/sharedStrings.xml", sst),
        "rejected", "压缩比")
    add("uncompressed_over_cap", add_part(good, tmp / "big_parts.xlsx", "xl/media/blob.bin", bytes(range(256)) * 8192),
        "rejected", "解压后过大", settings={"parse_max_uncompressed_mb": 1})
    add("columns_over_cap", write_xlsx(tmp / "wide.xlsx", {"附件1": [[TITLE], [f"c{i}" for i in range(1100)]]}),
        "rejected", "过大")
    add("rows_over_cap", progress_book(tmp / "long.xlsx", [[i, "贺街镇", f"L{i:03d}", f"项目{i}", 2020, 1, 1, None,
                                                           None, 0, "在建", "未运营", None] for i in range(60)],
                                       title=TITLE), "rejected", "过大", settings={"parse_max_rows": 50})
    (tmp / "loop.xls").write_bytes(cfb({1: 1}))
    add("xls_looping_sector_chain", tmp / "loop.xls", "rejected", ("文件解析失败", "内存超过上限", "损坏", "超时"),
        settings={"parse_memory_mb": 512, "parse_cpu_seconds": 20})
    (tmp / "bad_fat.xls").write_bytes(cfb({1: 0x7FFFFFF0}))
    add("xls_fat_points_outside", tmp / "bad_fat.xls", "rejected", ("文件解析失败", "损坏", "内存超过上限"),
        settings={"parse_memory_mb": 512})
    add("child_aborts", good, "rejected", "文件解析失败", env={"LEDGER_SANDBOX_FAULT": "abort"})
    add("child_spins", good, "rejected", "超时", env={"LEDGER_SANDBOX_FAULT": "spin"},
        settings={"parse_cpu_seconds": 1, "parse_timeout_seconds": 30})
    add("child_hogs_memory", good, "rejected", "内存", env={"LEDGER_SANDBOX_FAULT": "hog"},
        settings={"parse_memory_mb": 512})

    # 2 — not (valid) workbooks
    (tmp / "encrypted.xlsx").write_bytes(cfb({}, extra="EncryptionInfo".encode("utf-16-le") +
                                         "EncryptedPackage".encode("utf-16-le")))
    add("encrypted_workbook", tmp / "encrypted.xlsx", "rejected", "已加密")
    (tmp / "text.xlsx").write_text("项目编号,项目名称\nP001,百香果\n", encoding="utf-8")
    add("csv_renamed_xlsx", tmp / "text.xlsx", "rejected", "不是 Excel 工作簿")
    (tmp / "empty.xlsx").write_bytes(b"")
    add("zero_bytes", tmp / "empty.xlsx", "rejected", "空的")
    (tmp / "truncated.xlsx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    add("truncated_zip", tmp / "truncated.xlsx", "rejected", "损坏")
    with zipfile.ZipFile(tmp / "plain.xlsx", "w") as z:
        z.writestr("readme.txt", "hello")
    add("zip_not_workbook", tmp / "plain.xlsx", "rejected", "不是 Excel 工作簿")
    (tmp / "ledger.csv").write_text("a,b\n", encoding="utf-8")
    add("wrong_extension", tmp / "ledger.csv", "rejected", "不支持的文件类型")
    (tmp / "image.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    add("png_renamed", tmp / "image.xlsx", "rejected", "不是 Excel 工作簿")
    add("garbage_sheet_xml", rewrite_part(good, tmp / "garbage.xlsx", SHEET1, lambda d: d[: len(d) // 3] + b"<<<\x00"),
        "rejected", ("损坏", "无法读取", "没有可识别"))
    add("no_ledger_table", write_xlsx(tmp / "notes.xlsx", {"说明": [["本表无数据"], ["仅说明文字"]]}),
        "rejected", "没有可识别的台账表格")
    xxe = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">'
           b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
           b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
    add("xml_entities_in_sheet", rewrite_part(good, tmp / "xxe.xlsx", SHEET1,
                                              lambda d: xxe + re.sub(rb"^<\?xml[^>]*\?>", b"", d).replace(b"<v>101</v>", b"<v>&x;&c;</v>")),
        "rejected", ("损坏", "无法读取", "数值无效"))

    # 3 — values that used to be lost or to fail at INSERT
    add("amount_too_large", progress_book(tmp / "huge.xlsx", good_rows(amount=10 ** 15), title=TITLE),
        "rejected", "金额超出范围")
    add("amount_text_1e999", progress_book(tmp / "e999.xlsx", good_rows(amount="1e999"), title=TITLE),
        "rejected", "金额超出范围")
    add("amount_inf", with_value(tmp, "inf", "987654", b"inf"), "rejected", "数值无效")
    add("amount_nan", with_value(tmp, "nan", "987655", b"NaN"), "rejected", "数值无效")
    add("amount_error_cell", with_value(tmp, "err", "987656", b"#DIV/0!", t=b"e"), "rejected",
        "错误值")
    add("uncached_formula", progress_book(tmp / "formula.xlsx", good_rows(amount="=60+40"), title=TITLE),
        "rejected", "公式但没有计算结果")
    # an uncached formula where an empty cell is valid (row 2's 粤桂协作): validation passes, the rows are
    # written, and the scan (deferred to run beside the writes, issue #7) rejects the file before COMMIT
    rows = good_rows()
    rows[1][7] = "=1+1"
    add("uncached_formula_in_optional_cell", progress_book(tmp / "formula_opt.xlsx", rows, title=TITLE),
        "rejected", "公式但没有计算结果")
    # the deferred scan's child crashes (the parse succeeded): rejected with the parse's crash message
    add("scan_crash", progress_book(tmp / "scan_crash.xlsx", good_rows(name1="百香果基地（二期）"), title=TITLE), "rejected",
        "读取程序中止", env={"LEDGER_SANDBOX_FAULT": "scan_abort"})
    rows = good_rows()
    rows[0][12] = "9999-12-31"
    add("date_far_future", progress_book(tmp / "date9999.xlsx", rows, title=TITLE), "rejected", "日期超出范围")
    rows = good_rows()
    rows[1][12] = 2958466
    add("date_serial_out_of_range", progress_book(tmp / "serial.xlsx", rows, title=TITLE), "rejected", "日期")
    rows = good_rows()
    rows[0][5] = "-120"
    add("negative_total", progress_book(tmp / "neg.xlsx", rows, title=TITLE), "rejected", "不能为负数")
    add("same_code_two_sheets", two_sheets(tmp / "dup_sheets.xlsx", good_rows()[:1], good_rows()[:1]),
        "rejected", "出现两次")
    add("round_2099", progress_book(tmp / "r2099.xlsx", good_rows(), title="附件1 推进梳理表（2099年1月14日）"),
        "rejected", "晚于今天")
    add("round_1999", progress_book(tmp / "r1999.xlsx", good_rows(), title="附件1 推进梳理表（1999年1月14日）"),
        "rejected", "早于最早")
    add("round_param_2099", good, "rejected", "晚于今天", kw={"round_date": "2099-01-14"})

    # 4 — nothing lost silently
    add("headers_only", progress_book(tmp / "headers_only.xlsx", [], title=TITLE), "rejected", "只有表头")
    add("headers_only_confirmed", progress_book(tmp / "headers_only2.xlsx", [], title=TITLE), "accepted",
        check=lambda con: _codes(con) == [], kw={"allow_shrink": True})
    add("shrink_57_to_1", progress_book(tmp / "shrink.xlsx", [good_rows()[0][:2] + ["P900"] + good_rows()[0][3:]],
                                        title=TITLE), "rejected", "将去掉")
    add("shrink_confirmed", progress_book(tmp / "shrink2.xlsx", [good_rows()[0][:2] + ["P900"] + good_rows()[0][3:]],
                                          title=TITLE), "accepted", check=lambda con: _codes(con) == ["P900"],
        kw={"allow_shrink": True})
    add("hidden_sheet", two_sheets(tmp / "hidden.xlsx", good_rows()[:1], good_rows()[1:], states=("visible", "hidden")),
        "accepted", "附件1-2", check=lambda con: _codes(con) == ["P001", "P002"])
    add("very_hidden_sheet", two_sheets(tmp / "vhidden.xlsx", good_rows()[:1], good_rows()[1:],
                                        states=("visible", "veryHidden")),
        "accepted", "深度隐藏", check=lambda con: _codes(con) == ["P001", "P002"])

    # 5 — look-alikes
    add("fullwidth_code", progress_book(tmp / "fw.xlsx", good_rows(code1="Ｐ００１"), title=TITLE), "accepted",
        check=lambda con: _codes(con) == ["P001", "P002"])
    add("zero_width_code", progress_book(tmp / "zw.xlsx", good_rows(code1="P0\u200b01"), title=TITLE), "accepted",
        check=lambda con: _codes(con) == ["P001", "P002"])
    rows = good_rows()
    rows[1][2] = "P0\u200d01\u2060"
    add("lookalike_duplicates", progress_book(tmp / "lookalike_dup.xlsx", [good_rows(code1="Ｐ001")[0], rows[1]],
                                              title=TITLE), "rejected", "重复")
    add("unit_rtl_override", progress_book(tmp / "rtl.xlsx", good_rows(), title=TITLE,
                                           unit_line="填报单位：贺街\u202e镇    填报日期：2023年10月28日"),
        "accepted", check=lambda con: con.execute("SELECT COUNT(*) FROM units WHERE name LIKE '%贺街%'").fetchone()[0] == 1)
    add("unit_zero_width", progress_book(tmp / "zwunit.xlsx", good_rows(), title=TITLE,
                                         unit_line="填报单位：贺\u200b街镇    填报日期：2023年10月28日"),
        "accepted", check=lambda con: con.execute("SELECT DISTINCT unit FROM progress_rows").fetchall() == [("贺街镇",)])
    add("unit_formula", progress_book(tmp / "unitcmd.xlsx", good_rows(), title=TITLE,
                                      unit_line="填报单位：=cmd|'/c calc'!A1    填报日期：2023年10月28日"),
        "rejected", "不允许的字符", kw={"round_date": "2023-10-29"})
    add("unit_param_formula", good, "rejected", "不允许的字符", kw={"unit": "@SUM(1+1)*cmd|' /C calc'!A0"})

    # 6 — hostile text stored verbatim (and exported as text: see test_export_safety)
    for nm, text, stored in (("name_hyperlink", '=HYPERLINK("http://evil","点我")', '=HYPERLINK("http://evil","点我")'),
                             ("name_dde", "=cmd|'/c calc'!A1", "=cmd|'/c calc'!A1"),
                             ("name_plus_at", "@SUM(1+1)", "@SUM(1+1)"),
                             ("name_sql", "x'); DROP TABLE imports; --", "x'); DROP TABLE imports; --"),
                             ("name_control_chars", "茶园\x01\x1b二期", "茶园二期")):
        add(nm, set_text(progress_book(tmp / f"{nm}.xlsx", good_rows(), title=TITLE), "D6", text), "accepted",
            check=lambda con, s=stored: _name_of("P001")(con) == s)
    return C


def set_text(path: Path, ref: str, text: str) -> Path:
    """Put ``text`` into a cell as a string (openpyxl would make "=…" a formula), bypassing its
    control-character check the way a hand-made file would."""
    def fn(d: bytes) -> bytes:
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        esc = "".join(f"&#x{ord(ch):X};" if ord(ch) < 32 else ch for ch in esc)
        cell = f'<c r="{ref}" t="inlineStr"><is><t>{esc}</t></is></c>'.encode()
        return re.sub(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', cell, d, count=1)
    tmp = path.with_name("_" + path.name)
    path.rename(tmp)
    return rewrite_part(tmp, path, SHEET1, fn)


def _has_part(path: Path, part: str) -> bool:
    with zipfile.ZipFile(path) as z:
        return part in z.namelist()
