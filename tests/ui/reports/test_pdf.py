"""The PDF as rendered: pages drawn (pdftoppm), the title, a policy code, "Page 1 of N" and the content
hash in the footer (pdftotext); nothing but the registered thumbnails is ever loaded; the CLI's .pdf."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument

from reviewer.reports.export import export_report
from reviewer.storage.database import Database
from tests.support.report_data import POLICY, TITLE, Seeded
from ui.reports.pdf import ReportDocument, render_pdf
from ui.shell.launcher import main as launcher_main

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


def _pages(pdf: Path, out: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out / "page")], check=True)
    return sorted(out.glob("page-*.png"))


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_has_pages_numbers_and_the_integrity_footer(
    db: Database, seeded: Seeded, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    result = export_report(db, seeded.inv_id, pdf, actor="tester", render_pdf=render_pdf)
    pages = _pages(pdf, tmp_path)
    assert len(pages) >= 2
    for page in pages:
        low, high = Image.open(page).convert("L").getextrema()
        assert low < 128 < high, page.name  # something is drawn on every page (never a blank one)
    text = _text(pdf)
    n = len(pages)
    assert TITLE in text and POLICY in text
    assert f"Page 1 of {n}" in text and f"Page {n} of {n}" in text
    footers = re.findall(r"Report SHA-256\s+([0-9a-f]{64})", text)
    assert footers == [result.sha256] * n, [line for line in text.splitlines() if "SHA-256" in line]
    assert result.checkpoint is not None and text.count(str(result.checkpoint.id)) == n
    assert "<script>" in text  # hostile text shown as text
    assert "\ufb00" not in text and "ffff" in text  # no ligature: an id or a hash reads back as typed
    assert "\u202e" not in text and "⟨U+202E⟩" in text


def test_the_document_loads_nothing_it_was_not_given(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "red").save(secret)
    doc = ReportDocument()
    names = (f"file://{secret}", str(secret), "https://example.com/x.png")
    doc.setHtml("".join(f'<img src="{name}">' for name in names) + f'<link rel="stylesheet" href="{secret}">')
    doc.setTextWidth(400)
    assert doc.size().height() > 0  # laid out: Qt asked for every image
    for name in names:
        image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert isinstance(image, QImage) and image.size().width() == 1  # the blank, never the file
    stylesheet = QTextDocument.ResourceType.StyleSheetResource.value
    assert doc.loadResource(stylesheet, QUrl(f"file://{secret}")) is None


def test_the_full_cli_writes_a_pdf(db: Database, seeded: Seeded, tmp_path: Path) -> None:
    pdf = tmp_path / "cli.pdf"
    assert launcher_main(["--db", str(db.file), "report", str(seeded.inv_id), "-o", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF") and len(_pages(pdf, tmp_path)) >= 2
