"""Pack text is hostile-ish: a section whose title and text look like markup, with a bidi override, is
shown literally (hidden characters made visible) in the changes view and the policy panel's banner."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from reviewer.policy import PolicyPack, load_pack
from reviewer.policy_updates import PackChanges, section_changes
from tests.support.policy_packs import second_version
from ui.policy_updates.changes_view import ChangesDialog
from ui.review.policy_panel import PolicyPanel

HOSTILE = """
[[section]]
code = "VIO-8"
title = "<img src='file:///etc/passwd'> \u202eevil"
categories = ["violence"]
severity = 2
text = "<b>bold</b> and <a href='x'>a link</a>."
examples = []
actions = ["remove"]
"""


def test_markup_in_pack_text_is_shown_literally(qtbot: QtBot, pack: PolicyPack, tmp_path: Path) -> None:
    new = load_pack(second_version(tmp_path, extra=HOSTILE))
    view = ChangesDialog(PackChanges(new.version, pack.version, tuple(section_changes(pack, new))))
    qtbot.addWidget(view)
    titles = [view.sections.item(i).text() for i in range(view.sections.count())]
    assert "VIO-8  <img src='file:///etc/passwd'> ⟨U+202E⟩evil  (+ added)" in titles
    view.sections.setCurrentRow(titles.index(next(t for t in titles if t.startswith("VIO-8"))))
    text = view.diff_text()
    assert "+ <b>bold</b> and <a href='x'>a link</a>." in text and "⟨U+202E⟩" in text
    assert "<img" not in view.diff.document().toHtml().replace("&lt;img", "")  # never markup in the document

    panel = PolicyPanel(new)
    qtbot.addWidget(panel)
    panel.mark_changed(frozenset({"VIO-8"}), "Policy <b>x</b> changed 1 section")
    assert panel.changes_banner.text() == "Policy <b>x</b> changed 1 section"
    assert panel.changes_banner.textFormat().name == "PlainText"
