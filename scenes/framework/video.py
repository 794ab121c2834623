"""Video files as containers: their length, their last picture, and frames copied between
them (not re-encoded)."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image


def video_duration(path: Path) -> float:
    import av

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        if stream.duration is not None:
            return float(stream.duration * stream.time_base)
        return float(c.duration / 1_000_000)


def last_frame(clip: Path) -> Image.Image:
    """The clip's last picture (the idea's final state), decoded from the last key frame on:
    seeking to the end lands on it, so a long clip is not decoded from its start."""
    import av

    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        if container.duration is not None:
            container.seek(container.duration, backward=True)
        last = deque(container.decode(stream), maxlen=1)
    if not last:
        raise ValueError(f"{clip}: no picture after its last key frame")
    return last[0].to_image()


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
