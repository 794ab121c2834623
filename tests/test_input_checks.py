"""Input checks that used to let bad values through (racer labels, frame sizes, empty tables) and
the gallery writing where it is told, through main(argv): one line, exit 2, nothing written."""

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import ALL_SCENES_ARGS
from PIL import Image

import render
from scenes.catalog import RaceParams
from scenes.framework.contenders import Racer
from scenes.framework.params import ParamError, build
from scenes.race import RosenbrockRace
from scenes.saddle import SaddleEscape
from scenes.tuning import TuningSweep

TINY = ["--set", "race.steps=40", "--set", "race.race_time=2", "--set", "saddle.steps=20",
        "--set", "saddle.race_time=2", "--fps", "5", "--jobs", "1", "--quiet"]
TRACKED = Path(render.__file__).resolve().parent / "assets" / "gallery"


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.png")}


@pytest.fixture(autouse=True, scope="module")
def tracked_gallery_untouched():
    before = digests(TRACKED)
    yield
    assert digests(TRACKED) == before


def refused(argv: list[str], message: str, capsys, out: Path) -> None:
    assert render.main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300 and err.startswith("render.py: error: "), err
    assert message in err, err
    assert not out.exists() or list(out.iterdir()) == []


# --- racer labels -------------------------------------------------------------------------------

@pytest.mark.parametrize("setting", [
    'race.racers.adam.label=" "', 'race.racers.sgd.label="   "', 'race.racers.adam.label="\\u3164"',
    'saddle.racers.gd.label=" "', 'saddle.racers.adam.label="\\u0301\\u2800"',
    'tuning.optimizers.adam.label=" "',
])
def test_a_label_without_a_visible_character_is_refused(setting, capsys, tmp_path):
    refused(["render", "race", "--set", setting], "label", capsys, tmp_path / "out")


@pytest.mark.parametrize("label", ["\t", "\u200b", "\u200b\u200b", "\ufeff"])
def test_tabs_and_zero_width_labels_are_refused(label, capsys, tmp_path):
    escaped = label.encode("unicode_escape").decode()
    refused(["render", "saddle", "--set", f'saddle.racers.adam.label="{escaped}"'],
            "saddle.racers.adam: label", capsys, tmp_path / "out")


@pytest.mark.parametrize("scene", [RosenbrockRace, SaddleEscape])
def test_with_params_refuses_a_blank_label(scene):
    with pytest.raises(ParamError, match=r"racers\.adam: label ' ': no visible character"):
        scene.with_params(racers={"adam": {"label": " "}})


def test_an_empty_label_is_the_optimizers_name_and_a_spaced_one_is_kept():
    racers = build(RaceParams, {"racers": {"adam": {"label": ""}, "sgd": {"label": " S G D "}}},
                   "race").racers
    assert racers["adam"].name == "Adam" and racers["sgd"].name == " S G D "
    assert Racer("adam", label="Adam 2").name == "Adam 2"


# --- empty tables -------------------------------------------------------------------------------

@pytest.mark.parametrize(("scene", "values"), [
    (RosenbrockRace, {"racers": {}}), (SaddleEscape, {"racers": {}}),
    (TuningSweep, {"optimizers": {}}),
])
def test_with_params_refuses_an_empty_table(scene, values):
    with pytest.raises(ParamError, match=r"\.(racers|optimizers): the table is empty"):
        scene.with_params(**values)


def test_an_empty_racers_table_from_a_config_or_set_is_refused(capsys, tmp_path):
    cfg = tmp_path / "empty.toml"
    cfg.write_text("[race]\nsteps = 40\n[race.racers]\n")
    refused(["render", "race", "--config", str(cfg)], "race.racers: the table is empty", capsys,
            tmp_path / "out")
    refused(["render", "race", "--set", "race.racers={}"], "race.racers: the table is empty",
            capsys, tmp_path / "out")


# --- frame sizes --------------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (["--width", "32"], "render.width: 32 is out of range (allowed: [64, 7680])"),
    (["--width", "16"], "render.width: 16 is out of range (allowed: [64, 7680])"),
    (["--height", "20"], "render.height: 20 is out of range (allowed: [36, 4320])"),
    (["--width", "640", "--height", "22"], "render.height: 22 is out of range"),
    (["--width", "193", "--height", "108"], "frame 193x108: mp4 needs an even width and height"),
    (["--width", "193"], "frame 193x108: mp4 needs an even width and height"),
    (["--width", "192", "--height", "109", "--format", "webm"], "webm needs an even"),
    (["--width", "193", "--height", "109", "--format", "gif"], "gif needs an even"),
])
def test_a_frame_size_the_scenes_cannot_render_is_refused(argv, message, capsys, tmp_path):
    refused(["render", "race", "saddle", "mountain", *argv], message, capsys, tmp_path / "out")


