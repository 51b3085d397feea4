"""Read untrusted workbooks without risking the calling process (issue #12 point 1).

python-calamine is Rust: a 3 KB .xlsx whose ``<dimension>`` claims XFD1048576, a looping .xls sector
chain or a zip bomb makes it abort the whole process (SIGABRT on a 512 GiB allocation) or eat memory
until the kernel kills it; no ``except`` can catch that. So:

1. ``precheck`` (in the caller, pure Python, reads at most a few KB per sheet): the file's size, its
   kind from the magic bytes (zip / OLE; an OLE file holding ``EncryptedPackage`` is an encrypted
   workbook), and for zip workbooks the central directory (entry count, total uncompressed size,
   compression ratio) and each sheet's ``<dimension>`` against the row/column/cell caps.
2. ``parse_sheets`` (the importer's path) and ``read_grids`` (raw rows) run in a child forked from a
   zygote (a helper interpreter started once with subprocess: single-threaded, calamine and
   ``ledger.reader`` preloaded) with RLIMIT_AS / RLIMIT_CPU set and a wall timeout.
   ``parse_sheets`` does the whole per-sheet work there: calamine, header detection, row
   classification and cell parsing (``reader.parse_sheet``), so the hostile bytes never reach the
   server and the server receives parsed sheets, not millions of raw cells. A workbook of at least
   ``SPLIT_MIN_BYTES`` with two or more sheets is split: every other sheet is parsed by a grandchild
   at the same time (issue #7: two cores). A grandchild dies with its parent, and its crash is the
   child's own. The scan for cells that read as empty although they are not (``_uncached_formulas``)
   runs beside the parse in a grandchild, or, for the importer (``parse_sheets(defer_scan=True)``), after
   it in a child of a second zygote (``PendingScan``), beside validation and the writes. The outcome is
   pickled; the parent unpickles with an allow-list (dates, Decimal and the reader's two dataclasses). A crash, a limit hit or a timeout becomes ``ReadError`` with a
   Chinese message.

Limits are settings (``ledger.settings.DEFAULTS``, keys ``parse_*``); ``limits(con)`` reads them.
"""
from __future__ import annotations

import atexit
import io
import json
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

LIMIT_KEYS = ("parse_max_file_mb", "parse_max_uncompressed_mb", "parse_max_ratio", "parse_max_rows",
              "parse_max_cols", "parse_max_cells", "parse_memory_mb", "parse_cpu_seconds",
              "parse_timeout_seconds")
EXTENSIONS = (".xlsx", ".xlsm", ".xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_ENTRIES = 10000
_RATIO_MIN_BYTES = 1 << 20     # the ratio cap applies to entries that inflate to more than 1 MiB


class ReadError(Exception):
    """A workbook that cannot be read safely; ``message`` is Chinese and names the cause."""

    def __init__(self, message: str, code: str = "unreadable"):
        super().__init__(message)
        self.message = message
        self.code = code


def defaults() -> dict:
    from .settings import DEFAULTS
    return {k: DEFAULTS[k] for k in LIMIT_KEYS}


def limits(con=None) -> dict:
    """The parse limits: settings defaults, with the database's overrides when ``con`` is given."""
    out = defaults()
    if con is not None:
        try:
            from analytics.settings import get_settings
            s = get_settings(con)
            out.update({k: s[k] for k in LIMIT_KEYS if k in s})
        except Exception:  # noqa: BLE001 - a bare connection: defaults
            pass
    return out


# --- 1. before parsing -----------------------------------------------------------------------------
_DIM_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,4})\$?(\d{1,8})(?::\$?([A-Z]{1,4})\$?(\d{1,8}))?"')


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


@dataclass
class Precheck:
    kind: str          # 'zip' | 'ole'
    size: int


