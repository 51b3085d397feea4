"""Build the reports of a round: analytics (``analytics.orders``, ``annex3``, the 总览 charts) →
labelled blocks (``doc.Doc``) → files (.xlsx, .html, .pdf, .png, .zip). Used by the pages and by
``python -m ledger export``. Every file name carries the round date and is Windows-safe.
"""
from __future__ import annotations

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from analytics import annex3 as annex3_mod
from analytics import orders as ao
from analytics.base import round_in_force, rounds
from analytics.filters import Filters
from analytics.settings import get_settings

from .. import glossary as g
from ..export import describe_filters
from ..orders import IssuedOrder, issue_orders
from .doc import Col, Doc, Table, to_html, to_xlsx
from .media import MediaError, figures_to_png, html_to_pdf, pdf_available
from .safe import safe_filename, safe_text

ISSUER = "八步区产业帮扶工作专班"
METRIC_LABELS = g.RANKING_METRICS  # the same wording as the 单位排名与奖惩 page
FOLLOWUP_LABELS = {"replied": "已回复", "replied_late": "逾期回复", "overdue": "逾期未回复", "pending": "待回复"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {".xlsx": XLSX_MIME, ".html": "text/html", ".pdf": "application/pdf", ".zip": "application/zip",
        ".png": "image/png", ".txt": "text/plain"}


class ReportError(ValueError):
    """Bad request for a report (no such round, no unit); Chinese message, nothing written."""


@dataclass(frozen=True)
class OutFile:
    name: str
    data: bytes

    @property
    def mime(self) -> str:
        return MIME.get(Path(self.name).suffix, "application/octet-stream")


def _d(x) -> str:
    return x.isoformat()[:10] if x is not None else ""


def _round_of(con, as_of: date) -> tuple[date, int]:
    rd = round_in_force(con, as_of=as_of)
    if rd is None:
        raise ReportError("尚无报送期次：请先导入台账")
    return rd, len(rounds(con, as_of=rd))


def _labels(kind: str, codes) -> str:
    return "、".join(g.label(kind, c) for c in (codes if codes is not None else []))


def _join(items) -> str:
    return "、".join(str(x) for x in (items if items is not None else []))


def zip_files(files: list[OutFile], name: str) -> OutFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.writestr(f.name, f.data)
    return OutFile(safe_filename(name), buf.getvalue())


def write_files(files: list[OutFile], out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        p = out / f.name
        p.write_bytes(f.data)
        paths.append(p)
    return paths


def _html_and_pdf(doc: Doc, stem: str, *, pdf: bool) -> list[OutFile]:
    page = to_html(doc)
    files = [OutFile(safe_filename(stem + ".html"), page.encode("utf-8"))]
    if pdf and pdf_available():
        files.append(OutFile(safe_filename(stem + ".pdf"), html_to_pdf(page)))
    return files


# --- 督办单 ----------------------------------------------------------------------------------------
def order_doc(content: dict, order: IssuedOrder, *, settings: dict) -> Doc:
    """The 督办单 of one unit: 文号, addressee, what it is told, four tables, reply-by date."""
    s = content["summary"]
    rd = content["round_date"]
    paras = [
        f"根据第{content['round_no']}期（{_d(rd)}）报送台账，你单位现有红色项目{s['red']}个、黄色项目{s['yellow']}个；"
        f"逾期未完成整改时限{s['overdue_clocks']}个、未到期整改时限{s['pending_clocks']}个；"
        f"超期未完成的一项目一方案任务{s['overdue_tasks']}项；尚未销号且核查缺项的申请{s['checklist_gaps']}件；"
        f"超过{int(settings['reply_days'])}天未答复的企业诉求建议{s['overdue_replies']}件；销号后反弹项目{s['reopened']}个。",
        f"现予督办。请对照下列清单逐项整改，并于{_d(order.reply_by)}前随下期台账报送整改情况；"
        "逾期未报送的，视为逾期未回复。",
    ]
    if order.note:
        paras.append(f"督办要求：{order.note}")
    p = content["projects"]
    t1 = Table("一、红黄项目及整改时限", [
        Col("项目编号"), Col("项目名称", width=24), Col("乡镇(街道)"), Col("风险等级"), Col("问题类型", width=18),
        Col("督办层级"), Col("扶贫帮扶资金(万元)", "money"), Col("整改时限", width=22), Col("到期日", "date"),
        Col("状态"), Col("剩余天数", "int"), Col("逾期天数", "int")],
        [[r["project_code"], r["name"], r["town"], g.label("grade", r["grade"]), _labels("problem", r["problems"]),
          g.label("tier", r["tier"]), r["funds_wan"],
          g.label("clock_kind", r["kind"]) if r["kind"] else "—", r["due"],
          g.label("clock_status", r["status"]) if r["status"] else "时限均已完成",
          r["days_left"], r["days_overdue"]] for r in p.to_dict("records")])
    t2 = Table("二、超期未完成的一项目一方案任务", [
        Col("项目编号"), Col("项目名称", width=24), Col("序号", "int"), Col("工作任务/具体措施", width=30),
        Col("时间节点", "date"), Col("完成情况"), Col("责任人"), Col("超期天数", "int")],
        [[r["project_code"], r["name"], r["task_seq"], r["measure"], r["due_on"], g.label("task_status", r["status"]),
          r["owner"], r["days_overdue"]] for r in content["tasks"].to_dict("records")])
    t3 = Table("三、销号核查缺项（尚未销号的申请）", [
        Col("项目编号"), Col("项目名称", width=24), Col("原等级"), Col("申请等级"), Col("申请日期", "date"),
        Col("状态"), Col("缺项", width=40)],
        [[r["project_code"], r["name"], g.label("grade", r["from_grade"]), g.label("grade", r["to_grade"]),
          r["applied_on"], g.label("signoff_status", r["status"]), _join(r["checklist_missing"])]
         for r in content["checklist"].to_dict("records")])
    t4 = Table(f"四、超过{int(settings['reply_days'])}天未答复的企业诉求建议", [
        Col("项目编号"), Col("项目名称", width=24), Col("经营主体"), Col("反映日期", "date"), Col("类型"),
        Col("诉求建议内容", width=36), Col("办理状态"), Col("已等待天数", "int")],
        [[r["project_code"], r["name"], r["operator"], r["raised_on"], g.label("interaction_kind", r["kind"]),
          r["content"], g.label("interaction_status", r["status"]), r["days_open"]]
         for r in content["interactions"].to_dict("records")])
    return Doc(title="督  办  单", sheet="督办单", number=order.number, addressee=f"{order.unit}：", paras=paras,
               tables=[t1, t2, t3, t4],
               sign=[ISSUER, f"签发人：{order.issued_by}　签发日期：{_d(order.issued_at)}",
                     f"回复期限：{_d(order.reply_by)}"])


def order_stem(order: IssuedOrder) -> str:
    return f"督办单_{_d(order.round_date)}_{order.unit}_{order.number}"


def issue(con, *, as_of: date, issued_by: str, at: datetime, units: list[str] | None = None,
          reply_by: date | None = None, note: str | None = None, settings: dict | None = None,
          audit_user: str | None = None) -> list[IssuedOrder]:
    """Issue (record and number) the orders of the round in force at ``as_of``: to ``units``, or to every
    lagging unit (``analytics.orders.lagging_units``). ``at``: the caller's clock; reply_by defaults to
    ``analytics.orders.default_reply_by(at.date())``."""
    s = settings or get_settings(con)
    rd, _ = _round_of(con, as_of)
    if units is None:
        lag = ao.lagging_units(con, as_of=rd, settings=s)
        units = list(lag.loc[lag["lagging"], "unit"])
        if not units:
            raise ReportError(f"第{len(rounds(con, as_of=rd))}期（{rd}）没有需要督办的单位")
    summaries = {u: c["summary"] for u, c in ao.order_contents(con, as_of=rd, units=units, settings=s).items()}
    return issue_orders(con, round_date=rd, units=units, reply_by=reply_by or ao.default_reply_by(at.date(), settings=s),
                        issued_by=issued_by, at=at, note=note or None, summaries=summaries, audit_user=audit_user)


def order_files(con, orders: list[IssuedOrder], *, settings: dict | None = None, pdf: bool = True) -> list[OutFile]:
    """.xlsx + .html (+ .pdf when Chromium is there) per order, rendered from the analytics of its round."""
    s = settings or get_settings(con)
    contents = {}
    for rd in {o.round_date for o in orders}:
        contents[rd] = ao.order_contents(con, as_of=rd, units=[o.unit for o in orders if o.round_date == rd],
                                         settings=s)
    docs = [(order_doc(contents[o.round_date][o.unit], o, settings=s), order_stem(o)) for o in orders]
    pages = [to_html(doc) for doc, _ in docs]
    pdfs: list = [None] * len(docs)
    if pdf and pdf_available():
        # one Chromium per page; two at a time (the machine has two cores)
        with ThreadPoolExecutor(max_workers=2) as ex:
            pdfs = list(ex.map(html_to_pdf, pages))
    files = []
    for (doc, stem), page, pdf_bytes in zip(docs, pages, pdfs):
        files.append(OutFile(safe_filename(stem + ".xlsx"), to_xlsx(doc)))
        files.append(OutFile(safe_filename(stem + ".html"), page.encode("utf-8")))
        if pdf_bytes is not None:
            files.append(OutFile(safe_filename(stem + ".pdf"), pdf_bytes))
    return files


def orders_zip(con, orders: list[IssuedOrder], *, settings: dict | None = None, pdf: bool = True) -> OutFile:
    rd = orders[0].round_date if orders else None
    return zip_files(order_files(con, orders, settings=settings, pdf=pdf), f"督办单_{_d(rd)}_{len(orders)}个单位.zip")


# --- 催报 -----------------------------------------------------------------------------------------
def chase_doc(con, *, as_of: date) -> tuple[Doc, object]:
    rd, n = _round_of(con, as_of)
    df = ao.chase_list(con, as_of=as_of)
    missing, late = int((df["status"] == "missing").sum()), int((df["status"] == "late").sum())
    t = Table(None, [Col("单位"), Col("单位类型"), Col("报送期次", "date"), Col("情况"), Col("填报日期", "date"),
                     Col("逾期天数", "int"), Col("本年逾期次数", "int"), Col("本年未报次数", "int"),
                     Col("本年合计", "int"), Col("本年应报次数", "int")],
              [[r["unit"], g.label("unit_kind", r["unit_kind"]), r["due_date"],
                g.label("submission_status", r["status"]), r["submitted_on"], r["days_late"], r["late_this_year"],
                r["missing_this_year"], r["times_this_year"], r["due_this_year"]] for r in df.to_dict("records")],
              empty_text="本期各单位均已按时报送。")
    doc = Doc(title="催报名单", sheet="催报名单", subtitle=f"第{n}期（{_d(rd)}）· 数据截至 {_d(as_of)}",
              paras=[f"本期未报送{missing}个单位、逾期报送{late}个单位。未报单位的逾期天数为截至数据日已逾期的天数。"],
              tables=[t], sign=[ISSUER], landscape=False)
    return doc, df


def chase_text(df) -> str:
    """Tab-separated lines to paste into a message or a sheet (risky values quoted as text)."""
    lines = ["单位\t情况\t逾期天数\t本年逾期或未报次数"]
    for r in df.to_dict("records"):
        lines.append("\t".join(safe_text(v) for v in (r["unit"], g.label("submission_status", r["status"]),
                                                       r["days_late"], r["times_this_year"])))
    return "\n".join(lines) + "\n"


def chase_files(con, *, as_of: date) -> list[OutFile]:
    doc, df = chase_doc(con, as_of=as_of)
    stem = f"催报名单_{_d(round_in_force(con, as_of=as_of))}"
    return [OutFile(safe_filename(stem + ".xlsx"), to_xlsx(doc)),
            OutFile(safe_filename(stem + ".txt"), chase_text(df).encode("utf-8")),
            *_html_and_pdf(doc, stem, pdf=False)]


# --- 通报 -----------------------------------------------------------------------------------------
def _sign(n) -> str:
    return "—" if n is None else (f"+{int(n)}" if int(n) > 0 else str(int(n)))


def bulletin_doc(con, *, as_of: date, settings: dict | None = None) -> Doc:
    s = settings or get_settings(con)
    rd, n = _round_of(con, as_of)
    b = ao.bulletin(con, as_of=as_of, settings=s)
    mv = b["movement"].set_index("grade")
    prev = b["previous_round"]
    has_prev = prev is not None
    since = "（较上期{}）"
    paras = ["全区在用台账：" + "，".join(
        f"{g.label('grade', k)}色项目{int(mv.loc[k, 'now'])}个" + (since.format(_sign(mv.loc[k, 'delta'])) if has_prev else "")
        for k in ("red", "yellow", "green")) + "。"]
    tables = []
    kinds = (("department", "项目主管部门"), ("township", "乡镇（街道）"))
    for kind, title in kinds:
        best = [f"{u}（{sc:.2f}分）" for u, sc in zip(b["best"][kind]["unit"], b["best"][kind]["score"])]
        worst = [f"{u}（{sc:.2f}分）" for u, sc in zip(b["worst"][kind]["unit"], b["worst"][kind]["score"])]
        if best:
            paras.append(f"{title}：表扬 {'、'.join(best)}" + (f"；通报 {'、'.join(worst)}。" if worst else "。"))
    for kind, title in kinds:
        part = b["scores"][b["scores"]["kind"] == kind]
        cols = [Col("排名", "int"), Col("单位", width=14), Col("得分S", "float2"), Col("等次"), Col("奖惩系数f", "float2"),
                Col("扣分", "float2"), *[Col(f"{METRIC_LABELS[m]}得分", "float2") for m in METRIC_LABELS],
                Col("红(本期)", "int"), Col("红(较上期)"), Col("黄(本期)", "int"), Col("黄(较上期)")]
        rows = [[r["rank"], r["unit"], r["score"], g.label("band", r["band"]), r["factor"], r["penalty"],
                 *[r[f"contrib_{m}"] for m in METRIC_LABELS],
                 r["red_now"], _sign(None if not has_prev else r["red_change"]),
                 r["yellow_now"], _sign(None if not has_prev else r["yellow_change"])]
                for r in part.to_dict("records")]
        tables.append(Table(f"{title}排名（奖惩得分及分项）", cols, rows))
    sub = f"第{n}期（{_d(rd)}）" + (f"，与上期（{_d(prev)}）比较" if has_prev else "，无上期可比")
    return Doc(title="帮扶产业项目整改工作通报", sheet="通报", subtitle=sub, paras=paras, tables=tables,
               closing=["说明：得分按「设置」中保存的权重计算（各指标得分之和减扣分，满分100）；"
                        "部门按项目主管部门、乡镇按项目所在乡镇统计，不受侧栏筛选影响。"],
               sign=[ISSUER])


def bulletin_files(con, *, as_of: date, settings: dict | None = None, pdf: bool = True) -> list[OutFile]:
    doc = bulletin_doc(con, as_of=as_of, settings=settings)
    stem = f"通报_{_d(round_in_force(con, as_of=as_of))}"
    return [OutFile(safe_filename(stem + ".xlsx"), to_xlsx(doc)), *_html_and_pdf(doc, stem, pdf=pdf)]


# --- 专题会材料 ------------------------------------------------------------------------------------
def pack_figures(con, *, as_of: date, filters: Filters | None, settings: dict):
    from analytics import clocks, grades
    from charts.overview import TITLES, overview_figures  # plotly only, no Streamlit, no ui

    figs = overview_figures(grades.grade_counts(con, as_of=as_of, filters=filters, settings=settings),
                            grades.grade_trend(con, as_of=as_of, filters=filters, settings=settings),
                            clocks.clock_rollup(con, as_of=as_of, filters=filters, by="unit", settings=settings),
                            titled=True)
    return [(TITLES[k], figs[k]) for k in ("donut", "trend", "lag")]


def annex3_table(df) -> Table:
    cols = [Col(annex3_mod.ANNEX3_LABELS[c], "money" if c in annex3_mod.MONEY_COLUMNS else
                ("text" if c == "unit" else "int")) for c in annex3_mod.ANNEX3_COLUMNS]
    return Table("附件3 帮扶产业项目帮扶提升汇总表（按乡镇）", cols,
                 [list(r) for r in df[annex3_mod.ANNEX3_COLUMNS].itertuples(index=False)], bold_last=True)


def pack(con, *, as_of: date, filters: Filters | None = None, settings: dict | None = None,
         pdf: bool = True) -> OutFile:
    """The 专题会 pack of a round and filter set, one .zip: 总览's three charts as PNG, the 附件3 table
    (.xlsx in the official layout), the 通报 (.xlsx/.html), and 会议材料 (.html/.pdf: title with round
    and filters, the charts, 附件3 and the 通报 tables)."""
    from ..export import annex3_xlsx

    s = settings or get_settings(con)
    rd, n = _round_of(con, as_of)
    ftext = describe_filters(filters)
    named = pack_figures(con, as_of=rd, filters=filters, settings=s)
    pngs = figures_to_png([f for _, f in named])
    a3 = annex3_mod.annex3(con, as_of=rd, by="town", filters=filters)
    bul = bulletin_doc(con, as_of=rd, settings=s)
    title = "帮扶产业项目专题会材料"
    sub = f"第{n}期（{_d(rd)}）｜{ftext}"
    cover = Doc(title=title, sheet="会议材料", subtitle=sub,
                paras=["图表与附件3按上述筛选范围统计；通报为全区排名（不受筛选影响）。", *bul.paras],
                images=[(cap, png) for (cap, _), png in zip(named, pngs)],
                tables=[annex3_table(a3), *bul.tables], closing=bul.closing, sign=[ISSUER])
    stem_tag = f"{_d(rd)}_{'全部' if filters is None or filters.is_empty() else '筛选_' + ftext}"
    files = [OutFile(safe_filename(f"图{i}_{cap}_{_d(rd)}.png"), png) for i, ((cap, _), png) in
             enumerate(zip(named, pngs), 1)]
    files.append(OutFile(safe_filename(f"附件3_汇总表_{_d(rd)}.xlsx"),
                         annex3_xlsx(a3, annex3_mod.ANNEX3_LABELS, as_of=rd, round_no=n, by_label="乡镇(街道)",
                                     filters=filters)))
    files.append(OutFile(safe_filename(f"通报_{_d(rd)}.xlsx"), to_xlsx(bul)))
    files += _html_and_pdf(cover, f"会议材料_{stem_tag}", pdf=pdf)
    return zip_files(files, f"专题会材料_{stem_tag}.zip")


__all__ = ["OutFile", "ReportError", "MediaError", "issue", "order_files", "orders_zip", "chase_files",
           "chase_text", "bulletin_files", "pack", "describe_filters", "write_files", "zip_files"]
