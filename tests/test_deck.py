"""The lecture deck as a lecturer meets it: rendered by `render.py slides`, opened offline in
headless Chromium, and the .pptx read back with python-pptx.

One slide per beat: the number of slides is checked against the .srt cues of the same render
(each beat writes exactly one cue), and each slide's notes against its cue's text.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import time
from pathlib import Path

import pytest
import srt

import render
from scenes.framework.internals import slides as deck

SCENES = ("race", "bias")
SIZE = ["--width", "256", "--height", "144", "--fps", "5"]
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def deck_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("deck")
    assert render.main(["slides", *SCENES, *SIZE, "--out", str(out), "--quiet"]) == 0
    return out


def cues(out: Path) -> list[str]:
    """Every beat's caption, in deck order, from the scenes' .srt files."""
    texts = []
    for key in SCENES:
        (path,) = out.glob(f"{key}-*.srt")
        texts += [" ".join(c.content.split()) for c in srt.parse(path.read_text())]
    return texts


def test_pinned_manim_slides_is_the_one_the_deck_layer_was_written_for():
    # scenes/framework/internals/slides.py calls manim-slides' private _save_slides and skips
    # Slide.__init__: a different version may change either. Re-check it before moving the pin.
    assert importlib.metadata.version("manim-slides") == deck.MANIM_SLIDES_VERSION
    from manim_slides.slide.base import BaseSlide

    assert callable(BaseSlide._save_slides)


def test_deck_files_are_next_to_the_videos(deck_dir):
    names = {p.name for p in deck_dir.iterdir()}
    stem = "explainer-default-144p5-dark-deck"
    assert {f"{stem}.html", f"{stem}.pptx", f"{stem}.pdf", f"{stem}_assets"} <= names
    assert not [n for n in names if n.startswith(".deck-")]  # no work folder left


def test_pptx_has_one_movie_slide_per_beat_with_its_caption_as_notes(deck_dir):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(str(next(deck_dir.glob("*-deck.pptx"))))
    captions = cues(deck_dir)
    assert len(prs.slides) == len(captions) > 10
    for slide, caption in zip(prs.slides, captions, strict=True):
        assert [s.shape_type for s in slide.shapes] == [MSO_SHAPE_TYPE.MEDIA]
        assert slide.notes_slide.notes_text_frame.text == caption


def test_pdf_has_one_page_per_beat(deck_dir):
    pdf = next(deck_dir.glob("*-deck.pdf")).read_bytes()  # Pillow's own plain PDF writer
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(cues(deck_dir))


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium/chromedriver missing "
                    "(make setup installs them)")
def test_html_deck_plays_and_advances_offline_in_chromium(deck_dir):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        html = next(deck_dir.glob("*-deck.html"))
        driver.get(html.resolve().as_uri())
        wait_for(driver, "return window.Reveal && Reveal.isReady()")
        assert driver.execute_script("return Reveal.getTotalSlides()") == len(cues(deck_dir))
        # The first slide's clip plays (its time advances) ...
        wait_for(driver, "const v = document.querySelector('.slide-background.present video');"
                         "return v !== null && v.currentTime > 0")
        # ... and the right arrow moves to the next slide.
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        wait_for(driver, "return Reveal.getIndices().h === 1")
        # Nothing left the machine: every request was for a local file.
        urls = [entry["message"] for entry in driver.get_log("performance")
                if '"Network.requestWillBeSent"' in entry["message"]]
        assert urls, "the performance log recorded no request"
        remote = [u for u in urls if '"url":"http' in u]
        assert not remote, remote[:3]
    finally:
        driver.quit()


def wait_for(driver, script: str, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not driver.execute_script(script):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for: {script}")
        time.sleep(0.1)


def test_manim_slides_own_command_line_renders_and_converts_a_scene(tmp_path):
    """As manim-slides documents it: `manim-slides render FILE SCENE` writes ./slides, then
    `manim-slides convert SCENE deck.pptx` reads it. FILE is a lecturer's own scene file."""
    import json
    import subprocess
    import sys

    (tmp_path / "mine.py").write_text(
        "from scenes.race import RosenbrockRace\n\n\n"
        "class ShortRace(RosenbrockRace.with_params(steps=40, race_time=2)):\n"
        "    pass\n")
    tool = Path(sys.executable).with_name("manim-slides")
    rendered = subprocess.run([tool, "render", "-ql", "--fps", "5", "-r", "192,108", "mine.py",
                               "ShortRace"], cwd=tmp_path, capture_output=True, text=True)
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    slides = json.loads((tmp_path / "slides" / "ShortRace.json").read_text())["slides"]
    assert len(slides) >= 3 and all(s["notes"] for s in slides)  # one per beat, its caption
    assert all((tmp_path / s["file"]).is_file() for s in slides)
    converted = subprocess.run([tool, "convert", "ShortRace", "deck.pptx"], cwd=tmp_path,
                               capture_output=True, text=True)
    assert converted.returncode == 0, converted.stderr[-2000:]
    from pptx import Presentation

    assert len(Presentation(str(tmp_path / "deck.pptx")).slides) == len(slides)