def precheck(path: Path, lim: dict) -> Precheck:
    """Raise ReadError for a file that must not reach the parser; return what kind of file it is."""
    path = Path(path)
    if path.suffix.lower() not in EXTENSIONS:
        raise ReadError(f"不支持的文件类型“{path.suffix or '无扩展名'}”：请上传 .xlsx 或 .xls 台账", "type")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        raise ReadError("无法打开文件（文件不存在或无权读取）", "io") from None
    if size == 0:
        raise ReadError("文件是空的（0 字节）", "empty")
    cap = lim["parse_max_file_mb"] * (1 << 20)
    if size > cap:
        raise ReadError(f"文件过大：{size / (1 << 20):.1f} MB，超过上限 {lim['parse_max_file_mb']} MB", "too_large")
    if head.startswith(_OLE_MAGIC):
        with open(path, "rb") as f:
            data = f.read()
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise ReadError("文件已加密（设置了打开密码）：请在 Excel 中取消密码后重新导入", "encrypted")
        return Precheck("ole", size)
    if not head.startswith(_ZIP_MAGIC):
        raise ReadError("文件不是 Excel 工作簿（内容不是 .xlsx 或 .xls 格式，可能是改了扩展名的其他文件）", "not_workbook")
    _check_zip(path, lim)
    return Precheck("zip", size)


def _check_zip(path: Path, lim: dict) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ReadError("文件已损坏：不是有效的 .xlsx 压缩包", "corrupt") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > _MAX_ENTRIES:
            raise ReadError(f"文件结构异常：压缩包内有 {len(infos)} 个部件，超过上限 {_MAX_ENTRIES}", "too_large")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
            raise ReadError("文件不是 Excel 工作簿（压缩包中没有 xl/workbook.xml）", "not_workbook")
        total = sum(i.file_size for i in infos)
        cap = lim["parse_max_uncompressed_mb"] * (1 << 20)
        if total > cap:
            raise ReadError(f"文件解压后过大：{total / (1 << 20):.0f} MB，超过上限 {lim['parse_max_uncompressed_mb']} MB"
                            "（可能是压缩炸弹）", "too_large")
        for i in infos:
            if i.file_size > _RATIO_MIN_BYTES and i.file_size > lim["parse_max_ratio"] * max(i.compress_size, 1):
                raise ReadError(f"文件压缩比异常：部件 {i.filename[:60]} 压缩 {i.compress_size} 字节、解压 "
                                f"{i.file_size} 字节，超过上限 {lim['parse_max_ratio']} 倍（疑似压缩炸弹）", "bomb")
        for i in infos:
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", i.filename):
                continue
            try:
                with zf.open(i) as f:
                    head = f.read(65536)
            except Exception:  # noqa: BLE001 - zlib/zip errors of a damaged part
                raise ReadError(f"文件已损坏：工作表部件 {i.filename[:60]} 无法解压", "corrupt") from None
            m = _DIM_RE.search(head)
            if not m:
                continue
            a_col, a_row, b_col, b_row = m.groups()
            rows = int(b_row or a_row)
            cols = col_number((b_col or a_col).decode())
            _check_shape(i.filename, rows, cols, lim)


def _check_shape(where: str, rows: int, cols: int, lim: dict, sheet: str | None = None) -> None:
    name = f"工作表“{sheet}”" if sheet else f"工作表部件 {Path(where).name} "
    if rows > lim["parse_max_rows"] or cols > lim["parse_max_cols"] or rows * cols > lim["parse_max_cells"]:
        raise ReadError(
            f"{name}过大：声明范围 {rows} 行 × {cols} 列，超过上限（{lim['parse_max_rows']} 行、"
            f"{lim['parse_max_cols']} 列、{lim['parse_max_cells']} 个单元格）", "too_large")


# --- 2. parsing in a child -------------------------------------------------------------------------
# A zygote: one helper interpreter (started with subprocess, so it is single-threaded and never runs
# the caller's __main__, unlike multiprocessing's forkserver under Streamlit) that preloads calamine
# and forks one fresh child per file. Requests and replies are JSON lines on its stdin/stdout; the
# child writes its pickled outcome to a file the caller named.
class _Zygote:
    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def _start(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        code = f"import sys; sys.path.insert(0, {root!r}); from ledger.sandbox import _zygote_main; _zygote_main()"
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)

    def run(self, request: dict) -> dict | None:
        with self.lock:
            for _attempt in (1, 2):
                if self.proc is None or self.proc.poll() is not None:
                    self._start()
                try:
                    self.proc.stdin.write((json.dumps(request) + "\n").encode())
                    self.proc.stdin.flush()
                    line = self.proc.stdout.readline()
                except (BrokenPipeError, OSError, ValueError):
                    line = b""
                if line:
                    return json.loads(line)
                # the zygote itself died (it should not): start a new one and try once more
                try:
                    self.proc.kill()
                except OSError:
                    pass
                self.proc = None
            return None


_ZYGOTE = _Zygote()


