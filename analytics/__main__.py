"""Command line: ``python -m analytics snapshot [--db PATH] --as-of YYYY-MM-DD --json``.

Prints the snapshot (analytics/snapshot.py) as JSON (Chinese kept as is). The database is opened
read-only when the file exists; a missing file gives the snapshot of an empty ledger (and a note
on stderr) rather than creating a database as a side effect of a read.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date


from ledger import db as ledger_db

from .snapshot import snapshot


def _open(path_arg: str | None):
    path = ledger_db.db_path(path_arg)
    if path.exists():
        return ledger_db.open_file(path, read_only=True, wait=30.0)
    print(f"数据库不存在: {path}（按空台账输出）", file=sys.stderr)
    return ledger_db.connect(":memory:")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="扶贫产业项目监管 analytics")
    sub = parser.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("snapshot", help="at-a-glance numbers for one date")
    sp.add_argument("--db", default=None, help="ledger database (default: $LEDGER_DB or data/ledger.duckdb)")
    sp.add_argument("--as-of", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    sp.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    try:
        con = _open(args.db)
    except ledger_db.DatabaseBusy as e:
        print(str(e), file=sys.stderr)
        return 2
    try:
        snap = snapshot(con, as_of=args.as_of)
    finally:
        con.close()
    if args.json:
        print(json.dumps(snap, ensure_ascii=False))
    else:
        print(f"截至 {snap['as_of']}（期次 {snap['round'] or '—'}）: 项目 {snap['projects']} 个; "
              f"红 {snap['grades']['red']} 黄 {snap['grades']['yellow']} 绿 {snap['grades']['green']}; "
              f"逾期未完成 {snap['clocks']['overdue']}")
        for r in snap["ranking"]:
            print(f"  {r['kind']:<10} {r['rank']:>2} {r['unit']} S={r['score']:.2f} f={r['factor']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
