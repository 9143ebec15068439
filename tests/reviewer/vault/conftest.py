"""Fixtures for data at rest: a machine with no usable keyring, and a small sealed import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PIL import Image

from reviewer.audit.keys import forget_cached_keys as forget_audit_keys
from reviewer.importing.importer import import_file
from reviewer.storage.database import Database
from reviewer.vault.state import forget_cached_keys


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    forget_cached_keys()
    forget_audit_keys()
    yield
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    keyring.core.init_backend()
    forget_cached_keys()
    forget_audit_keys()


def write_source(folder: Path, cases: list[dict[str, object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    return path


def case_line(n: int, report: str, *, image: str | None = None, text: str | None = None) -> dict[str, object]:
    items: list[dict[str, object]] = []
    if image:
        items.append({"kind": "image", "path": image})
    items.append({"kind": "text", "text": text or f"item text {n}"})
    return {
        "id": f"V-{n}",
        "channel": "partner",
        "category": "violence",
        "report_text": report,
        "account": {"platform": "photoapp", "handle": f"@someone{n}"},
        "items": items,
    }


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(folder / "red.png")
    return write_source(
        folder,
        [
            case_line(1, "Graphic injury with a celebratory caption", image="red.png"),
            case_line(2, "Street fight, threats against a named group", text="secret note"),
            case_line(3, "Ünïcode Caption and caption again"),
        ],
    )


@pytest.fixture
def imported(db: Database, source: Path) -> Database:
    import_file(db, source)
    return db
