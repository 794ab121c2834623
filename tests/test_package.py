"""The program as a user installs it: a wheel built from this checkout, installed into a new
virtual environment, run from another folder. Everything it needs (presets, the hiker's art,
the example notebook) travels inside the wheel; nothing is read from the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = ["-q", "l", "--width", "192", "--fps", "5", "--jobs", "1", "--voice", "none",
        "--set", "race.steps=40", "--set", "race.race_time=2", "--set", "mountain.steps=3"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A new environment with the wheel installed (its dependencies are this environment's,
    seen through a path file, so nothing is downloaded); returns its bin folder."""
    work = tmp_path_factory.mktemp("package")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(work / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((work / "dist").glob("adam_animated-*.whl"))
    env = work / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # Only a site folder's own .pth files run: this environment's editable install does not.
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    share = Path(sys.prefix) / "share" / "reveal.js"  # what the README's one command fetches
    (env / "share").mkdir(exist_ok=True)
    (env / "share" / "reveal.js").symlink_to(share)
    return env / "bin"


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def test_the_wheel_holds_the_program_and_its_files(installed):
    wheel = next(installed.parent.parent.glob("dist/*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("render.py", "optim_core/optimizers.py", "scenes/race.py",
                 "scenes/framework/scene.py", "scenes/production/jobs.py",
                 "adam_animated_assets/hiker.svg", "adam_animated_assets/presets/lecture.toml",
                 "adam_animated_assets/examples/jupyter.ipynb"):
        assert part in names, part
    assert not any(n.startswith(("tests/", "adam_animated_assets/gallery/")) for n in names)


def test_installed_it_renders_from_any_folder(installed, tmp_path):
    where = run([installed / "python", "-c", "import render, scenes; print(render.__file__)"],
                tmp_path)
    assert str(installed.parent) in where.stdout, where.stdout + where.stderr
    done = run([installed / "adam-animated", "render", "race", "mountain", *TINY,
                "--preset", "lecture", "--out", "out"], tmp_path)
    assert done.returncode == 0, done.stderr
    videos = sorted(p.name.split("-")[0] for p in (tmp_path / "out").glob("*.mp4"))
    assert videos == ["mountain", "race"]
    deck = run([installed / "python", "-m", "render", "slides", "race", *TINY, "--out", "out"],
               tmp_path)
    assert deck.returncode == 0, deck.stderr
    assert len(list((tmp_path / "out").glob("*-deck.html"))) == 1
