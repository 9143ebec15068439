from __future__ import annotations

import csv
import json
import random
import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance
from sqlalchemy import select

from reviewer import duplicates
from reviewer.audit import verify
from reviewer.decisions import DecisionError, record_decision, undo_last
from reviewer.demo_images import draw_scene
from reviewer.duplicates import apply_to_group, find_decided_duplicates, open_duplicates_of
from reviewer.importing.importer import import_file
from reviewer.media.phash import NEAR_THRESHOLD, hamming, hamming_many, hashes_to_bytes, pdq_hash
from reviewer.models import Case, Decision, Item, Reviewer
from reviewer.policy import PolicyPack
from reviewer.storage.database import Database

PDQ_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "pdq"
needs_pdq_data = pytest.mark.skipif(
    not (PDQ_DATA / "expected_hashes_all_sources.csv").is_file(),
    reason=f"shared PDQ test data not found at {PDQ_DATA}",
)
#: Max Hamming distance accepted against any reference implementation's hash of the same file. The
#: references disagree among themselves by up to 12 bits on these files.
REFERENCE_TOLERANCE = 16


def _scene(path: Path, seed: int, category: str = "violence", size: tuple[int, int] = (640, 480)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_scene(random.Random(seed), category, size).save(path, "JPEG", quality=90)
    return path


def _variant(src: Path, dst: Path) -> Path:
    """Re-encode + resize + slight brightness change."""
    with Image.open(src) as im:
        out = ImageEnhance.Brightness(im.convert("RGB").resize((480, 360))).enhance(1.08)
    out.save(dst, "JPEG", quality=65)
    return dst


def _import(db: Database, folder: Path, cases: dict[str, list[str]]) -> dict[str, uuid.UUID]:
    """Import cases whose image items are the given paths (relative to ``folder``)."""
    path = folder / f"cases-{uuid.uuid4().hex[:6]}.jsonl"
    with open(path, "w") as fh:
        for ext_id, images in cases.items():
            row = {
                "id": ext_id,
                "channel": "partner",
                "category": "violence",
                "priority": 2,
                "sla_minutes": 60,
                "items": [{"kind": "image", "path": p} for p in images] or [{"kind": "text", "text": "x"}],
            }
            fh.write(json.dumps(row) + "\n")
    import_file(db, path)
    with db.read() as s:
        rows = s.execute(select(Case.external_id, Case.id).where(Case.external_id.in_(cases))).all()
    return {e: i for e, i in rows}


def _remove(db: Database, case_id: uuid.UUID, reviewer: Reviewer, pack: PolicyPack) -> None:
    record_decision(db, case_id=case_id, reviewer=reviewer, action="remove", policy_code="VIO-1", pack=pack)


# --------------------------------------------------------------------------- the hash


def test_hash_is_stable_and_tolerates_reencoding(tmp_path: Path) -> None:
    a = _scene(tmp_path / "a.jpg", seed=1)
    b = _variant(a, tmp_path / "b.jpg")
    c = _scene(tmp_path / "c.jpg", seed=2, category="spam")
    ha, hb, hc = pdq_hash(a), pdq_hash(b), pdq_hash(c)
    assert ha is not None and hb is not None and hc is not None
    assert len(ha[0]) == 64 and 0 <= ha[1] <= 100
    assert pdq_hash(a) == ha
    with Image.open(a) as im:
        assert pdq_hash(im) is not None
    assert hamming(ha[0], hb[0]) <= NEAR_THRESHOLD
    assert hamming(ha[0], hc[0]) > NEAR_THRESHOLD


def test_bad_input_gives_no_hash(tmp_path: Path) -> None:
    (tmp_path / "t.jpg").write_text("not an image")
    (tmp_path / "e.jpg").write_bytes(b"")
    good = _scene(tmp_path / "g.jpg", seed=3)
    (tmp_path / "cut.jpg").write_bytes(good.read_bytes()[:2000])
    for name in ("t.jpg", "e.jpg", "cut.jpg", "missing.jpg"):
        assert pdq_hash(tmp_path / name) is None


def test_vectorised_hamming_matches_the_scalar_one() -> None:
    rng = random.Random(5)
    hexes = [f"{rng.getrandbits(256):064x}" for _ in range(50)]
    dist = hamming_many(hashes_to_bytes(hexes[:1])[0], hashes_to_bytes(hexes))
    assert list(dist) == [hamming(hexes[0], h) for h in hexes]


@needs_pdq_data
def test_hash_matches_reference_pdq_hashes() -> None:
    refs: dict[str, list[str]] = {}
    with open(PDQ_DATA / "expected_hashes_all_sources.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            refs.setdefault(row["image_path_under_pdq_data"].split(" ")[0], []).append(row["pdq_hex"])
    checked, worst = 0, 0
    for name, hexes in refs.items():
        path = PDQ_DATA / "images" / name
        if not path.is_file():
            continue
        got = pdq_hash(path)
        assert got is not None, name
        if got[1] < 50:  # PDQ: hashes of near-flat images (quality < 50) are not meaningful
            continue
        for ref in hexes:
            distance = hamming(got[0], ref)
            assert distance <= REFERENCE_TOLERANCE, (name, ref, distance)
            worst = max(worst, distance)
        checked += 1
    assert checked >= 20 and worst <= REFERENCE_TOLERANCE


@needs_pdq_data
def test_bridge_modifications_are_near_duplicates_of_the_original() -> None:
    folder = PDQ_DATA / "images" / "bridge-mods"
    orig = pdq_hash(folder / "aaa-orig.jpg")
    assert orig is not None
    for variant in sorted(folder.glob("*.jpg")):
        got = pdq_hash(variant)
        assert got is not None and hamming(orig[0], got[0]) <= NEAR_THRESHOLD, variant.name


# --------------------------------------------------------------------------- matching cases


def test_import_stores_phash_for_images_only(db: Database, tmp_path: Path) -> None:
    _scene(tmp_path / "m/a.jpg", seed=1)
    (tmp_path / "m/bad.jpg").write_bytes((tmp_path / "m/a.jpg").read_bytes()[:2000])  # an image header, cut
    Image.new("RGB", (200, 150), "black").save(tmp_path / "m/flat.png")  # quality 0: not hashed
    ids = _import(db, tmp_path, {"C-1": ["m/a.jpg", "m/a.jpg", "m/bad.jpg", "m/flat.png"], "C-2": []})
    with db.read() as s:
        items = s.execute(select(Item).where(Item.case_id == ids["C-1"]).order_by(Item.position)).scalars()
        hashes = [i.phash for i in items]
    assert hashes[0] is not None and hashes[0] == hashes[1] and hashes[2:] == [None, None]


def test_exact_and_near_duplicates_of_decided_cases_are_found(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    _scene(tmp_path / "m/a.jpg", seed=1)
    _variant(tmp_path / "m/a.jpg", tmp_path / "m/a-small.jpg")
    _scene(tmp_path / "m/other.jpg", seed=9, category="spam")
    ids = _import(
        db,
        tmp_path,
        {
            "D-exact": ["m/a.jpg"],
            "D-near": ["m/a-small.jpg"],
            "D-other": ["m/other.jpg"],
            "NEW": ["m/a.jpg"],
            "UNDECIDED": ["m/a.jpg"],
        },
    )
    for key in ("D-exact", "D-near", "D-other"):
        _remove(db, ids[key], reviewer_row, pack)
    matches = find_decided_duplicates(db, ids["NEW"])
    by_case = {m.external_id: m for m in matches}
    assert set(by_case) == {"D-exact", "D-near"}  # not the unrelated image, not the undecided case
    assert by_case["D-exact"].kind == "exact" and by_case["D-exact"].distance == 0
    assert by_case["D-near"].kind == "near" and 0 < by_case["D-near"].distance <= NEAR_THRESHOLD
    assert matches[0].external_id == "D-exact"
    for m in matches:
        assert (m.decision_action, m.decision_policy) == ("remove", "VIO-1") and m.decided_at is not None
    assert find_decided_duplicates(db, ids["D-other"]) == []


@needs_pdq_data
def test_bridge_variant_cases_match(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    media = tmp_path / "m"
    media.mkdir()
    for name in ("aaa-orig.jpg", "shrink-a-lot.jpg", "high-contrast.jpg", "blur-a-lot.jpg"):
        (media / name).write_bytes((PDQ_DATA / "images" / "bridge-mods" / name).read_bytes())
    ids = _import(
        db,
        tmp_path,
        {"ORIG": ["m/aaa-orig.jpg"], "S": ["m/shrink-a-lot.jpg"], "H": ["m/high-contrast.jpg"]},
    )
    _remove(db, ids["ORIG"], reviewer_row, pack)
    for key in ("S", "H"):
        [match] = find_decided_duplicates(db, ids[key])
        assert match.external_id == "ORIG" and match.kind == "near"
    assert set(open_duplicates_of(db, ids["ORIG"])) == {ids["S"], ids["H"]}


def test_undone_decisions_do_not_count(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    _scene(tmp_path / "m/a.jpg", seed=1)
    ids = _import(db, tmp_path, {"OLD": ["m/a.jpg"], "NEW": ["m/a.jpg"]})
    _remove(db, ids["OLD"], reviewer_row, pack)
    assert len(find_decided_duplicates(db, ids["NEW"])) == 1
    undo_last(db, reviewer=reviewer_row, session_id=None)
    assert find_decided_duplicates(db, ids["NEW"]) == []
    record_decision(db, case_id=ids["OLD"], reviewer=reviewer_row, action="escalate", rationale="needs tier 2")
    assert find_decided_duplicates(db, ids["NEW"]) == []  # escalate is not a standing outcome


def test_near_search_scans_in_chunks(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duplicates, "CHUNK", 2)
    for n in range(5):
        _scene(tmp_path / f"m/{n}.jpg", seed=100 + n, category="hate")
    _variant(tmp_path / "m/3.jpg", tmp_path / "m/3v.jpg")
    ids = _import(db, tmp_path, {f"D{n}": [f"m/{n}.jpg"] for n in range(5)} | {"NEW": ["m/3v.jpg"]})
    for n in range(5):
        _remove(db, ids[f"D{n}"], reviewer_row, pack)
    assert [m.external_id for m in find_decided_duplicates(db, ids["NEW"])] == ["D3"]


def test_open_group_and_apply_to_group(
    db: Database, tmp_path: Path, reviewer_row: Reviewer, pack: PolicyPack
) -> None:
    _scene(tmp_path / "m/a.jpg", seed=1)
    _variant(tmp_path / "m/a.jpg", tmp_path / "m/a2.jpg")
    _scene(tmp_path / "m/z.jpg", seed=7, category="adult")
    ids = _import(
        db,
        tmp_path,
        {"SRC": ["m/a.jpg"], "T1": ["m/a.jpg"], "T2": ["m/a2.jpg"], "T3": ["m/a.jpg"], "X": ["m/z.jpg"]},
    )
    with pytest.raises(DecisionError, match="no standing decision"):
        apply_to_group(
            db,
            source_case_id=ids["SRC"],
            target_case_ids=[ids["T1"]],
            reviewer=reviewer_row,
            pack=pack,
            session_id=None,
        )
    record_decision(db, case_id=ids["T3"], reviewer=reviewer_row, action="keep")
    record_decision(
        db, case_id=ids["SRC"], reviewer=reviewer_row, action="restrict", policy_code="VIO-2", pack=pack
    )
    group = open_duplicates_of(db, ids["SRC"])
    assert set(group) == {ids["T1"], ids["T2"]}  # T3 is decided, X is unrelated

    # What the confirmation shows: every target, its account, and which hold media nobody revealed.
    from reviewer.bulk import preview_bulk
    from reviewer.models import Item, RevealEvent

    assert [c.case_id for c in preview_bulk(db, [*group, uuid.uuid4()]).cases] == group  # missing: left out
    with db.write() as s:
        item = s.execute(select(Item).where(Item.case_id == group[0])).scalars().first()
        assert item is not None
        s.add(RevealEvent(reviewer_id=reviewer_row.id, case_id=group[0], item_id=item.id, mode="toggle"))
    preview = preview_bulk(db, group)
    assert preview.count == 2 and [c.case_id for c in preview.unseen] == [group[1]]
    assert preview.cases[1].unseen_items == 1

    # A target that is not open spoils the whole batch: nothing is written.
    with pytest.raises(DecisionError, match="no longer open"):
        apply_to_group(
            db,
            source_case_id=ids["SRC"],
            target_case_ids=[*group, ids["T3"]],
            reviewer=reviewer_row,
            pack=pack,
            session_id=None,
        )
    with db.read() as s:
        assert s.execute(select(Decision).where(Decision.case_id.in_(group))).first() is None

    results = apply_to_group(
        db,
        source_case_id=ids["SRC"],
        target_case_ids=group,
        reviewer=reviewer_row,
        pack=pack,
        session_id=None,
    )
    assert {r.case_id for r in results} == set(group)
    assert all(r.action == "restrict" and r.case_status == "decided" for r in results)
    with db.read() as s:
        rows = list(s.execute(select(Decision).where(Decision.case_id.in_(group))).scalars())
        statuses = set(s.execute(select(Case.status).where(Case.id.in_(group))).scalars())
    assert len(rows) == 2 and statuses == {"decided"}
    for d in rows:
        assert (d.action, d.policy_code, d.revealed) == ("restrict", "VIO-2", False)
        assert d.note == "applied from duplicate SRC" and d.policy_version == pack.version
    assert open_duplicates_of(db, ids["SRC"]) == []
    assert len({d.bulk_id for d in rows}) == 1 and rows[0].bulk_id is not None  # one bulk
    assert all(d.rationale == "applied from duplicate SRC" for d in rows)
    report = verify(db)
    assert report.ok, report.problem

    # One undo reverses the whole bulk, in one transaction, and leaves the earlier decisions standing.
    undone = undo_last(db, reviewer=reviewer_row, session_id=None)
    assert undone is not None and set(undone.bulk_cases) == set(group)
    with db.read() as s:
        statuses = set(s.execute(select(Case.status).where(Case.id.in_(group))).scalars())
        assert s.get(Case, ids["SRC"]).status == "decided"  # type: ignore[union-attr]
    assert statuses == {"open"}
    assert set(open_duplicates_of(db, ids["SRC"])) == set(group)
    nxt = undo_last(db, reviewer=reviewer_row, session_id=None)
    assert nxt is not None and nxt.case_id == ids["SRC"] and nxt.bulk_cases == ()
    assert verify(db).ok


def test_near_search_over_100k_hashes_finds_only_the_match(db: Database) -> None:
    """Vectorised comparison over 100k stored hashes (its speed is measured in bench/, not here)."""
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(100_000, 32), dtype=np.uint8)
    hexes = [bytes(r).hex() for r in raw]
    dist = hamming_many(raw[0], hashes_to_bytes(hexes))
    assert dist[0] == 0 and int((dist <= NEAR_THRESHOLD).sum()) == 1


def test_a_bulk_preview_counts_distinct_accounts_and_ignores_cases_without_one() -> None:
    from reviewer.bulk import BulkCase, BulkPreview

    a, b, c, d = (uuid.uuid4() for _ in range(4))
    preview = BulkPreview(
        (
            BulkCase(a, "A", "messenger/@x", 0),
            BulkCase(b, "B", "messenger/@x", 2),
            BulkCase(c, "C", "forum/@x", 0),
            BulkCase(d, "D", None, 1),
        )
    )
    assert (preview.count, preview.accounts) == (4, 2)
    assert [x.external_id for x in preview.unseen] == ["B", "D"]
