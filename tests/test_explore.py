"""`render.py explore`: the interactive pages, written by the command, opened offline in headless
Chromium (as the deck test does), and driven by real clicks on the slider and the rate menus."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import render
from scenes.framework.palette import THEMES, optimizer_colors
from scenes.framework.racers import run_racers
from scenes.production import pages as explore

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
STEPS = 120
LABEL = "<b>SGD</b></script>"  # a label that would end the page's script if not escaped
ARGS = ["--set", f"race.steps={STEPS}", "--set", f"race.racers.sgd.label='{LABEL}'"]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("explore")
    assert render.main(["explore", "race", *ARGS, "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def driver():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("chromium/chromedriver missing (make setup installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1280,800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    yield d
    d.quit()


def test_one_page_per_scene_named_like_the_outputs(page):
    names = sorted(p.name for p in page.iterdir() if p.name != ".cache")
    label = render.load_config(render.build_parser().parse_args(["explore", *ARGS])).label["race"]
    assert names == [f"race-{label}-dark-explore.html"]  # no temporary left beside it
    text = next(page.glob("*.html")).read_text()
    assert "<script src=" not in text and "* plotly.js v" in text  # plotly.js is inside


def test_unknown_scene_and_a_scene_without_a_page_are_one_line_and_exit_2(tmp_path, capsys):
    for name, says in (("rcae", "unknown scene 'rcae'"), ("mountain", "no racers on a surface")):
        assert render.main(["explore", name, "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and says in err, err
    assert not list(tmp_path.iterdir())


def test_paths_are_the_scenes_own_runs_and_captions():
    config = render.load_config(render.build_parser().parse_args(["explore", *ARGS]))
    p, theme = config.scenes["race"], THEMES["dark"]
    data = explore.page_data("race", p, theme)
    scene_runs = run_racers(p.racers, p.resolved(), p.start_point(), p.steps, theme)
    assert [r["color"] for r in data["racers"]] == list(optimizer_colors(p.racers, theme).values())
    for r, scene_run in zip(data["racers"], scene_runs, strict=True):
        racer = p.racers[r["key"]]
        batched = explore.racer_runs(racer, explore.rates(racer), p.resolved(), p.start_point(),
                                     p.steps)[r["own"]]
        np.testing.assert_array_equal(batched.traj.position, scene_run.traj.position)
        own = r["variants"][r["own"]]
        assert own["lr"] == scene_run.racer.lr and len(r["variants"]) == 5
        n = scene_run.traj.valid_steps
        np.testing.assert_allclose(own["loss"], scene_run.traj.loss[:n], rtol=1e-5)
        assert own["caption"] == explore.race_captions([scene_run], p.resolved(), p)[0]
    assert data["video"][1:] == explore.race_captions(scene_runs, p.resolved(), p)


def wait_for(driver, script: str, timeout: float = 20.0):
    end = time.monotonic() + timeout
    while not (value := driver.execute_script(script)):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for: {script}")
        time.sleep(0.05)
    return value


PATHS = ("return document.getElementById('explore').data.filter(t => t.meta.role === 'path')"
         ".map(t => ({name: t.name, color: t.line.color, x: Array.from(t.x), z: Array.from(t.z)"
         "}))")


def test_page_works_offline_slider_and_rates_redraw_the_paths(page, driver):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver.get(next(page.glob("*.html")).resolve().as_uri())
    wait_for(driver, "const g = document.getElementById('explore');"
                     "return g && g.dataset.explore === 'ready'")
    roles = driver.execute_script("return document.getElementById('explore').data"
                                  ".map(t => t.meta.role)")
    assert roles.count("surface") == 1 and roles.count("path") == 2
    paths = driver.execute_script(PATHS)
    assert [len(p["x"]) for p in paths] == [STEPS + 1] * 2  # the whole race at first
    assert paths[0]["name"].startswith("α 0.001 · ") and LABEL.replace("<", "&lt;").replace(
        ">", "&gt;") in paths[0]["name"]
    assert [p["color"] for p in paths] == list(optimizer_colors(
        render.load_config(render.build_parser().parse_args(["explore", *ARGS]))
        .scenes["race"].racers, THEMES["dark"]).values())
    legend = driver.find_element(By.CSS_SELECTOR, ".legend").text
    assert LABEL in legend  # shown as typed, not as markup

    # A click a quarter along the slider's rail shows the paths up to that step only.
    rail = driver.find_element(By.CSS_SELECTOR, ".slider-rail-touch-rect")
    ActionChains(driver).move_to_element_with_offset(rail, -rail.size["width"] // 4, 0)\
        .click().perform()
    wait_for(driver, "return document.getElementById('explore').data.filter("
                     f"t => t.meta.role === 'path')[0].x.length < {STEPS + 1}")
    shown = driver.execute_script(PATHS)
    active = driver.execute_script("return document.getElementById('explore').layout"
                                   ".sliders[0].active")
    step = explore.slider_steps(STEPS)[active]
    assert 0 < step < STEPS and [len(p["x"]) for p in shown] == [step + 1] * 2

    # Choosing another rate for SGD (its menu is the first) redraws its path from other data.
    driver.find_elements(By.CSS_SELECTOR, ".updatemenu-header")[0].click()
    buttons = wait_for(driver, "return Array.from(document.querySelectorAll("
                               "'.updatemenu-dropdown-button')).filter(b => "
                               "b.textContent.includes('α 0.01'))")
    buttons[0].click()
    wait_for(driver, "return document.getElementById('explore').data.filter("
                     "t => t.meta.role === 'path')[0].name.startsWith('α 0.01 ')")
    switched = driver.execute_script(PATHS)
    assert switched[0]["z"] != shown[0]["z"] and switched[1] == shown[1]

    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    requests = [e["message"] for e in driver.get_log("performance")
                if '"Network.requestWillBeSent"' in e["message"]]
    assert requests, "the performance log recorded no request"
    remote = [r for r in requests if '"url":"http' in r or '"url":"ws' in r]
    assert not remote, remote[:3]
