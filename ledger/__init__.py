"""Ledger store and Excel import for 帮扶产业项目监管看板 (DuckDB; see ledger/sql/)."""
