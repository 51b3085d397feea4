"""#8.11: no English on screen where Streamlit lets us set it. Read from the source of every page and
shared UI module: each selectbox/multiselect names its placeholder, no multiselect shows Streamlit's
untranslatable "Select all", every date_input shows YYYY-MM-DD, every file_uploader has a Chinese
help text, and every st.dataframe draws a missing value as "—". A new widget without these fails here."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py")])


def _calls(name: str):
    out = []
    for f in FILES:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
                out.append((f"{f.name}:{node.lineno}", {k.arg: k.value for k in node.keywords}))
    return out


def _const(v):
    return v.value if isinstance(v, ast.Constant) else None


def _is_chinese(s) -> bool:
    return isinstance(s, str) and any("\u4e00" <= ch <= "\u9fff" for ch in s)


@pytest.mark.parametrize("widget", ["selectbox", "multiselect"])
def test_choice_widgets_have_chinese_placeholders(widget):
    calls = _calls(widget)
    assert calls, widget
    bad = [w for w, kw in calls if not _is_chinese(_const(kw.get("placeholder")))]
    assert not bad, f"{widget} without a Chinese placeholder (Streamlit's default is English): {bad}"


def test_multiselects_hide_select_all():
    bad = [w for w, kw in _calls("multiselect") if _const(kw.get("select_all")) is not False]
    assert not bad, f"multiselect showing Streamlit's English “Select all”: {bad}"


def test_dates_are_yyyy_mm_dd():
    calls = _calls("date_input")
    assert len(calls) >= 3
    bad = [w for w, kw in calls if _const(kw.get("format")) != "YYYY-MM-DD"]
    assert not bad, f"date_input not in YYYY-MM-DD (Streamlit's default is YYYY/MM/DD): {bad}"


def test_uploaders_have_chinese_help():
    calls = _calls("file_uploader")
    assert len(calls) >= 2
    bad = [w for w, kw in calls if not _is_chinese(_const(kw.get("help")))]
    assert not bad, f"file_uploader without a Chinese help text: {bad}"


def test_number_inputs_without_value_have_placeholder():
    # a number_input with value=None shows its placeholder (English-free only when we set one)
    bad = [w for w, kw in _calls("number_input")
           if isinstance(kw.get("value"), ast.Constant) and kw["value"].value is None
           and not _is_chinese(_const(kw.get("placeholder")))]
    assert not bad, bad


def test_tables_draw_missing_as_dash():
    calls = [(w, kw) for w, kw in _calls("dataframe")]
    assert calls
    bad = [w for w, kw in calls if "placeholder" not in kw]
    assert not bad, f"st.dataframe without placeholder (Streamlit draws None): {bad}"
