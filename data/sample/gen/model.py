"""The model's records: a project, its funding lines, its 红/黄 episodes with their tasks and 降级销号 records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D


@dataclass
class Task:
    seq: int
    problem: str
    measure: str
    due_on: date
    lead_leader: str
    lead_unit: str
    co_units: str
    owner: str
    start_progress: int           # round from which it is 推进中
    done_round: int | None = None
    done_on: date | None = None


@dataclass
class Signoff:
    from_grade: str
    to_grade: str
    round: int                    # the round whose window holds this record
    applied_on: date
    self_eval_on: date | None
    accepted_on: date | None
    accepted_by: str
    route: str
    status: str                   # signoff_status code
    evidence: str
    checklist: dict[str, str]     # code -> 是/否//


@dataclass
class Episode:
    """One 红/黄 episode: from its 认定日期 until downgraded to 绿 (or the end of the data)."""
    start: int
    graded_on: date
    grade0: str                   # red / yellow
    three: str | None             # the "三不" problem whose facts apply (None for yellow)
    others: list[str]
    path: str
    sub_round: int | None = None  # red: first round with 实质性进展
    fix_round: int | None = None  # red: 三不 resolved (= downgrade round); yellow: all tasks done
    yellow_round: int | None = None
    green_round: int | None = None
    tasks: list[Task] = field(default_factory=list)
    signoffs: list[Signoff] = field(default_factory=list)
    kind: str = "initial"         # initial / discovered / reopened / planted

    def grade_at(self, i: int) -> str:
        if self.green_round is not None and i >= self.green_round:
            return "green"
        if self.yellow_round is not None and i >= self.yellow_round:
            return "yellow"
        return self.grade0


@dataclass
class Project:
    code: str
    town: str
    village: str
    name: str
    build_year: int
    category: str
    asset_type: str
    unit: str                     # the reporting unit (township or department)
    supervisor: str               # 项目主管部门 as written (…人民政府 for township-run projects)
    implementer: str
    operator: str
    high_concern: bool
    total: D
    enterprise: D
    lines: list[tuple[str, int, D]]   # (source code, fund year, 万元)
    paid_ratio: D
    entry_round: int = 0
    extra: tuple[int, str, int, D] | None = None  # (round, source, fund year, 万元) added later
    households: int = 0
    revenue: D = D(0)
    revenue_2023: D = D(0)
    linkage_mode: str = ""
    planned: date | None = None
    accepted_on: date | None = None
    building_until: int | None = None  # green project still under construction until this round
    episodes: list[Episode] = field(default_factory=list)
    planted: str | None = None     # false-green case id
    sensitive: str | None = None
    pretreat_round: int | None = None
    green_date: date | None = None   # 认定日期 of its 绿 grade at the 2023 排查 (or when it entered)

    def lines_at(self, i: int) -> list[tuple[str, int, D]]:
        if self.extra and i >= self.extra[0]:
            return self.lines + [self.extra[1:]]
        return self.lines

    def total_at(self, i: int) -> D:
        return self.total + (self.extra[3] if self.extra and i >= self.extra[0] else 0)

    def funds_at(self, i: int) -> D:
        return sum((a for _, _, a in self.lines_at(i)), D(0))

    def base_funds(self) -> D:
        return sum((a for _, _, a in self.lines), D(0))

    def episode_at(self, i: int) -> Episode | None:
        cur = None
        for e in self.episodes:
            if e.start <= i:
                cur = e
        return cur

    def grade_at(self, i: int) -> str:
        e = self.episode_at(i)
        return e.grade_at(i) if e else "green"


def tier_of(funds: D, grade0: str) -> str:
    """督办 level (DOMAIN §5), the generator's own copy: ≥3000万 红 → 自治区, ≥3000万 黄 or ≥1000万 → 市, else 区."""
    if funds >= 3000:
        return "region" if grade0 == "red" else "city"
    return "city" if funds >= 1000 else "district"
