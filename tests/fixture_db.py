"""The hand-written fixture ledger: thirteen projects whose every number can be checked by eye.

Built in code straight into the tables (no Excel), so analytics tests do not depend on the importer.
``AS_OF = 2023-11-30`` unless a test says otherwise. Money in 万元.

Rounds (报送期次): R1 2023-09-29, R2 2023-10-14, R3 2023-10-29, R4 2023-11-14, R5 2023-11-29.

Units and who reports what:
  townships  贺街镇 (P01 P02 P03 P04), 步头镇 (P05 P06 P07), 莲塘镇 (P08 P09), 大宁镇 (P10 P11 P12),
             南乡镇 (P13)
  departments (主管): 区农业农村局 P01 P02 P05 P08 P10; 区林业局 P03 P06 P09 P11; 区水利局 P04 P07 P13;
  区商务局 P12 (reported by 区商务局 itself; zero funding: only enterprise money).
  Townships report their projects; 区商务局 reports P12.

| code | town | dept   | funds (sources)                              | grades R1..R5              | notes |
|------|------|--------|----------------------------------------------|----------------------------|-------|
| P01  | 贺街 | 农业   | 3000.00 = linkage 2000 + guangdong 1000 (2021) | R R R R R (认定 09-20)     | exactly 3000 → region; 三不 建而不成; overdue 1m+3m? see clocks |
| P02  | 贺街 | 农业   | 1000.00 = poverty_special 1000 (2019)        | - - - Y Y (认定 10-31)     | exactly 1000 → city; new in R4; yellow_1m due 11-30 = AS_OF |
| P03  | 贺街 | 林业   | 2999.99 = integrated_agri 2999.99 (2016)     | R R G G G (认定 09-25)     | red straight to green at R3; city |
| P04  | 贺街 | 水利   | 999.99 = lottery 500 + industry 499.99 (2018) | Y Y Y G G (no 认定日期)   | district; clock start default 2023-10-15 |
| P05  | 步头 | 农业   | 200.00 = linkage 200 (2022)                   | Y G G R R (Y 09-26, R 11-10) | reopened at R4 (green R2–R3 after 销号) |
| P06  | 步头 | 林业   | 5000.00 = gov_bond 5000 (2017)                | G G G G G                  | monitor (never 红/黄), ≥3000 but green |
| P07  | 步头 | 水利   | 80.00 = donation 80 (2015)                    | G G G G G                  | false green: op_status 闲置 (成而不用) |
| P08  | 莲塘 | 农业   | 150.00 = central_unit 150 (2020)              | R R R R R (认定 09-28)     | red without a 三不 problem (only 未设立共管账户) |
| P09  | 莲塘 | 林业   | 60.00 = linkage 60 (2023)                     | G G G G G                  | |
| P10  | 大宁 | 农业   | 300.00 = linkage 300 (2021)                   | G G G G G                  | |
| P11  | 大宁 | 林业   | 300.00 = linkage 300 (2021)                   | G G G G G                  | |
| P12  | 大宁 | 商务   | 0 (enterprise 50 only) (2020)                 | G G G G G                  | zero funding |
| P13  | 南乡 | 水利   | 600.00 = linkage 600 (2021)                   | G G G G G                  | 65 households: 南乡镇 ties 大宁镇 |

Ranking tie: 大宁镇 (P10 P11 P12: 600 万元, 30+30+5 = 65 households) and 南乡镇 (P13: 600 万元, 65 households)
are alike in every metric: all green, never 红/黄, all five reports on time, no false green.

Submissions (填报日期): everyone on the due date, except 步头镇 R4 submitted 2023-11-16 (late, 2 days)
and 莲塘镇 missing R5 (its R4 report stays in force).

Tasks (附件5) in R4/R5 for P01 (2 tasks, none done), P02 (1 task, not done), P05 (1 task done 2023-11-20
in R5), P08 (1 task done 2023-10-10 reported from R2 on).
R2 P08 marks 实质性进展 (substantive_progress) too.
Signoff: P05 yellow→green applied 2023-10-05, self-eval 10-08, accepted 10-12 (区工作专班), status signed_off (R2);
P03 red→green applied 10-20, accepted 10-26, status signed_off (R3).
"""
from __future__ import annotations

from datetime import date

import duckdb

from ledger.state import refresh_all

from ledger import db

R1, R2, R3, R4, R5 = (date(2023, 9, 29), date(2023, 10, 14), date(2023, 10, 29),
                      date(2023, 11, 14), date(2023, 11, 29))
ROUNDS = [R1, R2, R3, R4, R5]
AS_OF = date(2023, 11, 30)

