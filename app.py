"""帮扶产业项目监管看板: the entrypoint. Run: ``streamlit run app.py``.

Page config, the access guard, the shared sidebar (report round + filters, rendered here on every
rerun so its values survive page switches) and ``st.navigation`` over the page files in views/:
all in ui/nav.py. Streamlit puts this file's folder on sys.path, so ``ui`` and ``ledger`` import.
"""
from ui.nav import run_app

run_app()
