"""The findings preview renders Markdown and loads nothing: no local file, no data: URL, no HTML image,
whatever the findings say (they travel through the team server and may quote imported text)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.support.waiting import UI_WAIT_MS
from ui.investigations.findings import FindingsEditor

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _red_png(tmp_path: Path) -> Path:
    image = QImage(60, 60, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 0, 0))
    path = tmp_path / "red.png"
    assert image.save(str(path))
    return path


def _red_pixels(preview: QWidget) -> int:
    grab = preview.grab().toImage()
    return sum(
        1
        for x in range(0, grab.width(), 2)
        for y in range(0, grab.height(), 2)
        if (c := grab.pixelColor(x, y)).red() > 200 and c.green() < 80 and c.blue() < 80
    )


def test_hostile_markdown_loads_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    red = _red_png(tmp_path)
    data = base64.b64encode(red.read_bytes()).decode()
    text = (
        "# Findings\n\n"
        f"![x](file://{red})\n\n"
        f"![y]({red})\n\n"
        f'<img src="file://{red}">\n\n'
        f"![z](data:image/png;base64,{data})\n\n"
        f"[a link](file://{red})\n"
    )
    editor = FindingsEditor()
    qtbot.addWidget(editor)
    editor.resize(900, 700)
    editor.show()
    qtbot.waitExposed(editor)
    with qtbot.waitSignal(editor.previewed, timeout=UI_WAIT_MS):
        editor.markdown.setPlainText(text)
    preview = editor.preview
    qtbot.waitUntil(lambda: len(preview.sealed.refused) > 0, timeout=UI_WAIT_MS)  # the images were asked for
    refused = set(preview.sealed.refused)
    assert any(u.startswith("file://") for u in refused) and any(u.startswith("data:") for u in refused)
    assert _red_pixels(preview) == 0
    plain = preview.toPlainText()
    assert "<img" in plain  # raw HTML is shown as text, never rendered
    assert not preview.openLinks() and not preview.openExternalLinks()


def test_the_check_sees_an_image_a_plain_browser_loads(qtbot: QtBot, tmp_path: Path) -> None:
    """The pixel check can fail: Qt's own browser, without the sealed document, paints the file."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QTextBrowser

    red = _red_png(tmp_path)
    plain = QTextBrowser()
    qtbot.addWidget(plain)
    plain.resize(400, 300)
    plain.show()
    qtbot.waitExposed(plain)
    plain.document().setMarkdown(f"![x](file://{red})", QTextDocument.MarkdownFeature.MarkdownNoHTML)
    qtbot.waitUntil(lambda: _red_pixels(plain) > 0, timeout=UI_WAIT_MS)


def test_preview_renders_headings_after_a_pause(qtbot: QtBot) -> None:
    editor = FindingsEditor()
    qtbot.addWidget(editor)
    editor.markdown.setPlainText("# Title\n\n## Part\n\n*emphasis*")
    assert editor.preview.toPlainText() == ""  # debounced: not rendered at the keystroke
    with qtbot.waitSignal(editor.previewed, timeout=UI_WAIT_MS):
        pass
    blocks = []
    block = editor.preview.document().firstBlock()
    while block.isValid():
        blocks.append((block.text(), block.blockFormat().headingLevel()))
        block = block.next()
    assert blocks[:2] == [("Title", 1), ("Part", 2)]
