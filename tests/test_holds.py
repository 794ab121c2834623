"""Holds converted once (scenes/holds.py) give the very video Manim's own encoder gives."""

import av
import numpy as np
import pytest
from manim import Circle, Create, Scene, Text, tempconfig

from scenes.holds import renderer
from scenes.raster import RasterCamera


class Held(Scene):
    def construct(self):
        self.add(Text("hold"))
        self.play(Create(Circle()), run_time=0.5)
        self.wait(1.0)  # a static wait: one frame written 15 times


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_hold_encodes_to_the_same_bytes(fmt, tmp_path):
    videos = []
    for own in (False, True):
        media = tmp_path / f"{fmt}-{own}"
        with tempconfig({"media_dir": str(media), "format": fmt, "pixel_width": 192,
                         "pixel_height": 108, "frame_rate": 15, "disable_caching": True,
                         "verbosity": "ERROR", "progress_bar": "none"}):
            scene = Held(renderer=renderer(RasterCamera)) if own else Held()
            scene.render()
            video = scene.renderer.file_writer.movie_file_path
        with av.open(str(video)) as c:
            videos.append(np.array([f.to_ndarray(format="rgba") for f in c.decode(video=0)]))
    assert videos[0].shape == videos[1].shape and videos[0].shape[0] == 23  # 0.5 s + 1 s
    assert np.array_equal(videos[0], videos[1])
