"""Process-wide memo of result frames, keyed by the state token (a fresh random ``meta.state_token`` after
every write, ledger/state.py), so a cached frame can never outlive the data it came from. Shared by every
session of the process; the oldest entry goes first when full. ``get`` hands out a shallow copy: pandas
copy-on-write keeps the memo's frame intact whatever the caller does to its copy.
"""
from __future__ import annotations

import pandas as pd


def state_token(con) -> str | None:
    """The store's current state token (None for a database never written through ledger/: not memoised)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'state_token'").fetchone()
    return row[0] if row and row[0] else None


_ALL: list["FrameMemo"] = []


def clear_all() -> None:
    """Forget every memoised frame of the process (benchmarks: a cold run is a fresh process)."""
    for m in _ALL:
        m.clear()


class FrameMemo:
    def __init__(self, size: int):
        self.size = size
        self._d: dict[tuple, pd.DataFrame] = {}
        _ALL.append(self)

    def get(self, key: tuple | None) -> pd.DataFrame | None:
        hit = self._d.get(key) if key is not None else None
        return None if hit is None else hit.copy(deep=False)

    def put(self, key: tuple | None, df: pd.DataFrame) -> pd.DataFrame:
        """Remember ``df`` under ``key`` (no-op for None) and return a copy of it to hand out."""
        if key is not None:
            self._d[key] = df
            while len(self._d) > self.size:
                self._d.pop(next(iter(self._d)))
        return df.copy(deep=False)

    def clear(self) -> None:
        self._d.clear()
