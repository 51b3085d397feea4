#!/usr/bin/env python
"""Where the parse of a ledger goes, per sheet and per step, against the raw fastexcel read of the same
sheet in the same run (issue #7 item 5: what a calamine → Arrow reader could save).

    .venv/bin/python bench/bench_read_phases.py              # the 20,000-row ledger (written if missing)
    .venv/bin/python bench/bench_read_phases.py --rows 3000

For each sheet of a bench/make_big_ledger.py workbook, in one process with the garbage collector off
(as in the sandbox child), the best of ``--repeat`` runs of:
  - fastexcel: ``load_sheet(header_row=None, schema_sample_rows=None)`` + ``to_arrow()`` (the baseline:
    bench_import's "raw" read; every column comes out as text, the header rows being text);
  - fastexcel typed: the same with ``skip_rows`` = the header rows, so the body's columns keep their
    types (float64, timestamp, text) — what a columnar reader would use after finding the header;
  - fastexcel header rows only (``n_rows``): what a columnar reader reads first, to find the header;
  - ``dictionary_encode`` of the typed body columns (Arrow, C++): what would replace the per-cell dict
    passes of ``reader._normalise_column``;
  - python-calamine: ``get_sheet_by_name`` (the Rust parse) and ``to_python`` (cells → Python objects),
    what the sandbox child does now;
  - ``reader.parse_sheet``: header detection, row classification and normalisation (Python), with a
    fresh parse cache (as in the sandbox, where each process parses its own sheet);
  - pickling the parsed sheet (the child → parent transfer);
and, per workbook, the uncached-cell scan (``sandbox._uncached_formulas``). Ratios are to the baseline
of the same sheet. CPU time (process_time), not wall: the machine is shared. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import gc
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t)
    return best, out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="per-step parse costs vs the raw fastexcel read")
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = ap.parse_args(argv)

    import fastexcel
    import python_calamine as pc

    import make_big_ledger
    from bench_scales import versions
    from ledger import reader as R
    from ledger import sandbox as SB

    args.out.mkdir(parents=True, exist_ok=True)
    found = sorted(args.out.glob(f"*_{args.rows}行.xlsx"))
    path = found[0] if found else make_big_ledger.make(args.rows, args.out)
    print(f"machine: {versions()}")
    print(f"{path.name}: CPU seconds, best of {args.repeat}; ratio to the raw fastexcel read of the same sheet")
    gc.disable()
    wb = pc.CalamineWorkbook.from_path(str(path))
    fx = fastexcel.read_excel(str(path))
    for name in wb.sheet_names:
        base, _ = _best(lambda: fx.load_sheet(name, header_row=None, schema_sample_rows=None).to_arrow(), args.repeat)
        t_get, sh = _best(lambda: wb.get_sheet_by_name(name), args.repeat)
        t_py, rows = _best(lambda: sh.to_python(skip_empty_area=False), args.repeat)
        merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sh.merged_cell_ranges or [])]
        grid = R.Grid(name, rows, merged, "visible")
        # a fresh parse cache each run (a shared one would make the later runs look up every value)
        t_parse, ps = _best(lambda: R.parse_sheet(grid, as_columns=True, memo={}), args.repeat)
        head = ps.header_rows[1]
        t_typed, typed = _best(lambda: fx.load_sheet(name, header_row=None, schema_sample_rows=None,
                                                     skip_rows=head).to_arrow(), args.repeat)
        # a columnar reader must find the header before it can ask for typed body columns: the header rows
        # alone (n_rows) cost what fastexcel's load of the sheet costs, because calamine parses the whole
        # sheet XML before any row is handed out
        t_head, _ = _best(lambda: fx.load_sheet(name, header_row=None, n_rows=head + 1).to_arrow(), args.repeat)
        # the body's typed columns dictionary-encoded in C++ (what would replace the per-cell dict passes)
        t_dict, _ = _best(lambda: [col.dictionary_encode() for col in typed.columns], args.repeat)
        t_pickle, _ = _best(lambda: pickle.dumps(ps, protocol=pickle.HIGHEST_PROTOCOL), args.repeat)
        kinds = sorted({str(t) for t in typed.schema.types})
        mapped = {c.index for c in ps.columns}
        as_text = sum(1 for i, t in enumerate(typed.schema.types) if i in mapped and str(t) == "string"
                      and ps.columns[[c.index for c in ps.columns].index(i)].type in ("money", "int", "year", "date"))
        print(f"\n{name} ({len(rows)} rows × {len(rows[0]) if rows else 0} columns)")
        for label, t in [("fastexcel (baseline)", base), (f"fastexcel typed ({', '.join(kinds)})", t_typed),
                         (f"fastexcel header rows only (n_rows={head + 1})", t_head),
                         ("dictionary_encode of the typed columns", t_dict),
                         ("python-calamine get_sheet", t_get), ("python-calamine to_python", t_py),
                         ("reader.parse_sheet", t_parse), ("pickle the parsed sheet", t_pickle)]:
            print(f"  {label:44s} {t:7.3f} s  {t / base:5.2f}x")
        now = t_get + t_py
        print(f"  {'read now (get_sheet + to_python)':44s} {now:7.3f} s  {now / base:5.2f}x")
        print(f"  {'read columnar (header rows + typed body)':44s} {t_head + t_typed:7.3f} s  "
              f"{(t_head + t_typed) / base:5.2f}x")
        print(f"  {'now (get_sheet + to_python + parse + pickle)':44s} {t_get + t_py + t_parse + t_pickle:7.3f} s  "
              f"{(t_get + t_py + t_parse + t_pickle) / base:5.2f}x")
        print(f"  numeric/date fields that fastexcel can only type as text (mixed cells): {as_text} of "
              f"{sum(1 for c in ps.columns if c.type in ('money', 'int', 'year', 'date'))}")
    t_scan, _ = _best(lambda: SB._uncached_formulas(path), args.repeat)
    print(f"\nuncached-cell scan (whole workbook): {t_scan:.3f} s")


if __name__ == "__main__":
    main()
