"""The findings' Markdown subset: the usual shapes render, and nothing typed becomes markup."""

from __future__ import annotations

from reviewer.reports.markdown import markdown_html


def test_headings_lists_emphasis_and_code() -> None:
    out = markdown_html("# Head\n\nSome **bold** and *it* and `x<y`.\n\n- a\n- b\n\n1. one\n\n> quoted")
    assert "<h3>Head</h3>" in out
    assert "<b>bold</b>" in out and "<i>it</i>" in out and "<code>x&lt;y</code>" in out
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in out
    assert "<ol>\n<li>one</li>\n</ol>" in out
    assert "<blockquote>quoted</blockquote>" in out


def test_links_images_and_html_stay_text() -> None:
    out = markdown_html(
        "[site](https://x.example) ![x](file:///etc/passwd) <img src=file:///etc/passwd onerror=alert(1)>"
        '\n\n<script>alert(1)</script> <a href="javascript:x">y</a>\n\n```\n<b>not bold</b>\n```'
    )
    assert "<img" not in out and "<a " not in out and "<script" not in out and "<b>not" not in out
    assert "![x](file:///etc/passwd)" in out  # shown as typed
    assert "&lt;img src=file:///etc/passwd onerror=alert(1)&gt;" in out
    assert "<pre>&lt;b&gt;not bold&lt;/b&gt;</pre>" in out


def test_hidden_characters_are_shown() -> None:
    out = markdown_html("evil\u202etxt.exe zero\u200bwidth")
    assert "\u202e" not in out and "\u200b" not in out
    assert "⟨U+202E⟩" in out and "⟨U+200B⟩" in out
