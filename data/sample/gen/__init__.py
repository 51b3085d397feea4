"""Synthetic sample ledgers for 八步区 (all names, codes and amounts are invented); see data/README.md.

Deterministic (random.Random(20231103), the date of 贺八乡指办发〔2023〕25号). The generator first builds a
model of the district, then renders one workbook per reporting unit per round in the messy official
layout, and computes ``expected.json`` from the model itself (never by reading the files back).

    vocab.py         frozen copy of the glossary/forms words it writes (why a copy: see there)
    base.py          seed, rounds, units, small date/money helpers
    model.py         Project, Episode, Task, Signoff records; the 督办 tier
    names.py         invented names and task wordings
    district.py      District: projects, funding, 红/黄 episodes, tasks, 降级销号 (one random stream)
    planted.py       the planted cases as tables, and the build order
    state.py         a project's state in a round
    style.py         each unit's quirks (header variants, money/date/grade writing) and Fmt
    render.py        rows → sheets in the official layout
    interactions.py  政企互动 (own random stream) and its sheet
    filings.py       who files when, and which projects are in a unit's file
    expected.py      expected.json and the model's self-check
    main.py          writes everything (``generate(out)``); ``python -m data.sample.gen --out DIR``
    xlwriter.py      Sheet and the .xlsx/.xls writers (fixed zip timestamps: byte-identical output)

The policy rules it needs (due dates, calendar-month deadlines, 督办 tiers, "in force", the consistency
check, the reply clock) are its own copies, not imports from ledger/ or analytics/: the sample is a second
implementation that the tests compare the app against, so a mistake in the app's rules cannot hide by
being repeated in the expected numbers.
"""
