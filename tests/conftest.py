"""Test options and helpers.

Options of Manim's frame-comparison convention (as in ManimCE's own tests/conftest.py):

    pytest tests/test_scenes_frames.py --set_test     # (re)write the control frames
    pytest tests/test_scenes_frames.py --show_diff    # show a failing frame's difference
"""

import json
import os

import pytest

# The tests render silent unless they ask for a voice (--voice neural): the default voice costs
# seconds of speech per scene in every fresh output folder. tests/test_voice.py checks the real
# default. Set here, at import, so the renders the tests start as programs are silent too.
os.environ.setdefault("ADAM_ANIMATED_VOICE", "none")


def pytest_addoption(parser):
    parser.addoption("--set_test", action="store_true", default=False,
                     help="write the control frames of frames_comparison tests")
    parser.addoption("--show_diff", action="store_true", default=False,
                     help="show the difference of a failing frames_comparison test")


def pytest_configure(config):
    # frames_comparison skips everything below cairo 1.18 because Manim's *own* control frames
    # were drawn with it. Ours are drawn and compared with the system cairo (Debian 12: 1.16),
    # on the same kind of machine CI runs on, so the check does not apply to them.
    from manim.utils.testing import frames_comparison

    frames_comparison.MIN_CAIRO_VERSION = 0


@pytest.fixture(scope="session")
def media_cache(tmp_path_factory):
    """One Manim media folder for every scene the tests build: each formula is typeset by
    LaTeX, and each text laid out, once per test run instead of once per build."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def construct(media_cache):
    """Run a scene's construct with animations skipped and no video; return the scene. Each
    distinct (scene, parameters) is built once per test run and shared: read it, never change
    it."""
    from manim import tempconfig

    from scenes.framework.params import to_data

    built = {}

    def build(cls, params):
        key = (cls, json.dumps(to_data(params), sort_keys=True, default=repr))
        if key not in built:
            cfg = {"dry_run": True, "frame_rate": 1, "pixel_width": 160, "pixel_height": 90,
                   "media_dir": str(media_cache), "disable_caching": True,
                   "verbosity": "ERROR", "progress_bar": "none"}
            with tempconfig(cfg):
                scene = cls(params=params, skip_animations=True)
                scene.render()
            built[key] = scene
        return built[key]

    return build
