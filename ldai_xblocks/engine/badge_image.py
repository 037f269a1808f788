"""The badge's picture: an accessible SVG made from the badge's name and colour, and OB 3.0 SVG baking.

Why generated: most authors have no designer at hand; a badge needs a picture for wallets,
and the spec lets the image carry the credential itself ("baking", ob_v3p0/docformat.md,
"SVG"): an ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` attribute on ``<svg>``
and, right after it, one ``<openbadges:credential verify="<compact JWS>">`` element.

Accessible: ``role="img"`` with ``aria-labelledby`` pointing at ``<title>`` and ``<desc>``;
the text colour is chosen for WCAG AA contrast against the author's colour.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape, quoteattr

OB_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
DEFAULT_COLOUR = "#1f5f99"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CREDENTIAL = re.compile(r"<openbadges:credential\b[^>]*?\bverify\s*=\s*(\"([^\"]*)\"|'([^']*)')", re.S)
_EXISTING = re.compile(r"<openbadges:credential\b.*?(?:/>|</openbadges:credential>)", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)


def valid_colour(value: str) -> bool:
    return bool(_COLOUR.match(value or ""))


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour(background: str) -> str:
    """White or black (one of them always reaches 4.5:1), whichever reads better on the badge's colour."""
    return "#ffffff" if contrast(background, "#ffffff") >= contrast(background, "#000000") else "#000000"


def _lines(name: str, width: int = 16, most: int = 3) -> list[str]:
    """The name wrapped on at most three lines (a long word is cut, the last line ends with an ellipsis)."""
    words, lines, line = name.split(), [], ""
    for word in words:
        word = word if len(word) <= width else word[: width - 1] + "…"
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines or [""]


def badge_svg(name: str, colour: str = DEFAULT_COLOUR, description: str = "", label: str = "") -> str:
    """The badge picture: a rosette in the badge's colour, its name in the middle, ``label`` above it."""
    colour = colour if valid_colour(colour) else DEFAULT_COLOUR
    ink = text_colour(colour)
    lines = _lines(name)
    top = 262 - (len(lines) - 1) * 20
    text = "".join(
        f'<text x="256" y="{top + i * 40}" text-anchor="middle" font-family="sans-serif" font-size="34" font-weight="700" fill="{ink}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    caption = f'<text x="256" y="150" text-anchor="middle" font-family="sans-serif" font-size="22" fill="{ink}">{escape(label)}</text>' if label else ""
    points = " ".join(_star_point(i) for i in range(24))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512" role="img" '
        'aria-labelledby="ldai-badge-title ldai-badge-desc">'
        f'<title id="ldai-badge-title">{escape(name)}</title>'
        f'<desc id="ldai-badge-desc">{escape(description or name)}</desc>'
        f'<polygon points="{points}" fill="{colour}"/>'
        f'<circle cx="256" cy="256" r="178" fill="none" stroke="{ink}" stroke-width="6" opacity="0.8"/>'
        f"{caption}{text}</svg>\n"
    )


def _star_point(i: int) -> str:
    """The i-th of the rosette's 24 corners (12 points, alternating radius)."""
    radius = 240 if i % 2 == 0 else 212
    angle = math.pi * i / 12
    return f"{256 + radius * math.cos(angle):.1f},{256 + radius * math.sin(angle):.1f}"


def bake(svg: str, token: str) -> str:
    """The SVG with the credential baked in (an earlier credential is replaced: only one is allowed)."""
    svg = _EXISTING.sub("", svg)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    opening = match.group(0)
    if "xmlns:openbadges" not in opening:
        opening = opening[:-1].rstrip("/") + f' xmlns:openbadges="{OB_SVG_NAMESPACE}">'
    element = f"<openbadges:credential verify={quoteattr(token)}></openbadges:credential>"
    return svg[: match.start()] + opening + element + svg[match.end() :]


def unbake(svg: str) -> str | None:
    """The compact JWS of the first ``<openbadges:credential verify=...>``, or None."""
    match = _CREDENTIAL.search(svg or "")
    if match is None:
        return None
    return (match.group(2) if match.group(2) is not None else match.group(3)).strip()


_UNSAFE_SVG = re.compile(r"<\s*(script|foreignObject|iframe|object|embed)\b|\son[a-z]+\s*=|javascript:|(?:xlink:)?href\s*=\s*[\"'](?!#|data:image/)", re.I)
MAX_OWN_SVG_BYTES = 200_000


def own_svg_problem(svg: str) -> str | None:
    """Why an author's own SVG cannot be a badge picture (English, the shells translate), or None.

    A badge picture is downloaded and opened by anyone, so it must be a plain drawing: no scripts,
    no event handlers, no links to other documents.
    """
    if len(svg.encode("utf-8")) > MAX_OWN_SVG_BYTES:
        return "too_big"
    if not _SVG_OPEN.search(svg):
        return "not_svg"
    if _UNSAFE_SVG.search(svg):
        return "unsafe"
    return None


def picture(name: str, colour: str, description: str, own_svg: str = "") -> str:
    """The badge's picture before baking: the author's own SVG when it is safe, else the generated one."""
    if own_svg and own_svg_problem(own_svg) is None:
        return own_svg
    return badge_svg(name, colour, description)
