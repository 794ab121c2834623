"""Sound and joining: a scene's narration muxed into its video and slide clips; the joined
explainer with one sound track, chapters and one .srt."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from scenes.framework.video import copy_video, video_duration
from scenes.production.deck import presentation, slide_beats
from scenes.production.files import replacing
from scenes.production.narration import (
    RATE,
    add_track,
    cut_or_padded,
    decoded_track,
    encode,
    mux,
    soundtrack,
)


def add_narration(video: Path, beats: list[Any], deck: Path | None) -> Path:
    """Mux the beats' narration into the scene's video and into each of its slide clips (one
    slide per idea, its beats played through); returns the narrated video."""
    track = soundtrack([(b.start, b.clip) for b in beats if b.clip is not None],
                       video_duration(video))
    narrated = video.with_name(f"{video.stem}-narrated{video.suffix}")
    mux(video, track, narrated)
    if deck is not None:
        slides = json.loads(presentation(deck).read_text())["slides"]
        ideas = slide_beats(beats)
        if len(slides) != len(ideas):
            raise RuntimeError(f"{len(slides)} slides for {len(ideas)} ideas")
        for slide, idea in zip(slides, ideas, strict=True):
            clip = deck.parent / slide["file"]
            samples = track[round(idea[0].start * RATE): round(idea[-1].end * RATE)]
            with replacing(clip) as part:
                mux(clip, cut_or_padded(samples, video_duration(clip)), part)
    return narrated


def join_videos(parts: list[tuple[str, Path]], target: Path) -> list[tuple[float, str]]:
    """Concatenate same-format videos without re-encoding the picture (FFmpeg's concat demuxer,
    as Manim joins its partial movies), with a chapter at each part and the parts' narration,
    if any, as one sound track. Returns ``[(start s, title)]``."""
    import av

    chapters, offset, durations = [], 0.0, []
    for title, path in parts:
        chapters.append((offset, title))
        durations.append(video_duration(path))
        offset += durations[-1]
    # Narrated parts: one sound track, each part's cut or padded to its video's length, so
    # the sound stays in step across the joins (re-encoded: AAC priming would add up).
    tracks = [decoded_track(path) for _, path in parts]
    sound = (np.concatenate([cut_or_padded(tr, d) for tr, d in zip(tracks, durations, strict=True)])
             if any(len(tr) for tr in tracks) else None)
    manifest = "".join(f"file '{path.resolve()}'\n" for _, path in parts)
    with (replacing(target) as tmp,
          av.open(io.BytesIO(manifest.encode()), format="concat", options={"safe": "0"}) as src,
          av.open(str(tmp), "w") as out):
        stream = out.add_stream_from_template(src.streams.video[0])
        audio = add_track(out, target.suffix) if sound is not None else None
        copy_video(src, out, stream)
        if audio is not None and sound is not None:
            encode(out, audio, sound)
        if target.suffix == ".mp4":
            ends = [start for start, _ in chapters[1:]] + [offset]
            out.set_chapters([
                {"id": i + 1, "start": round(start * 1000), "end": round(end * 1000),
                 "time_base": Fraction(1, 1000), "metadata": {"title": title}}
                for i, ((start, title), end) in enumerate(zip(chapters, ends, strict=True))])
    return chapters


def chapter_text(chapters: list[tuple[float, str]]) -> str:
    """Timestamps ready to paste into a video description (``0:00 Title``)."""
    def stamp(t: float) -> str:
        m, s = divmod(int(t), 60)
        h, m = divmod(m, 60)
        return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"

    return "".join(f"{stamp(t)} {title}\n" for t, title in chapters)


def join_srt(parts: list[tuple[Path, float]]) -> str:
    """One .srt from per-scene files, each shifted by its scene's start time."""
    from datetime import timedelta

    import srt

    cues = []
    for path, offset in parts:
        if path.exists():
            shift = timedelta(seconds=offset)
            cues += [srt.Subtitle(0, c.start + shift, c.end + shift, c.content)
                     for c in srt.parse(path.read_text())]
    return srt.compose(cues)  # numbers the cues 1, 2, ... in order

