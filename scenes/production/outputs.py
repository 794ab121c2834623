"""What a render can produce, as one table each: Manim's quality letters, the output formats
and what each supports, the H.264 encoder presets."""

from __future__ import annotations

from dataclasses import dataclass

# Manim's quality letters, smallest first, and what each renders at. Written out, so that the
# command line offers them without loading Manim (a second); tests/test_outputs.py checks them
# against Manim's own table (manim.constants.QUALITIES), which renders read (``quality``).
QUALITY_FLAGS = ("l", "m", "h", "p", "k")
QUALITY_DOC = "l 480p15, m 720p30, h 1080p60, p 1440p60, k 2160p60"


def quality(flag: str) -> tuple[int, int, int]:
    """Width, height and frames a second of Manim's quality ``flag``, from Manim's table."""
    from manim.constants import QUALITIES

    q = next(q for q in QUALITIES.values() if q["flag"] == flag)
    return q["pixel_width"], q["pixel_height"], q["frame_rate"]


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