# code: (town, department, build_year, name, category, total_investment, {(source, year): amount}, enterprise)
PROJECTS = {
    "P01": ("贺街镇", "区农业农村局", 2021, "贺街镇冷链物流中心", "冷链物流", "3500", {("linkage", 2021): "2000", ("guangdong", 2021): "1000"}, "500"),
    "P02": ("贺街镇", "区农业农村局", 2019, "贺街镇百香果基地", "种植", "1200", {("poverty_special", 2019): "1000"}, None),
    "P03": ("贺街镇", "区林业局", 2016, "贺街镇油茶加工厂", "加工", "3100", {("integrated_agri", 2016): "2999.99"}, None),
    "P04": ("贺街镇", "区水利局", 2018, "贺街镇灌溉养殖项目", "养殖", "1000", {("lottery", 2018): "500", ("industry", 2018): "499.99"}, None),
    "P05": ("步头镇", "区农业农村局", 2022, "步头镇扶贫车间", "扶贫车间", "200", {("linkage", 2022): "200"}, None),
    "P06": ("步头镇", "区林业局", 2017, "步头镇光伏电站", "光伏", "5200", {("gov_bond", 2017): "5000"}, None),
    "P07": ("步头镇", "区水利局", 2015, "步头镇渔业养殖场", "养殖", "80", {("donation", 2015): "80"}, None),
    "P08": ("莲塘镇", "区农业农村局", 2020, "莲塘镇食用菌基地", "种植", "150", {("central_unit", 2020): "150"}, None),
    "P09": ("莲塘镇", "区林业局", 2023, "莲塘镇林下养鸡", "养殖", "60", {("linkage", 2023): "60"}, None),
    "P10": ("大宁镇", "区农业农村局", 2021, "大宁镇茶叶加工", "加工", "300", {("linkage", 2021): "300"}, None),
    "P11": ("大宁镇", "区林业局", 2021, "大宁镇竹木加工", "加工", "300", {("linkage", 2021): "300"}, None),
    "P12": ("大宁镇", "区商务局", 2020, "大宁镇电商服务站", "电商", "50", {}, "50"),
    "P13": ("南乡镇", "区水利局", 2021, "南乡镇茶叶加工", "加工", "600", {("linkage", 2021): "600"}, None),
}
REPORTER = {c: ("区商务局" if c == "P12" else t[0]) for c, t in PROJECTS.items()}

G = {"R": "red", "Y": "yellow", "G": "green", "-": None}
# code: (grades R1..R5, graded_on per grade letter change, problems per grade)
GRADES = {
    "P01": "RRRRR", "P02": "---YY", "P03": "RRGGG", "P04": "YYYGG", "P05": "YGGRR", "P06": "GGGGG",
    "P07": "GGGGG", "P08": "RRRRR", "P09": "GGGGG", "P10": "GGGGG", "P11": "GGGGG", "P12": "GGGGG",
    "P13": "GGGGG",
}
GRADED_ON = {  # (code, grade) -> 认定日期 of that episode
    ("P01", "red"): date(2023, 9, 20),
    ("P02", "yellow"): date(2023, 10, 31),
    ("P03", "red"): date(2023, 9, 25),
    ("P05", "yellow"): date(2023, 9, 26),
    ("P05", "red"): date(2023, 11, 10),
    ("P08", "red"): date(2023, 9, 28),
}
PROBLEMS = {  # (code, grade) -> problems
    ("P01", "red"): ["built_not_finished"],
    ("P02", "yellow"): ["not_accepted"],
    ("P03", "red"): ["finished_not_used"],
    ("P04", "yellow"): ["rights_irregular"],
    ("P05", "yellow"): ["no_joint_account"],
    ("P05", "red"): ["used_not_well"],
    ("P08", "red"): ["no_joint_account"],
}
# status facts per project (same in every round unless overridden below)
STATUS = {  # code: (build_status, op_status, revenue_wan, households, planned_completion)
    "P01": ("under_construction", "not_operating", "0", 0, date(2023, 6, 30)),
    "P02": ("completed", "normal", "30", 40, date(2020, 6, 30)),
    "P03": ("accepted", "normal", "120", 85, date(2017, 6, 30)),
    "P04": ("accepted", "normal", "20", 25, date(2019, 6, 30)),
    "P05": ("accepted", "normal", "8", 12, date(2022, 12, 31)),
    "P06": ("accepted", "normal", "300", 200, date(2018, 6, 30)),
    "P07": ("accepted", "idle", "0", 0, date(2016, 6, 30)),
    "P08": ("accepted", "normal", "10", 15, date(2021, 6, 30)),
    "P09": ("accepted", "normal", "5", 10, date(2023, 12, 31)),
    "P10": ("accepted", "normal", "40", 30, date(2022, 6, 30)),
    "P11": ("accepted", "normal", "40", 30, date(2022, 6, 30)),
    "P12": ("accepted", "normal", "6", 5, date(2021, 6, 30)),
    "P13": ("accepted", "normal", "80", 65, date(2022, 6, 30)),
}
# P03 is 成而不用 while red (R1, R2): operation status 闲置, no revenue; green from R3 with revenue.
STATUS_OVERRIDE = {("P03", R1): ("accepted", "idle", "0", 0), ("P03", R2): ("accepted", "idle", "0", 0)}

SUBMITTED_ON = {("步头镇", R4): date(2023, 11, 16)}  # late by 2 days
MISSING = {("莲塘镇", R5)}

