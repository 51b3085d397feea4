"""The planted cases, as tables, and the order in which the district is built.

Every case the tests look for is a row here (its codes end up in expected.json → planted). The order of
the steps in ``build`` is the order of the random draws: moving a step changes every file, which
tests/test_sample_regenerates.py would catch.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import TYPE_CHECKING

from .base import DEPTS, ROUNDS, day_in, money, round_window
from .names import DEPT_BY_CATEGORY

if TYPE_CHECKING:
    from .district import District

# Tier boundaries (DOMAIN §5: 3000 / 1000 万元 of 帮扶资金, or 总投资 if the basis is switched):
# key, build year, category, reporting unit, funding lines (source, fund year, 万元), 总投资, 企业出资.
BIG = [
    ("B3000", 2021, "光伏", "区发展和改革局", [("linkage", 2021, D("1800.00")), ("guangdong", 2021, D("1200.00"))],
     D("3000.00"), D(0)),
    ("B3210", 2019, "冷链物流", "区商务局", [("integrated_agri", 2019, D("2100.50")), ("guangdong", 2019, D("1110.00"))],
     D("4560.78"), D("1350.28")),
    ("B1860", 2018, "乡村旅游", "区文化广电体育和旅游局", [("poverty_special", 2018, D("1060.25")),
                                                ("gov_bond", 2018, D("800.00"))], D("3380.00"), D("1519.75")),
    ("B1000", 2022, "加工", "区工业和信息化局", [("linkage", 2022, D("1000.00"))], D("1000.00"), D(0)),
    ("B999", 2018, "养殖", "区农业农村局", [("poverty_special", 2018, D("999.99"))], D("999.99"), D(0)),
    ("B1288", 2020, "种植", "区林业局", [("integrated_agri", 2020, D("988.80")), ("guangdong", 2020, D("300.00"))],
     D("1520.36"), D("231.56")),
    ("B1740", 2017, "加工", "区农业农村局", [("poverty_special", 2017, D("1240.1234")),
                                         ("central_unit", 2017, D("500.00"))], D("2150.00"), D("409.8766")),
    ("B1100", 2021, "电商", "区供销社", [("linkage", 2021, D("1100.00"))], D("1268.50"), D("168.50")),
]
# The big ones' grades at 2023-09-29 (in this order): key, grade, path (see District.schedule).
BIG_GRADES = [
    ("B3000", "red", "straight_late"), ("B1860", "red", "via_yellow"), ("B999", "red", "straight_ontime"),
    ("B3210", "yellow", "late"), ("B1000", "yellow", "ontime"), ("B1100", "yellow", "overdue"),
]

# "False green" and other grade/fact inconsistencies (DOMAIN §4), static over all rounds. The facts are
# set in state.py from ``Project.planted``; episode = (grade, 三不 problem, other problems) or None.
FALSE_GREEN = [
    ("green_idle", "绿 but 闲置", None),
    ("green_idle_2", "绿 but 闲置 (second)", None),
    ("green_halted", "绿 but 停产", None),
    ("green_no_revenue", "绿 with revenue 0 and no households", None),
    ("green_unfinished", "绿 but unfinished after its planned date", None),
    ("green_with_other_problem", "绿 with an 'other' problem listed", None),
    ("red_without_three", "红 without a 三不 problem", ("red", None, ["rights_irregular"])),
    ("yellow_with_three", "黄 with 用而不好", ("yellow", "used_not_well", [])),
]

# Sensitive projects (立行立改): kind, category, 三不 problem, round in which the pretreatment is done.
SENSITIVE = [("farmland", "种植", "finished_not_used", 1), ("roadside", "光伏", "built_not_finished", 2)]

# Paths of the initial 红 and 黄 gradings at 2023-09-29 (~7% red, ~15% yellow), drawn in this order.
RED_PATHS = (["straight_ontime"] * 20 + ["straight_late"] * 8 + ["both_late"] * 5 + ["via_yellow"] * 6
             + ["overdue"] * 6)
YELLOW_PATHS = ["ontime"] * 52 + ["late"] * 30 + ["overdue"] * 15

# Reopened (绿 after 销号, then 红/黄 again) and later discoveries among green projects: grade, path.
REOPENED = [("red", "straight_ontime"), ("red", "overdue"), ("red", "overdue"), ("yellow", "ontime"),
            ("yellow", "overdue")]
DISCOVERED = [("red", "straight_ontime"), ("red", "both_late"), ("red", "overdue"), ("yellow", "ontime"),
              ("yellow", "late"), ("yellow", "overdue")]


def build(d: District) -> District:
    rng = d.rng
    d._villages()
    years = list(range(2013, 2024))
    weights = [2, 3, 4, 8, 10, 11, 11, 10, 7, 6, 5]
    # the big ones first
    big = {}
    for key, y, cat, unit, lines, total, ent in BIG:
        p = d.new_project(y, category=cat, unit=unit, funds=100.0)
        p.lines, p.total, p.enterprise = list(lines), total, ent
        p.asset_type = "operating"
        p.building_until, p.accepted_on = None, date(y + 1, 3, 20)
        p.planned = date(y, 12, 31)
        d._facts_refresh(p)
        big[key] = p
    while len(d.projects) < 640:
        d.new_project(rng.choices(years, weights)[0])
    # every department reports something
    for dept in DEPTS:
        while sum(1 for p in d.projects if p.unit == dept) < 8:
            cat = next(c for c, ds in DEPT_BY_CATEGORY.items() if dept in ds)
            d.new_project(rng.choices(years, weights)[0], category=cat, unit=dept)
    # new 2024 projects entering the ledger in 2024 rounds
    new = []
    for _ in range(10):
        p = d.new_project(2024)
        p.entry_round = rng.randint(7, 17)
        p.planned, p.accepted_on = date(2024, rng.choice([9, 10, 12]), 30), None
        p.building_until = 10**6
        p.paid_ratio = D("0.3")
        new.append(p)
    # funding added in a later round (新增 2024 年衔接资金): "amounts changed" in the round diff
    added = []
    for p in rng.sample([p for p in d.projects if p.entry_round == 0 and p.build_year >= 2021
                         and not p.code.startswith("x") and p not in big.values() and len(p.lines) == 1], 5):
        a = money(rng, float(p.base_funds()) * rng.uniform(0.1, 0.3))
        p.extra = (9, "linkage", 2024, a)
        added.append(p.code)
    d.notes["funding_added_2024_02_14"] = added

    pool = [p for p in d.projects if p.entry_round == 0 and p.building_until is None
            and p not in big.values()]
    rng.shuffle(pool)
    planted = {}
    for case, _meaning, episode in FALSE_GREEN:
        p = pool.pop()
        p.planted = case
        planted[case] = p.code
        if case == "green_unfinished":
            p.planned, p.accepted_on = date(2022, 12, 31), None
        if episode is not None:
            grade, three, others = episode
            d.add_episode(p, 0, grade, "planted", "planted", three=three, others=others)
        if case == "green_with_other_problem" and p.asset_type == "household":
            p.asset_type = "operating"
    d.notes["planted_false_green"] = planted

    # initial grading at the 2023-09-29 round
    n0 = sum(1 for p in d.projects if p.entry_round == 0)
    n_red, n_yel = round(n0 * 0.07), round(n0 * 0.15)
    reds, yels = [], []
    for key, gr, path in BIG_GRADES:
        p = big[key]
        d.add_episode(p, 0, gr, path, "initial")
        (reds if gr == "red" else yels).append(p)
    # two sensitive projects: 占用耕地 → 复耕复种, 两高两道沿线 → 摘牌 (立行立改 in round 1/2)
    sens = []
    for kind, cat, three, pretreat_round in SENSITIVE:
        p = next(q for q in pool if q.category == cat and q.build_year <= 2021)
        pool.remove(p)
        p.sensitive = kind
        p.pretreat_round = pretreat_round
        p.high_concern = True
        d.add_episode(p, 0, "red", "straight_late", "initial", three=three)
        reds.append(p)
        sens.append(p.code)
    d.notes["sensitive"] = dict(zip([k for k, *_ in SENSITIVE], sens))
    # the deadline boundary: graded 2023-09-29, 实质性进展 reported exactly on 2023-10-29 (= deadline)
    p = pool.pop()
    e = d.add_episode(p, 0, "red", "straight_ontime", "initial", graded_on=date(2023, 9, 29))
    if e.sub_round != 2:
        e.sub_round = 2
        e.tasks.clear()
        e.fix_round = max(e.fix_round or 3, 3)
        e.green_round = e.fix_round
        d._tasks(e)
        for t in e.tasks:
            t.lead_unit = p.supervisor
    reds.append(p)
    d.notes["red_progress_on_deadline_day"] = p.code
    for path in RED_PATHS:
        if len(reds) >= n_red:
            break
        p = pool.pop()
        d.add_episode(p, 0, "red", path, "initial")
        reds.append(p)
    i = 0
    while len(yels) < n_yel:
        p = pool.pop()
        d.add_episode(p, 0, "yellow", YELLOW_PATHS[i % len(YELLOW_PATHS)], "initial")
        yels.append(p)
        i += 1
    # signoff records for every downgrade; one application rejected once before passing
    rejected_done = False
    for p in d.projects:
        for e in p.episodes:
            if e.kind == "planted":
                continue
            if e.yellow_round is not None:
                d.signoff(p, e, e.yellow_round, "red", "yellow")
            if e.green_round is not None:
                frm = "yellow" if e.yellow_round is not None else e.grade0
                rej = (not rejected_done and frm == "red" and e.green_round - 1 > max(e.start, e.sub_round or 0)
                       and e.kind == "initial" and e.yellow_round is None)
                d.signoff(p, e, e.green_round, frm, "green", rejected_first=rej)
                if rej:
                    rejected_done = True
                    d.notes["signoff_rejected_once"] = p.code
    # reopened: green after 销号, then red/yellow again (counts against the unit)
    reopened = []
    cands = [p for p in d.projects if p.episodes and p.episodes[-1].green_round is not None
             and p.episodes[-1].green_round <= 8 and p.planted is None and p.sensitive is None
             and p not in big.values()]
    for p, (gr, path) in zip(rng.sample(cands, len(REOPENED)), REOPENED):
        st = rng.randint(p.episodes[-1].green_round + 3, 15)
        e = d.add_episode(p, st, gr, path, "reopened", three="used_not_well" if gr == "red" else None)
        d._signoffs_for(p, e)
        reopened.append(p.code)
    d.notes["reopened"] = reopened
    # new red/yellow discoveries among green projects in later rounds
    disc = []
    for gr, path in DISCOVERED:
        p = pool.pop()
        st = rng.randint(4, 14)
        e = d.add_episode(p, st, gr, path, "discovered")
        d._signoffs_for(p, e)
        disc.append(p.code)
    d.notes["discovered_later"] = disc
    d.notes["new_projects_2024"] = {p.code: ROUNDS[p.entry_round].isoformat() for p in new}
    d.notes["big"] = {k: p.code for k, p in big.items()}
    # patrol (巡回排查) coverage; 认定日期 of the green grade
    for p in d.projects:
        if p.entry_round == 0:
            p.green_date = day_in(rng, date(2023, 9, 15), date(2023, 9, 29))
        else:
            p.green_date = day_in(rng, *round_window(p.entry_round))
        for e in p.episodes:
            e.patrol_round = (e.start + rng.randint(0, 4)) if rng.random() < 0.88 else None  # type: ignore
    return d
