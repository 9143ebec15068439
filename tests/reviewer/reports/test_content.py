"""The canonical content and its hash: stable for the same content, changed by anything the report shows."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

from reviewer.reports.content import (
    CheckpointRef,
    DecisionRow,
    EvidenceItem,
    InvestigationHead,
    ReportContent,
    TimelineRow,
    canonical_json,
    content_dict,
    content_from_dict,
    content_sha256,
)
from tests.support.report_data import sample_png

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _content() -> ReportContent:
    head = InvestigationHead(uuid.uuid4(), "T", "open", "tester", AT, AT, "s", "r", "a", "g")
    return ReportContent(
        title="T",
        generated_at=AT,
        generated_by="tester",
        investigation=head,
        findings_md="# F\n\ntext",
        accounts=("photoapp:@a",),
        case_count=1,
        timeline=(TimelineRow(AT, "case", "R-1", "partner", "photoapp:@a", text="violence"),),
        decisions=(DecisionRow(AT, "R-1", "tester", "remove", "VIO-1", "2026.11", "why"),),
        evidence=(EvidenceItem("R-1", 1, "image", "ab" * 32, sample_png(1)),),
        checkpoint=CheckpointRef(uuid.uuid4(), AT, "c" * 64, "key"),
    )


def test_the_hash_is_the_sha256_of_the_canonical_json_and_stable() -> None:
    import hashlib

    content = _content()
    text = canonical_json(content_dict(content))
    assert content_sha256(content) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert content_sha256(content) == content_sha256(dataclasses.replace(content))
    assert '"png_sha256"' in text and "base64" not in text  # thumbnails by their hash, not their bytes


def test_anything_shown_changes_the_hash() -> None:
    content = _content()
    base = content_sha256(content)
    changed = [
        dataclasses.replace(content, findings_md="# F\n\ntext!"),
        dataclasses.replace(
            content, decisions=(dataclasses.replace(content.decisions[0], policy_code="VIO-2"),)
        ),
        dataclasses.replace(content, evidence=(dataclasses.replace(content.evidence[0], png=sample_png(2)),)),
        dataclasses.replace(content, checkpoint=None),
        dataclasses.replace(content, options=dataclasses.replace(content.options, clear_images=True)),
    ]
    assert all(content_sha256(c) != base for c in changed)


def test_content_reads_back_from_its_canonical_form() -> None:
    content = _content()
    data = content_dict(content)
    again = content_from_dict(data, {0: content.evidence[0].png or b""})
    assert again == content
    assert content_sha256(again) == content_sha256(content)
