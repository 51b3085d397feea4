"""The archive is the truth (issue #12 point 4): check that database and archive agree, back both up,
restore them elsewhere.

``verify`` compares the database's ``imports`` with the archive: every import has its original (same
sha256) and its record; every committed record is in the database. ``backup DIR`` writes a consistent
copy of the database (after CHECKPOINT, while holding the file) plus the archive and the rejection
log; ``restore DIR`` puts them in place for another database path (archive paths are relative, and
records name their database by file name, so ``rebuild`` works there too).
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

from . import db as dbm
from . import importer

BACKUP_MANIFEST = "backup.json"


def _sha(path: Path) -> str:
    return importer.sha256_of(path)


def verify(db_path=None, *, archive_root=None) -> dict:
    """{"ok": bool, "imports": n, "records": n, "problems": [{"severity","message"}]}: ok when every
    import in the database has its archived original (sha256 matching) and its record, and every
    committed record is in the database. A record of an import interrupted before COMMIT is a
    warning (nothing was written)."""
    target = dbm.db_path(db_path)
    root = Path(archive_root).resolve() if archive_root else dbm.archive_dir(target)
    problems: list[dict] = []

    def add(sev, msg):
        problems.append({"severity": sev, "message": msg})

    have = importer.db_imports(target)
    events = importer.archive_events(root, target) if root.exists() else []
    if have is None:
        add("error", f"数据库不存在或无法打开：{target}")
        have = []
    by_key = {importer._event_key(ev): ev for ev in events}
    checked: dict[str, str] = {}
    for row in have:
        rel = row["archive_path"] or ""
        src = root / rel
        label = f"导入 {row['import_id']}（{row['file_name']}，{row['unit']} {row['round_date']}）"
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            add("error", f"{label}：归档路径不是归档目录内的相对路径：{rel}")
        elif not src.exists():
            add("error", f"{label}：归档原件缺失（{rel}）")
        else:
            if rel not in checked:
                checked[rel] = _sha(src)
            if checked[rel] != row["sha256"]:
                add("error", f"{label}：归档原件已被改动（sha256 不符）")
        if by_key.pop(importer._event_key(row), None) is None:
            add("error", f"{label}：归档中没有该导入的记录（rebuild 会按数据库记录补上）")
    for ev in by_key.values():
        label = f"{ev['file_name']}（{ev['unit']} {ev['round_date']}，{ev['imported_at']}）"
        if ev.get("committed") is False:
            add("warning", f"{label}：导入在提交前中断，数据库中没有，未写入任何数据")
        else:
            add("error", f"{label}：归档中有导入记录，数据库中没有（可用 rebuild 恢复）")
    if root.exists():
        for p in root.glob("*/*.tmp"):
            add("warning", f"归档中有未完成的临时文件：{p.relative_to(root)}")
    return {"ok": not any(p["severity"] == "error" for p in problems), "imports": len(have),
            "records": len(events), "db": str(target), "archive": str(root), "problems": problems}


def backup(dest, db_path=None, *, archive_root=None, wait: float = 30.0) -> dict:
    """Copy the database (checkpointed, while this process holds the file so no one writes), the
    archive and rejected.jsonl into the empty or new folder ``dest``; write backup.json (file list
    with sha256). Returns the manifest."""
    target = dbm.db_path(db_path)
    root = Path(archive_root).resolve() if archive_root else dbm.archive_dir(target)
    dest = Path(dest).resolve()
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"备份目录不是空的：{dest}")
    if not target.exists():
        raise ValueError(f"数据库不存在：{target}")
    dest.mkdir(parents=True, exist_ok=True)
    con = dbm.connect(target, wait=wait)
    try:
        con.execute("CHECKPOINT")
        n_imports = con.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
        tmp = dest / (target.name + ".tmp")
        shutil.copyfile(target, tmp)
        os.replace(tmp, dest / target.name)
        files = []
        if root.exists():
            for p in sorted(root.rglob("*")):
                if p.is_file() and not p.name.endswith(".tmp"):
                    rel = p.relative_to(root).as_posix()
                    out = dest / "archive" / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(p, out)
                    files.append({"path": rel, "sha256": _sha(out)})
        rej = importer.rejected_log_path(root)
        if rej.exists():
            shutil.copyfile(rej, dest / "rejected.jsonl")
    finally:
        con.close()
    manifest = {"db_file": target.name, "db_sha256": _sha(dest / target.name), "imports": n_imports,
                "archive_files": files, "created_at": datetime.now().isoformat(timespec="seconds")}
    (dest / BACKUP_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def restore(src, db_path=None, *, archive_root=None, force: bool = False) -> dict:
    """Put a ``backup`` folder in place for the database ``db_path``: every file is checked against
    backup.json first; the archive is merged into this database's archive folder (records renamed to
    this database's file name), then the database file is moved in atomically. Refuses to replace a
    database that has imports unless ``force``. Returns ``verify`` of the result."""
    src = Path(src).resolve()
    target = dbm.db_path(db_path)
    root = Path(archive_root).resolve() if archive_root else dbm.archive_dir(target)
    try:
        manifest = json.loads((src / BACKUP_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValueError(f"不是有效的备份目录（缺少 {BACKUP_MANIFEST}）：{src}") from None
    db_src = src / manifest["db_file"]
    if not db_src.exists() or _sha(db_src) != manifest["db_sha256"]:
        raise ValueError("备份中的数据库文件缺失或已损坏（sha256 不符）")
    for f in manifest["archive_files"]:
        p = src / "archive" / f["path"]
        if not p.exists() or _sha(p) != f["sha256"]:
            raise ValueError(f"备份中的归档文件缺失或已损坏：{f['path']}")
    have = importer.db_imports(target)
    if have and not force:
        raise ValueError(f"目标数据库已有 {len(have)} 个导入：确认要用备份替换时加 --force")
    root.mkdir(parents=True, exist_ok=True)
    for f in manifest["archive_files"]:
        p = src / "archive" / f["path"]
        out = root / f["path"]
        out.parent.mkdir(parents=True, exist_ok=True)
        if p.name.endswith(".json") and p.parent != src / "archive":
            data = json.loads(p.read_text(encoding="utf-8"))
            for ev in data.get("events", []):
                if not ev.get("db") or Path(ev["db"]).name == manifest["db_file"]:
                    ev["db"] = target.name
            if out.exists():   # merge with records already there
                try:
                    old = json.loads(out.read_text(encoding="utf-8"))
                    data["events"] = old.get("events", []) + [e for e in data["events"] if e not in old.get("events", [])]
                except (OSError, ValueError):
                    pass
            importer._write_sidecar(out, data)
        elif p.name == "rejected.jsonl" or not out.exists():
            tmp = out.with_name(out.name + ".tmp")
            shutil.copyfile(p, tmp)
            os.replace(tmp, out)
    rej = src / "rejected.jsonl"
    if rej.exists():
        dst = importer.rejected_log_path(root)
        dst.parent.mkdir(parents=True, exist_ok=True)
        with open(dst, "ab") as out, open(rej, "rb") as inp:
            shutil.copyfileobj(inp, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".restore.tmp")
    shutil.copyfile(db_src, tmp)
    wal = Path(str(target) + ".wal")
    if wal.exists():
        wal.unlink()
    os.replace(tmp, target)
    return verify(target, archive_root=root)

