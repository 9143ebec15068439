"""WCAG 2 contrast: relative luminance of an sRGB colour and the contrast ratio of two colours.

Pure arithmetic (no Qt), so the high-contrast theme can be checked against the ratio its name promises:
7:1 for text (WCAG 2.2 success criterion 1.4.6, level AAA).
"""

from __future__ import annotations

#: The ratio text must reach against its background in the high-contrast theme (WCAG AAA).
AAA_TEXT = 7.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an 8-bit sRGB colour: 0 for black, 1 for white."""
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def parse_hex(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as a tuple of three 0–255 integers (``ValueError`` for anything else)."""
    text = colour.strip()
    if len(text) != 7 or not text.startswith("#"):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours, from 1.0 (same) to 21.0 (black on white); order does not matter."""
    la, lb = relative_luminance(a), relative_luminance(b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)
