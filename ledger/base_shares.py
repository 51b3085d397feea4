"""Base shares for the 衔接资金 allocation simulator, read from an uploaded .xlsx/.csv (单位, 基数)."""
from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd


def read_base_shares(name: str, data: bytes) -> dict[str, Decimal]:
    """Base shares from an uploaded .xlsx/.csv with columns 单位 and 基数 (e.g. last year's 万元).

    Raises ValueError with a Chinese message when the columns are missing or a value is not a
    non-negative number.
    """
    buf = io.BytesIO(data)
    if name.lower().endswith(".csv"):
        df = pd.read_csv(buf, dtype=str, encoding="utf-8-sig")
    else:
        df = pd.read_excel(buf, dtype=str)
    df.columns = [str(c).strip() for c in df.columns]
    if not {"单位", "基数"} <= set(df.columns):
        raise ValueError("基数文件需要“单位”和“基数”两列")
    out: dict[str, Decimal] = {}
    for i, (u, b) in enumerate(zip(df["单位"], df["基数"]), start=2):
        if pd.isna(u) or not str(u).strip():
            continue
        try:
            v = Decimal(str(b).replace(",", "").strip())
        except Exception:  # noqa: BLE001
            raise ValueError(f"第{i}行基数“{b}”不是数字") from None
        if v < 0:
            raise ValueError(f"第{i}行基数不能为负数")
        out[str(u).strip()] = v
    if not out:
        raise ValueError("基数文件没有数据行")
    return out