def _zygote_main() -> None:
    import gc
    import html  # noqa: F401 - preloaded once, shared by every forked child
    import resource  # noqa: F401
    import python_calamine  # noqa: F401

    import ledger.reader  # noqa: F401 - "parse" requests run the layout and cell parsing in the child
    gc.collect()
    gc.freeze()     # the zygote's objects are never scanned again: forked children copy fewer pages
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = inp.readline()
        if not line:
            return                      # the caller went away
        req = json.loads(line)
        r, w = os.pipe()                # closes (EOF) when the child exits, however it exits
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                _child(req)
            except BaseException:  # noqa: BLE001
                code = 3
            os._exit(code)
        os.close(w)
        reply = _wait(pid, r, float(req["limits"]["parse_timeout_seconds"]))
        os.close(r)
        out.write((json.dumps(reply) + "\n").encode())
        out.flush()


def _wait(pid: int, fd: int, timeout: float) -> dict:
    import select
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"timeout": True, "signal": signal.SIGKILL, "exit": None}
        ready, _w, _x = select.select([fd], [], [], left)
        if ready:
            break
    _pid, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return {"timeout": False, "signal": os.WTERMSIG(status), "exit": None}
    return {"timeout": False, "signal": None, "exit": os.WEXITSTATUS(status)}


def _child(req: dict) -> None:
    """Runs in the forked child: limits first, then calamine; the outcome goes to ``req["out"]``."""
    lim = req["limits"]
    # the parser's own crash reports (a Rust backtrace) must not reach the user's console, and
    # nothing may write into the zygote's reply pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    fd = os.open(req["out"], os.O_WRONLY | os.O_TRUNC)
    # the child lives for one file and frees its cells by reference counting; cyclic collections would
    # walk millions of them again and again (a third of the parse time of a 100,000-row sheet)
    import gc
    gc.disable()
    try:
        _set_limits(lim)
        fault = req.get("fault")   # tests: make the child misbehave on purpose
        global _FAULT
        _FAULT = fault
        if fault == "abort":
            os.abort()
        elif fault == "spin":
            while True:
                pass
        elif fault == "hog":
            _hog = [bytearray(1 << 26) for _ in range(1 << 12)]  # noqa: F841 - 256 GiB: hits RLIMIT_AS
        out = _read(Path(req["path"]), lim, req["kind"], req.get("mode", "grids"), req.get("colmap"), req["out"],
                    req.get("scan", True))
    except ReadError as e:
        out = {"ok": False, "message": e.message, "code": e.code}
    except MemoryError:
        out = {"ok": False, "message": _MSG_MEMORY.format(mb=lim["parse_memory_mb"]), "code": "memory"}
    except BaseException as e:  # noqa: BLE001 - everything becomes a Chinese message in the parent
        out = {"ok": False, "message": _chinese(e), "code": "unreadable"}
    try:
        data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps({"ok": False, "message": _MSG_MEMORY.format(mb=lim["parse_memory_mb"]), "code": "memory"})
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _set_limits(lim: dict) -> None:
    import resource
    mem = int(lim["parse_memory_mb"]) * (1 << 20)
    cur = resource.getrlimit(resource.RLIMIT_AS)
    hard = cur[1] if cur[1] != resource.RLIM_INFINITY else mem
    resource.setrlimit(resource.RLIMIT_AS, (min(mem, hard), hard))
    cpu = int(lim["parse_cpu_seconds"])
    cur = resource.getrlimit(resource.RLIMIT_CPU)
    hard = cur[1] if cur[1] != resource.RLIM_INFINITY else cpu + 5
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu, hard), hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_MSG_MEMORY = "文件解析所需内存超过上限（{mb} MB）：文件过大或结构异常，已拒绝"
_MSG_CPU = "文件解析超时（超过 {s} 秒）：文件过大或结构异常，已拒绝"
_MSG_CRASH = "文件解析失败：文件结构异常导致读取程序中止（{why}），已拒绝"


def _chinese(e: BaseException) -> str:
    import python_calamine as pc
    if isinstance(e, pc.PasswordError) or "password" in str(e).lower() or "encrypt" in str(e).lower():
        return "文件已加密（设置了打开密码）：请在 Excel 中取消密码后重新导入"
    if isinstance(e, (pc.ZipError, zipfile.BadZipFile)):
        return "文件已损坏：不是有效的 .xlsx 压缩包"
    if isinstance(e, pc.XmlError):
        return "文件已损坏：工作簿中的 XML 内容无效"
    if isinstance(e, pc.CalamineError):
        return "文件已损坏或不是受支持的 Excel 格式（.xlsx / .xls），无法读取"
    if isinstance(e, RecursionError):
        return "文件结构异常（嵌套过深），无法读取"
    return "文件已损坏或格式不受支持，无法读取"


