"""A demo database: thousands of cases across channels, priorities, SLAs and accounts, with synthetic media.

Everything is drawn from one seeded RNG, so the same ``--seed`` gives the same cases, texts and image
bytes (video clips are encoded with fixed settings and FFmpeg's bit-exact flags, so they are
byte-stable too); SLA deadlines are laid out relative to the build time so the queue's timers are live.
The demo goes through the real JSON Lines importer.
"""

from __future__ import annotations

import io
import json
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import av
from PIL import Image, ImageDraw

from reviewer.categories import CATEGORIES
from reviewer.clock import utcnow
from reviewer.demo_catalog import CATEGORY_WEIGHTS, CHANNELS, PLATFORMS, REPORT_LINES, REQUESTERS, RISK_FLAGS
from reviewer.demo_images import draw_scene, draw_text_card
from reviewer.importing.importer import ImportReport, import_file
from reviewer.storage.database import Database
from reviewer.vault.opening import ensure_vault

POST_TEXTS = [
    "you all know what should happen to people like them",
    "can't do this anymore. goodbye everyone",
    "DM me for the real footage, too graphic for here",
    "join us. the movement needs soldiers. link in bio",
    "FREE 5 BTC!!! send 0.1 to verify your wallet",
    "found her address lol, go say hi",
    "this is what happens when you cross us",
    "day 40 clean. it gets better, reach out if you need to",
]


@dataclass(frozen=True)
class DemoSpec:
    cases: int = 3000
    seed: int = 7
    images: int = 120
    videos: int = 3
    #: Share of cases that also carry a video item.
    video_share: float = 0.05
    #: Days of past decisions to build (``reviewer.demo_history``); 0 for none (tests' small demos).
    history_days: int = 0


CLIP_SIZE = (320, 240)
CLIP_FPS = 12
CLIP_SECONDS = 3.0


