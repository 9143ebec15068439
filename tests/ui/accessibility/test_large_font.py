"""The window at 200 % font size: labels fit or are elided with a tooltip, and the minimum size is sane."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from tests.support.labels import clipped_labels
from tests.support.waiting import UI_WAIT_MS
from ui.accessibility.elide import MIN_CHARS, elide_when_short, elided_text
from ui.shell.main_window import MainWindow
from ui.shell.plain import plain_label, tooltip


@pytest.fixture
def font_scale(qapp: QApplication) -> Iterator:  # type: ignore[type-arg]
    base = qapp.font()

    def scale(factor: float) -> None:
        font = qapp.font()
        font.setPointSizeF(base.pointSizeF() * factor)
        qapp.setFont(font)

    yield scale
    qapp.setFont(base)


def _shown_elided(label: QLabel) -> str:
    label.grab()  # paint it now: the label decides there what it shows
    return elided_text(label)


def _cut(w: MainWindow) -> list[str]:
    return clipped_labels(w)


def test_a_short_label_elides_with_the_full_text_in_its_tooltip(qtbot: QtBot) -> None:
    label = elide_when_short(plain_label("Exposure: hour 40% · day 12% · session 0m21s"))
    qtbot.addWidget(label)
    label.show()
    assert label.minimumWidth() == label.fontMetrics().averageCharWidth() * MIN_CHARS
    label.resize(label.sizeHint())
    label.grab()
    assert elided_text(label) == "" and label.toolTip() == ""
    label.resize(label.minimumWidth(), label.height())
    label.grab()
    assert elided_text(label).endswith("…") and len(elided_text(label)) < len(label.text())
    assert label.toolTip() == tooltip(label.text())
    assert label.text() == "Exposure: hour 40% · day 12% · session 0m21s"  # the owner's text is untouched
    label.resize(label.sizeHint())
    label.grab()
    assert label.toolTip() == ""  # the tooltip it set goes when the whole text shows again

    owned = elide_when_short(plain_label("encrypted · keyring, a long explanation"))
    owned.setToolTip("set by its owner")
    qtbot.addWidget(owned)
    owned.resize(owned.minimumWidth(), 30)
    owned.grab()
    assert elided_text(owned).endswith("…") and owned.toolTip() == "set by its owner"


def test_status_bar_labels_shrink_and_elide_instead_of_widening_the_window(
    open_window, font_scale, qtbot: QtBot
) -> None:  # type: ignore[no-untyped-def]
    font_scale(2.0)
    w = open_window(900, 700)
    labels = [lab for lab in w.statusBar().findChildren(QLabel) if lab.isVisible()]
    assert len(labels) >= 4
    assert w.statusBar().minimumSizeHint().width() < 600
    width = w.width()
    longest = max(labels, key=lambda lab: len(lab.text()))
    longest.setText(" · ".join([longest.text()] * 6))  # far wider than the window leaves it
    qtbot.waitUntil(lambda: bool(_shown_elided(longest)), timeout=UI_WAIT_MS)
    assert w.width() == width  # the label elided; the window did not grow
    for lab in labels:
        if _shown_elided(lab):
            assert _shown_elided(lab).endswith("…") and lab.toolTip(), lab.text()


def test_window_at_double_font_size_cuts_nothing_and_has_a_sane_minimum(
    open_window, font_scale, qtbot: QtBot
) -> None:  # type: ignore[no-untyped-def]
    normal = open_window(1280, 720)
    assert normal.minimumSizeHint().width() <= 1280 and normal.minimumSizeHint().height() <= 720
    qtbot.waitUntil(lambda: _cut(normal) == [], timeout=UI_WAIT_MS)

    font_scale(2.0)
    big = open_window(1920, 1080)
    hint = big.minimumSizeHint()
    assert hint.width() <= 1920 and hint.height() <= 1080, hint
    assert big.statusBar().minimumSizeHint().width() <= 600
    qtbot.waitUntil(lambda: _cut(big) == [], timeout=UI_WAIT_MS)  # the layout settles after the first case
