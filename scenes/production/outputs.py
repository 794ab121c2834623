"""What a render can produce, as one table each: Manim's qualities, the output formats and what
each supports, the H.264 encoder presets."""

from __future__ import annotations

from dataclasses import dataclass

from manim.constants import QUALITIES as MANIM_QUALITIES

# Manim's quality letters (l, m, h, p, k), smallest first: width, height, frames a second.
QUALITIES: dict[str, tuple[int, int, int]] = {
    q["flag"]: (q["pixel_width"], q["pixel_height"], q["frame_rate"])
    for q in sorted(MANIM_QUALITIES.values(), key=lambda q: q["pixel_height"]) if q["flag"]}


@dataclass(frozen=True)
class Format:
    movie: bool  # a video; else the scene's last frame as a still
    sound: str | None  # the audio codec its container plays (narration), or None: silent only
    alpha: bool  # can have a transparent background
    clips: bool  # can be cut into slide clips and joined without re-encoding (deck, explainer)


FORMATS: dict[str, Format] = {
    # H.264 in yuv420p plays in PowerPoint, Keynote, browsers and LMS pages; no alpha.
    "mp4": Format(movie=True, sound="aac", alpha=False, clips=True),
    "webm": Format(movie=True, sound="libopus", alpha=True, clips=True),
    "gif": Format(movie=True, sound=None, alpha=True, clips=False),
    "png": Format(movie=False, sound=None, alpha=True, clips=False),
}
CLIP_FORMATS = tuple(name for name, f in FORMATS.items() if f.clips)  # ("mp4", "webm")
ALPHA_FORMATS = tuple(name for name, f in FORMATS.items() if f.alpha)  # ("webm", "gif", "png")
ENCODER_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")
