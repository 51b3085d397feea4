"""ui.cache: one cache of analytics results for every session, keyed by the data version, and handing out
copies a page may change (issue #7 item 4)."""
from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest

from analytics.filters import Filters
from ui import cache

CALLS: list[tuple] = []


def frame_of_round(con, *, as_of: date, filters: Filters | None = None) -> pd.DataFrame:
    """A stand-in analytics function: records each computation."""
    CALLS.append(("frame", as_of))
    return pd.DataFrame({"code": ["P01", "P02"], "n": [1, 2]})


def nested(con, *, as_of: date) -> dict:
    CALLS.append(("nested", as_of))
    return {"coverage": 0.5, "missing": pd.DataFrame({"code": ["P03"]}), "codes": ["P01", "P02"],
            "pair": (pd.Series([1, 2]), "x")}


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    CALLS.clear()
    yield
    cache.clear()


def _ctx(version="v1", as_of=date(2024, 3, 14)):
    return SimpleNamespace(con=None, as_of=as_of, filters=Filters(), settings={}, version=version)


def test_second_call_of_a_round_is_not_computed_again_and_a_new_version_is():
    a = cache.call(frame_of_round, _ctx())
    b = cache.call(frame_of_round, _ctx())          # another session, same data version and round
    assert CALLS == [("frame", date(2024, 3, 14))]
    assert a is not b and a.equals(b)
    cache.call(frame_of_round, _ctx(version="v2"))  # an import landed
    cache.call(frame_of_round, _ctx(as_of=date(2024, 2, 29)))
    assert len(CALLS) == 3


def test_a_page_changing_its_copy_does_not_change_the_cached_result():
    a = cache.call(frame_of_round, _ctx())
    a["label"] = ["一", "二"]                 # a page adds a column …
    a.loc[0, "n"] = 99                        # … and overwrites a cell of its copy
    a.sort_values("n", inplace=True)
    b = cache.call(frame_of_round, _ctx())
    assert list(b.columns) == ["code", "n"]
    assert b["n"].tolist() == [1, 2] and b["code"].tolist() == ["P01", "P02"]
    assert len(CALLS) == 1


def test_containers_are_rebuilt_around_fresh_items():
    a = cache.call(nested, _ctx())
    a["missing"].loc[0, "code"] = "changed"
    a["codes"].append("P99")
    a["coverage"] = 1.0
    a["pair"][0].iloc[0] = 7
    b = cache.call(nested, _ctx())
    assert b["missing"]["code"].tolist() == ["P03"]
    assert b["codes"] == ["P01", "P02"]
    assert b["coverage"] == 0.5
    assert b["pair"][0].tolist() == [1, 2]
    assert len(CALLS) == 1


def test_bump_version_drops_the_results():
    cache.call(frame_of_round, _ctx())
    cache.bump_version()
    cache.call(frame_of_round, _ctx())
    assert len(CALLS) == 2


def scored(con, *, as_of: date, settings: dict) -> float:
    CALLS.append(("scored", settings["beta"]))
    return settings["beta"] * 2


def test_settings_equal_to_the_stored_ones_share_the_plain_calls_result():
    """An analyst page passes its sliders' settings; at their saved values that is the stored settings,
    and the result is the one a plain call (and the sign-in warm-up's replay) computed."""
    ctx = SimpleNamespace(con=None, as_of=date(2024, 3, 14), filters=Filters(), settings={"beta": 0.5, "cap": 0.2},
                          version="v1")
    assert cache.call(scored, ctx) == 1.0
    assert cache.call(scored, ctx, settings={"cap": 0.2, "beta": 0.5}) == 1.0   # equal, another dict
    assert CALLS == [("scored", 0.5)]
    assert cache.call(scored, ctx, settings={"cap": 0.2, "beta": 0.75}) == 1.5  # moved: its own result
    assert cache.call(scored, ctx, settings={"cap": 0.2, "beta": 0.5}) == 1.0
    assert CALLS == [("scored", 0.5), ("scored", 0.75)]
