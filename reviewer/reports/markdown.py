"""The findings' Markdown as safe HTML for a report: a deliberately small subset, escaped first.

Why our own and not a Markdown library or Qt's ``setMarkdown`` → ``toHtml``: the core has no Qt, and a
report's HTML must never carry markup from the findings. Here every line is made visible
(``reviewer.display.visible``: bidi and zero-width characters shown as ``⟨U+202E⟩``) and
``html.escape``-d *before* any rule runs, and the rules only wrap already-escaped text in a fixed set of
tags: headings, paragraphs, bullet and numbered lists, quotes, fenced code, ``**bold**``, ``*italic*`` and
```code```. Links and images are not rules: ``[text](url)`` and ``![x](file:///…)`` stay visible as the
literal text the reviewer typed, so a report never loads or points at anything. Raw HTML in the findings
(``<img src=…>``, ``<script>``) is shown as text, escaped.
"""

from __future__ import annotations

import html
import re

from reviewer.display import visible

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s*&gt;\s?(.*)$")  # matched on the escaped line
_FENCE = re.compile(r"^\s*(```|~~~)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
#: The report's own headings are h1/h2: the findings' levels start below them.
_LEVEL_SHIFT = 2


def _emphasis(escaped: str) -> str:
    escaped = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", escaped)
    return _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", escaped)


def inline(escaped: str) -> str:
    """Inline rules on an escaped line: `code` spans first (nothing inside them is a rule)."""
    parts = escaped.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: literal
        return _emphasis(escaped)
    return "".join(f"<code>{p}</code>" if i % 2 else _emphasis(p) for i, p in enumerate(parts))


def markdown_html(text: str) -> str:
    """``text`` (the findings) as HTML built only from the subset above; every character of it escaped."""
    lines = html.escape(visible(text, multiline=True), quote=True).split("\n")
    out: list[str] = []
    para: list[str] = []
    listing: str | None = None  # "ul" / "ol" while a list is open
    fence: list[str] | None = None

    def close_para() -> None:
        if para:
            out.append(f"<p>{'<br>'.join(inline(p) for p in para)}</p>")
            para.clear()

    def close_list() -> None:
        nonlocal listing
        if listing:
            out.append(f"</{listing}>")
            listing = None

    for raw in lines:
        line = raw.replace("\t", "    ")
        if fence is not None:
            if _FENCE.match(line):
                out.append(f"<pre>{chr(10).join(fence)}</pre>")
                fence = None
            else:
                fence.append(line)
            continue
        if _FENCE.match(line):
            close_para()
            close_list()
            fence = []
            continue
        if not line.strip():
            close_para()
            close_list()
            continue
        heading = _HEADING.match(line)
        if heading:
            close_para()
            close_list()
            level = min(6, len(heading.group(1)) + _LEVEL_SHIFT)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            continue
        for pattern, tag in ((_BULLET, "ul"), (_NUMBERED, "ol")):
            item = pattern.match(line)
            if item:
                close_para()
                if listing != tag:
                    close_list()
                    out.append(f"<{tag}>")
                    listing = tag
                out.append(f"<li>{inline(item.group(1))}</li>")
                break
        else:
            quote = _QUOTE.match(line)
            if quote:
                close_para()
                close_list()
                out.append(f"<blockquote>{inline(quote.group(1))}</blockquote>")
                continue
            close_list()
            para.append(line.strip())
    if fence is not None:
        out.append(f"<pre>{chr(10).join(fence)}</pre>")
    close_para()
    close_list()
    return "\n".join(out)