# (round_from, code, task_seq, measure, due_on, status, done_on)
TASKS = [
    (R4, "P01", 1, "完成主体工程建设", date(2023, 12, 20), "in_progress", None),
    (R4, "P01", 2, "落实运营主体", date(2023, 11, 20), "not_started", None),
    (R4, "P02", 1, "组织竣工验收及结算", date(2023, 11, 30), "in_progress", None),
    (R5, "P05", 1, "开立共管账户并分红", date(2023, 12, 10), "done", date(2023, 11, 20)),
    (R2, "P08", 1, "设立共管账户", date(2023, 10, 28), "done", date(2023, 10, 10)),
]
# (round, code, from, to, applied, self_eval, accepted, accepted_by, status)
SIGNOFFS = [
    (R2, "P05", "yellow", "green", date(2023, 10, 5), date(2023, 10, 8), date(2023, 10, 12), "区工作专班", "signed_off"),
    (R3, "P03", "red", "green", date(2023, 10, 20), date(2023, 10, 22), date(2023, 10, 26), "市产业帮扶工作专班", "signed_off"),
]


def build_fixture(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Fill an empty ledger database (schema applied) with the fixture above."""
    db.apply_schema(con)
    con.execute("INSERT INTO units VALUES ('区商务局', 'department', NULL) ON CONFLICT DO NOTHING")
    import_id = 0
    for i, rd in enumerate(ROUNDS):
        con.execute("INSERT INTO rounds VALUES (?)", [rd])
        for unit in sorted(set(REPORTER.values())):
            if (unit, rd) in MISSING:
                continue
            import_id += 1
            sub = SUBMITTED_ON.get((unit, rd), rd)
            con.execute(
                "INSERT INTO imports VALUES (?, ?, ?, ?, ?, 'progress,risk', 0, 0, 0, '[]', ?, 'fixture', '', NULL)",
                [import_id, f"{unit}_{rd}.xlsx", f"sha{import_id}", unit, rd, rd],
            )
            con.execute("INSERT INTO submissions VALUES (?, ?, ?, ?)", [rd, unit, sub, import_id])
            n = 0
            for code, (town, dept, year, name, cat, total, funds, ent) in PROJECTS.items():
                if REPORTER[code] != unit:
                    continue
                letter = GRADES[code][i]
                if letter == "-":
                    continue
                n += 1
                grade = G[letter]
                bs, ops, rev, hh, planned = STATUS[code]
                if (code, rd) in STATUS_OVERRIDE:
                    bs, ops, rev, hh = STATUS_OVERRIDE[(code, rd)]
                substantive = code == "P08" and rd >= R2
                con.execute(
                    "INSERT INTO progress_rows (round_date, unit, project_code, import_id, name, town, village, "
                    "department, operator, build_year, category, asset_type, total_investment_wan, "
                    "enterprise_funds_wan, build_status, op_status, planned_completion, substantive_progress, "
                    "reported_on) VALUES (?,?,?,?,?,?,?,?,?,?,?, 'operating', ?,?,?,?,?,?,?)",
                    [rd, unit, code, import_id, name, town, "样例村", dept, "样例合作社", year, cat, total, ent,
                     bs, ops, planned, substantive, sub],
                )
                for (src, fy), amt in funds.items():
                    con.execute("INSERT INTO funding_rows VALUES (?,?,?,?,?,?,?)", [rd, unit, code, src, fy, amt, import_id])
                graded_on = GRADED_ON.get((code, grade)) if grade != "green" else None
                con.execute(
                    "INSERT INTO risk_rows (round_date, unit, project_code, import_id, name, town, department, "
                    "build_year, problems, grade, graded_on, revenue_wan, households, households_exited, "
                    "households_monitored, disposal, reported_on) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [rd, unit, code, import_id, name, town, dept, year, PROBLEMS.get((code, grade), []), grade,
                     graded_on, rev, hh, hh // 2, hh // 10,
                     "consolidate" if grade == "green" else "upgrade", sub],
                )
            con.execute("UPDATE imports SET rows_accepted = ? WHERE import_id = ?", [n, import_id])
    for rfrom, code, seq, measure, due, status, done in TASKS:
        for rd in ROUNDS:
            if rd < rfrom or (REPORTER[code], rd) in MISSING:
                continue
            con.execute(
                "INSERT INTO tasks (round_date, unit, project_code, task_seq, import_id, measure, due_on, status, "
                "done_on) VALUES (?,?,?,?,0,?,?,?,?)",
                [rd, REPORTER[code], code, seq, measure, due, status, done],
            )
    for rd, code, fg, tg, ap, se, acc, by, status in SIGNOFFS:
        con.execute(
            "INSERT INTO signoffs (round_date, unit, project_code, import_id, from_grade, to_grade, applied_on, "
            "self_eval_on, accepted_on, accepted_by, status, checklist_json) VALUES (?,?,?,0,?,?,?,?,?,?,?,?)",
            [rd, REPORTER[code], code, fg, tg, ap, se, acc, by, status, '{"construction_accepted": true}'],
        )
    # rows written straight into the tables (no importer): derive the materialised state as an import does
    refresh_all(con)
    return con


def fixture_connection() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database holding the fixture."""
    return build_fixture(db.connect(":memory:"))
