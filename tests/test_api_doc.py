"""analytics/API.md is the contract between analytics/ and the pages: it names every public function
of every analytics module (a function added without its entry fails here)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import analytics

API = Path(analytics.__file__).with_name("API.md")


def _sections(text: str) -> dict[str, str]:
    """'## grades.py' → the text of that section (until the next '## '); a heading may name several
    modules ('## project.py, sensitive.py')."""
    out: dict[str, str] = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        for mod in re.findall(r"\w+\.py", part.split("\n", 1)[0]):
            out[mod] = out.get(mod, "") + part
    return out


def public_functions() -> dict[str, list[str]]:
    out = {}
    for m in pkgutil.iter_modules(analytics.__path__):
        if m.name.startswith("_"):
            continue
        mod = importlib.import_module(f"analytics.{m.name}")
        out[m.name] = sorted(n for n, f in inspect.getmembers(mod, inspect.isfunction)
                             if f.__module__ == mod.__name__ and not n.startswith("_"))
    return out


def test_api_md_lists_every_public_function():
    text = API.read_text(encoding="utf-8")
    sections = _sections(text)
    missing = []
    for mod, names in public_functions().items():
        own = sections.get(f"{mod}.py", "")
        for n in names:
            # listed in the module's own section as `name(`, or anywhere as `module.name(`
            if not re.search(rf"`{n}\(", own) and f"{mod}.{n}(" not in text:
                missing.append(f"{mod}.{n}")
    assert not missing, f"analytics/API.md does not list: {missing}"
