"""Test options and helpers.

Options of Manim's frame-comparison convention (as in ManimCE's own tests/conftest.py):

    pytest -n0 tests/test_scenes_frames.py --set_test     # (re)write the control frames
    pytest -n0 tests/test_scenes_frames.py --show_diff    # show a failing frame's difference
"""

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The tests render silent unless they ask for a voice (--voice neural): the default voice costs
# seconds of speech per scene in every fresh output folder. tests/test_voice.py checks the real
# default. Set here, at import, so the renders the tests start as programs are silent too.
os.environ.setdefault("ADAM_ANIMATED_VOICE", "none")

# One folder for Manim's caches of typeset formulas and laid-out text, for every render of the
# run ($ADAM_ANIMATED_CACHE): each test renders into a fresh --out, and without it each would
# run LaTeX again (about 3 s a scene). Made by the first process, even if the variable names a
# folder of the user's (the run leaves nothing there); pytest-xdist's workers and the renders
# they start inherit it. Removed by that process at the end.
CACHE_VARIABLE = "ADAM_ANIMATED_CACHE"
OWN_CACHE = None
if "PYTEST_XDIST_WORKER" not in os.environ:
    OWN_CACHE = tempfile.mkdtemp(prefix="adam-animated-test-cache-")
    os.environ[CACHE_VARIABLE] = OWN_CACHE


def pytest_unconfigure(config):
    if OWN_CACHE is not None:
        shutil.rmtree(OWN_CACHE, ignore_errors=True)


@pytest.fixture
def cold_cache(monkeypatch):
    """The caches in the output folder, cold, as a user's first render has them: for tests that
    stop a render while it runs (with the run's warm cache a small one may already be done)
    or fill its disk."""
    monkeypatch.delenv(CACHE_VARIABLE, raising=False)


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
    """One Manim media folder for every scene this test process builds: each text is laid out
    once per process instead of once per build (formulas: ``typeset_with_the_run``)."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session", autouse=True)
def manim_media(media_cache):
    """Manim's media folder for the texts and formulas tests make outside a scene build: this
    process's own, not ./media, which every test process would share (two of them writing one
    drawing there at once was seen to break another's reading of it)."""
    from manim import tempconfig

    with tempconfig({"media_dir": str(media_cache)}):
        yield


@contextlib.contextmanager
def typeset_with_the_run(tex: Path, key: str):
    """Formulas typeset by LaTeX shared by every test process of the run and the renders it
    starts. Before a build, its LaTeX folder ``tex`` gets the drawings of the formulas typeset
    so far (the renders' shared caches ``$ADAM_ANIMATED_CACHE/<scene>/Tex``); after it, the
    drawings of the formulas it typeset join ``<key>/Tex`` there, each by an atomic rename (as
    a render's do). A drawing's name is a hash of its formula, so only missing names are
    copied, and Manim typesets nothing whose drawing (.svg) is there. Only LaTeX's drawings
    (those beside their .tex) are given back: frames_comparison keeps texts here too."""
    from scenes.production.jobs import keep_cache

    shared = Path(os.environ[CACHE_VARIABLE])
    tex.mkdir(parents=True, exist_ok=True)
    have = set(os.listdir(tex))
    for folder in shared.glob("*/Tex"):
        for drawing in folder.glob("[!.]*.svg"):  # not a file still being written (".name")
            if drawing.name not in have:
                shutil.copyfile(drawing, tex / drawing.name)
                have.add(drawing.name)
    yield
    keep_cache(tex, shared / key / "Tex",
               wanted=lambda f: f.suffix == ".svg" and f.with_suffix(".tex").exists())


@pytest.fixture(scope="session")
def construct(media_cache):
    """Run a scene's construct with animations skipped and no video, its clock counting the
    frames of the default render (60 a second); return the scene. Each distinct (scene,
    parameters) is built once per test run and shared: read it, never change it."""
    from manim import tempconfig

    from scenes.framework.params import to_data

    built = {}

    def build(cls, params):
        key = (cls, json.dumps(to_data(params), sort_keys=True, default=repr))
        if key not in built:
            cfg = {"dry_run": True, "frame_rate": 60, "pixel_width": 160, "pixel_height": 90,
                   "media_dir": str(media_cache), "disable_caching": True,
                   "verbosity": "ERROR", "progress_bar": "none"}
            with tempconfig(cfg), typeset_with_the_run(media_cache / "Tex", cls.key):
                scene = cls(params=params, skip_animations=True)
                scene.render()
            built[key] = scene
        return built[key]

    return build


# Every scene rendered once per test run, at the smallest frame (64x36, 5 fps), with short
# races and small sweeps (the network's trainings and the tuning's runs were half of it): the
# end-to-end tests of the joined explainer, the cache and a full disk start from a copy of it
# (ALL_SCENES_ARGS again makes everything up to date) instead of rendering ten scenes each.
ALL_SCENES_ARGS = ["-q", "l", "--width", "64", "--fps", "5",
                   "--set", "race.steps=40", "--set", "race.race_time=2",
                   "--set", "saddle.steps=20", "--set", "saddle.race_time=2",
                   "--set", "network.steps=60", "--set", "network.seeds=2",
                   "--set", "network.lr_count=9", "--set", "network.hidden=16",
                   "--set", "tuning.starts=8", "--set", "tuning.steps=300",
                   "--set", "tuning.lr_count=9"]


@pytest.fixture(scope="session")
def all_scenes(tmp_path_factory):
    """The output folder of one render of every scene (read it; copy it to change it)."""
    import render

    out = tmp_path_factory.mktemp("all-scenes") / "out"
    assert render.main(["render", *render.CATALOG, *ALL_SCENES_ARGS, "--jobs", "2", "--quiet",
                        "--out", str(out)]) == 0
    return out


@pytest.fixture
def all_scenes_copy(all_scenes, tmp_path):
    """A folder of this test's own holding every scene, up to date for ALL_SCENES_ARGS."""
    import shutil

    def copy(where=None):
        target = (where or tmp_path) / "out"
        shutil.copytree(all_scenes, target, symlinks=True,
                        ignore=shutil.ignore_patterns("runs", "runs.lock"))
        return target

    return copy


@pytest.fixture(scope="session")
def explainer_facts(construct):
    """What `render.py facts` prints for the default explainer, as data: every scene with its
    default parameters, from the builds the other tests share (``construct``, at the default
    render's 60 frames a second; test_cli_render.py runs the command itself)."""
    from scenes.catalog import CATALOG
    from scenes.production.facts import scene_facts

    return [scene_facts(construct(entry.load(), entry.Params())) for entry in CATALOG.values()]


SHARED = {"all_scenes": "all_scenes", "all_scenes_copy": "all_scenes", "installed": "package"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks into its groups
def pytest_collection_modifyitems(config, items):
    """Tests sharing a once-per-run render or build run in one test process (pytest-xdist's
    loadgroup), so it is made once, not once per process. xdist's own hook, registered after
    this file in each worker, would otherwise run first and see no mark."""
    for item in items:
        groups = {SHARED[name] for name in getattr(item, "fixturenames", ()) if name in SHARED}
        if groups:
            item.add_marker(pytest.mark.xdist_group("+".join(sorted(groups))))
