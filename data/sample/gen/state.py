"""The state of a project in a round: what its unit reports then (canonical values: codes, Decimals, dates).

The 三不 facts each problem implies and the 1/3-month deadlines are the generator's own copies of the
policy (DOMAIN §4, §6): a second implementation the analytics tests are compared against, deliberately
not imported from ledger/ or analytics/.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

from . import vocab as g
from .base import ROUNDS, add_months
from .model import Project


def state(p: Project, i: int) -> dict[str, Any]:
    rd = ROUNDS[i]
    e = p.episode_at(i)
    grade = e.grade_at(i) if e else "green"
    active = e is not None and grade != "green"
    revenue = p.revenue_2023 if rd.year >= 2024 else p.revenue
    s: dict[str, Any] = dict(
        build_status="accepted", op_status="normal", planned_completion=p.planned,
        completion_accepted_on=p.accepted_on, settled=True, rights_registered=True,
        joint_account=None if p.asset_type == "household" else True,
        revenue_wan=revenue, distribution_wan=(revenue * D("0.3")).quantize(D("0.01")),
        households=p.households, problems=[], grade=grade, disposal="consolidate", graded_on=p.green_date,
        substantive_progress=None, patrolled=None, signoff_status=None, signoff_applied_on=None,
        signoff_accepted_on=None, measures=None, deadline=None, resp=None,
        progress_text="项目正常运营，持续巩固提升", issues_text=None, next_steps="持续做好运营监测",
    )
    # green project still under construction (on schedule)
    if p.building_until is not None and i < p.building_until:
        s.update(build_status="under_construction", op_status="not_operating", completion_accepted_on=None,
                 settled=False, rights_registered=False, revenue_wan=None, distribution_wan=None, households=0,
                 progress_text="项目按计划推进建设", next_steps="加快建设进度，按期完工")
    elif p.building_until is not None:
        s.update(build_status="completed", op_status="trial", completion_accepted_on=None, settled=False,
                 revenue_wan=(revenue * D("0.2")).quantize(D("0.01")), distribution_wan=D(0),
                 progress_text="项目已完工，进入试运营", next_steps="组织竣工验收")
    # planted inconsistencies (false green etc.)
    if p.planted == "green_idle" or p.planted == "green_idle_2":
        s.update(op_status="idle", revenue_wan=D(0), distribution_wan=D(0))
    elif p.planted == "green_halted":
        s.update(op_status="halted", revenue_wan=D(0), distribution_wan=D(0))
    elif p.planted == "green_no_revenue":
        s.update(revenue_wan=D(0), distribution_wan=D(0), households=0)
    elif p.planted == "green_unfinished":
        s.update(build_status="under_construction", op_status="not_operating", settled=False,
                 revenue_wan=None, distribution_wan=None, households=0, completion_accepted_on=None)
    elif p.planted == "green_with_other_problem":
        s.update(problems=["no_joint_account"], joint_account=False)
    if e is None:
        return s
    if active:
        three_active = e.three is not None and (e.fix_round is None or i < e.fix_round)
        probs = ([e.three] if three_active else []) + list(e.others)
        s["problems"] = probs
        if three_active:
            if e.three == "built_not_finished":
                s.update(build_status="suspended" if p.code[-1] in "13579" else "under_construction",
                         op_status="not_operating", planned_completion=min(p.planned, date(2023, 6, 30)),
                         completion_accepted_on=None, settled=False, rights_registered=False,
                         revenue_wan=None, distribution_wan=None, households=0)
            elif e.three == "finished_not_used":
                s.update(op_status="idle" if p.code[-1] in "02468" else "halted", revenue_wan=D(0),
                         distribution_wan=D(0), households=0)
            else:
                s.update(revenue_wan=D(0), distribution_wan=D(0))
        for o in e.others:
            if o == "no_joint_account":
                s["joint_account"] = False
            elif o == "rights_irregular":
                s["rights_registered"] = False
            elif o == "not_accepted" and s["build_status"] == "accepted":
                s.update(build_status="completed", completion_accepted_on=None, settled=False)
        if e.three and not three_active and e.three == "built_not_finished":
            s.update(completion_accepted_on=ROUNDS[e.fix_round] - timedelta(days=5))
        done = [t for t in e.tasks if t.done_round is not None and t.done_round <= i]
        sub = (e.sub_round is not None and i >= e.sub_round) if e.grade0 == "red" else bool(done)
        s["substantive_progress"] = sub
        s["disposal"] = ("restart" if e.path == "overdue" and e.three == "finished_not_used" else
                         "revitalise" if e.three == "finished_not_used" else "upgrade")
        s["measures"] = "；".join(t.measure for t in e.tasks)
        s["deadline"] = add_months(e.graded_on, 3 if e.grade0 == "red" else 1)
        s["graded_on"] = e.graded_on
        s["patrolled"] = getattr(e, "patrol_round", None) is not None and i >= e.patrol_round  # type: ignore
        s["resp"] = (e.tasks[0].lead_leader, p.supervisor, e.tasks[0].owner)
        pend = [x for x in e.signoffs if x.round == i]
        if pend:
            x = pend[-1]
            s.update(signoff_status=x.status, signoff_applied_on=x.applied_on, signoff_accepted_on=x.accepted_on)
            if x.to_grade == "yellow":
                s["signoff_status"] = "signed_off"
        else:
            prev = [x for x in e.signoffs if x.round < i and x.status == "signed_off"]
            s["signoff_status"] = "signed_off" if prev else "none"
            if prev:
                s.update(signoff_applied_on=prev[-1].applied_on, signoff_accepted_on=prev[-1].accepted_on)
        s["progress_text"] = ("已完成整改任务，申请降级销号" if e.green_round is not None and i >= e.green_round - 1
                              else f"已完成{len(done)}项整改任务，其余正在推进" if done else "已制定整改方案，正在推进")
        s["issues_text"] = "、".join(g.PROBLEMS[c] for c in probs) or None
        s["next_steps"] = next((t.measure for t in e.tasks if t not in done), "巩固整改成果")
        s["tasks"] = e.tasks
    else:  # downgraded to green: keep the signoff trail
        last = [x for x in e.signoffs if x.status == "signed_off"]
        if last:
            s.update(signoff_status="signed_off", signoff_applied_on=last[-1].applied_on,
                     signoff_accepted_on=last[-1].accepted_on)
            s["graded_on"] = last[-1].accepted_on
        s["progress_text"] = "已完成整改并降级销号，持续巩固"
        if e.green_round == i:
            s["tasks"] = e.tasks
        if e.three == "built_not_finished" and e.fix_round is not None:
            s["completion_accepted_on"] = ROUNDS[e.fix_round] - timedelta(days=5)
    if p.sensitive:
        s["sensitive"] = [p.sensitive]
        s["pretreatment"] = ["recultivation" if p.sensitive == "farmland" else "delisting"]
        s["pretreatment_done"] = i >= (p.pretreat_round or 0)
    return s

