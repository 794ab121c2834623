"""`render.py` list / params / presets / render / explainer, through main(argv)."""

import json
import tomllib
from pathlib import Path

import av
import numpy as np
import pytest
from caption_rules import cue_spans
from conftest import ALL_SCENES_ARGS
from PIL import Image

import render
from render import main
from scenes import SCENES
from scenes.framework.video import video_duration
from scenes.production import jobs
from scenes.production.outputs import FORMATS
from scenes.race import RosenbrockRace

FAST = ["--set", "race.steps=40", "--set", "race.race_time=2", "--set", "saddle.steps=20",
        "--set", "saddle.race_time=2", "-q", "l", "--width", "192", "--jobs", "1", "--quiet"]


def outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_list_is_in_explainer_order(capsys):
    assert main(["list"]) == 0
    keys = [line.split()[1] for line in capsys.readouterr().out.splitlines()]
    assert keys == ["opening", "mountain", "moments", "bias", "algorithm", "race", "saddle",
                    "tuning", "network", "recap"]


def test_presets_are_listed(capsys):
    assert main(["presets"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert {"default", "notebook", "lecture", "four-racers"} <= set(names)


@pytest.mark.parametrize("scene", ["race", "saddle", "SaddleEscape", "render"])
def test_params_json_lists_every_declared_key(scene, capsys):
    assert main(["params", scene, "--output", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    keys = {r["key"] for r in rows}
    assert all({"key", "type", "default", "allowed", "doc"} <= set(r) for r in rows)
    if scene == "race":
        assert {"race.steps", "race.racers.adam.lr", "race.racers.sgd.optimizer"} <= keys


def test_readme_parameter_reference_is_generated_from_the_declarations():
    readme = (Path(render.__file__).parent / "README.md").read_text()
    for table in ("render", *render.CATALOG):
        assert render.params_markdown(table) in readme, f"regenerate the {table} table"


def test_every_preset_is_valid_toml_and_validates():
    for name in render.presets():
        data = tomllib.loads((render.PRESET_DIR / f"{name}.toml").read_text())
        args = render.build_parser().parse_args(["render", "race", "--preset", name])
        render.load_config(args)
        assert set(data) <= set(render.TABLES)


def test_precedence_defaults_preset_config_set_flags(tmp_path):
    cfg = tmp_path / "my.toml"
    cfg.write_text('[render]\ntheme = "dark"\nquality = "l"\n[race]\nsteps = 300\nwarp = "log"\n')
    args = render.build_parser().parse_args(
        ["render", "race", "--preset", "lecture", "--config", str(cfg),
         "--set", "race.steps=400", "--set", "render.quality=p", "--quality", "k"])
    config = render.load_config(args)
    assert config.settings.theme == "dark"  # config file beats the preset's light
    assert config.settings.quality == "k"  # the flag beats --set, which beat config and preset
    assert config.scenes["race"].steps == 400 and config.scenes["race"].warp == "log"
    assert config.scenes["race"].race_time == 12.0  # untouched: built-in default
    assert config.label["race"].startswith("p") and config.label["saddle"] == "lecture"


@pytest.mark.parametrize(("argv", "size"), [
    ([], (1920, 1080, 60)), (["-q", "l"], (854, 480, 15)), (["-q", "k", "--fps", "24"],
                                                          (3840, 2160, 24)),
    (["--height", "200"], (356, 200, 60)), (["--width", "320"], (320, 180, 60)),
    (["--width", "300", "--height", "300"], (300, 300, 60)),
])
def test_frame_size_and_rate(argv, size):
    args = render.build_parser().parse_args(["render", "race", *argv])
    assert render.load_config(args).settings.size() == size


def test_options_before_the_command_are_kept():
    args = render.build_parser().parse_args(
        ["--theme", "light", "--set", "race.steps=5", "render", "race", "-q", "l",
         "--set", "race.warp=log"])
    config = render.load_config(args)
    assert config.settings.theme == "light" and config.settings.quality == "l"
    assert config.scenes["race"].steps == 5 and config.scenes["race"].warp == "log"


@pytest.mark.parametrize(("argv", "message"), [
    (["render", "rase"], "unknown scene 'rase'; did you mean 'race'?"),
    (["render", "race", "--set", "race.stpes=3"], "race.stpes: unknown key; did you mean 'steps'?"),
    (["render", "race", "--set", "race.racers.adma.lr=0.1"],
     "race.racers.adma: no such entry; did you mean 'adam'?"),
    (["render", "race", "--set", "race.steps=many"], "race.steps: expected a whole number"),
    (["render", "race", "--set", "race.steps=0"], "race.steps: 0 is out of range (allowed: [1,"),
    (["render", "race", "--set", "race.racers.adam.lr=nan"], "expected a finite number"),
    (["render", "race", "--set", "race.racers.adam.beta1=1"], "out of range (allowed: [0, 1))"),
    (["render", "race", "--set", "race.surface=bowl"], "unknown surface 'bowl': not one of"),
    (["render", "race", "--set", "race.surface=x.real"], "attribute access is not allowed"),
    (["render", "race", "--set", "race.start=[9, 9]"], "lies outside the plotted domain"),
    (["render", "race", "--set", "race.racers.sgd.beta1=0.5"], "optimizer sgd takes no beta1"),
    (["render", "race", "--set", "racee.steps=3"], "racee: unknown table; did you mean 'race'?"),
    (["render", "race", "--set", "steps"], "expected KEY.PATH=VALUE"),
    (["render", "race", "--preset", "lectur"], "no such preset; did you mean 'lecture'?"),
    (["render", "race", "--format", "mp4", "--transparent"], "transparent needs format webm"),
    (["render", "race", "--quality", "x"], "argument -q/--quality: invalid choice: 'x'"),
])
def test_bad_input_is_one_line_exit_2(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "out").exists() or outputs(tmp_path / "out") == []


def test_malformed_toml(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[race\nsteps = 3\n")
    assert main(["render", "race", "--config", str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["render", "race", *FAST, "--out", str(blocker / "out")]) == 2
    assert "cannot create the folder" in capsys.readouterr().err


def test_render_one_scene_then_nothing_to_redo(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", "race", *FAST, "--out", str(out)]) == 0
    names = outputs(out)
    assert len(names) == 2 and names[0].startswith("race-p") and names[0].endswith(
        "-108p15-dark.mp4")
    video = out / names[0]
    with av.open(str(video)) as c:
        s = c.streams.video[0]
        assert (s.codec_context.width, s.codec_context.height) == (192, 108)
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
    subs = cue_spans((out / names[1]).read_text())
    assert subs and subs[0][0] == 0.0 and all(b > a for a, b, _ in subs)
    before = video.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["render", "race", *FAST[:-1], "--out", str(out)]) == 0
    assert "up to date" in capsys.readouterr().err
    assert video.stat().st_mtime_ns == before


@pytest.mark.parametrize("fmt", ["gif", "png"])
def test_gif_and_png_have_the_requested_size(fmt, tmp_path):
    out = tmp_path / "out"
    assert main(["render", "race", *FAST, "--format", fmt, "--theme", "light",
                 "--out", str(out)]) == 0
    [name] = [n for n in outputs(out) if n.endswith(fmt)]
    assert "-light" in name
    with Image.open(out / name) as im:
        assert im.size == (192, 108)


def test_transparent_webm_has_alpha(tmp_path):
    out = tmp_path / "out"
    assert main(["render", "race", *FAST, "--format", "webm", "--transparent",
                 "--out", str(out)]) == 0
    [name] = [n for n in outputs(out) if n.endswith(".webm")]
    assert name.endswith("-alpha.webm")
    with av.open(str(out / name)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name in ("vp9", "libvpx-vp9")
        assert stream.metadata.get("alpha_mode") == "1"


def test_explainer_joins_every_scene_with_chapters(all_scenes_copy):
    out = all_scenes_copy()
    scenes = [next(out.glob(f"{cls.key}-*.mp4")) for cls in SCENES]
    made = [p.stat().st_mtime_ns for p in scenes]
    assert main(["explainer", *ALL_SCENES_ARGS, "--jobs", "1", "--quiet", "--out", str(out)]) == 0
    assert [p.stat().st_mtime_ns for p in scenes] == made  # every part was up to date
    [joined] = [out / n for n in outputs(out) if n.startswith("explainer") and n.endswith(".mp4")]
    total = sum(video_duration(p) for p in scenes)
    assert video_duration(joined) == pytest.approx(total, abs=1 / 5 + 1e-6)
    chapters = joined.with_suffix(".chapters.txt").read_text().splitlines()
    titles = [cls.title for cls in SCENES]
    assert chapters[0] == f"0:00 {titles[0]}" and [c.split(" ", 1)[1] for c in chapters] == titles
    with av.open(str(joined)) as c:
        assert [ch["metadata"]["title"] for ch in c.chapters()] == titles
    subs = cue_spans(joined.with_suffix(".srt").read_text())
    starts = [a for a, _, _ in subs]
    assert starts == sorted(starts) and starts[-1] > total - video_duration(scenes[-1])


def test_a_crashing_scene_leaves_no_output(tmp_path, capsys, monkeypatch):
    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(RosenbrockRace, "construct", boom)
    out = tmp_path / "out"
    assert main(["render", "race", *FAST, "--out", str(out)]) == 1
    assert "race: RuntimeError: boom" in capsys.readouterr().err
    assert outputs(out) == [] and not list(out.glob(".*.part"))


def test_an_interrupted_render_keeps_finished_scenes_only(tmp_path, capsys, monkeypatch):
    original = RosenbrockRace.construct

    def interrupted(self):
        original(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(RosenbrockRace, "construct", interrupted)
    # The race third (two scenes finish before it, not five): the same path, a third the work.
    first = ["opening", "mountain", "race"]
    order = [*first, *(k for k in render.CATALOG if k not in first)]
    monkeypatch.setattr(render, "CATALOG", {k: render.CATALOG[k] for k in order})
    out = tmp_path / "out"
    assert main(["explainer", *FAST, "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "interrupted; finished scenes kept: opening, mountain" in err
    assert not any(n.startswith(("race", "explainer", "moments")) for n in outputs(out))
    assert any(n.startswith("mountain-") and n.endswith(".mp4") for n in outputs(out))
    assert not list(out.rglob("*.part"))


def test_video_frames_come_from_the_scene(tmp_path):
    """The last frame of a rendered video is the scene's last frame (nothing lost in export)."""
    out = tmp_path / "out"
    assert main(["render", "race", *FAST, "--format", "png", "--out", str(out)]) == 0
    [png] = [n for n in outputs(out) if n.endswith(".png")]
    pixels = np.asarray(Image.open(out / png))
    assert pixels.std() > 10  # not a blank frame


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_manim_setting_we_pass_is_one_manim_knows(fmt):
    """tempconfig silently drops unknown keys: a renamed Manim option must fail here instead."""
    from manim import config

    job = jobs.Job("race", None, "dark", 160, 90, 15, fmt, fmt != "mp4", "superfast", "m", "r",
                     "t", False)
    assert [k for k in jobs.manim_config(job) if k not in config] == []


def test_ctrl_c_stops_parallel_workers_at_once(tmp_path):
    """A real SIGINT to `render.py explainer --jobs 2`: exit 130 at once, finished scenes kept,
    nothing half-written."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    argv = [sys.executable, "render.py", "explainer", *FAST[:-3], "--jobs", "2", "--out", str(out)]
    # A shell without job control starts background jobs with SIGINT ignored, and Python keeps
    # an ignored SIGINT: give the child the default disposition, as an interactive user has.
    proc = subprocess.Popen(argv, cwd=Path(render.__file__).parent, stderr=subprocess.PIPE,
                            text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    for line in proc.stderr:  # wait until one scene is finished, while others are in flight
        lines.append(line)
        if line.startswith("rendered:"):
            break
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    rest = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130 and time.monotonic() - start < 10
    assert "interrupted; finished scenes kept: " in rest
    kept = rest.split("finished scenes kept: ")[1].split("\n")[0].split(", ")
    videos = [n for n in outputs(out) if n.endswith(".mp4")]
    assert sorted(n.split("-")[0] for n in videos) == sorted(kept)
    assert not any(n.startswith("explainer") for n in outputs(out))
    assert not list(out.rglob("*.part*")) and not any((out / ".cache" / "runs").iterdir())


def test_facts_prints_every_beat_and_the_numbers_behind_it(capsys):
    import json

    assert render.main(["facts", "race", "--set", "race.steps=300", "--set",
                        "race.racers.adam.lr=0.05"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scene"] == "race"
    ids = [b["id"] for b in doc["beats"]]
    assert ids[:3] == ["race/landscape", "race/start", "race/race"]
    # the outcomes, then SGD run again at Adam's α (0.05 here: it diverges, it is said)
    assert ids[3:] == [*(f"race/outcome-{i}" for i in range(1, len(ids) - 3)), "race/same-rate"]
    assert doc["beats"][-1]["caption"].startswith("At Adam's α = 0.05, Gradient descent ")
    assert all(a["end"] == b["start"]
               for a, b in zip(doc["beats"], doc["beats"][1:], strict=False))
    captions = [b["caption"] for b in doc["beats"]]
    for o in doc["facts"]["outcomes"]:
        assert o["final_step"] == 300 and o["minimum"] == [1.0, 1.0]
        assert f"{o['name']} ends {o['distance']:.3g} from (1, 1) after 300 steps." in captions


def test_facts_of_every_scene(explainer_facts):
    docs = explainer_facts  # as `render.py facts` prints them (scene_facts of each build)
    assert [d["scene"] for d in docs] == list(render.CATALOG)
    assert all(d["beats"] and d["facts"] for d in docs)
    json.dumps(docs, allow_nan=False)  # plain JSON: no NaN, no object the encoder refuses


@pytest.mark.parametrize(("make", "says"), [
    (lambda p: p.write_bytes(b"\xff\xfe\x00garbage\x80"), "not UTF-8"),
    (lambda p: p.write_text("x = " + "[" * 100_000), "nested too deeply"),
    (lambda p: p.write_text("[race]\nstart = [" + ", ".join(["1.0"] * 100_000) + "]\n"),
     "race.start"),
    (lambda p: p.write_text("render = 1\n"), "render: expected a table"),
])
def test_a_bad_config_is_one_short_line(tmp_path, capsys, make, says):
    cfg = tmp_path / "bad.toml"
    make(cfg)
    assert render.main(["render", "race", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and len(err) < 300


def test_config_must_be_a_regular_file(capsys):
    assert render.main(["render", "race", "--config", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "says"), [
    (["render", "race", "--set", "render=1"], "render: expected a table"),
    (["render", "race", "--out", ""], "output folder name is empty"),
    (["trace", "--start", "1e7", "1e7", "--steps", "5"], "outside ±1e+06"),
    (["render", "race", *[f"--set=race.racers.r{i}.optimizer=sgd" for i in range(6)]],
     "race: racers: 8 racers; at most 6"),
    (["render", "saddle", "--set", "saddle.racers.adam.label=" + "A" * 20_000],
     "label: 20000 characters; at most 24"),
    (["render", "race", "--set", "race.racers.adam.label=Ad\tam"], "only printable characters"),
    (["render", "race", "--set", "race.surface=x" + "/1" * 147], "nested too deeply to typeset"),
    (["render", "race", "--set", "race.surface=x - x + 1"], "the surface is flat"),
    (["render", "race", "--set", "race.surface=log(x+2.5) + y**2"], "pass a domain"),
    (["trace", "--steps", "3", "--out", "/proc/x.csv"], "--out /proc/x.csv: cannot write it"),
    (["trace", "--steps", "3", "--out", "/sys/x.csv"], "--out /sys/x.csv: cannot write it"),
    (["gallery", "--dir", "README.md"], "--dir README.md: it is a file"),
])
def test_refused_inputs_from_the_fuzzing(capsys, argv, says):
    assert render.main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and len(err) < 300


def test_every_render_setting_has_a_flag_generated_from_its_declaration():
    import dataclasses

    fields = [f.name for f in dataclasses.fields(render.RenderSettings)]
    argv = ["render", "race", "--encoder-preset", "ultrafast", "--jobs", "3", "--transparent",
            "--format", "webm", "--out", "o", "-q", "l", "--fps", "12", "--width", "320",
            "--height", "240", "--theme", "light", "--narration", "n", "--voice", "neural",
            "--strict", "--captions", "off"]
    s = render.load_config(render.build_parser().parse_args(argv)).settings
    assert {f: getattr(s, f) for f in fields} == {
        "quality": "l", "fps": 12, "width": 320, "height": 240, "format": "webm",
        "transparent": True, "theme": "light", "out": "o", "jobs": 3,
        "encoder_preset": "ultrafast", "narration": "n", "voice": "neural", "strict": True,
        "captions": "off"}


def test_the_config_schema_accepts_every_preset_and_refuses_what_build_refuses(tmp_path):
    """`render.py schema` is generated from the declarations: every preset validates against
    it, and a typo, an out-of-range number, a wrong type and an unknown choice are refused by
    both the schema and the program."""
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in render.presets():
        data = tomllib.loads((render.PRESET_DIR / f"{name}.toml").read_text())
        assert list(validator.iter_errors(data)) == [], name
    for bad in ({"race": {"stepz": 10}}, {"race": {"steps": 0}}, {"render": {"fps": "60"}},
                {"render": {"theme": "blue"}}, {"race": {"racers": {"adam": {"lr": 0}}}},
                {"bias": {"beta2": 1.0}}, {"nope": {}}):
        assert list(validator.iter_errors(bad)), bad
        args = render.build_parser().parse_args(["render", "race", "--config",
                                                 str(config_file(tmp_path, bad))])
        with pytest.raises(render.ParamError):
            render.load_config(args)


def config_file(folder: Path, data: dict) -> Path:
    lines = []
    for table, values in data.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items() if not isinstance(v, dict)]
        for k, v in values.items():
            if isinstance(v, dict):
                for name, entry in v.items():
                    lines.append(f"[{table}.{k}.{name}]")
                    lines += [f"{kk} = {json.dumps(vv)}" for kk, vv in entry.items()]
    path = folder / "bad.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
