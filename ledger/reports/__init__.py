"""Reports sent out after a round (issue #10): 督办单 to lagging units, the 催报 list, the 通报 and
the 专题会 meeting pack, as .xlsx, printable HTML, PDF (Chromium's print-to-pdf), PNG charts and .zip.

- ``safe``: text that cannot turn into a formula, Windows-safe file names.
- ``xlsx``, ``html``: the writers; they take frames/dicts already computed (``analytics.orders``,
  ``analytics.annex3``) and know only the file format.
- ``media``: HTML → PDF and Plotly figure → PNG through the system Chromium (/usr/bin/chromium).
- ``build``: computes (analytics) and writes (the writers) one report; used by the pages and by
  ``python -m ledger export``.
"""
