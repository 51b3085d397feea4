"""PDF and PNG through the system Chromium (Debian's /usr/bin/chromium, installed by scripts/setup.sh
with the CJK font fonts-wqy-microhei; nothing is downloaded at run time).

- ``html_to_pdf``: ``chromium --headless --print-to-pdf`` on a temporary file, with its own
  throw-away profile directory (two exports at once do not share a profile lock).
- ``figures_to_png``: Plotly's static export with kaleido 1.x, which drives the same Chromium.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ENV = "LEDGER_CHROMIUM"
_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser",
               "google-chrome")
PDF_TIMEOUT = 120  # seconds: a stuck browser must not hang the page or the CLI


class MediaError(RuntimeError):
    """PDF/PNG could not be produced (no Chromium, or it failed); the message is Chinese."""


def chromium_path() -> str | None:
    if os.environ.get(CHROMIUM_ENV):
        return os.environ[CHROMIUM_ENV]
    for c in _CANDIDATES:
        p = shutil.which(c)
        if p:
            return p
    return None


def pdf_available() -> bool:
    return chromium_path() is not None


def html_to_pdf(page: str) -> bytes:
    """Print a self-contained HTML page (``doc.to_html``) to PDF with headless Chromium."""
    exe = chromium_path()
    if exe is None:
        raise MediaError("未找到 Chromium 浏览器，无法生成 PDF（请运行 scripts/setup.sh 安装 chromium），可改用 HTML 打印。")
    with tempfile.TemporaryDirectory(prefix="ledger-pdf-") as d:
        src, out = Path(d) / "page.html", Path(d) / "page.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={Path(d) / 'profile'}", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise MediaError(f"Chromium 生成 PDF 失败：{e}") from e
        if not out.exists() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace")[-300:]
            raise MediaError(f"Chromium 生成 PDF 失败（返回码 {proc.returncode}）：{tail}")
        return out.read_bytes()


def figures_to_png(figs: list, *, width: int = 1000, height: int = 520, scale: float = 2) -> list[bytes]:
    """Each Plotly figure as PNG bytes (kaleido 1.x, one browser session for the whole list)."""
    import plotly.io as pio

    if not figs:
        return []
    try:
        with tempfile.TemporaryDirectory(prefix="ledger-png-") as d:
            paths = [Path(d) / f"{i}.png" for i in range(len(figs))]
            pio.write_images(figs, paths, format="png", width=width, height=height, scale=scale)
            return [p.read_bytes() for p in paths]
    except Exception as e:  # kaleido/choreographer raise their own types (no browser, crash)
        raise MediaError(f"图表导出 PNG 失败（需要 kaleido 与 Chromium）：{e}") from e
