"""Check subtitle cues against the rules the explainer promises (DESIGN.md, Beats).

    python tests/caption_rules.py out/*.srt      # each .srt against its video beside it

At most 15 characters a second (17 where the cue holds a number, which cannot be shortened;
in a narrated video the reading speed is the speaker's, not checked), at most 2 lines of 42
characters, 1 to 7 seconds on screen, no two cues at once, none after the end of the video.
``tests/test_caption_rules.py`` runs the same checks on every scene built at the default
parameters and at every preset.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import srt

MAX_CPS, MAX_CPS_NUMBERS = 15.0, 17.0


def cue_spans(text: str) -> list[tuple[float, float, str]]:
    """The cues of an .srt as ``(start s, end s, text)``."""
    return [(c.start.total_seconds(), c.end.total_seconds(), c.content) for c in srt.parse(text)]
MAX_LINES, LINE_CHARS = 2, 42
MIN_SECONDS, MAX_SECONDS = 1.0, 7.0
SLACK = 1e-3  # rounding of srt's millisecond timestamps


def problems(cues: list[srt.Subtitle], video_seconds: float, spoken: bool = False) -> list[str]:
    """Every broken rule, one line each (empty when the cues are fine); ``spoken``: the cues
    of a narrated video, read at the speaker's pace."""
    out = []
    previous_end = 0.0
    for cue in cues:
        start, end = cue.start.total_seconds(), cue.end.total_seconds()
        seconds = end - start
        lines = cue.content.splitlines()
        chars = len(" ".join(lines))
        where = f"cue {cue.index} ({start:.2f}-{end:.2f} s, {cue.content!r})"
        limit = MAX_CPS_NUMBERS if re.search(r"\d", cue.content) else MAX_CPS
        if not spoken and seconds > 0 and chars / seconds > limit + SLACK:
            out.append(f"{where}: {chars / seconds:.1f} characters a second (max {limit:g})")
        if len(lines) > MAX_LINES or any(len(line) > LINE_CHARS for line in lines):
            out.append(f"{where}: more than {MAX_LINES} lines of {LINE_CHARS} characters")
        if not MIN_SECONDS - SLACK <= seconds <= MAX_SECONDS + SLACK:
            out.append(f"{where}: {seconds:.2f} s on screen (allowed {MIN_SECONDS:g}-"
                       f"{MAX_SECONDS:g} s)")
        if start < previous_end - SLACK:
            out.append(f"{where}: overlaps the cue before")
        if end > video_seconds + SLACK:
            out.append(f"{where}: ends after the video ({video_seconds:.2f} s)")
        previous_end = end
    return out


def video_seconds(path: Path) -> tuple[float, bool]:
    """How long the video lasts, and whether it has a sound track (it is narrated)."""
    import av

    with av.open(str(path)) as container:
        return container.duration / 1_000_000, bool(container.streams.audio)


def main(argv: list[str]) -> int:
    bad = 0
    for name in argv:
        path = Path(name)
        video = next((v for v in (path.with_suffix(".mp4"), path.with_suffix(".webm"))
                      if v.exists()), None)
        if video is None:
            print(f"{path}: no video beside it")
            bad += 1
            continue
        found = problems(list(srt.parse(path.read_text())), *video_seconds(video))
        for line in found:
            print(f"{path.name}: {line}")
        bad += bool(found)
    print(f"{len(argv) - bad} of {len(argv)} subtitle files follow the rules")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
