"""Cached analytics calls: ``call(analytics_fn, ctx, **kwargs)``.

Results are cached on (function, data version, as_of, filters, settings override, kwargs); the data
version changes on every import and settings change, and ``bump_version`` frees the old results.
"""
from __future__ import annotations

import inspect
import json
from typing import Callable

import streamlit as st


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_call(fn_key: str, version: str, as_of, filters_key: str, settings_key: str, kwargs_key: tuple,
                 _fn, _con, _kwargs):
    return _fn(_con, **_kwargs)


def call(fn: Callable, ctx, **kwargs):
    """``fn(_con, as_of=ctx.as_of, filters=ctx.filters, settings=ctx.settings, **kwargs)``, cached.

    filters/settings are passed only when ``fn`` accepts them; kwargs may override any of them
    (e.g. ``settings=`` with analyst weights, ``as_of=``, ``filters=None``)."""
    params = inspect.signature(fn).parameters
    kw = dict(kwargs)
    kw.setdefault("as_of", ctx.as_of)
    if "filters" in params:
        kw.setdefault("filters", ctx.filters)
    settings_key = ""
    if "settings" in params:
        if "settings" in kwargs:
            settings_key = json.dumps(kwargs["settings"], sort_keys=True, default=str)
        kw.setdefault("settings", ctx.settings)
    else:
        kw.pop("settings", None)
    if "as_of" not in params:
        kw.pop("as_of")
    rest = {k: v for k, v in kw.items() if k not in ("as_of", "filters", "settings")}
    return _cached_call(
        f"{fn.__module__}.{fn.__qualname__}", ctx.version, kw.get("as_of"), repr(kw.get("filters")),
        settings_key, tuple(sorted(rest.items())), _fn=fn, _con=ctx.con, _kwargs=kw,
    )


def bump_version() -> None:
    """After a write (import, settings): drop cached analytics results so every page recomputes.
    (The data version key changes too; clearing just frees the memory now.)"""
    st.cache_data.clear()
