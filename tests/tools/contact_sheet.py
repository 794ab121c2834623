"""One frame per beat, tiled into a PNG: the last frame of every beat of a rendered scene.

    python tests/tools/contact_sheet.py out/.cache/slides/race-default-1080p60-dark sheet.png

Use it to look at every beat of a scene at once (text overlaps, clipped labels, empty halves)
after ``render.py render``; each slide clip plays one idea's beats, and the presentation JSON
says where each beat ends in it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import av
from PIL import Image, ImageDraw


def frames_before(path: Path, times: list[float]) -> list[Image.Image]:
    """The last frame of ``path`` shown before each of ``times`` (seconds, ascending)."""
    found: list[Image.Image] = []
    with av.open(str(path)) as container:
        previous = None
        for frame in container.decode(video=0):
            while len(found) < len(times) and frame.time is not None and \
                    frame.time >= times[len(found)] and previous is not None:
                found.append(previous.to_image())
            previous = frame
        while len(found) < len(times) and previous is not None:
            found.append(previous.to_image())
    return found


def beat_frames(deck_dir: Path) -> list[tuple[str, Image.Image]]:
    """Every beat's caption and last frame, slide by slide (beats from the scene's JSON)."""
    config = next(deck_dir.glob("*.json"))
    frames = []
    for slide in json.loads(config.read_text())["slides"]:
        beats = slide.get("beats") or [{"id": slide["notes"], "start": 0.0, "end": 1e9}]
        first = beats[0]["start"]
        shots = frames_before(deck_dir.parent / slide["file"],
                              [b["end"] - first - 1e-3 for b in beats])
        captions = slide["notes"].split("\n\n")
        frames += list(zip(captions, shots, strict=False))
    return frames


def sheet(frames: list[tuple[str, Image.Image]], width: int, columns: int) -> Image.Image:
    w = width
    h = round(frames[0][1].height * w / frames[0][1].width)
    rows = -(-len(frames) // columns)
    out = Image.new("RGB", (columns * (w + 8), rows * (h + 8)), "#808080")
    draw = ImageDraw.Draw(out)
    for i, (_, image) in enumerate(frames):
        x, y = (i % columns) * (w + 8), (i // columns) * (h + 8)
        out.paste(image.resize((w, h), Image.LANCZOS), (x, y))
        draw.text((x + 6, y + 4), str(i + 1), fill="#FF00FF")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("deck_dir", type=Path, help="a scene's folder under out/.cache/slides")
    parser.add_argument("png", type=Path, help="where to write the sheet")
    parser.add_argument("--width", type=int, default=640, help="width of one frame (pixels)")
    parser.add_argument("--columns", type=int, default=2)
    args = parser.parse_args(argv)
    frames = beat_frames(args.deck_dir)
    sheet(frames, args.width, args.columns).save(args.png)
    for i, (notes, _) in enumerate(frames, start=1):
        print(f"{i:2d}. {notes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
