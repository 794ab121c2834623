"""Holds that cost next to nothing: a static wait is encoded as two frames, not hundreds.

Manim 0.22 encodes a static wait as one frame written ``repeat`` times into its own partial
movie, converting the RGBA array to the encoder's pixel format and encoding it anew each time:
at 1080p60 about 12 ms a frame, so a reading hold cost about as much as an animation. Here a
still's partial movie holds the frame twice, at the hold's first and last frame times (a
variable frame rate, as phones and screen recorders write): the picture is on screen for the
same time, every frame time shows the same pixels, and the partial movie lasts the same, so
Manim's joining and manim-slides' clips line up as before. Scenes get this through their
renderer's file writer class (Manim's own hook); nothing global is changed, and anything but a
still opening a YUV segment takes Manim's own path.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import av
import manim
import numpy as np
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from scenes.framework.video import copy_video

YUV_FORMATS = ("yuv420p", "yuva420p", "yuv444p")  # H.264 and VP9; gif's palette goes Manim's way


class HoldEncoder(VideoSegmentEncoder):
    def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
        # Only a still that opens its segment (Manim's frozen wait): a still after moving frames
        # would end the segment with a gap its container does not count in its duration.
        if repeat < 3 or self._next_pts or self.spec.pixel_format not in YUV_FORMATS:
            super().write_frame(pixels, repeat=repeat)
            return
        self._validate_frame(pixels, repeat)
        try:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
                format=self.spec.pixel_format)
            frame.time_base = 1 / self.spec.frame_rate
            for pts in (0, repeat - 1):
                frame.pts = pts
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
            self._next_pts = repeat
        except BaseException as error:
            raise self._operation_error("encode", error) from error


class HoldWriter(SceneFileWriter):
    def _create_segment_encoder(self, target: Path) -> VideoSegmentEncoder:
        if self.video_encoder is None:
            return super()._create_segment_encoder(target)  # Manim's own error
        return HoldEncoder(target=target, spec=self.video_encoder)

    def combine_files(self, input_files: list[str], output_file: Path,
                      create_gif: bool = False, includes_sound: bool = False) -> None:
        """Manim's joining of partial movies, keeping their decode times (see ``copy_video``)."""
        if create_gif or includes_sound:
            super().combine_files(input_files, output_file, create_gif, includes_sound)
            return
        output_file.parent.mkdir(parents=True, exist_ok=True)
        manifest = io.BytesIO(self._concat_manifest_bytes(input_files))
        with av.open(manifest, format="concat", options={"safe": "0", "an": "1"}) as src, \
                av.open(str(output_file), mode="w") as out:
            out.metadata["comment"] = f"Rendered with Manim Community v{manim.__version__}"
            stream = out.add_stream_from_template(src.streams.video[0])
            if self.output_spec.transparent and self.output_spec.segment_extension == ".webm":
                stream.pix_fmt = "yuva420p"
            copy_video(src, out, stream)


class HoldRenderer(CairoRenderer):
    """Manim's Cairo renderer whose clock, when it skips drawing (``skip_animations``: the
    facts of a scene, built without a frame), still runs in whole frames, added as drawing adds
    them: an animation of d seconds one frame at a time for each of ⌈d × fps⌉ frames, a still
    wait ⌊d × fps⌋ frames at once (Manim adds d itself when it skips). Beats' holds are
    computed from the clock, so only a clock equal to the last bit gives every beat the start
    and end its render at that frame rate gives it.

    Skipping, Manim still draws each play's still background and its last frame, which no one
    sees: those draws are left out (a tenth of building a scene's facts). A picture asked for
    after the plays (a last-frame render) is drawn as before."""

    frozen = False  # the play being run is a still wait (Manim froze its frame)
    unseen = False  # a play of a scene built without frames is being run: draw nothing

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        start, self.frozen = self.time, False
        if self._original_skipping_status:  # nothing will be drawn: fades need no copies
            args = tuple(Faded(a) if plain_fade(a) else a for a in args)
        self.unseen = self._original_skipping_status
        try:
            super().play(scene, *args, **kwargs)
        finally:
            self.unseen = False
        if self.skip_animations:  # the clock as add_frame runs it, to the last bit
            dt, self.time = 1 / self.camera.frame_rate, start
            if self.frozen:
                self.time += int(scene.duration / dt) * dt  # freeze_current_frame's frames
            else:
                for _ in np.arange(0, scene.duration, dt):  # Manim's time progression
                    self.time += dt

    def freeze_current_frame(self, duration: float) -> None:
        self.frozen = True
        super().freeze_current_frame(duration)

    def update_frame(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        if not self.unseen:
            super().update_frame(scene, *args, **kwargs)


def plain_fade(animation: Any) -> bool:
    """A FadeIn or FadeOut that only fades: no shift, scale or target position."""
    return (type(animation) in (manim.FadeIn, manim.FadeOut) and animation.scale_factor == 1
            and not animation.point_target and not np.any(animation.shift_vector))


class Faded(manim.Animation):
    """A plain fade when no frame is drawn: what it leaves behind (the mobject added, or
    removed), over the same run time, without the two deep copies Manim's fade makes of its
    mobject as it begins (a quarter of building a scene's facts)."""

    def __init__(self, fade: Any) -> None:
        super().__init__(fade.mobject, run_time=fade.run_time, rate_func=fade.rate_func,
                         introducer=fade.is_introducer(), remover=fade.is_remover())

    def create_starting_mobject(self) -> Any:
        return self.mobject  # never drawn, so never interpolated from

    def interpolate_mobject(self, alpha: float) -> None:
        pass  # a plain fade ends on the mobject as it is


def renderer(camera_class: type, skip_animations: bool = False) -> CairoRenderer:
    """A Cairo renderer with ``camera_class`` whose holds are two frames (what
    ``Scene.__init__`` would make, but for the file writer)."""
    return HoldRenderer(file_writer_class=HoldWriter, camera_class=camera_class,
                        skip_animations=skip_animations)
