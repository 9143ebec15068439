"""The HTML report of a seeded investigation: every hostile value escaped, nothing loaded, thumbnails
blurred unless asked, and ``verify`` catching an edit."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reviewer.policy import PolicyPack
from reviewer.reports.export import export_report
from reviewer.reports.thumbs import Thumbnailer
from reviewer.reports.verify import verify_html
from reviewer.storage.database import Database
from reviewer.vault.opening import media_store_of
from tests.support.report_data import POLICY, TITLE, Seeded


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _export(db: Database, seeded: Seeded, tmp_path: Path, *, clear: bool = False) -> str:
    path = tmp_path / ("clear.html" if clear else "report.html")
    export_report(db, seeded.inv_id, path, actor="tester", clear_images=clear)
    return path.read_bytes().decode("utf-8")


def _pictures(page: str) -> list[bytes]:
    return [base64.b64decode(p) for p in re.findall(r'src="data:image/png;base64,([^"]*)"', page)]


def test_hostile_values_are_escaped_and_nothing_is_loaded(
    db: Database, seeded: Seeded, tmp_path: Path, pack: PolicyPack
) -> None:
    page = _export(db, seeded, tmp_path)
    parser = _Tags()
    parser.feed(page)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "a" not in tags and "iframe" not in tags and "link" not in tags
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), tag  # no event handler attribute
        if tag == "img":
            assert (attrs["src"] or "").startswith("data:image/png;base64,")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "\u202e" not in page and "\u200b" not in page and "⟨U+202E⟩" in page
    assert "&lt;img src=file:///etc/passwd&gt;&lt;script&gt;" in page  # shown, escaped
    assert "&amp;amp;" in page  # an entity typed by someone is shown as typed, not decoded
    assert TITLE in page and f"<td>{POLICY}</td><td>{pack.version}</td>" in page  # code and pack version


def test_thumbnails_are_blurred_unless_clear_images_were_asked(
    db: Database, seeded: Seeded, tmp_path: Path
) -> None:
    blurred = _pictures(_export(db, seeded, tmp_path))
    clear = _pictures(_export(db, seeded, tmp_path, clear=True))
    assert blurred and len(blurred) == len(clear)
    maker = Thumbnailer(media_store_of(db).read)
    try:
        sha = seeded.shas[0]
        clear_decode = maker.make(sha, "image", clear=True).png
        blurred_decode = maker.make(sha, "image").png
    finally:
        maker.close()
    assert clear_decode is not None and blurred_decode is not None and clear_decode != blurred_decode
    assert clear_decode not in blurred  # no clear picture in a default report
    assert blurred_decode in blurred
    assert clear_decode in clear


def test_verify_accepts_the_page_and_catches_edits(db: Database, seeded: Seeded, tmp_path: Path) -> None:
    page = _export(db, seeded, tmp_path)
    assert verify_html(page).ok
    edited = page.replace("Suspend both", "Keep both", 1)
    assert "Suspend both" in page and not verify_html(edited).ok
    other = _pictures(_export(db, seeded, tmp_path, clear=True))[0]
    first = re.search(r'src="data:image/png;base64,([^"]*)"', page)
    assert first is not None
    swapped = page.replace(first.group(1), base64.b64encode(other).decode(), 1)
    assert not verify_html(swapped).ok
    assert not verify_html("<html>not a report</html>").ok


@pytest.mark.parametrize("missing", ["file", "folder"])
def test_a_thumbnail_that_cannot_be_made_is_a_line_not_a_failure(
    db: Database, seeded: Seeded, tmp_path: Path, missing: str
) -> None:
    if missing == "file":
        store = media_store_of(db)
        for sha in seeded.shas:
            store.remove(sha)
    else:
        Path(str(db.media_dir)).rename(tmp_path / "moved")
    page = _export(db, seeded, tmp_path)
    assert not _pictures(page)
    assert "media file not found" in page
