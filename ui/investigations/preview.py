"""The Markdown preview of findings: renders headings, lists and emphasis, and loads nothing, ever.

Findings are reviewer-written, but they travel through the team server and may quote imported text, so
the preview treats them as hostile. ``setMarkdown(text, MarkdownNoHTML)`` shows raw HTML as text, and a
``![x](file:///…)`` image must not be read either. Two fallbacks in Qt read it whenever a loader returns
nothing: ``QTextDocument.loadResource`` reads local files (and decodes ``data:`` URLs) when the widget's
``loadResource`` gives nothing, and the image handler then calls ``QImage.load(name)`` itself when the
document's resource is null. So the document (:class:`SealedDocument`) answers every request with a blank
placeholder image, never null, and the widget's own override is a second lock. Links are shown, never
followed.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget


def placeholder() -> QImage:
    """What every image of the preview shows: one transparent pixel (a non-null image, so Qt's image
    handler never falls back to loading the URL itself)."""
    image = QImage(1, 1, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    return image


class SealedDocument(QTextDocument):
    """A document that refuses every resource (images, style sheets) whatever its URL."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: The last URLs the document was asked for (and refused): tests check the refusal was exercised.
        self.refused: deque[str] = deque(maxlen=50)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        self.refused.append(name.toString() if isinstance(name, QUrl) else name)
        if type == QTextDocument.ResourceType.ImageResource.value:
            blank = placeholder()
            self.addResource(type, name, blank)  # asked once per URL, not at every layout
            return blank
        return b""


class MarkdownPreview(QTextBrowser):
    """Read-only Markdown view over a :class:`SealedDocument`; links inert."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sealed = SealedDocument(self)
        self.setDocument(self.sealed)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        return self.sealed.loadResource(type, name)

    def show_markdown(self, text: str) -> None:
        self.sealed.setMarkdown(text, QTextDocument.MarkdownFeature.MarkdownNoHTML)