def write_clip(path: Path, rng: random.Random, seconds: float = CLIP_SECONDS) -> None:
    """A short silent MP4 (MPEG-4 Part 2) of abstract shapes drifting over a dark background.

    Single-threaded, bit-exact encoder and muxer flags: the same RNG state gives the same bytes.
    """
    w, h = CLIP_SIZE
    background = tuple(rng.randrange(20, 90) for _ in range(3))
    shapes = [
        (
            rng.uniform(0, w),
            rng.uniform(0, h),
            rng.uniform(-60, 60),
            rng.uniform(-45, 45),
            rng.randint(10, 40),
            tuple(rng.randrange(90, 256) for _ in range(3)),
            rng.random() < 0.5,
        )
        for _ in range(rng.randint(3, 6))
    ]
    with av.open(str(path), "w", format="mp4", options={"fflags": "+bitexact"}) as out:
        stream = out.add_stream("mpeg4", rate=CLIP_FPS)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.thread_count = 1
        stream.codec_context.options = {"flags": "+bitexact"}
        for n in range(round(seconds * CLIP_FPS)):
            t = n / CLIP_FPS
            picture = Image.new("RGB", CLIP_SIZE, background)
            draw = ImageDraw.Draw(picture)
            for x, y, vx, vy, r, colour, square in shapes:
                cx, cy = (x + vx * t) % w, (y + vy * t) % h
                box = (cx - r, cy - r, cx + r, cy + r)
                (draw.rectangle if square else draw.ellipse)(box, fill=colour)
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def write_demo_source(folder: Path, spec: DemoSpec, now: datetime) -> Path:
    """Write ``cases.jsonl`` and its media into ``folder``; returns the JSONL path."""
    rng = random.Random(spec.seed)
    media = folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    categories = list(CATEGORY_WEIGHTS)
    weights = [CATEGORY_WEIGHTS[c] for c in categories]
    assert set(categories) <= set(CATEGORIES)
    images_by_category: dict[str, list[str]] = {c: [] for c in categories}
    for n in range(spec.images):
        category = categories[n % len(categories)]
        picture = draw_scene(rng, category)
        buf = io.BytesIO()
        picture.save(buf, "JPEG", quality=82)
        name = f"media/scene-{n:04d}-{category}.jpg"
        (folder / name).write_bytes(buf.getvalue())
        images_by_category[category].append(name)
    for n, text in enumerate(POST_TEXTS[:4]):
        buf = io.BytesIO()
        draw_text_card(rng, text).save(buf, "PNG", optimize=False)
        name = f"media/post-{n:02d}.png"
        (folder / name).write_bytes(buf.getvalue())
        images_by_category["harassment"].append(name)
    videos: list[str] = []
    video_rng = random.Random(spec.seed * 7919 + 1)  # its own stream: the cases stay as they were
    requester_rng = random.Random(spec.seed * 7919 + 2)  # likewise for requesters and response deadlines
    for n in range(spec.videos):
        name = f"media/clip-{n:02d}.mp4"
        write_clip(folder / name, video_rng)
        videos.append(name)
    accounts = [
        {
            "platform": rng.choice(PLATFORMS),
            "handle": f"@user{rng.randrange(10**6):06d}",
            "risk_flags": rng.sample(RISK_FLAGS, k=rng.choice((0, 0, 1, 1, 2, 3))),
            "risk_score": round(rng.betavariate(1.5, 4), 3),
        }
        for _ in range(max(20, spec.cases // 8))
    ]
    unique_accounts = {(a["platform"], a["handle"]): a for a in accounts}
    accounts = list(unique_accounts.values())
    path = folder / "cases.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for n in range(spec.cases):
            category = rng.choices(categories, weights)[0]
            priority = rng.choices((1, 2, 3, 4), (8, 22, 45, 25))[0]
            # Deadlines from already-breached to three days out.
            deadline = now + timedelta(minutes=rng.randint(-90, 60 * 24 * 3) // priority)
            items: list[dict] = []
            shape = rng.random()
            if shape < 0.72 or not images_by_category[category]:
                items.append(
                    {
                        "kind": "image",
                        "path": rng.choice(images_by_category[category] or ["media/scene-0000-violence.jpg"]),
                    }
                )
            if shape >= 0.72 or rng.random() < 0.25:
                items.append({"kind": "text", "text": rng.choice(POST_TEXTS)})
            if videos and video_rng.random() < spec.video_share:
                items.append({"kind": "video", "path": video_rng.choice(videos)})
            case = {
                "id": f"DEMO-{spec.seed}-{n:06d}",
                "channel": rng.choice(CHANNELS),
                "category": category,
                "priority": priority,
                "sla_deadline": deadline.isoformat(),
                "account": rng.choice(accounts),
                "reporter": rng.choice(
                    ("partner:ngo-safe", "media:desk-4", "staff:tier2", "user", "hotline")
                ),
                "report_text": rng.choice(REPORT_LINES[category]),
                "items": items,
                "scores": {category: round(rng.uniform(0.35, 0.99), 2)},
            }
            if case["channel"] in REQUESTERS:
                requester = dict(requester_rng.choice(REQUESTERS[case["channel"]]))
                requester["reference"] = f"{case['channel'][:3].upper()}-{requester_rng.randint(1000, 9999)}"
                case["requester"] = requester
                if requester_rng.random() < 0.2:  # some responses already late (else the channel's SLA)
                    case["response_due_at"] = (now - timedelta(hours=requester_rng.randint(1, 30))).isoformat()
            out.write(json.dumps(case) + "\n")
    return path


def build_demo(db: Database, spec: DemoSpec = DemoSpec(), now: datetime | None = None) -> ImportReport:
    """Generate the demo cases and import them into ``db`` (whose schema must be current). Sealed with a
    key in the OS keyring, or — synthetic data only — a file-kept key labelled "demo" when there is none."""
    now = now or utcnow().replace(second=0, microsecond=0)
    ensure_vault(db, demo=True)
    with tempfile.TemporaryDirectory(prefix="reviewer-demo-") as tmp:
        source = write_demo_source(Path(tmp), spec, now)
        report = import_file(db, source, actor="demo", now=now)
    if spec.history_days > 0:
        from reviewer.demo_history import build_history

        build_history(db, now, seed=spec.seed, days=spec.history_days, scale=min(1.0, spec.cases / 3000))
        from reviewer.demo_appeals import add_demo_appeals

        add_demo_appeals(db, now, seed=spec.seed)
    return report
