"""Synthetic, abstract "sensitive-looking" images for demo data, tests and benchmarks.

Every scene is drawn with Pillow from simple shapes, gradients and noise: there is no real harmful content,
no real symbol and no real person in any of them. Output depends only on the ``random.Random`` passed in,
so the same seed always gives the same bytes. Only Pillow's built-in font is used (nothing downloaded).

    draw_scene(rng, "violence")            -> RGB image for a category key (unknown keys get a generic scene)
    draw_text_card(rng, "some post text")  -> RGB screenshot-like image of a social media post

This module is part of the core package and must not import Qt.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Size = tuple[int, int]
RGB = tuple[int, int, int]

DEFAULT_SIZE: Size = (960, 720)
SKIN_TONES: tuple[RGB, ...] = (
    (241, 194, 167),
    (224, 172, 138),
    (198, 134, 103),
    (161, 102, 72),
    (120, 76, 52),
    (234, 190, 160),
)
FAKE_WORDS = (
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
    "enim",
    "minim",
    "veniam",
)


# ----------------------------------------------------------------------------------------------- helpers


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled default font at ``size`` pixels (bitmap fallback without FreeType)."""
    return ImageFont.load_default(size=size)


def _jitter(rng: random.Random, color: RGB, amount: int = 18) -> RGB:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in color)
    return r, g, b


@lru_cache(maxsize=16)
def _ramp(size: Size, radial: bool) -> Image.Image:
    """A cached full-size greyscale ramp: 0 at the top (or centre) to 255 at the bottom (or edge)."""
    if radial:
        return Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR)
    column = Image.linear_gradient("L").resize((1, size[1]), Image.Resampling.BILINEAR)
    return column.resize(size, Image.Resampling.NEAREST)


@lru_cache(maxsize=16)
def _vignette_mask(size: Size, strength: float) -> Image.Image:
    lut = [int(min(255, max(0, (v - 110) * 2.2)) * strength) for v in range(256)]
    return _ramp(size, True).point(lut)


def _gradient(rng: random.Random, size: Size, top: RGB, bottom: RGB, radial: bool = False) -> Image.Image:
    """A vertical (or radial, centre to edge) two-colour gradient with a random midpoint."""
    gamma = rng.uniform(0.6, 1.6)
    ramp = _ramp(size, radial)
    bands = []
    for a, b in zip(top, bottom, strict=True):
        bands.append(ramp.point([round(a + (b - a) * (v / 255) ** gamma) for v in range(256)]))
    return Image.merge("RGB", bands)


def _noise(rng: random.Random, size: Size) -> Image.Image:
    """Seeded full-resolution grey grain."""
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _finish(rng: random.Random, img: Image.Image, grain: float = 0.07, vignette: float = 0.0) -> Image.Image:
    """Add film grain and an optional dark vignette (0..1 strength)."""
    if grain > 0:
        img = Image.blend(img, _noise(rng, img.size).convert("RGB"), grain)
    if vignette > 0:
        black = Image.new("RGB", img.size, (0, 0, 0))
        img = Image.composite(black, img, _vignette_mask(img.size, round(vignette, 2)))
    return img


