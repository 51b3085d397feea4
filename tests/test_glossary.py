"""Docs that fail when stale: every code has a Chinese label, every setting a label, no header
synonym is claimed by two fields of one form."""
import re

from analytics import settings
from ledger import forms, glossary as g


def test_nine_fund_sources_in_policy_order():
    assert list(g.FUND_SOURCES.values()) == [
        "财政专项扶贫资金", "统筹整合财政涉农资金", "彩票公益金", "用于支持脱贫攻坚的政府债券", "行业扶贫资金",
        "各级财政衔接推进乡村振兴补助资金", "广东帮扶广西财政协作资金", "中央单位定点帮扶无偿援助资金", "社会捐赠资金",
    ]
    assert set(g.FUND_SOURCE_SYNONYMS) == set(g.FUND_SOURCES) == set(g.FUND_SOURCE_SHORT)


def test_fifteen_towns_with_division_codes():
    assert len(g.TOWNS) == 15
    assert all(re.fullmatch(r"4511021\d\d|45110200\d", c) for c in g.TOWNS.values())
    assert len(set(g.TOWNS.values())) == 15


def test_every_code_has_a_label_and_ascii_code():
    for kind in ["grade", "fund_source", "problem", "sensitive", "pretreatment", "disposal", "build_status",
                 "op_status", "asset_type", "task_status", "signoff_status", "tier", "clock_status",
                 "submission_status", "unit_kind", "form", "band", "interaction_kind", "interaction_status"]:
        for code, lbl in g.labels(kind).items():
            assert code.isascii() and code == code.lower(), (kind, code)
            assert lbl and not lbl.isascii(), (kind, code, lbl)
            assert g.label(kind, code) == lbl
    for syn_map, lbl_map in [(g.GRADE_SYNONYMS, g.GRADES), (g.PROBLEM_SYNONYMS, g.PROBLEMS),
                             (g.DISPOSAL_SYNONYMS, g.DISPOSAL), (g.BUILD_STATUS_SYNONYMS, g.BUILD_STATUS),
                             (g.OP_STATUS_SYNONYMS, g.OP_STATUS), (g.ASSET_TYPE_SYNONYMS, g.ASSET_TYPES),
                             (g.TASK_STATUS_SYNONYMS, g.TASK_STATUS), (g.SIGNOFF_STATUS_SYNONYMS, g.SIGNOFF_STATUS),
                             (g.INTERACTION_KIND_SYNONYMS, g.INTERACTION_KIND),
                             (g.INTERACTION_STATUS_SYNONYMS, g.INTERACTION_STATUS)]:
        assert set(syn_map) == set(lbl_map)


def test_three_failures_are_problem_codes():
    assert set(g.THREE_FAILURES) <= set(g.PROBLEMS)
    assert [g.PROBLEMS[c] for c in g.THREE_FAILURES] == ["建而不成", "成而不用", "用而不好"]


def test_every_setting_has_a_label():
    assert set(settings.DEFAULTS) == set(settings.LABELS)
    assert set(settings.DEFAULTS["signoff_checklist"]) == set(g.SIGNOFF_CHECKLIST)


def test_no_header_synonym_claimed_twice_in_a_form():
    for form, fields in forms.FORMS.items():
        seen: dict[str, str] = {}
        for f in fields:
            for s in f.synonyms:
                assert s not in seen, f"{form}: 表头“{s}”同时属于 {seen[s]} 和 {f.name}"
                seen[s] = f.name
