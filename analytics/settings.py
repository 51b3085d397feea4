"""Reading the settings [A] (DOMAIN §4–§10): ``get_settings(con)`` = defaults merged with the overrides
stored in the ``settings`` table. The defaults, their labels and every write live in ledger/settings.py.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from ledger.settings import DEFAULTS, LABELS

__all__ = ["DEFAULTS", "LABELS", "get_settings"]


def get_settings(con) -> dict[str, Any]:
    """Defaults merged with stored overrides (dict values merged one level deep)."""
    out = copy.deepcopy(DEFAULTS)
    try:
        rows = con.execute("SELECT key, value_json FROM settings").fetchall()
    except Exception:  # no settings table (bare connection in a test)
        rows = []
    for key, value_json in rows:
        val = json.loads(value_json)
        if isinstance(out.get(key), dict) and isinstance(val, dict):
            out[key] = {**out[key], **val}
        else:
            out[key] = val
    return out
