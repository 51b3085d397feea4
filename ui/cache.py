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

import importlib
import inspect
import json
import os
import threading
import time
from collections import OrderedDict
from dataclasses import fields
from pathlib import Path
from typing import Callable

import pandas as pd
import streamlit as st

from analytics.filters import Filters


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
# They are also saved beside the database (``recent_path``), so the warm-up after a server restart
# computes the pages people visited before it, not 总览 alone (``load_recent``).
RECENT_MAX = 128
WARM_ENV = "LEDGER_WARM"          # "0": no server warm-up (ui.warm), and nothing saved for it
RECENT_SUFFIX = ".warm.json"
RECENT_FORMAT = 1
SAVE_EVERY = 30.0                 # s: a change of order alone is saved at most this often (a new call at once)
_ALLOWED_MODULE = "analytics."    # the only functions a saved list may name
SEARCH_ARG = "q"                  # free text typed into a search box (项目详情): a call with it is not remembered
_recent: OrderedDict[tuple, tuple[Callable, dict]] = OrderedDict()
_recent_lock = threading.Lock()
_save_lock = threading.Lock()
_loaded: set[str] = set()         # database paths whose saved list this process has read
_saved_at = 0.0                   # time.monotonic() of the last save


def _fn_key(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _recent_key(fn: Callable, kw: dict) -> tuple:
    return (_fn_key(fn), repr(sorted(kw.items(), key=lambda kv: kv[0])))


def _remember(fn: Callable, ctx, kwargs: dict) -> None:
    if "as_of" in kwargs:                           # pinned to another round
        return
    if kwargs.get(SEARCH_ARG):                      # one visitor's search text: not replayed, never saved
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
    key = _recent_key(fn, kw)
    with _recent_lock:
        new = key not in _recent
        if not new and next(reversed(_recent)) == key:
            return                                  # already the most recent: nothing changed
        _recent[key] = (fn, kw)
        _recent.move_to_end(key)
        while len(_recent) > RECENT_MAX:
            _recent.popitem(last=False)
        due = new or time.monotonic() - _saved_at >= SAVE_EVERY
    if due:
        save_recent()


def recent_calls() -> list[tuple[Callable, dict]]:
    """The remembered calls, most recent first (fn, keyword arguments: filters included when fn takes
    them, never as_of or settings)."""
    with _recent_lock:
        return list(reversed(_recent.values()))


def recent_path(db) -> Path:
    """Where the remembered calls of database ``db`` are saved: ``<db file>.warm.json`` beside it."""
    db = Path(db)
    return db.with_name(db.name + RECENT_SUFFIX)


# A saved keyword argument is JSON of the few kinds page calls pass: None, bool, int, str, and tagged
# tuples, lists and Filters. A call with any other kind stays in memory only.
def _encode(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, Filters):
        return {"filters": {f.name: _encode(getattr(v, f.name)) for f in fields(Filters)}}
    if isinstance(v, tuple):
        return {"tuple": [_encode(x) for x in v]}
    if isinstance(v, list):
        return {"list": [_encode(x) for x in v]}
    raise TypeError(type(v).__name__)


def _decode(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, dict) and len(v) == 1:
        (tag, body), = v.items()
        if tag in ("tuple", "list") and isinstance(body, list):
            items = [_decode(x) for x in body]
            return tuple(items) if tag == "tuple" else items
        if tag == "filters" and isinstance(body, dict) and set(body) <= {f.name for f in fields(Filters)}:
            return Filters(**{k: _decode(x) for k, x in body.items()})
    raise ValueError(repr(v)[:80])


def _resolve(name: str) -> Callable | None:
    """The analytics function a saved list names, or None. Only a public function of a public module
    under ``analytics.`` (imported if need be), defined in that module, of the shape of an analytics read
    (``fn(con, *, ...)``: every parameter after ``con`` keyword-only) is returned; nothing else is
    imported or called (``analytics._db.query``, which runs the SQL it is given, is private)."""
    module, _, attr = name.rpartition(".")
    parts = module.split(".")
    if (not module.startswith(_ALLOWED_MODULE) or not attr.isidentifier() or attr.startswith("_")
            or not all(p.isidentifier() and not p.startswith("_") for p in parts)):
        return None
    try:
        fn = getattr(importlib.import_module(module), attr, None)
    except ImportError:
        return None
    if not inspect.isfunction(fn) or _fn_key(fn) != name:
        return None
    params = list(inspect.signature(fn).parameters.values())
    if not params or params[0].name != "con" or any(p.kind is not p.KEYWORD_ONLY for p in params[1:]):
        return None
    return fn


def save_recent(db=None) -> bool:
    """Write the remembered calls beside the database (``recent_path``; atomically: a temporary file,
    then a rename). Calls with a kind of argument JSON cannot hold are left out. Nothing when
    ``LEDGER_WARM=0``; a read-only folder only skips the save. Returns whether a file was written."""
    global _saved_at
    if os.environ.get(WARM_ENV, "1") == "0":
        return False
    from ledger import db as ledger_db

    path = ledger_db.db_path(db)
    target = recent_path(path)
    with _save_lock:                    # one save at a time: the last file written is the newest list
        load_recent(path)               # a page run before this process's first warm-up keeps the saved list
        with _recent_lock:
            calls = []
            for fn, kw in _recent.values():                      # oldest first, as they are loaded
                try:
                    calls.append({"fn": _fn_key(fn), "kwargs": {k: _encode(v) for k, v in kw.items()}})
                except TypeError:
                    continue
            _saved_at = time.monotonic()
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"format": RECENT_FORMAT, "calls": calls}, ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)
            return False
    return True


def load_recent(db) -> int:
    """Once per process and database: put the calls an earlier process saved for ``db`` beneath this
    process's own (older than any call made since the start). An entry that names anything but an
    analytics function, or has arguments that do not read back exactly, is skipped; an unreadable file
    is ignored. Returns how many saved calls were added."""
    path = str(Path(db))
    with _recent_lock:
        if path in _loaded:
            return 0
        _loaded.add(path)
    try:
        doc = json.loads(recent_path(db).read_text(encoding="utf-8"))
        saved = doc["calls"] if isinstance(doc, dict) and doc.get("format") == RECENT_FORMAT else []
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    found = []
    for entry in saved if isinstance(saved, list) else []:
        try:
            fn = _resolve(entry["fn"])
            kw = {k: _decode(v) for k, v in entry["kwargs"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        if fn is None or not all(isinstance(k, str) for k in kw):
            continue
        params = inspect.signature(fn).parameters
        if not set(kw) <= set(params) or {"as_of", "settings"} & set(kw):
            continue
        found.append((_recent_key(fn, kw), fn, kw))
    added = 0
    with _recent_lock:
        for key, fn, kw in reversed(found):                  # newest saved first, each to the front
            if key in _recent:
                continue
            if len(_recent) >= RECENT_MAX:
                break
            _recent[key] = (fn, kw)
            _recent.move_to_end(key, last=False)
            added += 1
    return added


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
