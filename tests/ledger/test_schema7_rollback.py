"""An import whose rows repeat a key (the row tables have no PRIMARY KEY from schema 7: importer._check_unique
checks) is rejected as an internal error and rolled back; the same file written once is accepted."""
from __future__ import annotations

from ledger import importer, state
from tests.ledger_book import ledger_book


def test_rows_that_repeat_a_key_are_refused_and_rolled_back(con, tmp_path, monkeypatch):
    """validate never lets a repeated key through, so a bug is simulated: every fund line written twice.
    The import is then an error and nothing of it is written."""
    f = ledger_book(tmp_path / "南乡镇_2023-12-14.xlsx")
    n_before = con.execute("SELECT count(*) FROM funding_rows").fetchone()[0]
    real = importer._arrow

    def doubled(rows, cols):
        t = real(rows, cols)
        return t if "source" not in cols else __import__("pyarrow").concat_tables([t, t])
    monkeypatch.setattr(importer, "_arrow", doubled)
    res = importer.import_file(con, f)   # the internal error becomes a rejection, as every bug does
    assert res.status == "rejected" and res.problems[-1]["message"].startswith("导入时发生内部错误")
    assert con.execute("SELECT count(*) FROM funding_rows").fetchone()[0] == n_before
    assert con.execute("SELECT count(*) FROM imports WHERE file_name = ?", [f.name]).fetchone()[0] == 0
    monkeypatch.setattr(importer, "_arrow", real)
    assert importer.import_file(con, f).status == "accepted"   # the same file, written once: accepted
    assert con.execute("SELECT count(*) FROM funding_rows").fetchone()[0] > n_before
    assert state.state_token(con)
