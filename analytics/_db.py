"""Query helper: DuckDB → pandas with money kept exact.

DuckDB's ``.df()`` turns DECIMAL into float64; we go through Arrow and keep DECIMAL columns as
``pd.ArrowDtype(decimal128)`` so sums stay exact (``df.x.sum()`` is a ``decimal.Decimal``).
Plotly and st.dataframe accept these columns as they are.
"""
from __future__ import annotations

import warnings
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _mapper(t: pa.DataType):
    if pa.types.is_decimal(t):
        return pd.ArrowDtype(t)
    if pa.types.is_integer(t):
        return pd.Int64Dtype()  # counts with NULLs stay integers (not float NaN)
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None


def query(con, sql: str, params: list | dict | None = None, *, lists: tuple[str, ...] = ()) -> pd.DataFrame:
    """Run ``sql`` with bound ``params`` and return a DataFrame (decimals exact, dates as dates).

    ``lists``: LIST columns to return as Python lists, NULL as ``[]`` (straight from Arrow: ~10x
    faster than pandas' numpy arrays mapped to lists afterwards, 0.2 s per 100,000 rows)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tbl = con.execute(sql, params or []).to_arrow_table()
    if not lists:
        return tbl.to_pandas(types_mapper=_mapper, date_as_object=True)
    df = tbl.drop_columns(list(lists)).to_pandas(types_mapper=_mapper, date_as_object=True)
    for c in tbl.column_names:
        if c in lists:
            df[c] = [[] if v is None else v for v in tbl.column(c).to_pylist()]
    return df[tbl.column_names]


def dec(x) -> Decimal:
    """Any money value (Decimal, int, str, None/NA) → Decimal; None/NA → 0."""
    if x is None or (not isinstance(x, (Decimal, str)) and pd.isna(x)):
        return Decimal(0)
    return x if isinstance(x, Decimal) else Decimal(str(x))


def money_sum(series) -> Decimal:
    """Exact sum of a money column (empty → Decimal(0)). An Arrow DECIMAL column (what ``query`` returns)
    is summed by Arrow in exact decimal arithmetic (no Python loop); anything else value by value."""
    if isinstance(series, pd.Series) and isinstance(series.dtype, pd.ArrowDtype) \
            and pa.types.is_decimal(series.dtype.pyarrow_dtype):
        arr = pa.array(series)
        total = pc.sum(arr.cast(pa.decimal128(38, arr.type.scale))).as_py()
        return Decimal(0) if total is None else total
    return sum((dec(v) for v in series), Decimal(0))
