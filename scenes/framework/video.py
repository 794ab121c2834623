"""Video files as containers: their length, and frames copied between them (not re-encoded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def video_duration(path: Path) -> float:
    import av

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return float(c.duration / 1_000_000)


def copy_video(src: Any, out: Any, stream: Any) -> None:
    """Copy the video packets of ``src`` (an open file, or FFmpeg's concat demuxer over several)
    into ``stream`` of ``out``.

    Decode times are kept, not left for the muxer to guess (Manim's way): guessed from the
    presentation times of a stream with reordered frames, the last ones lag behind, and a video
    ending on a still would end where the still begins. A still's segment has no reordering,
    the segment after it has, so where a decode time would go back it is moved one tick past the
    one before (manim-slides' fix for the same joins)."""
    last = None
    for packet in src.demux(src.streams.video[0]):
        if packet.dts is None:  # the demuxer's flushing packets
            continue
        if last is not None and packet.dts <= last:
            packet.dts = last + 1
            if packet.pts is not None and packet.pts < packet.dts:
                packet.pts = packet.dts
        last = packet.dts
        packet.stream = stream
        out.mux(packet)
