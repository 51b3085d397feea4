"""Command line: python -m ledger import|template|summary|rebuild|verify|backup|restore|init|load-sample|export|users
(see ``main``). Who runs it is ``cli:<os user>`` in ``imported_by`` and the audit trail. Every failure is a Chinese message and exit code 1 or 2, never a traceback; a reader that closes the
output early (``| head``) ends the command quietly with 141, as a shell reports a SIGPIPE death."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from . import archive
from . import auth
from .audit import cli_user, record_file
from . import batch as B
from . import db as dbm
from . import importer
from . import intake as IN
from .sample import has_imports, sample_files

CLI_WAIT = 30.0  # seconds to wait while the dashboard (or another command) holds the database file
_SEV = {"error": "错误", "warning": "警告", "info": "提示"}


def _print_report(res: importer.ImportResult) -> None:
    st = {"accepted": "已导入", "rejected": "已拒绝（数据库未作任何修改）", "unchanged": "未变化（同一文件已导入过）"}[res.status]
    print(f"{res.file}：{st}")
    print(f"  报送期次 {res.round_date or '未知'}，填报单位 {res.unit or '未知'}；"
          f"导入 {res.accepted} 行，跳过 {res.skipped} 行，错误 {res.rejected} 行")
    for p in res.problems:
        if p["severity"] == "info":
            continue
        where = "，".join(x for x in [p.get("sheet") or "", f"第{p['row']}行" if p.get("row") else "",
                                      f"{p['column']}列" if p.get("column") else ""] if x)
        val = f"（{p['value']}）" if p.get("value") not in (None, "") else ""
        print(f"  [{_SEV[p['severity']]}] {where}：{p['message']}{val}")
    infos = sum(1 for p in res.problems if p["severity"] == "info")
    if infos:
        print(f"  另有 {infos} 条提示（分组、小计/合计、空行、表尾等已跳过的行），用 --json 查看")


def _connect(path, **kw):
    con = dbm.connect(path, wait=CLI_WAIT, **kw)
    con.execute("SET enable_progress_bar = false")   # never print into --json output
    return con


def cmd_import(a) -> int:
    """Files, folders (a whole round) and .zip archives; each file all-or-nothing on its own."""
    path = dbm.db_path(a.db)
    try:
        colmap = IN.parse_map_options(a.map)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
    batch = len(a.files) > 1 or any(Path(f).is_dir() or f.lower().endswith(".zip") for f in a.files)
    reports: list[B.FileReport] = []
    with tempfile.TemporaryDirectory(prefix="ledger_round_") as tmp:
        try:
            files = B.expand_paths(a.files, Path(tmp))
        except (ValueError, OSError) as e:
            print(str(e), file=sys.stderr)
            return 2
        if not files:
            print("没有找到台账文件（.xlsx / .xls）", file=sys.stderr)
            return 2
        for f in files:
            # one open per file: the dashboard (which opens the file per page run) is held up for at most
            # one file's import, never for the whole batch
            con = _connect(path)
            try:
                res = importer.import_file(con, Path(f).resolve(), round_date=a.round, unit=a.unit,
                                           column_map=colmap or None, dry_run=a.dry_run,
                                           allow_shrink=a.allow_shrink, imported_by=cli_user())
                if colmap and res.status == "accepted" and not a.dry_run and res.unit:
                    IN.save_column_map(con, res.unit, colmap, by=cli_user(), at=datetime.now().replace(microsecond=0))
            finally:
                con.close()
            reports.append(B.report(res.file, res))
        con = dbm.connect(path, read_only=path.exists(), wait=CLI_WAIT)
        con.execute("SET enable_progress_bar = false")
        try:
            missing = B.round_missing(con, reports) if batch else {}
        finally:
            con.close()
    results = [r.result for r in reports]
    if a.json:
        out = {"accepted": sum(r.accepted for r in results), "skipped": sum(r.skipped for r in results),
               "rejected": sum(r.rejected for r in results),
               "problems": [{k: p.get(k) for k in ("sheet", "row", "column", "value", "message", "severity")}
                            for r in results for p in r.problems],
               "files": [r.as_dict() for r in reports],
               "missing_units": {d.isoformat(): u for d, u in missing.items()}}
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        for r in results:
            _print_report(r)
        if batch:
            _print_round(reports, missing)
    return 1 if any(r.status == "rejected" for r in results) else 0


def _print_round(reports, missing) -> None:
    print("\n本批文件：")
    for r in reports:
        res = r.result
        line = f"  {B.STATUS_LABELS[r.status]}\t{res.unit or '—'}\t{res.round_date or '—'}\t{r.file}"
        if r.status == "accepted":
            line += f"\t{res.accepted} 行"
        if res.shared:
            line += f"\t其中 {res.shared} 个项目其他单位也报送"
        print(line)
        for p in r.problems:
            print(f"      {p}")
    for d, units in missing.items():
        print(f"{d} 期未报送（{len(units)} 个单位）：{'、'.join(units) if units else '无'}")


def cmd_template(a) -> int:
    from . import templates as T

    try:
        out = T.write_template(a.kind, a.out)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(f"已生成空白模板（{T.KINDS[a.kind]}）：{out}")
    return 0


def cmd_summary(a) -> int:
    path = dbm.db_path(a.db)
    con = dbm.connect(path, read_only=path.exists(), wait=CLI_WAIT)
    con.execute("SET enable_progress_bar = false")
    try:
        s = importer.summary(con, a.round)
    finally:
        con.close()
    if a.json:
        print(json.dumps(s, ensure_ascii=False))
    else:
        print(f"期次数 {s['rounds']}，项目 {s['projects']} 个，扶贫资金帮扶资金 {s['total_funds_wan']} 万元")
        for k, v in s["funds_wan"].items():
            print(f"  {k}：{v} 万元")
        print(f"  红 {s['grades']['red']}，黄 {s['grades']['yellow']}，绿 {s['grades']['green']}")
    return 0


def cmd_rebuild(a) -> int:
    path = dbm.db_path(a.db)
    if path.exists():
        con = dbm.connect(path, wait=CLI_WAIT)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'scaled_sample'").fetchone()
        finally:
            con.close()
        if row:
            print(f"此数据库是样例的 {row[0]} 倍复制（load-sample --scale），复制出的项目没有归档原件，无法从归档重建。"
                  f"请用 load-sample --scale {row[0]} 重新生成。", file=sys.stderr)
            return 1
    notes: list[str] = []
    try:
        p = importer.rebuild(a.db, force=a.force, notes=notes)
    except importer.RebuildRefused as e:
        for n in notes:
            print(f"  {n}", file=sys.stderr)
        print(str(e), file=sys.stderr)
        return 1
    con = dbm.connect(p, read_only=True, wait=CLI_WAIT)
    try:
        n = con.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
    finally:
        con.close()
    print(f"已从归档重建：{p}（{n} 个导入）")
    for note in notes:
        print(f"  {note}")
    return 0


def cmd_verify(a) -> int:
    rep = archive.verify(a.db)
    if a.json:
        print(json.dumps(rep, ensure_ascii=False))
    else:
        print(f"数据库 {rep['db']}：{rep['imports']} 个导入；归档 {rep['archive']}：{rep['records']} 条导入记录")
        for p in rep["problems"]:
            print(f"  [{_SEV[p['severity']]}] {p['message']}")
        print("一致：数据库与归档相符" if rep["ok"] else "不一致：见上面的错误")
    return 0 if rep["ok"] else 1


def cmd_backup(a) -> int:
    try:
        m = archive.backup(a.dir, a.db, wait=CLI_WAIT)
    except ValueError as e:
        print(f"备份失败：{e}", file=sys.stderr)
        return 1
    print(f"已备份到 {Path(a.dir).resolve()}：数据库（{m['imports']} 个导入）+ 归档 {len(m['archive_files'])} 个文件")
    return 0


def cmd_restore(a) -> int:
    try:
        rep = archive.restore(a.dir, a.db, force=a.force)
    except ValueError as e:
        print(f"恢复失败：{e}", file=sys.stderr)
        return 1
    print(f"已恢复到 {rep['db']}：{rep['imports']} 个导入；归档 {rep['archive']}")
    for p in rep["problems"]:
        print(f"  [{_SEV[p['severity']]}] {p['message']}")
    return 0 if rep["ok"] else 1


def cmd_init(a) -> int:
    con = dbm.connect(dbm.db_path(a.db), wait=CLI_WAIT)
    con.close()
    print(f"已创建数据库：{dbm.db_path(a.db)}")
    return 0


def cmd_load_sample(a) -> int:
    """Build the database from the bundled sample (atomically, via bootstrap) when it has no imports;
    ``--scale K`` builds the sample replicated K times instead (ledger/scale.py), replacing the file."""
    import time

    from .bootstrap import ensure_database

    path = dbm.db_path(a.db)
    if getattr(a, "scale", None):
        if a.scale < 1:
            print("--scale 须为正整数", file=sys.stderr)
            return 2
        from .scale import build_scaled

        t0 = time.monotonic()
        print(f"样例 × {a.scale} → {path}", flush=True)
        build_scaled(path, a.scale, progress=lambda m: print("  " + m, flush=True), rounds=a.rounds)
        con = dbm.connect(path, read_only=True, wait=CLI_WAIT)
        try:
            s = importer.summary(con)
        finally:
            con.close()
        print(f"完成（{time.monotonic() - t0:.0f} 秒）：{s['rounds']} 期，项目 {s['projects']} 个，"
              f"资金 {s['total_funds_wan']} 万元")
        return 0
    if has_imports(path):
        print(f"数据库已有导入记录，未加载样例：{path}")
        return 0
    files = sample_files()
    print(f"首次启动：从样例台账建库（{len(files)} 个文件）→ {path}", flush=True)

    def progress(done, total, name):
        if done % 50 == 0 or done == total:
            print(f"  已导入 {done}/{total}", flush=True)

    try:
        ensure_database(path, progress=progress)
    except RuntimeError as e:
        print(f"样例建库失败：{e}", file=sys.stderr)
        return 1
    con = dbm.connect(path, read_only=True, wait=CLI_WAIT)
    try:
        s = importer.summary(con)
    finally:
        con.close()
    print(f"完成：{s['rounds']} 期，项目 {s['projects']} 个，资金 {s['total_funds_wan']} 万元")
    return 0


def cmd_export(a) -> int:
    """督办单/催报/通报/专题会材料 of a round into --out (issue #10); orders are recorded (numbered)."""
    import getpass
    from datetime import date, datetime

    from analytics.filters import Filters

    from .reports import build

    try:
        rd = date.fromisoformat(a.round)
    except ValueError:
        print(f"报送期次格式应为 YYYY-MM-DD：{a.round}", file=sys.stderr)
        return 1
    path = dbm.db_path(a.db)
    con = dbm.connect(path, read_only=a.what != "orders" and path.exists(), wait=CLI_WAIT)
    try:
        if con.execute("SELECT count(*) FROM rounds WHERE round_date = ?", [rd]).fetchone()[0] == 0:
            print(f"没有报送期次 {rd}", file=sys.stderr)
            return 1
        pdf = not a.no_pdf
        if a.what == "orders":
            issued = build.issue(con, as_of=rd, units=a.unit or None, issued_by=a.by or getpass.getuser() or "命令行",
                                 at=datetime.now(), note=a.note, audit_user=cli_user())
            files = [build.orders_zip(con, issued, pdf=pdf)]
            for o in issued:
                print(f"{o.number}\t{o.unit}\t回复期限 {o.reply_by}" + ("" if o.new else "\t（已签发过，重印）"))
        elif a.what == "chase":
            files = build.chase_files(con, as_of=rd)
        elif a.what == "bulletin":
            files = build.bulletin_files(con, as_of=rd, pdf=pdf)
        else:
            f = Filters(towns=tuple(a.town or ()), departments=tuple(a.department or ()))
            files = [build.pack(con, as_of=rd, filters=f, pdf=pdf)]
    except (build.ReportError, build.MediaError, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 1
    finally:
        con.close()
    for p in build.write_files(files, a.out):
        record_file(path, "export", user=cli_user(), obj=Path(p).name, sha256=importer.sha256_of(Path(p)),
                    detail={"what": a.what, "round_date": rd, "path": str(p)})
        print(f"已写出：{p}")
    return 0


def cmd_users(a) -> int:
    """users add|passwd|disable|enable|list: every change through ledger/writes.py, in the audit trail."""
    import getpass

    path = dbm.db_path(a.db)
    if a.action == "list":
        con = dbm.connect(path, read_only=path.exists(), wait=CLI_WAIT)
        con.execute("SET enable_progress_bar = false")
        try:
            df = auth.list_users(con)
        finally:
            con.close()
        rows = [{"login": r.login, "display_name": r.display_name, "role": r.role, "unit": r.unit,
                 "active": bool(r.active), "demo": bool(r.demo), "created_at": r.created_at.isoformat(),
                 "updated_at": r.updated_at.isoformat()} for r in df.itertuples()]
        if a.json:
            print(json.dumps(rows, ensure_ascii=False))
        else:
            from . import glossary as g
            for r in rows:
                print(f"{r['login']}\t{r['display_name']}\t{g.label('role', r['role'])}\t{r['unit'] or '—'}\t"
                      f"{'启用' if r['active'] else '停用'}{'（演示账号）' if r['demo'] else ''}")
            if not rows:
                print("还没有用户：用 python -m ledger users add 登录名 --role taskforce 新增")
        return 0
    if not a.login:
        print("请给出登录名", file=sys.stderr)
        return 2
    password = None
    if a.action in ("add", "passwd"):
        password = a.password
        if password is None:
            password = getpass.getpass("密码：")
            if getpass.getpass("再输入一次：") != password:
                print("两次输入的密码不一致，未修改", file=sys.stderr)
                return 1
    con = _connect(path)
    try:
        if a.action == "add":
            if not a.role:
                print("新增用户需要 --role leader|taskforce|unit", file=sys.stderr)
                return 2
            u = auth.add_user(con, a.login, password, role=a.role, display_name=a.name, unit=a.unit, by=cli_user())
            print(f"已新增用户 {u.login}（{u.role_label}{'，' + u.unit if u.unit else ''}）")
        elif a.action == "passwd":
            auth.set_password(con, a.login, password, by=cli_user())
            print(f"已修改 {a.login} 的密码")
        else:
            auth.set_active(con, a.login, a.action == "enable", by=cli_user())
            print(f"已{'启用' if a.action == 'enable' else '停用'}用户 {a.login}")
    except auth.AuthError as e:
        print(str(e), file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ledger", description="帮扶产业项目台账：导入与汇总")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("import", help="导入台账文件、文件夹（一期的全部文件）或 .zip（每个文件全部通过才写入）")
    p.add_argument("files", nargs="+", help="台账文件、文件夹或 .zip")
    p.add_argument("--db")
    p.add_argument("--round", help="报送期次 YYYY-MM-DD")
    p.add_argument("--unit", help="填报单位（文件没有“填报单位：”时）")
    p.add_argument("--map", action="append", metavar="原表头=字段",
                   help="把看不懂的表头对应到字段（字段代码如 households、表头如 带动农户数，或 忽略）；可重复，"
                        "导入成功后为该单位保存，以后的文件自动使用")
    p.add_argument("--dry-run", action="store_true", help="只预检，不写入")
    p.add_argument("--json", action="store_true", help="输出 JSON（每个文件一条报告）")
    p.add_argument("--allow-shrink", action="store_true",
                   help="确认导入没有数据行、或使本单位项目减少超过设定比例的台账")
    p.set_defaults(fn=cmd_import)
    p = sub.add_parser("template", help="生成空白填报模板（.xlsx）")
    p.add_argument("kind", help="progress(附件1) | risk(附件2) | tasks(附件5) | interactions(政企互动台账) | combined(一张表)")
    p.add_argument("--out", required=True, help="输出文件 .xlsx")
    p.set_defaults(fn=cmd_template)
    p = sub.add_parser("summary", help="在用台账汇总")
    p.add_argument("--db")
    p.add_argument("--round")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_summary)
    p = sub.add_parser("rebuild", help="从归档重建数据库（导入数少于现有数据库时拒绝，除非 --force）")
    p.add_argument("--db")
    p.add_argument("--force", action="store_true", help="即使重建后导入数变少也写入")
    p.set_defaults(fn=cmd_rebuild)
    p = sub.add_parser("verify", help="核对数据库与归档是否一致")
    p.add_argument("--db")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_verify)
    p = sub.add_parser("backup", help="把数据库和归档备份到目录 DIR")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--db")
    p.set_defaults(fn=cmd_backup)
    p = sub.add_parser("restore", help="从备份目录 DIR 恢复数据库和归档")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--db")
    p.add_argument("--force", action="store_true", help="替换已有导入的数据库")
    p.set_defaults(fn=cmd_restore)
    for name, fn, hlp in (("init", cmd_init, "创建空数据库"),
                          ("load-sample", cmd_load_sample, "导入 data/sample/ledgers 下的样例")):
        p = sub.add_parser(name, help=hlp)
        p.add_argument("--db")
        if name == "load-sample":
            p.add_argument("--scale", type=int, help="把样例复制 K 倍（项目编号加后缀 -1…-K），用于性能测试；覆盖目标文件")
            p.add_argument("--rounds", type=int, help="与 --scale 同用：只保留前 N 个报送期次")
        p.set_defaults(fn=fn)
    p = sub.add_parser("export", help="导出督办单(orders)/催报名单(chase)/通报(bulletin)/专题会材料(pack)")
    p.add_argument("what", choices=["orders", "chase", "bulletin", "pack"])
    p.add_argument("--round", required=True, help="报送期次 YYYY-MM-DD")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--db")
    p.add_argument("--unit", action="append", help="督办单：只发给该单位（可重复）；默认全部滞后单位")
    p.add_argument("--by", help="督办单签发人（默认当前用户名）")
    p.add_argument("--note", help="督办单：督办要求")
    p.add_argument("--town", action="append", help="专题会材料：乡镇筛选（可重复）")
    p.add_argument("--department", action="append", help="专题会材料：主管部门筛选（可重复）")
    p.add_argument("--no-pdf", action="store_true", help="不生成 PDF（只要 .xlsx/.html）")
    p.set_defaults(fn=cmd_export)
    p = sub.add_parser("users", help="看板用户：新增(add)、改密码(passwd)、停用(disable)、启用(enable)、列出(list)")
    p.add_argument("action", choices=["add", "passwd", "disable", "enable", "list"])
    p.add_argument("login", nargs="?", help="登录名（小写英文字母、数字、_ . -）")
    p.add_argument("--role", choices=list(auth.ROLES), help="角色：leader 领导 | taskforce 工作专班 | unit 单位")
    p.add_argument("--unit", help="角色为 unit 时绑定的乡镇(街道)或主管部门")
    p.add_argument("--name", help="姓名（显示用）")
    p.add_argument("--password", help="密码（不给则提示输入，不回显）")
    p.add_argument("--json", action="store_true", help="list：输出 JSON")
    p.add_argument("--db")
    p.set_defaults(fn=cmd_users)
    a = ap.parse_args(argv)
    try:
        rc = a.fn(a)
        sys.stdout.flush()   # a reader that closed the pipe shows here, not as a warning at exit
        return rc
    except BrokenPipeError:
        # the reader (``| head``) stopped reading: nothing to tell it, and what the command wrote to the
        # database stays written. Quiet, with the status a shell gives a command killed by SIGPIPE.
        _silence_stdout()
        return 141
    except dbm.DatabaseBusy as e:
        _fail(a, str(e))
        return 2
    except KeyboardInterrupt:
        _fail(a, "已中断")
        return 1
    except Exception:  # noqa: BLE001 - never a traceback on the console
        _fail(a, "命令执行失败（内部错误）：数据库未改动。请联系系统管理员")
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's flush at exit does not fail on the closed pipe again."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _fail(a, message: str) -> None:
    if getattr(a, "json", False):
        print(json.dumps({"accepted": 0, "skipped": 0, "rejected": 0,
                          "problems": [{"file": None, "sheet": None, "row": None, "column": None, "value": None,
                                        "message": message, "severity": "error"}]}, ensure_ascii=False))
    print(message, file=sys.stderr)
