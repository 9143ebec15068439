"""A report as PDF, with Qt's own document and PDF classes (QTextDocument + QPdfWriter; no browser engine).

The body is the core's report HTML (``reviewer.reports.html.report_body``: every value escaped, the
findings through the core's Markdown subset), laid out by a :class:`ReportDocument` whose only resources
are the evidence thumbnails added with ``addResource``; ``loadResource`` refuses every other URL, so
nothing in a report can make Qt read a file or the network. Each page is drawn with its number
("Page 3 of 7") and the integrity footer (the content hash and the audit checkpoint) painted on it.

Safe off the UI thread (the app renders on a worker): only QImage, QTextDocument and QPdfWriter are used,
never a QPixmap. From the command line there may be no application yet: one is made, offscreen when
there is no display.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from reviewer.display import visible
from reviewer.reports.content import EvidenceItem, ReportContent
from reviewer.reports.html import footer_lines, report_body

RESOLUTION = 300  # dpi of the layout: fine enough for text metrics, small enough to stay fast
MARGINS_MM = QMarginsF(16, 14, 16, 14)
FOOTER_PT = 6.5
FOOTER_LINES = 4  # the hash + page line, the checkpoint (wraps to two), a gap
_IMAGE_PREFIX = "evidence-"
_STYLE = """
body { font-family: 'DejaVu Sans'; font-size: 9pt; }
h1 { font-size: 17pt; } h2 { font-size: 12pt; } h3, h4, h5, h6 { font-size: 10pt; }
table { border-collapse: collapse; }
th { background-color: #e4e4e4; font-size: 8pt; }
td { font-size: 8pt; }
pre, code { font-family: 'DejaVu Sans Mono'; }
"""
_app: QGuiApplication | None = None


def ensure_gui_app() -> None:
    """Qt needs an application for fonts: make one when the CLI renders (offscreen with no display)."""
    global _app
    if QGuiApplication.instance() is not None:
        return
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication(["reviewer-report"])


class ReportDocument(QTextDocument):
    """A text document that shows only what was added to it: every other resource is refused.

    For an image, refusing means answering with a blank 1x1 picture: on an empty answer Qt's image
    handler would try to load the name itself, as a file (``QImage::load``), behind ``loadResource``.
    """

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        if type == QTextDocument.ResourceType.ImageResource.value:
            blank = QImage(1, 1, QImage.Format.Format_ARGB32)
            blank.fill(0)
            return blank
        return None


def no_ligatures(font: QFont) -> QFont:
    """``font`` without ligatures: a hash or an id must read back (and copy) as the characters it is
    made of, never "ﬀ" for "ff"."""
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


def image_name(index: int, _item: EvidenceItem | None = None) -> str:
    return f"{_IMAGE_PREFIX}{index}.png"


def build_document(content: ReportContent) -> ReportDocument:
    """The report body laid out with its thumbnails (each decoded from our own PNG, made by the decode
    worker's pixels: no imported media is decoded here)."""
    doc = ReportDocument()
    doc.setDefaultFont(no_ligatures(QFont("DejaVu Sans")))
    doc.setDefaultStyleSheet(_STYLE)
    for n, item in enumerate(content.evidence):
        if item.png is not None:
            image = QImage.fromData(item.png)
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(image_name(n)), image)
    doc.setHtml(f"<html><body>{report_body(content, image_name)}</body></html>")
    return doc


def render_pdf(content: ReportContent, sha256: str) -> bytes:
    """The report as PDF bytes: paginated, "Page n of N" and the integrity footer on every page."""
    ensure_gui_app()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            MARGINS_MM,
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(visible(content.title))
    writer.setCreator("Reviewer Workstation")
    area = writer.pageLayout().paintRectPixels(RESOLUTION)
    width, height = float(area.width()), float(area.height())
    footer_font = no_ligatures(QFont("DejaVu Sans"))
    footer_font.setPointSizeF(FOOTER_PT)
    line_h = FOOTER_PT / 72 * RESOLUTION * 1.35
    body_h = height - line_h * FOOTER_LINES

    doc = build_document(content)
    doc.documentLayout().setPaintDevice(writer)
    doc.setPageSize(QSizeF(width, body_h))
    pages = max(1, doc.pageCount())
    first, second = footer_lines(content, sha256)
    painter = QPainter(writer)
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body_h)
            doc.drawContents(painter, QRectF(0, page * body_h, width, body_h))
            painter.restore()
            painter.setFont(footer_font)
            top = height - line_h * (FOOTER_LINES - 0.5)
            painter.drawLine(0, int(top - line_h * 0.3), int(width), int(top - line_h * 0.3))
            number = f"Page {page + 1} of {pages}"
            painter.drawText(QRectF(0, top, width, line_h), Qt.AlignmentFlag.AlignLeft, first)
            painter.drawText(QRectF(0, top, width, line_h), Qt.AlignmentFlag.AlignRight, number)
            painter.drawText(
                QRectF(0, top + line_h, width, line_h * 2), int(Qt.TextFlag.TextWordWrap), second
            )
    finally:
        painter.end()
    buffer.close()
    return bytes(buffer.data().data())