def _blob(
    draw: ImageDraw.ImageDraw, rng: random.Random, cx: float, cy: float, r: float, fill: RGB, lobes: int = 6
) -> None:
    """An irregular round blob made of overlapping ellipses."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
    for _ in range(lobes):
        a = rng.uniform(0, math.tau)
        d = r * rng.uniform(0.4, 0.9)
        rr = r * rng.uniform(0.35, 0.7)
        x, y = cx + math.cos(a) * d, cy + math.sin(a) * d
        draw.ellipse((x - rr, y - rr, x + rr, y + rr), fill=fill)


def _splatter(
    draw: ImageDraw.ImageDraw, rng: random.Random, cx: float, cy: float, r: float, fill: RGB
) -> None:
    """A splash: a central blob, radial streaks ending in drops, and scattered droplets."""
    _blob(draw, rng, cx, cy, r, fill, lobes=rng.randint(5, 9))
    for _ in range(rng.randint(6, 14)):
        a = rng.uniform(0, math.tau)
        length = r * rng.uniform(1.3, 3.2)
        x, y = cx + math.cos(a) * length, cy + math.sin(a) * length
        width = max(2, int(r * rng.uniform(0.06, 0.18)))
        draw.line((cx, cy, x, y), fill=fill, width=width)
        dr = width * rng.uniform(0.8, 1.6)
        draw.ellipse((x - dr, y - dr, x + dr, y + dr), fill=fill)
    for _ in range(rng.randint(10, 30)):
        a = rng.uniform(0, math.tau)
        d = r * rng.uniform(1.0, 4.0)
        dr = rng.uniform(1.5, r * 0.12 + 2)
        x, y = cx + math.cos(a) * d, cy + math.sin(a) * d
        draw.ellipse((x - dr, y - dr, x + dr, y + dr), fill=fill)


def _silhouette(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: float,
    ground: float,
    height: float,
    fill: RGB,
    pose: str = "stand",
) -> None:
    """A featureless stick-and-block human silhouette standing on ``ground`` (or lying if pose='lie')."""
    h = height
    limb = max(3, int(h * 0.07))
    if pose == "lie":
        y = ground - h * 0.08
        draw.ellipse((x - h * 0.5, y - h * 0.08, x - h * 0.34, y + h * 0.08), fill=fill)
        draw.rounded_rectangle(
            (x - h * 0.33, y - h * 0.08, x + h * 0.05, y + h * 0.08), radius=h * 0.05, fill=fill
        )
        draw.line((x + h * 0.05, y, x + h * 0.5, y + rng.uniform(-h, h) * 0.05), fill=fill, width=limb)
        draw.line((x + h * 0.05, y + h * 0.04, x + h * 0.45, y + h * 0.1), fill=fill, width=limb)
        draw.line((x - h * 0.25, y, x - h * 0.1, y + h * 0.14), fill=fill, width=limb)
        return
    head = h * 0.12
    top = ground - h
    draw.ellipse((x - head / 2, top, x + head / 2, top + head), fill=fill)
    body_top, body_bottom = top + head * 1.1, ground - h * 0.45
    draw.rounded_rectangle((x - h * 0.11, body_top, x + h * 0.11, body_bottom), radius=h * 0.05, fill=fill)
    spread = rng.uniform(0.05, 0.16) * h
    draw.line((x - h * 0.06, body_bottom - 2, x - spread, ground), fill=fill, width=limb + 2)
    draw.line((x + h * 0.06, body_bottom - 2, x + spread, ground), fill=fill, width=limb + 2)
    for side in (-1, 1):
        raised = pose == "raise" and rng.random() < 0.7
        end_y = top - h * 0.05 if raised else body_bottom + rng.uniform(-0.05, 0.1) * h
        end_x = x + side * h * rng.uniform(0.15, 0.3)
        draw.line((x + side * h * 0.09, body_top + h * 0.04, end_x, end_y), fill=fill, width=limb)


def _text_lines(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: float,
    y: float,
    width: float,
    lines: int,
    height: float,
    fill: RGB,
    gap: float = 1.8,
) -> float:
    """Redacted-looking placeholder text: rounded bars of random length. Returns the y below the block."""
    for i in range(lines):
        frac = rng.uniform(0.55, 1.0) if i < lines - 1 else rng.uniform(0.25, 0.7)
        draw.rounded_rectangle((x, y, x + width * frac, y + height), radius=height / 2, fill=fill)
        y += height * gap
    return y


def _emblem(
    draw: ImageDraw.ImageDraw, rng: random.Random, cx: float, cy: float, r: float, fg: RGB, bg: RGB
) -> None:
    """An invented, meaningless geometric badge: a ring around an irregular many-pointed shard and a bar.

    Point counts and radii are randomised (6-9 uneven points, never a regular star) so that it cannot
    reproduce a real emblem.
    """
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fg)
    draw.ellipse((cx - r * 0.82, cy - r * 0.82, cx + r * 0.82, cy + r * 0.82), fill=bg)
    points = rng.randint(6, 9)
    rot = rng.uniform(0, math.tau)
    poly = []
    for i in range(points * 2):
        a = rot + i * math.pi / points + rng.uniform(-0.12, 0.12)
        rr = r * (rng.uniform(0.45, 0.75) if i % 2 == 0 else rng.uniform(0.12, 0.3))
        poly.append((cx + math.cos(a) * rr, cy + math.sin(a) * rr))
    draw.polygon(poly, fill=fg)
    bar = r * 0.09
    draw.rectangle((cx - r * 0.82, cy + r * 0.45 - bar, cx + r * 0.82, cy + r * 0.45 + bar), fill=fg)
    draw.ellipse((cx - r * 0.1, cy - r * 0.1, cx + r * 0.1, cy + r * 0.1), fill=bg)


def _icon(draw: ImageDraw.ImageDraw, kind: int, cx: float, cy: float, r: float, color: RGB) -> None:
    """Tiny post-footer icons drawn as shapes (the default font has no symbol glyphs)."""
    if kind == 0:  # reply bubble
        draw.rounded_rectangle(
            (cx - r, cy - r * 0.8, cx + r, cy + r * 0.6), radius=r * 0.5, outline=color, width=2
        )
        draw.line((cx - r * 0.4, cy + r * 0.6, cx - r * 0.7, cy + r), fill=color, width=2)
    elif kind == 1:  # repost arrows
        draw.line((cx - r, cy - r * 0.4, cx + r, cy - r * 0.4), fill=color, width=2)
        draw.polygon([(cx + r, cy - r * 0.8), (cx + r, cy), (cx + r * 1.4, cy - r * 0.4)], fill=color)
        draw.line((cx - r, cy + r * 0.4, cx + r, cy + r * 0.4), fill=color, width=2)
        draw.polygon([(cx - r, cy), (cx - r, cy + r * 0.8), (cx - r * 1.4, cy + r * 0.4)], fill=color)
    else:  # heart
        draw.ellipse((cx - r, cy - r * 0.8, cx, cy + r * 0.2), outline=color, width=2)
        draw.ellipse((cx, cy - r * 0.8, cx + r, cy + r * 0.2), outline=color, width=2)
        draw.line((cx - r * 0.95, cy - r * 0.1, cx, cy + r), fill=color, width=2)
        draw.line((cx + r * 0.95, cy - r * 0.1, cx, cy + r), fill=color, width=2)


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: float,
    max_lines: int,
) -> list[str]:
    """Greedy word wrap to ``width`` pixels; stops after ``max_lines + 1`` lines (enough to see overflow).

    Over-long words are split by character.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            if len(lines) > max_lines:
                return lines
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while len(word) > 1 and draw.textlength(word, font=font) > width and len(lines) <= max_lines:
                lo, hi = 1, len(word)  # longest prefix that fits, by bisection
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if draw.textlength(word[:mid], font=font) <= width:
                        lo = mid
                    else:
                        hi = mid - 1
                lines.append(word[:lo])
                word = word[lo:]
            line = word
        lines.append(line)
    return lines


