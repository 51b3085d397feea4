#!/usr/bin/env python
"""#7's benchmark at several scales, written to bench/RESULTS.md (machine, versions, every number).

    .venv/bin/python bench/bench_scales.py                    # district (×1) and province (×150)
    .venv/bin/python bench/bench_scales.py --scales 1 --no-import   # quick

For each scale K it builds the store with the project's own path (``python -m ledger load-sample --scale
K``, timed), then, each in a fresh child process whose peak RSS is read from the kernel (wait4):
- bench_pages.py: every page's cold and warm AppTest run, with the ratio to a trivial AppTest run
  measured in the same process (the baseline);
- bench_analytics.py: each analytics function (cold: no memo) as a ratio to base.projects();
then bench_import.py once (3,000-, 20,000- and 100,000-row ledgers vs the raw fastexcel parse and vs
pandas+openpyxl, in one process). The machine is shared (2 cores): read the ratios, not the seconds.
No limit is asserted here; the targets are in issue #7 and the note on it.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def child(args: list[str], env: dict | None = None) -> tuple[str, float, float]:
    """Run a child; (its output, seconds, peak RSS in MiB of that child alone)."""
    t = time.perf_counter()
    p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env={**os.environ, **(env or {})})
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    dt = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({p.returncode}):\n{out[-3000:]}")
    noise = ("ScriptRunContext", "MemoryCacheStorageManager")  # AppTest's bare-mode warnings
    out = "\n".join(line for line in out.splitlines() if not any(n in line for n in noise))
    return out, dt, ru.ru_maxrss / 1024


def versions() -> str:
    import duckdb
    import pandas
    import plotly
    import streamlit

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "?")
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) // 1024 // 1024} GiB, {platform.platform()}; "
            f"Python {platform.python_version()}, duckdb {duckdb.__version__}, pandas {pandas.__version__}, "
            f"streamlit {streamlit.__version__}, plotly {plotly.__version__}; load average at start "
            f"{os.getloadavg()[0]:.1f}")


def _journal(out: Path) -> str:
    """The hand-written part of ``out`` (from its first "## Session" heading on: what each session measured and
    why), kept below the tables a new run writes."""
    try:
        text = out.read_text(encoding="utf-8")
    except OSError:
        return ""
    at = text.find("\n## Session ")
    return "" if at < 0 else text[at + 1:]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,150", help="comma list of K or KxR (e.g. 1,150,1539x12)")
    ap.add_argument("--no-import", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    a = ap.parse_args(argv)
    journal = _journal(a.out)
    lines = ["# Benchmark results (#7)", "",
             f"Written by `bench/bench_scales.py` on {datetime.now():%Y-%m-%d %H:%M}. Machine: {versions()}.",
             "Every ratio is against a baseline measured in the same process and run; seconds are noisy "
             "(the machine is shared). Peak RSS is the child process's own (kernel wait4).", ""]
    with tempfile.TemporaryDirectory(prefix="bench-") as d:
        for spec in a.scales.split(","):
            k, _, r = spec.partition("x")  # "150" or "1539x12" (×1539, first 12 rounds: ~1,000,000 projects)
            k = int(k)
            db = Path(d) / f"x{k}.duckdb"
            _, build_s, build_rss = child([PY, "-m", "ledger", "load-sample", "--scale", str(k), "--db", str(db)]
                                          + (["--rounds", r] if r else []))
            summ, _, _ = child([PY, "-m", "ledger", "summary", "--db", str(db), "--json"])
            lines += [f"## Scale ×{k}" + (f", first {r} rounds" if r else ""), "",
                      f"`load-sample --scale {k}{' --rounds ' + r if r else ''}`: {build_s:.0f} s, peak RSS {build_rss:.0f} MiB. "
                      f"`summary --json`: `{summ.strip()[:300]}`", ""]
            pages, _, pages_rss = child([PY, "bench/bench_pages.py", "--db", str(db)])
            lines += [f"Pages (AppTest; app process peak RSS {pages_rss:.0f} MiB):", "", "```", pages.strip(), "```", ""]
            ana, _, ana_rss = child([PY, "bench/bench_analytics.py", "--db", str(db), "--repeat", "2"])
            lines += [f"Analytics (peak RSS {ana_rss:.0f} MiB):", "", "```", ana.strip(), "```", ""]
            db.unlink(missing_ok=True)
            a.out.write_text("\n".join(lines) + "\n" + journal, encoding="utf-8")
            print("\n".join(lines[-12:]), flush=True)
    if not a.no_import:
        imp, _, imp_rss = child([PY, "bench/bench_import.py", "--rows", "3000", "20000", "100000"])
        lines += ["## Import", "", f"(peak RSS {imp_rss:.0f} MiB)", "", "```", imp.strip(), "```", ""]
    if "x" not in a.scales:
        lines += ["## Not measured", "",
                  "- nation (1,000,000 projects × 12 rounds): run `--scales 1539x12 --no-import --out "
                  "bench/RESULTS-nation.md` (2.4 GB on disk, 3.7 min to build on 2026-12-04, peak RSS 17.0 GiB "
                  "while building).", ""]
    a.out.write_text("\n".join(lines) + "\n" + journal, encoding="utf-8")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
