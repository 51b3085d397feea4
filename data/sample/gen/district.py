"""``District``: every project, its funding and its 红/黄/绿 history, drawn from one random stream.

Over 300 lines for a reason: this is one random stream (``self.rng``) and the order of its draws *is* the
sample; the methods stay in one class so that order stays readable in one place. The planted cases and
the build order are in planted.py. The deadline rules used here (1 and 3 calendar months, DOMAIN §6) and
the 督办 tier (model.tier_of) are the generator's own copies, not imports from ledger/ or analytics/.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

from . import vocab as g
from .base import LAST, NR, ROUNDS, SEED, TOWNS, CATEGORIES, add_months, day_in, money, round_window
from .model import Episode, Project, Signoff, Task, tier_of
from .names import (ACCEPTORS, CROPS, DEPT_BY_CATEGORY, LINKAGE_MODES, LIVESTOCK, OTHER_PROBLEMS, OTHER_WEIGHTS,
                    PROCESS, SYL1, SYL2, TASK_TEXT, person)


class District:
    """Builds every project, its funding and its red/yellow/green history."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.projects: list[Project] = []
        self.villages: dict[str, list[str]] = {}
        self.notes: dict[str, Any] = {}
        self._names: set[str] = set()
        self._seq: dict[int, int] = {}
        self.numbered_names = False

    # -- identity -----------------------------------------------------------------------------
    def _villages(self) -> None:
        rng = self.rng
        used: set[str] = set()
        for t in TOWNS:
            vs = []
            while len(vs) < rng.randint(7, 10):
                v = rng.choice(SYL1) + rng.choice(SYL2) + "村"
                if v not in used and v[0] != v[1]:
                    used.add(v)
                    vs.append(v)
            self.villages[t] = vs

    def _code(self, year: int) -> str:
        self._seq[year] = self._seq.get(year, 0) + 1
        return f"BB{year}{self._seq[year]:04d}"

    def _name(self, town: str, village: str, category: str) -> tuple[str, str]:
        rng = self.rng
        if category == "种植":
            crop = rng.choice(CROPS)
            core, op = f"{crop}种植基地", f"样例{village[:-1]}{crop}种植专业合作社"
        elif category == "养殖":
            a = rng.choice(LIVESTOCK)
            core, op = f"{a}养殖{rng.choice(['场', '基地', '小区'])}", f"样例{village[:-1]}{a}养殖专业合作社"
        elif category == "加工":
            core = rng.choice(PROCESS)
            op = f"样例{town[:2]}{core[:2]}食品有限公司"
        elif category == "光伏":
            core, op = "村级光伏电站", f"{village}股份经济合作社（样例）"
        elif category == "乡村旅游":
            core = rng.choice(["乡村民宿", "生态旅游示范点", "农家乐集群", "研学旅游基地"])
            op = f"样例{town[:2]}文旅发展有限公司"
        elif category == "冷链物流":
            core = rng.choice(["冷库", "冷链仓储中心", "产地冷藏保鲜设施"])
            op = f"样例{town[:2]}供销冷链有限公司"
        elif category == "电商":
            core = rng.choice(["电商服务站", "农村电商物流配送点", "直播带货基地"])
            op = f"样例{town[:2]}电子商务有限公司"
        else:
            core = rng.choice(["扶贫车间", "就业帮扶车间", "来料加工车间"])
            op = f"样例{village[:-1]}服饰加工厂"
        name = f"（样例）{town}{village}{core}"
        if self.numbered_names:  # bench: 100k projects, far more than the name space
            return f"{name}（{len(self.projects) + 1}号）", op
        n = 2
        base = name
        while name in self._names:
            name = f"{base}（{'二三四五六七八九'[n - 2]}期）"
            n += 1
        self._names.add(name)
        return name, op

    # -- funding ------------------------------------------------------------------------------
    def _source_pool(self, y: int) -> tuple[list[str], list[float]]:
        if y <= 2015:
            pool = {"poverty_special": 6, "industry": 2, "lottery": 1, "central_unit": 1, "donation": 1}
        elif y <= 2020:
            pool = {"poverty_special": 4, "integrated_agri": 4, "gov_bond": 1.5, "industry": 1.5, "lottery": 0.8,
                    "central_unit": 0.8, "donation": 0.6}
            if y >= 2017:
                pool["guangdong"] = 2.5
        else:
            pool = {"linkage": 9, "guangdong": 2.5, "industry": 0.7, "central_unit": 0.6, "donation": 0.5,
                    "lottery": 0.3}
            if y == 2021:
                pool["integrated_agri"] = 1.5
        return list(pool), list(pool.values())

    def _funding(self, y: int, funds: float, n_sources: int) -> list[tuple[str, int, D]]:
        rng = self.rng
        srcs, w = self._source_pool(y)
        chosen: list[str] = []
        while len(chosen) < n_sources:
            s = rng.choices(srcs, w)[0]
            if s not in chosen:
                chosen.append(s)
        shares = [rng.uniform(0.6, 0.85)] if n_sources > 1 else [1.0]
        rest = 1 - shares[0]
        for k in range(1, n_sources):
            shares.append(rest / (n_sources - 1))
        return [(s, y, money(rng, funds * sh)) for s, sh in zip(chosen, shares)]

    # -- projects -----------------------------------------------------------------------------
    def new_project(self, year: int, *, town: str | None = None, category: str | None = None,
                    unit: str | None = None, funds: float | None = None) -> Project:
        rng = self.rng
        town = town or rng.choices(TOWNS, [2, 1, 1.5] + [5] * 12)[0]
        village = rng.choice(self.villages[town])
        category = category or rng.choices(CATEGORIES, [34, 24, 10, 9, 6, 6, 5, 6])[0]
        if unit is None:
            unit = town if rng.random() < 0.36 else rng.choice(DEPT_BY_CATEGORY[category])
        supervisor = (town + ("办事处" if town.endswith("街道") else "人民政府")) if unit in g.TOWNS else unit
        asset = rng.choices(["operating", "public", "household"], [70, 10, 20])[0]
        if category in ("光伏", "加工", "冷链物流", "电商", "乡村旅游"):
            asset = "operating" if rng.random() < 0.85 else "public"
        name, op = self._name(town, village, category)
        if asset == "household":
            op = f"{village}脱贫户（样例，到户类）"
        if funds is None:
            funds = min(max(rng.lognormvariate(4.7, 0.85), 8.0), 960.0)
            if asset == "household":
                funds = min(funds, 120.0)
        n_src = rng.choices([1, 2, 3], [60, 30, 10])[0]
        lines = self._funding(year, funds, n_src)
        if rng.random() < 0.08 and year <= 2022:  # a second funding year: 续建/追加
            y2 = year + 1
            s, _, a = rng.choice(lines)
            srcs, w = self._source_pool(y2)
            lines.append((rng.choices(srcs, w)[0], y2, money(rng, float(a) * rng.uniform(0.1, 0.4))))
        fsum = sum((a for _, _, a in lines), D(0))
        ent = D(0)
        if asset == "operating" and rng.random() < 0.5:
            ent = money(rng, float(fsum) * rng.uniform(0.1, 0.6), 2)
        total = fsum + ent
        if rng.random() < 0.15:  # 村集体自筹 / 其他资金
            total += money(rng, float(fsum) * rng.uniform(0.02, 0.15), 2)
        if total >= D(990) and fsum < D(990):
            total = fsum + min(ent, D(985) - fsum if D(985) > fsum else D(0))
            ent = min(ent, total - fsum)
        p = Project(
            code=self._code(year), town=town, village=village, name=name, build_year=year,
            category=category, asset_type=asset, unit=unit, supervisor=supervisor,
            implementer=(supervisor if rng.random() < 0.6 else f"{village}村民委员会"),
            operator=op, high_concern=rng.random() < 0.02, total=total, enterprise=ent, lines=lines,
            paid_ratio=D(1),
        )
        self._facts(p)
        self.projects.append(p)
        return p

    def _facts(self, p: Project) -> None:
        rng = self.rng
        f = float(p.base_funds())
        p.households = max(3, int(f * rng.uniform(0.3, 1.6))) if p.asset_type != "public" else rng.randint(20, 200)
        p.revenue = money(rng, f * rng.uniform(0.03, 0.12), 2)
        p.revenue_2023 = money(rng, float(p.revenue) * rng.uniform(0.8, 1.3), 2)
        p.linkage_mode = rng.choice(LINKAGE_MODES)
        y = p.build_year
        p.planned = date(y, rng.choice([6, 9, 10, 12]), rng.choice([30, 30, 15])) if y < 2023 else date(2023, 6, 30)
        p.accepted_on = p.planned + timedelta(days=rng.randint(15, 120))
        if p.accepted_on > date(2023, 9, 10):
            p.accepted_on = date(2023, 9, rng.randint(1, 10))
        if y >= 2023 and rng.random() < 0.4:  # still being built, on schedule
            p.planned = date(2024, 3, 31)
            p.accepted_on = None
            p.building_until = rng.randint(6, 12)
        p.paid_ratio = D(1) if y < 2022 else D(rng.choice(["0.6", "0.8", "0.9", "1"]))

    # -- scheduling ---------------------------------------------------------------------------
    def _pick(self, ks: list[int], early: bool = False) -> int | None:
        if not ks:
            return None
        if early:
            return ks[0] if self.rng.random() < 0.6 else self.rng.choice(ks)
        return self.rng.choice(ks)

    def _after(self, d: date, lo_k: int, n: int) -> list[int]:
        ks = [k for k in range(lo_k, NR) if ROUNDS[k] > d]
        return ks[:n]

    def schedule(self, e: Episode) -> None:
        rng = self.rng
        s, gd = e.start, e.graded_on
        d1, d3 = add_months(gd, 1), add_months(gd, 3)
        within = lambda lo, d: [k for k in range(lo, NR) if ROUNDS[k] <= d]  # noqa: E731
        if e.grade0 == "red":
            sub_ok = e.path in ("straight_ontime", "straight_late", "via_yellow") or (
                e.path == "overdue" and rng.random() < 0.6)
            if e.path == "both_late" or (e.path == "overdue" and not sub_ok and rng.random() < 0.6):
                e.sub_round = self._pick(self._after(d1, s + 1, 3))
            elif sub_ok:
                e.sub_round = self._pick(within(s + 1, d1), early=True)
            if e.path == "straight_ontime" or (e.path == "via_yellow" and rng.random() < 0.6):
                e.fix_round = self._pick(within((e.sub_round or s) + 1, d3))
            elif e.path in ("straight_late", "both_late", "via_yellow"):
                e.fix_round = self._pick(self._after(d3, (e.sub_round or s) + 1, 6))
            if e.path == "via_yellow" and e.fix_round is not None:
                e.yellow_round = e.fix_round
                gr = e.fix_round + rng.randint(1, 4)
                e.green_round = gr if gr <= LAST else None
            elif e.fix_round is not None:
                e.green_round = e.fix_round
        else:
            if e.path == "ontime":
                e.fix_round = self._pick(within(s + 1, d1), early=True)
            elif e.path == "late":
                e.fix_round = self._pick(self._after(d1, s + 1, 8))
            if e.fix_round is not None:
                gr = e.fix_round + rng.choice([0, 0, 0, 1])
                e.green_round = gr if gr <= LAST else None
        self._tasks(e)

    def _tasks(self, e: Episode, lead_unit: str = "") -> None:
        rng = self.rng
        d1, d3 = add_months(e.graded_on, 1), add_months(e.graded_on, 3)
        items: list[tuple[str, str, str]] = []  # (problem code, problem text, measure)
        if e.three:
            for pt, m in rng.sample(TASK_TEXT[e.three], rng.choice([2, 2, 3])):
                items.append((e.three, pt, m))
        for o in e.others:
            pt, m = TASK_TEXT[o][0]
            items.append((o, pt, m))
        if len(items) < 2:
            items.append(("other", *TASK_TEXT["other"][0]))
        items = items[:4]
        end_three = e.fix_round if e.grade0 == "red" else None
        for n, (code, pt, m) in enumerate(items, start=1):
            if e.grade0 == "red":
                due = d1 if n == 1 else d3
                if n == 1:
                    k = e.sub_round
                elif code in g.THREE_FAILURES:
                    k = end_three
                    if k is not None and e.sub_round is not None and rng.random() < 0.5:
                        k = rng.randint(e.sub_round, k)
                else:
                    k = e.green_round
            else:
                due = d1
                k = e.fix_round
                if k is not None and n < len(items) and rng.random() < 0.5:
                    k = rng.randint(e.start + 1, k)
            t = Task(n, pt, m, due, person(rng), "", rng.choice(["", "村民委员会", "乡镇人民政府", "区财政局"]),
                     person(rng), start_progress=e.start + (0 if n == 1 or rng.random() < 0.5 else 1), done_round=k)
            if k is not None:
                lo, hi = round_window(k)
                lo = max(lo, e.graded_on + timedelta(days=1))
                clock = d1 if (n == 1 and e.grade0 == "red") or (e.grade0 == "yellow" and k == e.fix_round) else None
                if clock is not None:
                    if ROUNDS[k] <= clock:
                        hi = min(hi, clock)
                    else:
                        lo = max(lo, clock + timedelta(days=1))
                t.done_on = day_in(rng, lo, hi)
            e.tasks.append(t)

    def signoff(self, p: Project, e: Episode, k: int, frm: str, to: str, *, rejected_first: bool = False) -> None:
        rng = self.rng
        tier = tier_of(p.base_funds(), self.first_grade(p))
        route = "县自评、市验收" if tier in ("city", "region") else "区工作专班验收、市级随机抽查"
        by = ACCEPTORS["city" if tier in ("city", "region") else "district"]
        if tier == "region":
            by = "贺州市产业帮扶工作专班（自治区督办）"
        sens = "是" if p.sensitive else "/"
        ok = {c: "是" for c in g.SIGNOFF_CHECKLIST}
        ok["pretreatment_done"] = sens
        if p.asset_type == "household":
            ok["joint_account"] = "/"
        evidence = "竣工验收报告、确权登记表、运营合同、收益分配台账、联农带农台账"
        if rejected_first and k - 1 > e.start:
            lo, hi = round_window(k - 1)
            a = day_in(rng, lo, lo + timedelta(days=4))
            bad = dict(ok)
            bad["revenue_evidenced"] = "否"
            bad["linkage_ledger"] = "否"
            e.signoffs.append(Signoff(frm, to, k - 1, a, a + timedelta(days=3) if tier != "district" else None,
                                      None, by, route, "rejected", "佐证材料不全（收益分配凭证缺失）", bad))
        lo, hi = round_window(k)
        a = day_in(rng, lo, lo + timedelta(days=3))
        se = a + timedelta(days=rng.randint(2, 4)) if tier != "district" else None
        acc = (se or a) + timedelta(days=rng.randint(2, 5))
        acc = min(acc, hi)
        status = "signed_off"
        e.signoffs.append(Signoff(frm, to, k, a, se, acc, by, route, status, evidence, ok))

    def first_grade(self, p: Project) -> str:
        return p.episodes[0].grade0 if p.episodes else "green"

    def add_episode(self, p: Project, start: int, grade: str, path: str, kind: str, *,
                    three: str | None = None, others: list[str] | None = None,
                    graded_on: date | None = None) -> Episode:
        rng = self.rng
        if graded_on is None:
            if start == 0:
                graded_on = day_in(rng, date(2023, 9, 15), date(2023, 9, 29))
            else:
                lo, hi = round_window(start)
                graded_on = day_in(rng, lo, hi - timedelta(days=1))
        if grade == "red" and three is None and kind != "planted":
            three = self.three_for(p)
        if others is None:
            n = 0 if grade == "red" else rng.choice([1, 1, 2])
            if grade == "red" and path == "via_yellow":
                n = 1
            others = []
            while len(others) < n:
                o = rng.choices(OTHER_PROBLEMS, OTHER_WEIGHTS)[0]
                if o not in others and not (o == "no_joint_account" and p.asset_type == "household"):
                    others.append(o)
        e = Episode(start, graded_on, grade, three, others, path, kind=kind)
        p.episodes.append(e)
        if kind != "planted":
            self.schedule(e)
        else:
            self._tasks(e)
        for t in e.tasks:
            t.lead_unit = p.supervisor
        return e

    def three_for(self, p: Project) -> str:
        if p.build_year >= 2022:
            return self.rng.choice(["built_not_finished", "built_not_finished", "finished_not_used"])
        return self.rng.choices(list(g.THREE_FAILURES), [2, 4, 5])[0]

    # -- the whole district -------------------------------------------------------------------
    def build(self) -> "District":
        """Builds the sample district (planted.py: the order of the draws and the planted cases)."""
        from .planted import build
        return build(self)

    def _signoffs_for(self, p: Project, e: Episode) -> None:
        if e.yellow_round is not None:
            self.signoff(p, e, e.yellow_round, "red", "yellow")
        if e.green_round is not None:
            self.signoff(p, e, e.green_round, "yellow" if e.yellow_round is not None else e.grade0, "green")

    def _facts_refresh(self, p: Project) -> None:
        rng = self.rng
        f = float(p.base_funds())
        p.households = int(f * rng.uniform(0.2, 0.5))
        p.revenue = money(rng, f * rng.uniform(0.03, 0.08), 2)
        p.revenue_2023 = money(rng, float(p.revenue) * rng.uniform(0.8, 1.3), 2)
        p.paid_ratio = D(1)

