"""Analytics: the policy's rules (DOMAIN §4–§10) as pure functions over the ledger store.

Every public function takes ``con`` (a DuckDB connection/cursor) and keyword ``as_of: date``;
none imports Streamlit or reads the clock. See analytics/API.md for the list.
"""
