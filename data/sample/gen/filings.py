"""Who files what when: each unit's 填报日期 per round (late and missing units included) and the projects
in its file."""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .base import ROUNDS, SEED, TOWNS, UNITS
from .model import Project
from .style import Style

if TYPE_CHECKING:
    from .district import District


def submissions(styles: dict[str, Style], seed: int = SEED) -> dict[tuple[str, int], date]:
    """(unit, round index) → 填报日期; absent = the unit missed that round."""
    rng = random.Random(seed + 2)
    out = {}
    for u in UNITS:
        st = styles[u]
        for k, rd in enumerate(ROUNDS):
            if k in st.missing:
                continue
            if st.late and k > 0 and rng.random() < 0.35:
                out[(u, k)] = rd + timedelta(days=rng.randint(1, 5))
            else:
                out[(u, k)] = rd - timedelta(days=rng.choice([0, 0, 1, 1, 2, 3]))
    return out


def unit_projects(d: District, unit: str, i: int) -> list[Project]:
    ps = [p for p in d.projects if p.unit == unit and p.entry_round <= i]
    return sorted(ps, key=lambda p: (TOWNS.index(p.town), p.village, p.code))