def _read(path: Path, lim: dict, kind: str, mode: str = "grids", colmap: dict | None = None,
          out: str | None = None, scan: bool = True) -> dict:
    if mode == "scan":   # the scan alone (``PendingScan``), in this child
        if _FAULT == "scan_abort":
            os.abort()
        if _FAULT == "scan_slow":
            time.sleep(3)
        return {"ok": True, "uncached": _uncached_formulas(path) if kind == "zip" else {}}
    import python_calamine as pc
    scan = _ForkedScan(path, lim["parse_cpu_seconds"]) if kind == "zip" and scan else None
    try:
        if mode == "parse":
            return _parse_sheets(pc, path, lim, scan, colmap, out)
        return _read_sheets(pc, path, lim, scan)
    except BaseException:
        if scan is not None:
            scan.cancel()
        raise


def _outcome(fn, lim: dict) -> dict:
    """``fn()``'s result, or the Chinese failure it comes to (as ``_child`` reports it)."""
    try:
        return fn()
    except ReadError as e:
        return {"ok": False, "message": e.message, "code": e.code}
    except MemoryError:
        return {"ok": False, "message": _MSG_MEMORY.format(mb=lim["parse_memory_mb"]), "code": "memory"}
    except BaseException as e:  # noqa: BLE001
        return {"ok": False, "message": _chinese(e), "code": "unreadable"}


# A workbook of at least this size with two or more worksheets is parsed by two processes at once
# (issue #7: a 附件1 + 附件2 ledger's two sheets take about the same time; this machine has two cores).
SPLIT_MIN_BYTES = 256 * 1024
_FAULT = None   # the request's test fault, in the child: "split" / "nosplit" force or forbid the split, "part_abort" /
#                 "part_spin" make the grandchild abort / spin, "scan_abort" makes a deferred scan's child abort and
#                 "scan_slow" makes it take 3 s more


def _worksheets(pc, path: Path) -> list[tuple[int, str, str]]:
    """[(position, name, visibility)] of the sheets that can hold cells (not chart/dialog sheets)."""
    wb = pc.CalamineWorkbook.from_path(str(path))
    try:
        metas = {m.name: m for m in (wb.sheets_metadata or [])}
        out = []
        for i, name in enumerate(wb.sheet_names):
            meta = metas.get(name)
            if meta is not None and str(meta.typ).rsplit(".", 1)[-1].lower() not in ("worksheet", "macrosheet"):
                continue
            vis = str(meta.visible).rsplit(".", 1)[-1].lower() if meta is not None else "visible"
            out.append((i, name, vis))
        return out
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001
            pass


def _parse_part(pc, path: Path, lim: dict, which: list[tuple[int, str, str]], colmap: dict | None) -> dict:
    """Read the sheets ``which`` and lay them out and parse their cells (``ledger.reader.parse_sheet``):
    {"ok": True, "sheets": [(position, name, visibility, ParsedSheet | None | "empty")]}."""
    from ledger import reader as R
    wb = pc.CalamineWorkbook.from_path(str(path))
    memo: dict = {}
    out = []
    try:
        for i, name, vis in which:
            got = _sheet_cells(pc, wb, name, lim)
            if got is None:
                continue   # an unreadable (e.g. chart) sheet
            rows, merged = got
            grid = R.Grid(name, rows, merged, vis)
            if not rows or not any(any(v not in ("", None) for v in r) for r in rows[:50]):
                out.append((i, name, vis, "empty"))
                continue
            out.append((i, name, vis, R.parse_sheet(grid, colmap=colmap, memo=memo, as_columns=True)))
            del grid, rows
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001
            pass
    return {"ok": True, "sheets": out}


