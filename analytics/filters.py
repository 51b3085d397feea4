"""The shared sidebar filters, applied to a one-row-per-project frame.

Every page honours the same ``Filters``; analytics functions take ``filters: Filters | None``.
An empty tuple means "no filter on this dimension".
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Filters:
    towns: tuple[str, ...] = ()          # 乡镇(街道), canonical names
    departments: tuple[str, ...] = ()    # 项目主管部门
    tiers: tuple[str, ...] = ()          # region/city/district/monitor
    categories: tuple[str, ...] = ()     # 项目类别
    year_from: int | None = None         # 建设年度 from (inclusive)
    year_to: int | None = None           # 建设年度 to (inclusive)
    grades: tuple[str, ...] = ()         # current 风险等级 (red/yellow/green): a page's own filter (整改进度),
    #                                      not the sidebar's; applied like the others so every table honours it

    def is_empty(self) -> bool:
        return self == Filters()

    def sql(self) -> tuple[str, dict]:
        """The same filter as a WHERE condition over columns town, department, tier, category, grade,
        build_year, with its bound parameters (names prefixed f_): ("TRUE", {}) when empty."""
        conds, params = [], {}
        for name, col in (("towns", "town"), ("departments", "department"), ("tiers", "tier"),
                          ("categories", "category"), ("grades", "grade")):
            vals = getattr(self, name)
            if vals:
                conds.append(f"{col} IN (SELECT unnest($f_{name}))")  # col: this fixed list only
                params[f"f_{name}"] = list(vals)
        if self.year_from is not None:
            conds.append("COALESCE(build_year, 0) >= $f_year_from")
            params["f_year_from"] = self.year_from
        if self.year_to is not None:
            conds.append("COALESCE(build_year, 9999) <= $f_year_to")
            params["f_year_to"] = self.year_to
        return (" AND ".join(conds) or "TRUE"), params

    def apply(self, df: pd.DataFrame) -> pd.DataFrame:
        """Keep the rows of a project frame (columns town, department, tier, category, build_year)."""
        if df.empty or self.is_empty():
            return df
        m = pd.Series(True, index=df.index)
        if self.towns:
            m &= df["town"].isin(self.towns)
        if self.departments:
            m &= df["department"].isin(self.departments)
        if self.tiers and "tier" in df:
            m &= df["tier"].isin(self.tiers)
        if self.categories:
            m &= df["category"].isin(self.categories)
        if self.grades and "grade" in df:
            m &= df["grade"].isin(self.grades)
        if self.year_from is not None:
            m &= df["build_year"].fillna(0) >= self.year_from
        if self.year_to is not None:
            m &= df["build_year"].fillna(9999) <= self.year_to
        return df[m]