# ---------------------------------------------------------------------------------------------- scenes


def _violence(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    img = _gradient(rng, size, _jitter(rng, (40, 12, 14)), _jitter(rng, (8, 6, 8)))
    draw = ImageDraw.Draw(img)
    ground = h * rng.uniform(0.78, 0.9)
    draw.rectangle((0, ground, w, h), fill=_jitter(rng, (22, 14, 14), 8))
    # harsh light beam
    x0 = rng.uniform(0.2, 0.8) * w
    draw.polygon(
        [(x0 - w * 0.05, 0), (x0 + w * 0.05, 0), (x0 + w * 0.25, ground), (x0 - w * 0.2, ground)],
        fill=_jitter(rng, (58, 30, 30), 8),
    )
    for _ in range(rng.randint(1, 3)):
        _silhouette(
            draw,
            rng,
            rng.uniform(0.15, 0.85) * w,
            ground,
            h * rng.uniform(0.45, 0.7),
            (6, 4, 5),
            pose=rng.choice(("stand", "raise")),
        )
    _silhouette(draw, rng, rng.uniform(0.3, 0.7) * w, ground + h * 0.05, h * 0.55, (10, 6, 6), pose="lie")
    for _ in range(rng.randint(3, 6)):
        _splatter(
            draw,
            rng,
            rng.uniform(0.05, 0.95) * w,
            rng.uniform(0.1, 0.95) * h,
            rng.uniform(0.02, 0.07) * w,
            _jitter(rng, (150, 10, 16), 25),
        )
    return _finish(rng, img, grain=0.08, vignette=0.8)


def _self_harm(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    img = _gradient(rng, size, _jitter(rng, (92, 98, 110)), _jitter(rng, (45, 48, 58)))
    draw = ImageDraw.Draw(img)
    # muted window light
    for i in range(rng.randint(3, 5)):
        x = w * (0.1 + i * 0.18) + rng.uniform(-10, 10)
        draw.rectangle((x, h * 0.08, x + w * 0.12, h * 0.4), fill=_jitter(rng, (120, 125, 135), 8))
    # an abstract pale, elongated limb-like band crossing the frame
    skin = _jitter(rng, rng.choice(SKIN_TONES), 10)
    red, green, blue = (int(c * 0.8 + 100 * 0.2) for c in skin)  # desaturate
    skin = (red, green, blue)
    y = h * rng.uniform(0.5, 0.65)
    band_h = h * rng.uniform(0.14, 0.2)
    draw.rounded_rectangle((-40, y, w * rng.uniform(0.75, 0.95), y + band_h), radius=band_h / 2, fill=skin)
    # faint, short parallel marks on the band
    mark = _jitter(rng, (150, 70, 75), 12)
    start = w * rng.uniform(0.25, 0.4)
    for i in range(rng.randint(4, 8)):
        mx = start + i * w * rng.uniform(0.035, 0.05)
        draw.line((mx, y + band_h * 0.25, mx + w * 0.02, y + band_h * 0.7), fill=mark, width=2)
    # scattered muted shapes (pills, petals) in the foreground
    for _ in range(rng.randint(4, 9)):
        cx, cy, r = rng.uniform(0, w), rng.uniform(h * 0.78, h), rng.uniform(8, 20)
        draw.rounded_rectangle(
            (cx - r, cy - r / 2, cx + r, cy + r / 2), radius=r / 2, fill=_jitter(rng, (170, 170, 180), 20)
        )
    return _finish(rng, img, grain=0.1, vignette=0.5)


def _child_safety(rng: random.Random, size: Size) -> Image.Image:
    """Deliberately a placeholder: pastel toy shapes under a hatched 'withheld' panel."""
    w, h = size
    img = _gradient(rng, size, _jitter(rng, (250, 226, 236)), _jitter(rng, (205, 230, 250)))
    draw = ImageDraw.Draw(img)
    pastel = ((255, 179, 186), (255, 223, 186), (255, 255, 186), (186, 255, 201), (186, 225, 255))
    for _ in range(rng.randint(8, 14)):
        x, y, s = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(30, 90)
        color = _jitter(rng, rng.choice(pastel), 10)
        if rng.random() < 0.5:
            draw.rounded_rectangle(
                (x, y, x + s, y + s), radius=s * 0.15, fill=color, outline=(255, 255, 255), width=3
            )
        else:
            draw.ellipse((x, y, x + s, y + s * 1.2), fill=color)
            draw.line(
                (x + s / 2, y + s * 1.2, x + s / 2 + rng.uniform(-20, 20), y + s * 2.4),
                fill=(120, 120, 120),
                width=2,
            )
    box = (w * 0.18, h * 0.3, w * 0.82, h * 0.7)
    draw.rectangle(box, fill=(40, 40, 46))
    step = 28
    for x in range(int(box[0]) - int(box[3] - box[1]), int(box[2]), step):
        draw.line((x, box[3], x + (box[3] - box[1]), box[1]), fill=(230, 190, 40), width=8)
    inner = (box[0] + 30, box[1] + 30, box[2] - 30, box[3] - 30)
    draw.rectangle(inner, fill=(30, 30, 34))
    font = _font(max(14, h // 20))
    draw.text(
        ((inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2 - h * 0.03),
        "CONTENT WITHHELD",
        font=font,
        fill=(240, 240, 240),
        anchor="mm",
    )
    draw.text(
        ((inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2 + h * 0.04),
        "synthetic test item",
        font=_font(max(10, h // 36)),
        fill=(180, 180, 190),
        anchor="mm",
    )
    return _finish(rng, img, grain=0.04)


def _hate(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    palettes = (
        ((180, 20, 24), (15, 15, 15), (240, 234, 220)),
        ((20, 20, 20), (200, 160, 30), (235, 235, 235)),
        ((30, 40, 90), (190, 30, 30), (240, 240, 240)),
    )
    bg, accent, paper = (_jitter(rng, c, 12) for c in rng.choice(palettes))
    img = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(img)
    # poster: heavy bars, diagonal band, invented emblem, crowd row, shouting block text
    draw.rectangle((0, 0, w, h * 0.16), fill=bg)
    draw.rectangle((0, h * 0.84, w, h), fill=bg)
    k = rng.uniform(0.1, 0.3)
    draw.polygon(
        [(0, h * (0.55 + k)), (w, h * (0.25 + k)), (w, h * (0.4 + k)), (0, h * (0.7 + k))], fill=accent
    )
    _emblem(draw, rng, w * rng.uniform(0.3, 0.7), h * 0.42, h * 0.2, bg, paper)
    for i in range(rng.randint(5, 9)):
        x = w * (i + 0.5) / 8 + rng.uniform(-15, 15)
        _silhouette(draw, rng, x, h * 0.86, h * rng.uniform(0.22, 0.3), (10, 10, 10), pose="raise")
    font = _font(max(16, h // 11))
    draw.text(
        (w / 2, h * 0.08),
        "".join(rng.choice("XZKQVW") for _ in range(rng.randint(5, 8))) + "!",
        font=font,
        fill=paper,
        anchor="mm",
    )
    _text_lines(draw, rng, w * 0.1, h * 0.895, w * 0.8, 2, h * 0.022, paper)
    return _finish(rng, img, grain=0.1)


def _harassment(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, (236, 229, 221))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, w, h * 0.1), fill=(32, 44, 51))
    draw.ellipse(
        (w * 0.02, h * 0.015, w * 0.02 + h * 0.07, h * 0.085), fill=_jitter(rng, (150, 150, 160), 40)
    )
    draw.text(
        (w * 0.02 + h * 0.09, h * 0.05),
        f"user_{rng.randint(1000, 9999)}",
        font=_font(max(12, h // 30)),
        fill=(240, 240, 240),
        anchor="lm",
    )
    draw.ellipse((w * 0.9, h * 0.02, w * 0.9 + h * 0.06, h * 0.08), fill=(220, 40, 40))
    draw.text(
        (w * 0.9 + h * 0.03, h * 0.05),
        str(rng.randint(20, 99)),
        font=_font(max(10, h // 40)),
        fill=(255, 255, 255),
        anchor="mm",
    )
    y = h * 0.13
    font = _font(max(12, h // 34))
    while y < h * 0.9:
        incoming = rng.random() < 0.8  # a flood from the other side
        bw = w * rng.uniform(0.3, 0.65)
        lines = rng.randint(1, 3)
        bh = lines * h * 0.045 + h * 0.02
        x = w * 0.03 if incoming else w * 0.97 - bw
        fill = (255, 255, 255) if incoming else (220, 248, 198)
        draw.rounded_rectangle((x, y, x + bw, y + bh), radius=12, fill=fill)
        if incoming and rng.random() < 0.5:
            text = (
                "".join(rng.choice("#@%&*$") for _ in range(rng.randint(4, 9)))
                + " "
                + "!" * rng.randint(2, 6)
            )
            draw.text((x + 14, y + h * 0.012), text.upper(), font=font, fill=(190, 30, 30))
            _text_lines(draw, rng, x + 14, y + h * 0.055, bw - 28, lines - 1, h * 0.016, (150, 150, 150), 2.8)
        else:
            _text_lines(draw, rng, x + 14, y + h * 0.02, bw - 28, lines, h * 0.016, (150, 150, 150), 2.8)
        y += bh + h * 0.02
    draw.rectangle((0, h * 0.92, w, h), fill=(245, 245, 245))
    return _finish(rng, img, grain=0.03)


def _dangerous_orgs(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    img = _gradient(rng, size, _jitter(rng, (60, 58, 50)), _jitter(rng, (18, 18, 16)))
    draw = ImageDraw.Draw(img)
    banner = _jitter(rng, rng.choice(((20, 20, 20), (30, 70, 40), (90, 20, 20))), 10)
    ink = (235, 235, 225)
    draw.rectangle((w * 0.08, h * 0.08, w * 0.92, h * 0.48), fill=banner)
    for i in range(6):  # cloth folds
        x = w * 0.08 + (i + 1) * w * 0.12
        draw.line(
            (x, h * 0.08, x + rng.uniform(-15, 15), h * 0.48),
            fill=tuple(max(0, c - 12) for c in banner),
            width=6,
        )
    _emblem(draw, rng, w * 0.5, h * 0.25, h * 0.13, ink, banner)
    _text_lines(draw, rng, w * 0.2, h * 0.41, w * 0.6, 1, h * 0.025, ink)
    ground = h * 0.95
    n = rng.randint(3, 6)
    for i in range(n):
        x = w * (i + 0.5) / n
        _silhouette(
            draw,
            rng,
            x,
            ground,
            h * rng.uniform(0.42, 0.5),
            (12, 12, 12),
            pose=rng.choice(("stand", "raise")),
        )
        # a generic long object held diagonally (abstract, no real weapon detail)
        draw.line(
            (x - h * 0.08, ground - h * 0.2, x + h * 0.1, ground - h * 0.38), fill=(25, 25, 25), width=7
        )
    return _finish(rng, img, grain=0.1, vignette=0.6)


def _adult(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    sw, sh = w // 4, h // 4  # draw small and soft, then scale up: fast blur
    small = _gradient(rng, (sw, sh), _jitter(rng, (120, 60, 70)), _jitter(rng, (40, 20, 30)))
    draw = ImageDraw.Draw(small)
    tone = rng.choice(SKIN_TONES)
    for _ in range(rng.randint(4, 7)):
        cx, cy = rng.uniform(0.2, 0.8) * sw, rng.uniform(0.25, 0.9) * sh
        rx, ry = rng.uniform(0.1, 0.22) * sw, rng.uniform(0.12, 0.3) * sh
        draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=_jitter(rng, tone, 14))
    for _ in range(rng.randint(2, 4)):  # shading
        cx, cy, r = rng.uniform(0.2, 0.8) * sw, rng.uniform(0.3, 0.9) * sh, rng.uniform(0.03, 0.08) * sw
        draw.ellipse((cx - r, cy - r * 0.6, cx + r, cy + r * 0.6), fill=tuple(int(c * 0.8) for c in tone))
    draw.rectangle((0, sh * rng.uniform(0.85, 0.95), sw, sh), fill=_jitter(rng, (230, 225, 230), 10))
    small = small.filter(ImageFilter.GaussianBlur(2.2))
    img = small.resize(size, Image.Resampling.BILINEAR)
    return _finish(rng, img, grain=0.06, vignette=0.5)


def _spam(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    colors = ((255, 0, 200), (255, 230, 0), (0, 230, 120), (0, 170, 255), (255, 80, 0))
    a, b = rng.sample(colors, 2)
    img = Image.new("RGB", size, a)
    draw = ImageDraw.Draw(img)
    stripe = w / rng.randint(8, 14)
    for i in range(-int(h / stripe) - 1, int(w / stripe) + 1, 2):
        x = i * stripe
        draw.polygon([(x, 0), (x + stripe, 0), (x + stripe + h, h), (x + h, h)], fill=b)
    cx, cy, r = w * rng.uniform(0.7, 0.85), h * rng.uniform(0.25, 0.4), h * 0.2
    star = [
        (
            cx + math.cos(i * math.pi / 12) * (r if i % 2 == 0 else r * 0.75),
            cy + math.sin(i * math.pi / 12) * (r if i % 2 == 0 else r * 0.75),
        )
        for i in range(24)
    ]
    draw.polygon(star, fill=(255, 30, 30), outline=(255, 255, 255))
    draw.text(
        (cx, cy),
        f"-{rng.choice((70, 80, 90, 95))}%",
        font=_font(max(14, h // 14)),
        fill=(255, 255, 255),
        anchor="mm",
    )
    big = _font(max(18, h // 9))
    headline = rng.choice(("YOU WON!!!", "FREE $$$", "CLICK NOW", "LAST CHANCE", "100% FREE"))
    for dx, dy, col in ((5, 5, (0, 0, 0)), (0, 0, (255, 255, 255))):
        draw.text((w * 0.06 + dx, h * 0.12 + dy), headline, font=big, fill=col)
    for _ in range(rng.randint(3, 6)):  # coins
        x, y, s = rng.uniform(0.05, 0.6) * w, rng.uniform(0.4, 0.7) * h, rng.uniform(40, 80)
        draw.ellipse((x, y, x + s, y + s), fill=(250, 200, 20), outline=(180, 120, 0), width=4)
        draw.text((x + s / 2, y + s / 2), "$", font=_font(int(s * 0.6)), fill=(180, 120, 0), anchor="mm")
    bx0, by0, bx1, by1 = w * 0.2, h * 0.78, w * 0.8, h * 0.92
    draw.rounded_rectangle(
        (bx0, by0, bx1, by1), radius=20, fill=(0, 200, 0), outline=(255, 255, 255), width=4
    )
    draw.text(
        ((bx0 + bx1) / 2, (by0 + by1) / 2),
        "CLAIM YOUR PRIZE >>",
        font=_font(max(12, h // 20)),
        fill=(255, 255, 255),
        anchor="mm",
    )
    draw.text(
        (w * 0.5, h * 0.97),
        f"bit.ly/{rng.randbytes(4).hex()}  *terms apply",
        font=_font(max(9, h // 45)),
        fill=(20, 20, 20),
        anchor="mm",
    )
    return _finish(rng, img, grain=0.03)


def _privacy(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    img = _gradient(rng, size, _jitter(rng, (120, 86, 58)), _jitter(rng, (80, 55, 36)))
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(10, 18)):  # wood grain
        y = rng.uniform(0, h)
        draw.line(
            (0, y, w, y + rng.uniform(-40, 40)), fill=_jitter(rng, (95, 66, 42), 10), width=rng.randint(1, 4)
        )
    card = Image.new("RGB", (int(w * 0.72), int(h * 0.58)), _jitter(rng, (225, 232, 240), 10))
    cw, ch = card.size
    cd = ImageDraw.Draw(card)
    header = _jitter(rng, rng.choice(((40, 80, 150), (140, 40, 60), (40, 110, 80))), 12)
    cd.rectangle((0, 0, cw, ch * 0.16), fill=header)
    cd.text(
        (cw * 0.04, ch * 0.08),
        "IDENTITY CARD - SPECIMEN",
        font=_font(max(10, ch // 14)),
        fill=(255, 255, 255),
        anchor="lm",
    )
    px0, py0, px1, py1 = cw * 0.04, ch * 0.22, cw * 0.3, ch * 0.78
    cd.rectangle((px0, py0, px1, py1), fill=(185, 190, 200))
    cd.ellipse(
        (px0 + (px1 - px0) * 0.3, py0 + (py1 - py0) * 0.15, px1 - (px1 - px0) * 0.3, py0 + (py1 - py0) * 0.5),
        fill=(120, 125, 135),
    )
    cd.pieslice(
        (px0 + (px1 - px0) * 0.1, py0 + (py1 - py0) * 0.55, px1 - (px1 - px0) * 0.1, py1 + (py1 - py0) * 0.4),
        180,
        360,
        fill=(120, 125, 135),
    )
    label = _font(max(8, ch // 26))
    value = _font(max(10, ch // 16))
    fields = (
        ("Surname", "DOE"),
        ("Given names", rng.choice(("ALEX", "SAM", "JORDAN", "ROBIN", "KIM"))),
        ("Date of birth", f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1950, 2005)}"),
        ("Document no.", "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))),
    )
    y = ch * 0.22
    for name, val in fields:
        cd.text((cw * 0.35, y), name, font=label, fill=(100, 105, 115))
        cd.text((cw * 0.35, y + ch * 0.045), val, font=value, fill=(20, 20, 30))
        y += ch * 0.13
    _text_lines(cd, rng, cw * 0.35, y + ch * 0.01, cw * 0.55, 1, ch * 0.02, (150, 155, 165))
    mrz = _font(max(9, ch // 18))
    for i in range(2):
        line = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<<<<") for _ in range(30))
        cd.text((cw * 0.04, ch * (0.83 + i * 0.075)), line, font=mrz, fill=(40, 40, 40))
    angle = rng.uniform(-8, 8)
    card = card.rotate(angle, resample=Image.Resampling.NEAREST, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", (cw, ch), 255).rotate(
        angle, resample=Image.Resampling.NEAREST, expand=True, fillcolor=0
    )
    ox, oy = (w - card.size[0]) // 2 + rng.randint(-30, 30), (h - card.size[1]) // 2 + rng.randint(-20, 20)
    shadow = Image.new("RGB", card.size, (30, 20, 12))
    img.paste(shadow, (ox + 10, oy + 12), mask)
    img.paste(card, (ox, oy), mask)
    # a sticky note with a handwritten-looking address scribble
    nx, ny = rng.uniform(0.74, 0.78) * w, rng.uniform(0.72, 0.78) * h
    draw.rectangle((nx, ny, nx + w * 0.2, ny + h * 0.18), fill=(250, 235, 120))
    for i in range(4):
        yy = ny + h * 0.04 + i * h * 0.035
        pts = [(nx + w * 0.02 + k * w * 0.01, yy + rng.uniform(-3, 3)) for k in range(rng.randint(8, 16))]
        draw.line(pts, fill=(30, 40, 120), width=2)
    return _finish(rng, img, grain=0.05, vignette=0.3)


def _generic(rng: random.Random, size: Size) -> Image.Image:
    w, h = size
    img = _gradient(
        rng, size, _jitter(rng, (90, 90, 100), 60), _jitter(rng, (30, 30, 40), 30), radial=rng.random() < 0.5
    )
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(6, 14)):
        x, y, s = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(30, 200)
        color = _jitter(rng, (128, 128, 128), 110)
        kind = rng.randint(0, 2)
        if kind == 0:
            draw.ellipse((x, y, x + s, y + s), fill=color)
        elif kind == 1:
            draw.rectangle((x, y, x + s, y + s * rng.uniform(0.3, 1.5)), fill=color)
        else:
            draw.polygon(
                [(x, y), (x + s, y + rng.uniform(-s, s)), (x + rng.uniform(-s, s), y + s)], fill=color
            )
    return _finish(rng, img, grain=0.08, vignette=0.4)


_SCENES: dict[str, Callable[[random.Random, Size], Image.Image]] = {
    "violence": _violence,
    "self_harm": _self_harm,
    "child_safety": _child_safety,
    "hate": _hate,
    "harassment": _harassment,
    "dangerous_orgs": _dangerous_orgs,
    "adult": _adult,
    "spam": _spam,
    "privacy": _privacy,
}


# -------------------------------------------------------------------------------------------------- API


def draw_scene(rng: random.Random, category: str, size: Size = DEFAULT_SIZE) -> Image.Image:
    """An abstract RGB scene for a category key; unknown categories get a generic abstract scene."""
    img = _SCENES.get(category, _generic)(rng, size)
    if img.size != size:
        img = img.resize(size, Image.Resampling.BILINEAR)
    return img.convert("RGB")


def draw_text_card(rng: random.Random, text: str, size: Size = DEFAULT_SIZE) -> Image.Image:
    """A screenshot-like RGB image of a social media post showing ``text`` (light or dark theme)."""
    w, h = size
    dark = rng.random() < 0.35
    bg, card_bg, fg, muted = (
        ((21, 32, 43), (25, 39, 52), (231, 233, 234), (139, 152, 165))
        if dark
        else ((240, 242, 245), (255, 255, 255), (15, 20, 25), (101, 119, 134))
    )
    img = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(img)
    m = max(8, w // 24)
    card = (m, m, w - m, h - m)
    draw.rounded_rectangle(
        card, radius=max(6, w // 60), fill=card_bg, outline=tuple(max(0, c - 25) for c in card_bg)
    )
    pad = max(8, w // 30)
    x0, y0 = card[0] + pad, card[1] + pad
    av = max(24, h // 10)
    draw.ellipse((x0, y0, x0 + av, y0 + av), fill=_jitter(rng, (120, 140, 200), 80))
    draw.text(
        (x0 + av / 2, y0 + av / 2),
        rng.choice("ABCDEFGHJKLMNPRSTVWZ"),
        font=_font(max(10, av // 2)),
        fill=(255, 255, 255),
        anchor="mm",
    )
    name_font, meta_font = _font(max(10, h // 30)), _font(max(9, h // 40))
    handle = f"{rng.choice(FAKE_WORDS)}_{rng.randint(10, 9999)}"
    draw.text(
        (x0 + av + pad / 2, y0 + av * 0.3),
        f"User {rng.randint(100, 99999)}",
        font=name_font,
        fill=fg,
        anchor="lm",
    )
    draw.text(
        (x0 + av + pad / 2, y0 + av * 0.75),
        f"@{handle} · {rng.randint(1, 23)}h",
        font=meta_font,
        fill=muted,
        anchor="lm",
    )
    draw.text((card[2] - pad, y0 + av * 0.3), "···", font=name_font, fill=muted, anchor="rm")

    body_top = y0 + av + pad
    footer_h = max(20, h // 12)
    body_bottom = card[3] - pad - footer_h
    avail_w = card[2] - pad - x0
    # largest font (from a few steps) at which the text fits the body area
    lines: list[str] = []
    font = _font(12)
    line_h = 14.0
    for fs in (h // 14, h // 18, h // 22, h // 28, h // 36, h // 48):
        font = _font(max(8, fs))
        line_h = max(8, fs) * 1.35
        max_lines = max(1, int((body_bottom - body_top) // line_h))
        lines = _wrap(draw, text, font, avail_w, max_lines)
        if len(lines) <= max_lines:
            break
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, len(lines[-1]) - 1)] + "…"
    y: float = body_top
    for line in lines:
        draw.text((x0, y), line, font=font, fill=fg)
        y += line_h

    fy = card[3] - pad - footer_h / 2
    draw.line(
        (x0, fy - footer_h / 2 - 2, card[2] - pad, fy - footer_h / 2 - 2),
        fill=tuple(max(0, c - 20) if not dark else min(255, c + 20) for c in card_bg),
        width=1,
    )
    counts = (rng.randint(0, 999), rng.randint(0, 5000), rng.randint(0, 20000))
    r = footer_h * 0.22
    for i, count in enumerate(counts):
        fx = x0 + i * avail_w / 3
        _icon(draw, i, fx + r, fy, r, muted)
        draw.text((fx + r * 3, fy), f"{count:,}", font=meta_font, fill=muted, anchor="lm")
    return img
