"""A report as one self-contained HTML page (and the HTML the PDF renderer lays out).

Every value is made visible (``reviewer.display.visible``) and ``html.escape``-d where it is put into the
page; the findings go through ``reviewer.reports.markdown`` (escaped first, a fixed set of tags). The page
loads nothing: thumbnails are ``data:image/png`` URIs, the CSS is in a ``<style>``, and a
Content-Security-Policy ``default-src 'none'; img-src data:`` forbids every other resource and every
script, should anything ever slip through. The canonical content (``content.canonical_json``) is embedded,
escaped, in ``<pre id="report-data" hidden>``: ``reviewer report verify`` recomputes the hash from it and
re-renders the page to check that what is shown is what the hash covers.
"""

from __future__ import annotations

import base64
import html
import json
import struct
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from reviewer.display import visible
from reviewer.reports.content import (
    CheckpointRef,
    EvidenceItem,
    ReportContent,
    content_dict,
)
from reviewer.reports.markdown import markdown_html

DATA_ID = "report-data"
HASH_ID = "report-sha256"
THUMB_EDGE = 160  # px on the page, the longer side
EVIDENCE_COLUMNS = 4
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

#: ``image_src(index, item)``: what an evidence thumbnail's ``src`` is (a data: URI for the page; a name
#: the PDF renderer registered with its document).
ImageSource = Callable[[int, EvidenceItem], str]

_STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #111; margin: 24px; }
h1 { font-size: 18pt; margin: 0 0 4px 0; }
h2 { font-size: 13pt; margin: 18px 0 6px 0; border-bottom: 1px solid #999; }
h3, h4, h5, h6 { font-size: 11pt; margin: 10px 0 4px 0; }
p.meta { color: #444; margin: 0 0 8px 0; }
table { border-collapse: collapse; margin: 4px 0; }
th { background-color: #e4e4e4; text-align: left; }
td, th { vertical-align: top; padding: 3px; }
td.text { white-space: pre-wrap; }
table.evidence td { text-align: center; border: none; }
pre { white-space: pre-wrap; font-family: 'DejaVu Sans Mono', monospace; }
blockquote { margin-left: 16px; color: #333; }
footer { margin-top: 18px; border-top: 1px solid #999; color: #333; font-size: 8pt; }
code { font-family: 'DejaVu Sans Mono', monospace; }
"""


def esc(value: object, *, multiline: bool = False) -> str:
    """One value for the page: hidden characters made visible, then escaped (quotes too)."""
    return html.escape(visible("" if value is None else str(value), multiline=multiline), quote=True)


def when(moment: datetime) -> str:
    """A time as the report shows it: UTC, to the second (the same in every time zone)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def cell_time(moment: datetime) -> str:
    """A time in a table (the column says UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (IHDR), without decoding it; (0, 0) if it is not one."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return (0, 0)
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def data_uri(_index: int, item: EvidenceItem) -> str:
    return "data:image/png;base64," + base64.b64encode(item.png or b"").decode("ascii")


def _table(headers: Iterable[tuple[str, int]], rows: Iterable[Iterable[str]], css: str = "") -> str:
    """A table with ``(header, width %)`` columns."""
    head = "".join(f'<th width="{w}%">{h}</th>' for h, w in headers)
    body = "".join("<tr>" + "".join(rows_cells) + "</tr>" for rows_cells in rows)
    cls = f' class="{css}"' if css else ""
    return (
        f'<table{cls} border="1" cellspacing="0" cellpadding="3" width="100%"><tr>{head}</tr>{body}</table>'
    )


def _td(value: object, *, text: bool = False) -> str:
    return f'<td class="text">{esc(value, multiline=True)}</td>' if text else f"<td>{esc(value)}</td>"


def checkpoint_line(checkpoint: CheckpointRef | None) -> str:
    """The checkpoint as the footer names it (plain text: ids and hex only)."""
    if checkpoint is None:
        return "Audit checkpoint: none (the audit log was empty)"
    signed = f"signed, key {checkpoint.key_id}" if checkpoint.key_id else "NOT signed (no key here)"
    return (
        f"Audit checkpoint {checkpoint.id} · {when(checkpoint.created_at)} · "
        f"heads digest {checkpoint.heads_digest} · {signed}"
    )


def footer_lines(content: ReportContent, sha256: str) -> tuple[str, str]:
    """The integrity footer's two lines (the PDF paints them on every page)."""
    return (f"Report SHA-256 {sha256}", checkpoint_line(content.checkpoint))


def _head(content: ReportContent) -> str:
    inv = content.investigation
    rows = [
        ("Summary", inv.summary),
        ("Risk assessment", inv.risk_assessment),
        ("Recommended actions", inv.recommended_actions),
        ("Policy gaps found", inv.policy_gaps),
    ]
    body = "".join(f"<tr><th>{name}</th>{_td(value, text=True)}</tr>" for name, value in rows)
    accounts = ", ".join(esc(a) for a in content.accounts) or "none"
    return (
        f"<h2>Assessment</h2>"
        f'<table border="1" cellspacing="0" cellpadding="3" width="100%">{body}</table>'
        f"<p>Accounts: {accounts} · Cases: {content.case_count:,}</p>"
    )


def _action(action: str, code: str, version: str) -> str:
    """ "remove VIO-1 (pack 3.2)" """
    text = " ".join(p for p in (action, code) if p)
    return f"{text} (pack {version})" if version else text


def _timeline(content: ReportContent) -> str:
    rows = [
        [
            _td(cell_time(r.at)),
            _td(r.kind),
            _td(r.external_id),
            _td(r.channel),
            _td(r.account),
            _td(r.actor),
            _td(_action(r.action, r.policy_code, r.policy_version)),
            _td(r.text, text=True),
        ]
        for r in content.timeline
    ]
    cut = "<p><i>The timeline was cut at its limit: older entries are not shown.</i></p>"
    columns = (
        ("When (UTC)", 12),
        ("What", 8),
        ("Case", 12),
        ("Channel", 10),
        ("Account", 13),
        ("By", 7),
        ("Action · policy", 13),
        ("Text", 25),
    )
    table = _table(columns, rows)
    return f"<h2>Timeline</h2>{cut if content.timeline_truncated else ''}" + (
        table if rows else "<p>No entry.</p>"
    )


def _decisions(content: ReportContent) -> str:
    rows = [
        [
            _td(cell_time(d.at)),
            _td(d.external_id),
            _td(d.reviewer),
            _td(d.action),
            _td(d.policy_code or "—"),
            _td(d.policy_version or "—"),
            _td(d.text, text=True),
        ]
        for d in content.decisions
    ]
    columns = (
        ("When (UTC)", 12),
        ("Case", 12),
        ("Reviewer", 10),
        ("Action", 10),
        ("Policy code", 10),
        ("Pack version", 10),
        ("Note", 36),
    )
    table = _table(columns, rows)
    return "<h2>Decisions</h2>" + (table if rows else "<p>No decision.</p>")


def _evidence(content: ReportContent, image_src: ImageSource) -> str:
    if content.options.clear_images:
        note = "CLEAR IMAGES: this report includes unblurred evidence (recorded in the audit log)."
    else:
        note = "Thumbnails are blurred; the report never includes clear images unless asked to."
    cells: list[str] = []
    for n, item in enumerate(content.evidence):
        state = "clear" if item.clear else "blurred"
        caption = f"{esc(item.external_id)} · item {item.position + 1} · {esc(item.kind)} · {state}"
        if item.png is not None:
            w, h = png_size(item.png)
            scale = THUMB_EDGE / max(w, h, 1)
            size = f' width="{max(1, round(w * scale))}" height="{max(1, round(h * scale))}"'
            picture = f'<img src="{esc(image_src(n, item))}"{size} alt="{caption}">'
        else:
            picture = f"<i>{esc(item.reason or 'no thumbnail')}</i>"
        cells.append(f"<td>{picture}<br>{caption}</td>")
    if not cells:
        return f"<h2>Evidence</h2><p>{note}</p><p>No media item.</p>"
    rows = [cells[i : i + EVIDENCE_COLUMNS] for i in range(0, len(cells), EVIDENCE_COLUMNS)]
    body = "".join("<tr>" + "".join(r) + "</tr>" for r in rows)
    return (
        f"<h2>Evidence</h2><p><b>{note}</b></p>"
        f'<table class="evidence" border="0" cellspacing="0" cellpadding="6">{body}</table>'
    )


def report_body(content: ReportContent, image_src: ImageSource) -> str:
    """The report's sections (no page chrome): what the PDF lays out and the page wraps."""
    inv = content.investigation
    meta = (
        f"Investigation {esc(inv.id)} · {esc(inv.status)} · opened {when(inv.created_at)} by "
        f"{esc(inv.created_by)} · report generated {when(content.generated_at)} by {esc(content.generated_by)}"
    )
    findings = markdown_html(content.findings_md) or "<p>No findings written.</p>"
    return (
        f'<h1>{esc(content.title)}</h1><p class="meta">{meta}</p>'
        f"{_head(content)}<h2>Findings</h2>{findings}"
        f"{_timeline(content)}{_decisions(content)}{_evidence(content, image_src)}"
    )


def render_html(content: ReportContent, sha256: str) -> str:
    """The whole report page: self-contained, loading nothing, with its footer and embedded content."""
    _first, second = footer_lines(content, sha256)
    # ASCII only (\uXXXX escapes): no bidi or invisible character sits in the page, even hidden.
    data = html.escape(json.dumps(content_dict(content), sort_keys=True, ensure_ascii=True), quote=True)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(content.title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"{report_body(content, data_uri)}\n"
        f'<footer><p>Report SHA-256 <code id="{HASH_ID}">{esc(sha256)}</code></p>'
        f"<p>{esc(second)}</p>"
        "<p>The hash covers the canonical JSON of everything this report shows (below, hidden); "
        "check it with: reviewer report verify FILE.html</p></footer>\n"
        f'<pre id="{DATA_ID}" hidden>{data}</pre>\n'
        "</body></html>\n"
    )
