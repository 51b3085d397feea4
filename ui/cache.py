"""Cached analytics calls: ``call(analytics_fn, ctx, **kwargs)``.

Results are cached on (function, data version, as_of, filters, settings override, kwargs); the data
version changes on every import and settings change, and ``bump_version`` frees the old results.

The cache holds the live results (``st.cache_resource``), shared by every session of the process, and
each call hands out a shallow copy (``fresh``). ``st.cache_data`` pickled every result when it was
computed and unpickled it on every hit: at a million projects in force (the nation bench) that was
~0.9 s of 风险分级's 2.2 s cold run for its one million-row table, and the same again on every warm run.
A shallow copy costs microseconds, and pandas' copy-on-write (always on in pandas 3) makes a write to it
copy the touched column first, so a page that adds or changes a column of its copy never changes the
cached result (``tests/pages/test_cache.py``).
"""
from __future__ import annotations

import inspect
import json
import threading
from collections import OrderedDict
from typing import Callable

import pandas as pd
import streamlit as st


@st.cache_resource(show_spinner=False, max_entries=1024)
def _cached_call(fn_key: str, version: str, as_of, filters_key: str, settings_key: str, kwargs_key: tuple,
                 _fn, _con, _kwargs):
    return _fn(_con, **_kwargs)


def fresh(value):
    """``value`` as a caller may change it without changing the cached one: frames and series as
    shallow copy-on-write copies, containers rebuilt around fresh items, the rest (numbers, text, dates,
    Decimal, Fraction: immutable) as they are."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(fresh(v) for v in value)
    if isinstance(value, set):
        return set(value)
    return value


def arguments(fn: Callable, ctx, **kwargs) -> dict:
    """The keyword arguments ``call`` gives ``fn`` (see there), e.g. to run it uncached elsewhere."""
    return _arguments(fn, ctx, kwargs)[0]


def _stored_settings(settings, ctx) -> bool:
    """``settings`` is exactly the stored settings of ``ctx`` (an analyst page's sliders at their saved
    values): then a call with it shares the results of a call without it."""
    stored = getattr(ctx, "settings", None)
    if settings is stored:
        return True
    try:
        return json.dumps(settings, sort_keys=True, default=str) == json.dumps(stored, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return False


def _arguments(fn: Callable, ctx, kwargs: dict) -> tuple[dict, str]:
    params = inspect.signature(fn).parameters
    kw = dict(kwargs)
    kw.setdefault("as_of", ctx.as_of)
    if "filters" in params:
        kw.setdefault("filters", ctx.filters)
    settings_key = ""
    if "settings" in params:
        if "settings" in kwargs and not _stored_settings(kwargs["settings"], ctx):
            settings_key = json.dumps(kwargs["settings"], sort_keys=True, default=str)
        kw.setdefault("settings", ctx.settings)
    else:
        kw.pop("settings", None)
    if "as_of" not in params:
        kw.pop("as_of")
    return kw, settings_key


# The calls page runs made for the newest round with the stored settings, most recent last: what
# ``replay`` computes again for a new data version (ui.warm, while a visitor signs in after an import).
RECENT_MAX = 128
_recent: OrderedDict[tuple, tuple[Callable, dict]] = OrderedDict()
_recent_lock = threading.Lock()


def _remember(fn: Callable, ctx, kwargs: dict) -> None:
    if "as_of" in kwargs:                           # pinned to another round
        return
    if "settings" in kwargs:
        if not _stored_settings(kwargs["settings"], ctx):   # an analyst's own weights
            return
        kwargs = {k: v for k, v in kwargs.items() if k != "settings"}
    rounds = getattr(ctx, "rounds", None)
    if not rounds or ctx.as_of != rounds[-1]:
        return
    kw = dict(kwargs)
    if "filters" in inspect.signature(fn).parameters:
        kw.setdefault("filters", getattr(ctx, "filters", None))
    key = (f"{fn.__module__}.{fn.__qualname__}", repr(sorted(kw.items(), key=lambda kv: kv[0])))
    with _recent_lock:
        _recent[key] = (fn, kw)
        _recent.move_to_end(key)
        while len(_recent) > RECENT_MAX:
            _recent.popitem(last=False)


def recent_calls() -> list[tuple[Callable, dict]]:
    """The remembered calls, most recent first (fn, keyword arguments: filters included when fn takes
    them, never as_of or settings)."""
    with _recent_lock:
        return list(reversed(_recent.values()))


def replay(ctx, calls: list[tuple[Callable, dict]] | None = None) -> int:
    """Compute ``calls`` (default: ``recent_calls()``) for ``ctx`` (its round, settings and data version)
    into the shared cache; returns how many ran without an error (an error is the page's to show)."""
    done = 0
    for fn, kwargs in recent_calls() if calls is None else calls:
        try:
            _call(fn, ctx, kwargs)
            done += 1
        except Exception:  # noqa: BLE001 - a warm-up only
            pass
    return done


def call(fn: Callable, ctx, **kwargs):
    """``fn(_con, as_of=ctx.as_of, filters=ctx.filters, settings=ctx.settings, **kwargs)``, cached.

    filters/settings are passed only when ``fn`` accepts them; kwargs may override any of them
    (e.g. ``settings=`` with analyst weights, ``as_of=``, ``filters=None``). A call for the newest round
    with the stored settings is remembered for ``replay``."""
    _remember(fn, ctx, kwargs)
    return _call(fn, ctx, kwargs)


def _call(fn: Callable, ctx, kwargs: dict):
    kw, settings_key = _arguments(fn, ctx, kwargs)
    rest = {k: v for k, v in kw.items() if k not in ("as_of", "filters", "settings")}
    return fresh(_cached_call(
        f"{fn.__module__}.{fn.__qualname__}", ctx.version, kw.get("as_of"), repr(kw.get("filters")),
        settings_key, tuple(sorted(rest.items())), _fn=fn, _con=ctx.con, _kwargs=kw,
    ))


def clear() -> None:
    """Drop every cached analytics result (the tests and the page bench: a cold run)."""
    _cached_call.clear()


def bump_version() -> None:
    """After a write (import, settings): drop cached analytics results so every page recomputes.
    (The data version key changes too; clearing just frees the memory now.)"""
    _cached_call.clear()
    st.cache_data.clear()
