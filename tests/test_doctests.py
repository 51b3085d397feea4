"""Docs that run: every ``>>>`` example in ledger/ and analytics/ is executed (clocks' month-end rule,
the column registry's formats, ...)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import analytics
import ledger

MODULES = sorted(f"{pkg.__name__}.{m.name}" for pkg in (ledger, analytics)
                 for m in pkgutil.iter_modules(pkg.__path__) if m.name != "__main__")


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert res.failed == 0, f"{name}: {res.failed} of {res.attempted} examples failed"


def test_the_examples_are_found():
    """The modules known to carry examples really do (a doctest that silently stops running fails here)."""
    for name, at_least in (("analytics.clocks", 1), ("ledger.columns", 6)):
        finder = doctest.DocTestFinder()
        n = sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
        assert n >= at_least, (name, n)
