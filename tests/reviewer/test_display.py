"""Hidden characters in imported text are shown, never interpreted."""

from __future__ import annotations

import pytest

from reviewer.display import visible, visible_all


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("@\u202egpj.exe", "@⟨U+202E⟩gpj.exe"),
        ("a\u200bb", "a⟨U+200B⟩b"),
        ("zero\u200dwidth\u2060joiner", "zero⟨U+200D⟩width⟨U+2060⟩joiner"),
        ("\ufeffbom", "⟨U+FEFF⟩bom"),
        ("iso\u2066late\u2069", "iso⟨U+2066⟩late⟨U+2069⟩"),
        ("bell\x07", "bell⟨U+0007⟩"),
        ("nul\x00", "nul⟨U+0000⟩"),
        ("line\nbreak", "line⟨U+000A⟩break"),
        ("nb\u00a0space", "nb⟨U+00A0⟩space"),
        ("hangul\u3164filler", "hangul⟨U+3164⟩filler"),
        ("private\ue000use", "private⟨U+E000⟩use"),
        ("plain handle_1", "plain handle_1"),
        ("émoji 👍 ok", "émoji 👍 ok"),
        ("", ""),
    ],
)
def test_one_line_fields_show_every_hidden_character(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_multiline_keeps_newlines_and_tabs_but_not_bidi() -> None:
    assert visible("a\n\tb\u202ec\r", multiline=True) == "a\n\tb⟨U+202E⟩c⟨U+000D⟩"
    assert visible("plain\ntext", multiline=True) == "plain\ntext"


def test_none_and_lists() -> None:
    assert visible(None) == ""
    assert visible_all(["a\u202e", "b"]) == "a⟨U+202E⟩, b"
