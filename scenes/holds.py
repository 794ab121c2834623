"""Cheaper holds: a beat's hold is one frame repeated, and Manim converts it anew each time.

Manim 0.22 encodes a static wait as one frame written ``repeat`` times, and its segment encoder
turns the RGBA array into a new ``VideoFrame`` and converts it to the encoder's pixel format for
every repeat (about two thirds of a held frame's cost at 1080p). Here the frame is converted once
and the same converted frame is encoded at each timestamp: the same pixels reach the encoder, so
the video is the same. Scenes get this through their renderer's file writer class (Manim's own
hook), nothing global is changed, and anything but a repeated YUV frame takes Manim's own path.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder

YUV_FORMATS = ("yuv420p", "yuva420p", "yuv444p")  # H.264 and VP9; gif's palette goes Manim's way


class HoldEncoder(VideoSegmentEncoder):
    def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
        if repeat == 1 or self.spec.pixel_format not in YUV_FORMATS:
            super().write_frame(pixels, repeat=repeat)
            return
        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
                format=self.spec.pixel_format)
            for _ in range(repeat):
                frame.pts, frame.time_base = self._next_pts, time_base
                self._next_pts += 1
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error


class HoldWriter(SceneFileWriter):
    def _create_segment_encoder(self, target: Path) -> VideoSegmentEncoder:
        if self.video_encoder is None:
            return super()._create_segment_encoder(target)  # Manim's own error
        return HoldEncoder(target=target, spec=self.video_encoder)


def renderer(camera_class: type, skip_animations: bool = False) -> CairoRenderer:
    """A Cairo renderer with ``camera_class`` whose holds are converted once (what
    ``Scene.__init__`` would make, but for the file writer)."""
    return CairoRenderer(file_writer_class=HoldWriter, camera_class=camera_class,
                         skip_animations=skip_animations)
