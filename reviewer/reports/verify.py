"""Checking an HTML report: is what it shows what its integrity hash covers?

The page embeds its canonical content (escaped, in ``<pre id="report-data" hidden>``). ``verify_html``
reads it back, takes each thumbnail's bytes from the page's ``data:`` URIs, recomputes the hash and
compares it with the one the footer shows and with each thumbnail's recorded hash, then renders the
page again from that content and compares it with the file, character for character: an edited word, a
swapped picture or a changed hash all show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
from dataclasses import dataclass, field

from reviewer.reports.content import CONTENT_FORMAT, content_from_dict, content_sha256
from reviewer.reports.html import DATA_ID, HASH_ID, render_html

_DATA = re.compile(rf'<pre id="{DATA_ID}" hidden>(.*?)</pre>', re.DOTALL)
_HASH = re.compile(rf'<code id="{HASH_ID}">([0-9a-f]{{64}})</code>')
_IMAGES = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]*)"')


@dataclass(frozen=True)
class Verification:
    sha256: str  # the hash the page shows ("" when it shows none)
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_html(text: str) -> Verification:
    """Check a report page (its text); one problem per line, none when it is intact."""
    shown = _HASH.search(text)
    sha = shown.group(1) if shown else ""
    found = _DATA.search(text)
    if found is None or not sha:
        return Verification(sha, ("not a report page of this app (no embedded content or no hash)",))
    try:
        data = json.loads(html.unescape(found.group(1)))
        if data.get("format") != CONTENT_FORMAT:
            return Verification(sha, (f"unknown report format {data.get('format')!r}",))
        pictures = [base64.b64decode(p, validate=True) for p in _IMAGES.findall(text)]
        with_png = [n for n, e in enumerate(data["evidence"]) if e["png_sha256"]]
        if len(with_png) != len(pictures):
            return Verification(sha, ("the page's thumbnails do not match its content",))
        content = content_from_dict(data, dict(zip(with_png, pictures, strict=True)))
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        return Verification(sha, (f"the embedded content cannot be read ({type(exc).__name__})",))
    problems: list[str] = []
    for n, item in enumerate(content.evidence):
        recorded = data["evidence"][n]["png_sha256"]
        if item.png is not None and hashlib.sha256(item.png).hexdigest() != recorded:
            problems.append(f"thumbnail {n + 1} is not the one the content records")
    recomputed = content_sha256(content)
    if recomputed != sha:
        problems.append(f"the content hashes to {recomputed}, the page shows {sha}")
    elif render_html(content, sha) != text:
        problems.append("the page shows something other than its embedded content (edited)")
    return Verification(sha, tuple(problems))
