"""Holds as two frames (scenes/framework/internals/holds.py): the video shows what Manim's own
encoder shows, for as long, at every frame time, with the holds' repeated frames left out."""

import av
import numpy as np
import pytest
from manim import UP, Circle, Create, FadeIn, FadeOut, Scene, Square, Text, tempconfig

from scenes.framework.internals.holds import renderer
from scenes.framework.raster import RasterCamera

FPS = 15


class Held(Scene):
    def construct(self):
        self.add(Text("hold"))
        self.play(Create(Circle()), run_time=0.5)
        self.wait(1.0)  # a static wait: one frame written 15 times
        self.play(Create(Square()), run_time=0.5)
        self.wait(2.0)  # the video ends on a still


def decoded(video) -> tuple[float, list[float], np.ndarray]:
    """The container's duration, each frame's time and the frames."""
    with av.open(str(video)) as c:
        frames = list(c.decode(video=0))
        return (c.duration / 1e6, [float(f.pts * f.time_base) for f in frames],
                np.array([f.to_ndarray(format="rgb24") for f in frames]).astype(float))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return 10 * np.log10(255**2 / max(((a - b) ** 2).mean(), 1e-9))


@pytest.mark.parametrize("fmt", ["mp4", "webm"])
def test_a_hold_shows_the_same_picture_for_as_long_in_two_frames(fmt, tmp_path):
    videos = []
    for own in (False, True):
        with tempconfig({"media_dir": str(tmp_path / f"{own}"), "format": fmt,
                         "pixel_width": 192, "pixel_height": 108, "frame_rate": FPS,
                         "disable_caching": True, "verbosity": "ERROR",
                         "progress_bar": "none"}):
            scene = Held(renderer=renderer(RasterCamera)) if own else Held()
            scene.render()
            videos.append(decoded(scene.renderer.file_writer.movie_file_path))
    (length, times, frames), (own_length, own_times, own_frames) = videos
    assert len(frames) == 8 + 15 + 8 + 30
    assert len(own_frames) == 8 + 2 + 8 + 2  # each hold: its first and its last frame
    assert own_length == pytest.approx(length, abs=1e-3)  # webm counts in milliseconds
    for t, frame in zip(times, frames, strict=True):  # what is on screen at each frame time
        shown = own_frames[max(i for i, u in enumerate(own_times) if u <= t + 1e-3)]
        assert psnr(shown, frame) > 35, t


class Clocked(Scene):
    """Animations and waits of lengths that are not whole frames, and waits computed from the
    clock (as a beat's hold is): each play's end time is kept."""

    def construct(self):
        self.ends = []
        for run_time in (0.37, 1.01, 0.2, 2.93):
            self.play(Create(Circle()), run_time=run_time)
            self.ends.append(self.renderer.time)
            self.wait(round(self.renderer.time) + 1.7 - self.renderer.time)  # until a mark
            self.ends.append(self.renderer.time)


def built(cls, tmp_path, skip: bool) -> Scene:
    """``cls`` run without writing a file, its frames drawn (``skip`` False) or not."""
    with tempconfig({"media_dir": str(tmp_path / f"{skip}"), "dry_run": True,
                     "pixel_width": 64, "pixel_height": 36, "frame_rate": FPS,
                     "disable_caching": True, "verbosity": "ERROR", "progress_bar": "none"}):
        scene = cls(renderer=renderer(RasterCamera, skip_animations=skip))
        scene.render()
    return scene


def test_the_clock_runs_alike_when_no_frame_is_drawn(tmp_path):
    """facts builds a scene with skip_animations (no frame drawn): every play must end at the
    time, to the last bit, that drawing the scene gives it, or the beats' times drift apart."""
    clocks = [built(Clocked, tmp_path, skip).ends for skip in (False, True)]
    assert clocks[0] == clocks[1] and len(clocks[0]) == 8


class Fading(Scene):
    def construct(self):
        self.kept, self.gone, self.moved = Circle(), Square(), Text("moved")
        self.add(self.gone)
        self.play(FadeIn(self.kept), FadeOut(self.gone), run_time=0.4)
        self.play(FadeIn(self.moved, shift=UP), run_time=0.3)  # a move: Manim's own fade
        self.ends = self.renderer.time


def test_a_fade_without_frames_leaves_what_manims_fade_leaves(tmp_path, monkeypatch):
    """Without frames (skip_animations) a plain fade is internals.holds.Faded, which copies
    nothing: the scene ends with the same mobjects, points and opacities, at the same time, as
    with Manim's fade drawn frame by frame; a fade that moves keeps Manim's own."""
    from scenes.framework.internals import holds

    made = []

    class Spy(holds.Faded):
        def __init__(self, fade):
            made.append(type(fade).__name__)
            super().__init__(fade)

    monkeypatch.setattr(holds, "Faded", Spy)
    ends = []
    for skip in (False, True):
        scene = built(Fading, tmp_path, skip)
        ends.append((scene.ends, [(type(m).__name__, m.points.round(9).tolist(),
                                   m.get_fill_opacity(), m.get_stroke_opacity())
                                  for top in scene.mobjects for m in top.get_family()]))
        assert made == (["FadeIn", "FadeOut"] if skip else [])
    assert ends[0] == ends[1]
    assert [name for name, *_ in ends[1][1]][:1] == ["Circle"] and len(ends[1][1]) > 2


def test_a_scene_built_without_frames_draws_nothing_but_a_picture_asked_for(tmp_path):
    """Skipping, Manim still draws each play's still background and last frame, which no one
    sees (facts, every test build): HoldRenderer draws none of them. A picture asked for after
    the plays (a last-frame render draws one so) is drawn as before, the same as with frames."""
    drawn = {}
    for skip in (False, True):
        scene = built(Held, tmp_path, skip)
        calls: list = []
        scene.renderer.camera.capture_mobjects = counted(scene.renderer.camera.capture_mobjects,
                                                         calls)
        scene.renderer.play(scene, Create(Circle(radius=0.5)), run_time=0.2)
        assert bool(calls) != skip
        scene.renderer.static_image = None
        scene.renderer.update_frame(scene)  # as scene_finished draws a last frame
        drawn[skip] = scene.renderer.get_frame()
    assert drawn[True].any() and np.array_equal(drawn[True], drawn[False])


def counted(draw, calls: list):
    def spy(*args, **kwargs):
        calls.append(1)
        return draw(*args, **kwargs)

    return spy