def _parse_sheets(pc, path: Path, lim: dict, scan, colmap: dict | None, out: str | None) -> dict:
    sheets = _worksheets(pc, path)
    worker = None
    mine = sheets
    forced = _FAULT in ("split", "part_abort", "part_spin")
    if len(sheets) >= 2 and out and _FAULT != "nosplit" and (forced or path.stat().st_size >= SPLIT_MIN_BYTES and (os.cpu_count() or 1) >= 2):
        # every other sheet in a grandchild, which writes its own outcome file next to ours
        worker = _ForkedPart(lambda: _outcome(lambda: _parse_part(pc, path, lim, sheets[1::2], colmap), lim),
                             out + ".part")
        mine = sheets[0::2]
    try:
        res = _parse_part(pc, path, lim, mine, colmap)
        res["uncached"] = scan.result() if scan is not None else {}
        res["parts"] = [worker.result()] if worker is not None else []
    except BaseException:
        if worker is not None:
            worker.cancel()
        raise
    return res


def _die_with_parent() -> None:
    """A grandchild is killed when its parent (the child) is: a timeout kills only the child."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the CPU limit still ends it
        pass


def _fork(body) -> int:
    """Fork a grandchild (limits inherited) that dies with its parent and runs ``body()``: exit 0, 4 on
    MemoryError, 3 on anything else. Returns its pid in the caller."""
    ppid = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _die_with_parent()
            if os.getppid() != ppid:
                os._exit(5)
            body()
        except MemoryError:
            code = 4
        except BaseException:  # noqa: BLE001 - the child reports the exit code
            code = 3
        os._exit(code)
    return pid


class _Grandchild:
    pid: int
    done: bool = False

    def cancel(self) -> bool:
        """Kill it (once); True when this call did."""
        if self.done:
            return False
        self.done = True
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        return True


class _ForkedPart(_Grandchild):
    """A grandchild that runs ``fn`` (limits inherited) and pickles its outcome to ``path``. ``result()``
    returns ``path`` for the caller to read; the grandchild's crash is the child's own (the same signal),
    so the zygote reports it as it reports the child's."""

    def __init__(self, fn, path: str):
        self.path = path

        def body():
            if _FAULT == "part_abort":
                os.abort()
            while _FAULT == "part_spin":
                pass
            data = pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL)
            fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.rename(path + ".tmp", path)   # whole when it appears: the caller may read it before we exit
        self.pid = _fork(body)

    def result(self) -> str:
        _pid, status = os.waitpid(self.pid, 0)
        self.done = True
        if os.WIFSIGNALED(status):
            os.kill(os.getpid(), os.WTERMSIG(status))   # the child ends as its grandchild did
        if os.WEXITSTATUS(status) == 4:
            raise MemoryError
        if os.WEXITSTATUS(status) != 0:
            raise ReadError(_MSG_CRASH.format(why=f"退出码 {os.WEXITSTATUS(status)}"), "crash")
        return self.path



def _read_sheets(pc, path: Path, lim: dict, scan) -> dict:
    sheets = _worksheets(pc, path)
    wb = pc.CalamineWorkbook.from_path(str(path))
    grids = []
    try:
        for _i, name, vis in sheets:
            got = _sheet_cells(pc, wb, name, lim)
            if got is not None:
                grids.append((name, *got, vis))
    finally:
        try:
            wb.close()
        except Exception:  # noqa: BLE001
            pass
    uncached = scan.result() if scan is not None else {}
    return {"ok": True, "grids": grids, "uncached": uncached}


def _sheet_cells(pc, wb, name: str, lim: dict) -> tuple[list, list] | None:
    """(rows, merged ranges) of one sheet; None for a sheet calamine cannot read (e.g. a chart)."""
    try:
        sh = wb.get_sheet_by_name(name)
    except pc.PasswordError:
        raise
    except (pc.CalamineError, ValueError):
        return None
    _check_shape("", sh.height, sh.width, lim, sheet=name)
    rows = sh.to_python(skip_empty_area=False)
    return rows, [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sh.merged_cell_ranges or [])]


class _ForkedScan(_Grandchild):
    """``_uncached_formulas`` in a grandchild (same limits, inherited), run while calamine parses in the
    child (``read_grids`` and a parse that does not defer the scan)."""

    def __init__(self, path: Path, cpu_seconds: int):
        self.cpu = cpu_seconds
        self.r, w = os.pipe()

        def body():
            os.close(self.r)
            data = pickle.dumps(_uncached_formulas(path), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as f:
                f.write(data)
        self.pid = _fork(body)
        os.close(w)

    def result(self) -> dict:
        with os.fdopen(self.r, "rb") as f:
            data = f.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.done = True
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0) or not data:
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 4:
                raise MemoryError   # the scan hit the memory limit: the same rejection as the parser
            if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                raise ReadError(_MSG_CPU.format(s=self.cpu), "timeout")
            raise ReadError("文件已损坏：工作表内容无法解压或解析", "corrupt")
        return pickle.loads(data)

    def cancel(self) -> bool:
        if not super().cancel():
            return False
        try:
            os.close(self.r)
        except OSError:
            pass
        return True


