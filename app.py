"""帮扶产业项目监管看板: the entrypoint. Run: ``streamlit run app.py``.

Page config, the access guard, the shared sidebar (report round + filters, rendered here on every
rerun so its values survive page switches) and ``st.navigation`` over the page files in pages/.
The navigation itself lives in ui/nav.py so that a page file served directly (a deep link on a
fresh process, before app.py has run) can hand over to the same navigation.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui.nav import run_app  # noqa: E402

run_app()
