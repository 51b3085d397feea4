"""政企互动 (DOMAIN §9): operators' 诉求/建议 and the answers, drawn after the model with their own
random stream (SEED + 4), so the ledger numbers do not move, and the 政企互动台账 sheet."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import vocab as g
from .base import NR, SEED, UNITS, cn_date, day_in, round_window
from .district import District
from .filings import unit_projects
from .model import Project
from .render import layout_footer, layout_top
from .style import FORM_SYNONYMS, Fmt
from .xlwriter import Sheet


REQUESTS = [  # (诉求, 答复)
    ("申请协调冷库用电增容", "已协调供电所完成增容改造"),
    ("反映产品销售渠道不畅，请求帮助对接销售", "已对接区供销社和电商平台开展产销对接"),
    ("申请贴息贷款支持扩大生产", "已推荐至合作银行，按政策办理贴息"),
    ("反映进场道路损坏影响运输，请求修缮", "已列入村道维修计划并组织修缮"),
    ("请求协助办理设施农用地备案", "已指导补齐材料并完成备案"),
    ("反映用工短缺，请求帮助招工", "已通过就业服务站发布招工信息"),
    ("请求落实农业生产用电电价优惠", "已协调供电部门按农业生产电价执行"),
]
SUGGESTIONS = [  # (建议, 答复)
    ("建议统一组织种养技术培训", "已纳入本年度技术培训计划"),
    ("建议建立收益分配公示制度", "已印发收益分配公示模板"),
    ("建议在区农产品展销中心增设展位", "已协调展销中心预留展位"),
    ("建议简化帮扶资金拨付手续", "已反馈区财政局优化拨付流程"),
    ("建议加强联农带农政策宣传", "已安排驻村工作队开展宣传"),
]
CHANNELS = ["面谈", "面谈", "电话", "座谈会", "来信", "实地走访"]


@dataclass
class Interaction:
    unit: str
    project: Project
    raised_on: date
    channel: str
    kind: str                     # request / suggestion
    content: str
    answer: str
    handler: str
    started_on: date | None       # 办理中 from
    answered_on: date | None      # None: never answered in the sample period
    closed_on: date | None
    seq: int = 0

    def at(self, f: date) -> dict[str, Any]:
        """The row as filed on ``f``."""
        if self.closed_on and self.closed_on <= f:
            status = "closed"
        elif self.answered_on and self.answered_on <= f:
            status = "answered"
        elif self.started_on and self.started_on <= f:
            status = "in_progress"
        else:
            status = "pending"
        done = status in ("answered", "closed")
        return dict(seq=self.seq, project_code=self.project.code, name=self.project.name,
                    operator=self.project.operator, raised_on=self.raised_on, channel=self.channel, kind=self.kind,
                    content=self.content, answer=self.answer if done else None,
                    answered_on=self.answered_on if done else None, status=status, handler=self.handler)

    def events(self) -> list[date]:
        return [x for x in (self.raised_on, self.started_on, self.answered_on, self.closed_on) if x]


def make_interactions(d: District, subs: dict[tuple[str, int], date], seed: int = SEED) -> list[Interaction]:
    """One to three interactions per unit with operators, raised inside a round it filed: about three in four
    answered within 15 days, the rest answered late or not (yet) at all."""
    rng = random.Random(seed + 4)
    out: list[Interaction] = []
    for u in UNITS:
        ks = [k for k in range(1, NR) if (u, k) in subs
              and any(p.operator for p in unit_projects(d, u, k))]
        if not ks:
            continue
        mine = []
        for _ in range(rng.randint(1, 3)):
            k = rng.choice(ks)
            p = rng.choice([p for p in unit_projects(d, u, k) if p.operator])
            lo, hi = round_window(k)
            raised = day_in(rng, lo, min(hi, subs[(u, k)]))
            kind = "request" if rng.random() < 0.65 else "suggestion"
            content, answer = rng.choice(REQUESTS if kind == "request" else SUGGESTIONS)
            r = rng.random()
            delay = rng.randint(2, 14) if r < 0.72 else (rng.randint(18, 40) if r < 0.84 else None)
            answered = raised + timedelta(days=delay) if delay is not None else None
            started = raised + timedelta(days=rng.randint(1, 3))
            closed = answered + timedelta(days=rng.randint(3, 20)) if answered and rng.random() < 0.5 else None
            handler = p.supervisor if rng.random() < 0.6 else u
            mine.append(Interaction(u, p, raised, rng.choice(CHANNELS), kind, content + "（样例）", answer + "（样例）",
                                    handler, started, answered, closed))
        mine.sort(key=lambda x: (x.raised_on, x.project.code))
        for n, x in enumerate(mine, start=1):
            x.seq = n
        out.extend(mine)
    return out


def interaction_filings(xs: list[Interaction], subs: dict[tuple[str, int], date]) -> dict[tuple[str, int], list]:
    """(unit, round) → the rows of the 政企互动台账 the unit files then: its whole running ledger, filed in a
    round when something was raised, taken up, answered or closed since its previous submission."""
    out: dict[tuple[str, int], list] = {}
    for u in UNITS:
        mine = [x for x in xs if x.unit == u]
        prev = None
        for k in range(NR):
            if (u, k) not in subs:
                continue
            f = subs[(u, k)]
            if any((prev is None or e > prev) and e <= f for x in mine for e in x.events()):
                out[(u, k)] = [x.at(f) for x in mine if x.raised_on <= f]
            prev = f
    return out


INTERACTION_COLS = ["seq", "project_code", "name", "operator", "raised_on", "channel", "kind", "content", "answer",
                    "answered_on", "status", "handler"]


def interaction_sheet(fmt: Fmt, rd: date, filed: date, rows: list[dict[str, Any]], rng: random.Random) -> Sheet:
    sh = Sheet("政企互动台账")
    layout_top(sh, f"{fmt.st.label()}帮扶产业项目政企互动台账（{cn_date(rd)}）", len(INTERACTION_COLS), fmt, filed,
               unit_line=False)
    syn = FORM_SYNONYMS["interactions"]
    variant = {"project_code": fmt.st.heads.get("project_code", "项目编号"),
               "operator": "运营主体" if fmt.st.dept_form == "alias" else "经营主体",
               "answer": "答复内容" if fmt.st.date == "dot" else "答复情况"}
    heads = [variant.get(f) if variant.get(f) in syn[f] else syn[f][0] for f in INTERACTION_COLS]
    top = sh.add(heads)
    sh.header_rows = (top, top)
    for r in rows:
        out = []
        for f in INTERACTION_COLS:
            v = r[f]
            if f in ("raised_on", "answered_on"):
                out.append(fmt.date(v))
            elif f == "kind":
                out.append(g.INTERACTION_KIND[v])
            elif f == "status":
                out.append(g.INTERACTION_STATUS[v])
            elif f == "project_code" and r["seq"] % 4 == 0:
                out.append(fmt.empty())        # now and then only the name: found among the file's projects
            else:
                out.append(fmt.text(v) if isinstance(v, str) or v is None else v)
        sh.add(out)
    layout_footer(sh, len(INTERACTION_COLS), rng)
    sh.widths = {3: 36, 4: 28, 8: 36, 9: 36}
    return sh