_REF_RE = re.compile(rb'\br="\$?([A-Z]{1,4})\$?(\d{1,8})"')


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """{worksheet part path: sheet name} from workbook.xml + its rels."""
    try:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for m in re.finditer(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        attrs = m.group(1)
        i = re.search(rb'\bId="([^"]+)"', attrs)
        t = re.search(rb'\bTarget="([^"]+)"', attrs)
        if i and t:
            tgt = t.group(1).decode("utf-8", "replace")
            tgt = tgt.lstrip("/") if tgt.startswith("/") else "xl/" + tgt
            targets[i.group(1)] = os.path.normpath(tgt).replace("\\", "/")
    out = {}
    for m in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)>", wb):
        attrs = m.group(1)
        n = re.search(rb'\bname="([^"]*)"', attrs)
        rid = re.search(rb'\br:id="([^"]+)"', attrs) or re.search(rb'\b\w+:id="([^"]+)"', attrs)
        if n and rid and rid.group(1) in targets:
            import html
            out[targets[rid.group(1)]] = html.unescape(n.group(1).decode("utf-8", "replace"))
    return out


def _uncached_formulas(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """{sheet name: [(row0, col0, kind) …]} of cells calamine reads as empty although they are not:
    'formula' — a formula with no cached value (written by a program that never calculated it);
    'error' — an Excel error value (#DIV/0!, #REF! …); 'number' — a numeric cell whose value is not a
    number. Any of them in a data cell would otherwise lose the amount silently."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    with zipfile.ZipFile(path) as zf:
        parts = _sheet_parts(zf)
        for part, sheet in parts.items():
            try:
                f = zf.open(part)
            except KeyError:
                continue
            hits: list[tuple[int, int, str]] = []
            carry = b""
            with f:
                while True:
                    chunk = f.read(1 << 20)
                    buf = carry + chunk
                    if not chunk:
                        _scan(buf, hits)
                        break
                    cut = buf.rfind(b"</c>")
                    if cut < 0:
                        carry = buf
                        continue
                    _scan(buf[:cut + 4], hits)
                    carry = buf[cut + 4:]
            if hits:
                out[sheet] = hits
    return out


_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_T_RE = re.compile(rb'\bt="([^"]*)"')
_V_RE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>|<(?:\w+:)?v\s*/>")
_NUM_OK = re.compile(rb"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*|\s*[+-]?(?:inf|nan|INF|NAN|NaN|Inf|infinity|Infinity)\s*")


# A chunk can only hold a hit of ``_scan`` if it has a formula (``<f``), an error cell (``t="e"``) or a
# ``<v>`` whose text is not a number: three searches in C. Chunks with none of them (almost every
# chunk of a real ledger) skip the per-cell regex, which cost ~2 s per 40,000-row ledger (issue #7).
# The number test starts at the literal "v>" (``<v>`` and a namespaced ``<x:v>`` alike, and the end tag
# ``</v>``, followed by "<": a number by this rule), so the regex engine jumps between its occurrences
# instead of trying every "<" (a leading ``<(?:\w+:)?`` cost 1.2 s per 200,000-row ledger; this 0.4 s).
# It may match more than a value (a "v>" in a text cell): then the chunk is scanned cell by cell,
# which only costs time. Possessive quantifiers: a number has one reading, so nothing to backtrack.
_V_NOT_NUM = re.compile(
    rb"v>(?!\s*+(?:[+-]?+(?:\d++\.?+\d*+|\.\d++)(?:[eE][+-]?+\d++)?+"
    rb"|[+-]?+(?:infinity|Infinity|inf|nan|INF|NAN|NaN|Inf))?+\s*+<)")


def _may_hit(buf: bytes) -> bool:
    return b"<f" in buf or b't="e"' in buf or _V_NOT_NUM.search(buf) is not None


def _scan(buf: bytes, hits: list) -> None:
    if _may_hit(buf):
        _scan_cells(buf, hits)


def _scan_cells(buf: bytes, hits: list) -> None:
    """The per-cell scan: every ``<c>`` element of ``buf`` checked by regex (slow; see ``_may_hit``)."""
    for m in _CELL_RE.finditer(buf):
        attrs, inner = m.group(1), m.group(2)
        t = _T_RE.search(attrs)
        t = t.group(1) if t else b"n"
        v = _V_RE.search(inner)
        val = v.group(1) if v and v.group(1) is not None else None
        kind = None
        if b"<f" in inner and not val and not (t == b"str" and v is not None):
            kind = "formula"
        elif t == b"e":
            kind = "error"
        elif t == b"n" and val is not None and val.strip() and not _NUM_OK.fullmatch(val):
            kind = "number"
        if kind:
            r = _REF_RE.search(attrs)
            if r:
                hits.append((int(r.group(2)) - 1, col_number(r.group(1).decode()) - 1, kind))


class _Unpickler(pickle.Unpickler):
    _ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta"),
                ("builtins", "bytearray"), ("builtins", "set"), ("builtins", "frozenset"),
                ("decimal", "Decimal"), ("ledger.reader", "ParsedSheet"), ("ledger.reader", "Column")}

    def find_class(self, module, name):
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _load(path: str) -> dict:
    with open(path, "rb") as f:
        data = f.read()
    try:
        res = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001
        raise ReadError("文件解析失败：读取程序返回了无效的结果", "crash") from None
    if not isinstance(res, dict) or not res.get("ok"):
        msg = res.get("message") if isinstance(res, dict) else None
        raise ReadError(msg or "文件无法读取", (res.get("code") if isinstance(res, dict) else None) or "unreadable")
    return res


def _run(path: Path, lim: dict | None, mode: str, colmap: dict | None = None, *, scan: bool = True,
         zygote: "_Zygote | None" = None) -> dict:
    """The child's outcome for ``mode`` ("grids" | "parse" | "scan"), with the parts of a split parse merged.
    ``scan=False``: a parse without the uncached-cell scan (the caller runs it as a ``PendingScan``)."""
    lim = {**defaults(), **(lim or {})}
    path = Path(path).resolve()
    pre = precheck(path, lim)
    fd, out = tempfile.mkstemp(prefix="ledger_parse_", suffix=".pickle")
    os.close(fd)
    _OUTSTANDING.add(out)
    early = _EarlyPart(out + ".part") if mode == "parse" else None
    try:
        reply = (zygote or _ZYGOTE).run({"path": str(path), "limits": lim, "kind": pre.kind, "out": out, "mode": mode,
                                         "colmap": colmap, "scan": scan,
                                         "fault": os.environ.get("LEDGER_SANDBOX_FAULT")})
        part_early = early.stop() if early is not None else None
        if reply is None:
            raise ReadError(_MSG_CRASH.format(why="解析进程无法启动"), "crash")
        if reply["timeout"] or reply["signal"] == signal.SIGXCPU:
            secs = lim["parse_timeout_seconds"] if reply["timeout"] else lim["parse_cpu_seconds"]
            raise ReadError(_MSG_CPU.format(s=secs), "timeout")
        if reply["signal"] is not None or reply["exit"] != 0:
            why = {signal.SIGABRT: "内存分配失败或内部错误", signal.SIGSEGV: "非法内存访问",
                   signal.SIGBUS: "非法内存访问", signal.SIGKILL: "被系统终止，多为内存不足"}.get(
                reply["signal"], f"退出码 {reply['exit']}" if reply["signal"] is None else f"信号 {reply['signal']}")
            raise ReadError(_MSG_CRASH.format(why=why) + f"；内存上限 {lim['parse_memory_mb']} MB", "crash")
        res = _load(out)
        for part in res.get("parts", []):
            if part != out + ".part":   # only the file the child was told to use
                raise ReadError("文件解析失败：读取程序返回了无效的结果", "crash")
            res["sheets"] = res["sheets"] + (part_early if part_early is not None else _load(part))["sheets"]
        return res
    finally:
        if early is not None:
            early.stop()
        _OUTSTANDING.discard(out)
        _unlink_outcome(out)


def _unlink_outcome(out: str) -> None:
    for f in (out, out + ".part", out + ".part.tmp"):
        try:
            os.unlink(f)
        except OSError:
            pass


# The outcome files of the requests still running. A deferred scan nobody waited for (its import was
# rejected first) is a daemon thread, stopped without its ``finally`` when the interpreter exits: its file
# is removed here instead, so a command-line import does not leave one in the temp directory per run. A
# child still running then finds no file to open (it opens without O_CREAT) or writes into an unlinked one.
_OUTSTANDING: set[str] = set()
atexit.register(lambda: [_unlink_outcome(out) for out in list(_OUTSTANDING)])


class _EarlyPart:
    """Reads the grandchild's outcome (``<out>.part``) as soon as it appears, in a thread, while the child is
    still parsing its own sheets: the parent is idle then, and unpickling the part is otherwise done after
    the child exits (~0.07 s per 20,000-row sheet, issue #7). The file appears whole (renamed into place).
    Its content counts only if the child then succeeds (the child's own checks of its grandchild); until
    then it is only held. ``stop()`` ends the wait and gives the loaded outcome, or None (not there yet,
    or it did not load: the caller loads it itself and reports what is wrong)."""

    def __init__(self, path: str):
        self.path = path
        self.done = threading.Event()
        self.result: dict | None = None
        self.thread = threading.Thread(target=self._watch, name="ledger-part", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.done.wait(0.005):
            if os.path.exists(self.path):
                try:
                    self.result = _load(self.path)
                except Exception:  # noqa: BLE001 - the caller loads it again and reports
                    self.result = None
                return

    def stop(self) -> dict | None:
        self.done.set()
        self.thread.join()
        return self.result


def read_grids(path: Path, lim: dict | None = None) -> tuple[list[tuple[str, list, list, str]], dict]:
    """([(sheet name, rows, merged ranges, visibility)], {sheet: [(row0, col0) uncached formulas]}).
    Raises ReadError (Chinese) for anything that cannot be read safely."""
    res = _run(path, lim, "grids")
    return res["grids"], res["uncached"]


def parse_sheets(path: Path, lim: dict | None = None, colmap: dict | None = None, *,
                 defer_scan: "bool | PendingScan" = False):
    """The workbook's sheets read, laid out and parsed in the child (``ledger.reader.parse_sheet``), two
    processes at once for a large workbook of several sheets: ([(name, visibility, ParsedSheet | None |
    "empty")] in workbook order, {sheet: [(row0, col0, kind)] uncached cells}). Raises ReadError.
    ``defer_scan``: the second item is a ``PendingScan`` started when the parse is done, instead of the
    scan's result (the parse's own processes then have the two cores to themselves)."""
    res = _run(path, lim, "parse", colmap, scan=not defer_scan)
    items = [(name, vis, ps) for _i, name, vis, ps in sorted(res["sheets"], key=lambda t: t[0])]
    if not defer_scan:
        return items, res["uncached"]
    # a PendingScan given: the scan of this same file, already running (a second parse with other settings)
    return items, defer_scan if isinstance(defer_scan, PendingScan) else PendingScan(path, lim)


# The scan's own zygote: a deferred scan runs while the caller may start another parse (the web page's
# preview, a second import), and one zygote serves one request at a time.
_SCAN_ZYGOTE = _Zygote()


class PendingScan:
    """``_uncached_formulas`` of a workbook in a sandboxed child of its own (same limits, same Chinese
    failures as a parse), started now and run while the caller goes on (issue #7: an import validates and
    shapes its rows meanwhile, on the core the parse no longer needs). ``result()`` waits for it:
    {sheet: [(row0, col0, kind)]}, or raises ReadError. A file that is not a zip workbook (.xls) has nothing
    to scan: ``{}``, with no child. A scan nobody waits for (the import was rejected first) ends on its own."""

    def __init__(self, path: Path, lim: dict | None = None):
        self.uncached: dict | None = None
        self.error: ReadError | None = None
        self.thread: threading.Thread | None = None
        with open(path, "rb") as f:   # the parse has just read this file: it exists
            zipped = f.read(4) == _ZIP_MAGIC
        if not zipped:
            self.uncached = {}
            return
        self.thread = threading.Thread(target=self._scan, args=(Path(path), lim), name="ledger-scan", daemon=True)
        self.thread.start()

    def _scan(self, path: Path, lim: dict | None) -> None:
        try:
            self.uncached = _run(path, lim, "scan", zygote=_SCAN_ZYGOTE)["uncached"]
        except ReadError as e:
            self.error = e
        except Exception:  # noqa: BLE001 - as a parse's failure: a Chinese rejection, never a traceback
            self.error = ReadError("文件已损坏：工作表内容无法解压或解析", "corrupt")

    def result(self) -> dict:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.uncached
