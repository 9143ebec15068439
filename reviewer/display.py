"""Imported text made safe to show: invisible and direction-changing characters made visible.

Imported strings (handles, ids, flags, report texts, notes) are hostile. They are stored exactly as they
came (the audit log covers them byte for byte) and made visible only when shown: a handle
``@\\u202egpj.exe`` is shown as ``@⟨U+202E⟩gpj.exe``, not as ``@exe.jpg``. Markup is not this module's
business: the UI shows these strings as plain text (see ``ui.shell.plain``), never as rich text.

Made visible: control characters (Unicode category Cc) except, in multi-line text, newline and tab;
format characters (Cf: bidi embeddings, overrides and isolates, zero-width spaces and joiners, the BOM,
soft hyphen, invisible operators, tags); line and paragraph separators (Zl, Zp); surrogates (Cs);
private-use (Co) and unassigned (Cn) code points; and the whitespace characters that look like nothing or
like a plain space (U+115F, U+1160, U+3164, U+FFA0, U+2800 and the non-ASCII spaces of category Zs).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Characters that render as blank but are not in the categories above.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
# Fast path: printable ASCII (plus newline and tab) needs no work at all.
_ALL_PLAIN = re.compile(r"[\x20-\x7e\n\t]*")


def marker(ch: str) -> str:
    """How a hidden character is shown: ``⟨U+202E⟩``."""
    return f"⟨U+{ord(ch):04X}⟩"


@lru_cache(maxsize=4096)
def _is_hidden(ch: str) -> bool:
    if ch in _BLANK_LOOKALIKES:
        return True
    category = unicodedata.category(ch)
    if category == "Zs":
        return ch != " "
    return category in _HIDDEN_CATEGORIES


def visible(text: str | None, *, multiline: bool = False) -> str:
    """``text`` with every hidden character shown as ``⟨U+XXXX⟩``.

    With ``multiline`` newlines and tabs are kept (report texts, notes); otherwise they are shown too, so
    a one-line field (a handle, an id, a flag) can never push text onto another line.
    """
    if not text:
        return ""
    if multiline and _ALL_PLAIN.fullmatch(text):
        return text
    if not multiline and text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if multiline and ch in "\n\t":
            out.append(ch)
        elif _is_hidden(ch):
            out.append(marker(ch))
        else:
            out.append(ch)
    return "".join(out)


def visible_all(values: tuple[str, ...] | list[str], sep: str = ", ") -> str:
    """Several one-line values (risk flags, say) made visible and joined."""
    return sep.join(visible(v) for v in values)