@pytest.mark.parametrize(("argv", "size"), [
    (["--width", "64"], (64, 36)), (["--height", "36"], (64, 36)),
    (["--width", "65"], (65, 36)), (["--width", "64", "--height", "4320"], (64, 4320)),
])
def test_sizes_from_the_minimum_up_are_accepted(argv, size):
    args = render.build_parser().parse_args(["render", "race", "--format", "png", *argv])
    assert render.load_config(args).settings.size()[:2] == size


def test_every_scene_renders_at_the_smallest_size(all_scenes):
    """The shared render of every scene (tests/conftest.py) is at the smallest frame."""
    assert "--width" in ALL_SCENES_ARGS and ALL_SCENES_ARGS[ALL_SCENES_ARGS.index("--width") + 1] \
        == "64"
    assert len(list(all_scenes.glob("*-36p5-dark.mp4"))) == len(render.CATALOG)


def test_a_png_may_have_odd_sizes(tmp_path):
    out = tmp_path / "out"
    assert render.main(["render", "race", *TINY, "--format", "png", "--width", "193",
                        "--height", "109", "--out", str(out)]) == 0
    [png] = out.glob("*.png")
    with Image.open(png) as im:
        assert im.size == (193, 109)


# --- the gallery writes where it is told --------------------------------------------------------

@pytest.fixture
def gallery(tmp_path, monkeypatch):
    """A copy of the tracked gallery standing in for it."""
    folder = tmp_path / "gallery"
    shutil.copytree(TRACKED, folder)
    monkeypatch.setattr(render, "GALLERY", folder)
    return folder


def no_render(*args, **kwargs):
    raise AssertionError("rendered although refused")


def fake_render(keys, config, report):
    """Stills of 4x4 pixels at the jobs' targets, instead of rendering."""
    jobs = render.make_jobs(keys, config, Path(config.settings.out), Path(config.settings.out),
                            False)
    for job in jobs:
        Image.new("RGB", (4, 4), "red").save(job.target)
    return jobs


@pytest.mark.parametrize("argv", [
    ["--width", "192"], ["-q", "m"], ["--fps", "5"], ["--theme", "dark"],
    ["--set", "race.steps=40"], ["--preset", "four-racers"], ["--dir", "GALLERY", "-q", "h"],
])
def test_the_tracked_gallery_is_not_overwritten_with_other_settings(argv, gallery, capsys,
                                                                     monkeypatch):
    monkeypatch.setattr(render, "render_scenes", no_render)
    before = digests(gallery)
    argv = [str(gallery) if a == "GALLERY" else a for a in argv]
    assert render.main(["gallery", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300 and "add --force" in err, err
    assert digests(gallery) == before and len(before) == len(render.CATALOG)


@pytest.mark.parametrize("argv", [[], ["--force", "--width", "192", "-q", "m"]])
def test_the_gallery_is_written_with_its_own_settings_or_with_force(argv, gallery, monkeypatch):
    monkeypatch.setattr(render, "render_scenes", fake_render)
    assert render.main(["gallery", "--quiet", *argv]) == 0
    for key in render.CATALOG:
        with Image.open(gallery / f"{key}.png") as im:
            assert im.size == (4, 4)


def test_gallery_writes_its_stills_into_out(gallery, tmp_path, monkeypatch):
    """The race's still really rendered (the end to end path: render, quantize, write), the
    other scenes' faked: which folder the command writes to does not depend on the scene."""
    real = render.render_scenes

    def race_only(keys, config, report):
        return real(["race"], config, report) + fake_render(
            [k for k in keys if k != "race"], config, report)

    monkeypatch.setattr(render, "render_scenes", race_only)
    before = digests(gallery)
    out = tmp_path / "stills"
    assert render.main(["gallery", *TINY, "--width", "192", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.png"
                                                           for k in render.CATALOG)
    with Image.open(out / "race.png") as im:
        assert im.size == (192, 108)
    assert digests(gallery) == before


@pytest.mark.parametrize(("argv", "message"), [
    (["--dir", "A", "--out", "B"], "--dir A and --out B disagree"),
    (["--dir", "A", "--set", "render.out=B"], "--dir A and --out B disagree"),
    (["--out", "B", "--format", "gif"], "--format gif: the gallery is PNG stills"),
])
def test_gallery_refuses_disagreeing_options(argv, message, gallery, capsys, monkeypatch,
                                             tmp_path):
    monkeypatch.setattr(render, "render_scenes", no_render)
    monkeypatch.chdir(tmp_path)
    before = digests(gallery)
    assert render.main(["gallery", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "A").exists() and not (tmp_path / "B").exists()
    assert digests(gallery) == before
