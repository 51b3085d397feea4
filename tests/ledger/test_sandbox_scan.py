"""The uncached-cell scan's fast path (ledger.sandbox._may_hit) skips only chunks with no hit.

_scan used to run its per-cell regex over every chunk of every sheet (~2 s per 40,000-row ledger).
Now a chunk is scanned cell by cell only when it has a formula, an error cell or a <v> that is not a
number. These tests compare the fast path with the per-cell scan on cells of every kind."""
from __future__ import annotations

import itertools

from ledger import sandbox as SB


def _full(buf: bytes) -> list:
    """The per-cell scan alone (what _scan did before the fast path)."""
    hits: list = []
    SB._scan_cells(buf, hits)
    return hits


PLAIN = [b'<c r="A1"><v>12.5</v></c>', b'<c r="B1" t="s"><v>3</v></c>', b'<c r="C1"><v> 1E+3 </v></c>',
         b'<c r="D1"><v>-0.25</v></c>', b'<c r="E1" t="inlineStr"><is><t>=SUM(A1)</t></is></c>',
         b'<c r="F1"><v></v></c>', b'<c r="G1" t="b"><v>1</v></c>', b'<x:c r="H1"><x:v>7</x:v></x:c>',
         b'<c r="I1"><v>inf</v></c>']
ODD = [b'<c r="A2"><f>SUM(A1:A9)</f></c>',                    # formula, no cached value
       b'<c r="B2" t="e"><v>#DIV/0!</v></c>',                  # error cell
       b'<c r="C2"><v>1.2.3</v></c>',                          # only digits and dots, still not a number
       b'<c r="D2"><v>abc</v></c>',                            # text in a numeric cell
       b'<c r="E2"><f>A1</f><v>5</v></c>',                     # formula with a cached value: no hit
       b'<c r="F2" t="str"><f>A1</f><v>x</v></c>']             # string formula with a value: no hit


def test_plain_chunks_take_the_fast_path_and_lose_nothing():
    buf = b"<row>" + b"".join(PLAIN * 50) + b"</row>"
    # every cell is a number, a shared/inline string, empty or a boolean: no hit and no per-cell scan
    assert not SB._may_hit(buf)
    assert _full(buf) == []
    hits: list = []
    SB._scan(buf, hits)
    assert hits == []


def test_every_odd_cell_reaches_the_per_cell_scan():
    for cell in ODD:
        buf = b"".join(PLAIN) + cell + b"".join(PLAIN)
        assert SB._may_hit(buf), cell
        hits: list = []
        SB._scan(buf, hits)
        assert hits == _full(buf), cell
    # the four real faults of ODD (rows 2: A formula, B error, C and D not numbers); E and F hold values
    hits: list = []
    SB._scan(b"".join(ODD), hits)
    assert hits == [(1, 0, "formula"), (1, 1, "error"), (1, 2, "number"), (1, 3, "number")]


def test_fast_path_agrees_with_full_scan_on_mixed_chunks():
    cells = PLAIN + ODD
    for combo in itertools.combinations(range(len(cells)), 3):
        buf = b"".join(cells[i] for i in combo)
        hits: list = []
        SB._scan(buf, hits)
        assert hits == _full(buf), combo


# the prefilter before issue #7's second round: a <v> (any namespace) whose text is not a number
_OLD_V_NOT_NUM = __import__("re").compile(
    rb"<(?:\w+:)?v>(?!\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan|INF|NAN|NaN|Inf|infinity|Infinity))?\s*<)")


def test_the_literal_prefix_prefilter_flags_every_value_the_old_one_did():
    values = [b"", b" ", b"1", b"-1", b"+1.", b".5", b"1.5e-3", b"1E+3", b" 2 ", b"1e", b"e5", b"-", b"+",
              b".", b"1.2.3", b"--1", b"1-", b"abc", b"inf", b"-Infinity", b"infinity", b"nan", b"NaNa",
              b"0x10", b"1,000", b"\xe4\xb8\x87", b"1 2", b"#N/A"]
    for v in values:
        for tag in (b"v", b"x:v"):
            buf = b'<c r="A1"><' + tag + b">" + v + b"</" + tag + b"></c>"
            old = _OLD_V_NOT_NUM.search(buf) is not None
            new = SB._V_NOT_NUM.search(buf) is not None
            assert new == old, (tag, v)       # on a value cell the two agree exactly
            hits: list = []
            SB._scan(buf, hits)
            assert hits == _full(buf), (tag, v)
    # "v>" in a text cell makes the new prefilter scan the chunk cell by cell: slower, same hits
    buf = b'<c r="A1" t="inlineStr"><is><t>av>b</t></is></c><c r="B1"><v>1</v></c>'
    assert SB._may_hit(buf) and _OLD_V_NOT_NUM.search(buf) is None
    hits = []
    SB._scan(buf, hits)
    assert hits == _full(buf) == []
