"""Narration: the lecturer's own voice, one recording per beat, and the video timed to it.

A beat's id names it (``race/start``, ``race/outcome-2``): ``render.py script`` lists every id
with its caption, the lecturer records one file per beat as ``DIR/<scene>/<name>.wav`` (or
.flac, .mp3, .ogg, .opus, .m4a; any other file in a scene's folder is an error), and
``render.py --narration DIR`` makes each recorded beat last as long as its recording plus a
short pause. ``--voice neural`` (the default of ``render`` and ``explainer``) speaks every beat
without a recording with an offline neural voice (``scenes/production/voice.py``), its text
read as a person would say it (``scenes/production/spoken.py``); recordings win beat by beat.

``script`` also writes ``DIR/manifest.json``: each beat's caption and its hash when the script
was written for it. A beat whose caption has changed since then needs recording again; the
render says which (a warning, or an error with ``--strict``).

The soundtrack is put together here (mono, 48 kHz) and muxed with PyAV: AAC in mp4, Opus in
webm. Nothing in this module draws.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from itertools import chain
from pathlib import Path

import numpy as np

from scenes.framework.captions import fits
from scenes.framework.video import copy_video
from scenes.production import voice as neural
from scenes.production.files import open_regular, read_regular
from scenes.production.outputs import FORMATS
from scenes.production.spoken import spoken

RATE = 48_000  # the soundtrack's sample rate (Opus's own; AAC takes it too)
SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a")  # what PyAV decodes
RATES = (16_000, 192_000)  # a recording's sample rate must lie in this range (speech: >= 16 kHz)
SILENT = 1e-3  # a recording whose peak stays below this (of full scale) is silent
MIN_SECONDS = 0.2
MAX_SECONDS = 120  # a beat's caption is read in seconds; minutes of recording are a mistake
MAX_RECORDING_BYTES = 200_000_000  # 120 s of stereo 32-bit float at 192 kHz is 184 MB
MAX_MANIFEST_BYTES = 1_000_000  # a caption and a hash per beat
VOICES = ("none", neural.NAME)
LONGEST = 6.5  # seconds: a sentence spoken longer than this is spoken clause by clause
SPLITS = (";:", ",", "")  # clauses, then comma phrases, then halves at a word (see halves)
JOINS = frozenset({"and", "or", "but", "with", "only", "where", "while", "then", "so", "per",
                   "after", "before", "until"})  # a sentence's best halves start at one
WORDS = frozenset({"to", "at", "by", "from", "in", "of", "for", "than"})  # or else at one
GAIN = 0.7  # the voice speaks at full scale; -3 dB leaves room for resampling's overshoot
GAPS = {".": 0.35, "!": 0.35, "?": 0.35, ";": 0.25, ":": 0.25, ",": 0.15}  # s after a phrase
MANIFEST = "manifest.json"
# samples per frame and sample format (mono: planar or packed is the same layout)
CODEC_FRAMES = {"aac": (1024, "fltp"), "libopus": (960, "flt")}


def is_narrated(folder: str | None, voice: str | None) -> bool:
    """Whether a render speaks: it has a folder of recordings, or a voice other than none."""
    return folder is not None or voice not in (None, "none")


class NarrationError(ValueError):
    """A recording that cannot narrate its beat: one line naming the beat and the file."""


def caption_hash(caption: str) -> str:
    return hashlib.sha256(" ".join(caption.split()).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Clip:
    """One beat's narration: where it came from and how long it speaks."""

    beat_id: str
    source: str  # the recording, or "neural"
    samples: np.ndarray  # mono float32 at RATE
    parts: tuple[tuple[str, float, float], ...] = ()  # spoken phrases: caption text, start, end

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE


def read_audio(path: Path, beat_id: str) -> np.ndarray:
    """A recording as mono float32 samples at RATE, or NarrationError saying what is wrong."""
    import av

    where = f"narration {beat_id}: {path}"
    try:
        fh = open_regular(path, MAX_RECORDING_BYTES)
    except OSError as exc:
        raise NarrationError(f"{where}: cannot read it ({exc.strerror})") from None
    try:
        with fh, av.open(fh, mode="r") as container:
            if not container.streams.audio:
                raise NarrationError(f"{where}: no audio in the file")
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            if not RATES[0] <= rate <= RATES[1]:
                raise NarrationError(f"{where}: sample rate {rate} Hz; record at "
                                     f"{RATES[0] // 1000} to {RATES[1] // 1000} kHz "
                                     "(44.1 or 48 kHz is usual)")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks, length = [], 0
            for decoded in chain(container.decode(stream), [None]):  # None: flush
                for frame in resampler.resample(decoded):
                    chunks.append(frame.to_ndarray().reshape(-1))
                    length += len(chunks[-1])
                if length > MAX_SECONDS * RATE:
                    raise NarrationError(f"{where}: more than {MAX_SECONDS} s long; a beat's "
                                         f"recording lasts at most {MAX_SECONDS} s")
    except NarrationError:
        raise
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise NarrationError(f"{where}: not readable as audio ({exc})") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if len(samples) < MIN_SECONDS * RATE:
        raise NarrationError(f"{where}: {len(samples) / RATE:.2f} s long; a beat's recording "
                             f"lasts at least {MIN_SECONDS} s")
    if not np.isfinite(samples).all() or float(np.abs(samples).max()) < SILENT:
        raise NarrationError(f"{where}: the recording is silent")
    return samples


def recordings(folder: Path, scene: str) -> dict[str, Path]:
    """The recordings of one scene, by beat name; two files for one beat is an error."""
    found: dict[str, Path] = {}
    sub = folder / scene
    if not sub.is_dir():
        return found
    for path in sorted(sub.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix.lower() not in SUFFIXES:
            raise NarrationError(f"narration {path}: not a recording (allowed: "
                                 f"{', '.join(SUFFIXES)}); move it out of {sub}")
        if path.stem in found:
            raise NarrationError(f"narration {scene}/{path.stem}: two recordings, "
                                 f"{found[path.stem].name} and {path.name}; keep one")
        found[path.stem] = path
    return found


def check_folder(folder: Path, scenes: list[str]) -> None:
    """Every recording in ``folder`` is in a scene's folder and readable (before a render
    starts). Raises NarrationError for the first problem. That each file names a beat of its
    scene is checked as the scene is built (:meth:`Narration.check_names`)."""
    if not folder.is_dir():
        raise NarrationError(f"--narration {folder}: no such folder (make it with "
                             f"`render.py script --narration {folder}`)")
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if sub.name not in scenes:
            raise NarrationError(f"narration {sub}: no scene is called {sub.name!r} (scenes: "
                                 f"{', '.join(scenes)})")
    read_manifest(folder)
    for scene in scenes:
        for name, path in recordings(folder, scene).items():
            read_audio(path, f"{scene}/{name}")


def read_manifest(folder: Path) -> dict[str, dict]:
    try:
        data = json.loads(read_regular(folder / MANIFEST, MAX_MANIFEST_BYTES))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise NarrationError(f"narration {folder / MANIFEST}: cannot read it ({exc.strerror}); "
                             "remove it and run `render.py script` again") from None
    except (ValueError, RecursionError) as exc:
        raise NarrationError(f"narration {folder / MANIFEST}: not readable ({exc}); remove it "
                             "and run `render.py script` again") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise NarrationError(f"narration {folder / MANIFEST}: not a manifest written by "
                             "`render.py script`; remove it and run the script again")
    return data


def updated_manifest(folder: Path, beats: list[tuple[str, str]],
                     recorded: set[str]) -> tuple[dict, list[str]]:
    """The manifest after writing the script for ``beats`` (id, caption): a beat with a
    recording (its id in ``recorded``) keeps the caption it was recorded for; every other beat
    gets its current caption. Also returns the ids recorded for a caption changed since."""
    manifest = read_manifest(folder)
    stale = []
    for beat_id, caption in beats:
        entry = manifest.get(beat_id)
        if beat_id in recorded and entry is not None:
            if entry.get("sha256") != caption_hash(caption):
                stale.append(beat_id)
            continue
        manifest[beat_id] = {"caption": caption, "sha256": caption_hash(caption)}
    return manifest, stale


class Narration:
    """Where a scene's beats find their voice: the lecturer's recordings in ``folder``, else
    the draft ``voice`` (the neural voice, its speech cached in ``cache``), else none (the
    reading-time rule). :meth:`close` ends the voice's process when the scene is done."""

    def __init__(self, folder: str | None, voice: str = "none", cache: str | None = None,
                 strict: bool = False):
        self.folder = Path(folder) if folder else None
        self.voice, self.strict = voice, strict
        self.cache = Path(cache) if cache else None
        self.manifest = read_manifest(self.folder) if self.folder else {}
        self.warnings: list[str] = []
        self._recorded: dict[str, dict[str, Path]] = {}  # by scene, listed once
        self.speaker: neural.NeuralVoice | None = None

    def recorded(self, scene: str) -> dict[str, Path]:
        if scene not in self._recorded:
            self._recorded[scene] = recordings(self.folder, scene) if self.folder else {}
        return self._recorded[scene]

    def clip(self, scene: str, name: str, caption: str) -> Clip | None:
        beat_id = f"{scene}/{name}"
        path = self.recorded(scene).get(name)
        if path is not None:
            entry = self.manifest.get(beat_id)
            if entry is not None and entry.get("sha256") != caption_hash(caption):
                message = (f"narration {beat_id}: the caption has changed since {path.name} "
                           f"was recorded; record it again (now: {caption!r})")
                if self.strict:
                    raise NarrationError(message)
                self.warnings.append(message)
            return Clip(beat_id, str(path), read_audio(path, beat_id))
        if self.voice == neural.NAME:
            return self.speak(caption, beat_id)
        return None

    def check_names(self, scene: str, names: list[str]) -> None:
        """Every recording of ``scene`` names one of its beats (a typo would go unheard)."""
        for name, path in self.recorded(scene).items():
            if name not in names:
                raise NarrationError(f"narration {path}: {scene} has no beat {name!r} (its "
                                     f"beats: {', '.join(names)}; see `render.py script`)")

    def speak(self, caption: str, beat_id: str) -> Clip:
        """The caption spoken by the neural voice sentence by sentence (a sentence longer than
        LONGEST clause by clause, or in halves), with a pause after each phrase; the clip knows
        where each phrase is spoken, so its cues can follow them."""
        if not re.search(r"[A-Za-z0-9]", spoken(caption)):
            raise NarrationError(f"narration {beat_id}: nothing in the caption can be spoken "
                                 f"({caption!r})")
        problem = neural.missing()
        if problem:
            raise NarrationError(problem)
        assert self.cache is not None
        if self.speaker is None:
            self.speaker = neural.NeuralVoice(self.cache)
        phrases = [phrase for sentence in split_phrases(caption, ".!?")
                   for phrase in self.phrases(sentence, beat_id)]
        pieces, parts, at = [], [], 0
        for i, (text, audio) in enumerate(phrases):
            parts.append((text, at / RATE, (at + len(audio)) / RATE))
            gap = round(GAPS.get(text[-1], GAPS[","]) * RATE) if i < len(phrases) - 1 else 0
            pieces += [audio, np.zeros(gap, np.float32)]
            at += len(audio) + gap
        return Clip(beat_id, neural.NAME, np.concatenate(pieces), tuple(parts))

    def phrases(self, text: str, beat_id: str, level: int = 0) -> list[tuple[str, np.ndarray]]:
        """``text`` spoken as one phrase, or, if that lasts longer than LONGEST, as the pieces
        of the first of SPLITS (from ``level`` on) that cuts it, each spoken the same way."""
        audio = self.say(text, beat_id)
        for at in range(level, len(SPLITS)):
            if len(audio) <= LONGEST * RATE:
                break
            pieces = split_phrases(text, SPLITS[at]) if SPLITS[at] else halves(text)
            if len(pieces) > 1:
                return [phrase for piece in pieces for phrase in self.phrases(piece, beat_id, at)]
        return [(text, audio)]

    def say(self, text: str, beat_id: str) -> np.ndarray:
        """One phrase spoken (or taken from the cache), without silence at either end."""
        assert self.speaker is not None
        said = spoken(text)
        try:
            try:
                wav = self.speaker.wav(said)
                samples = read_audio(wav, beat_id)
            except NarrationError:  # a cached file that does not decode: spoken again
                wav.unlink(missing_ok=True)
                samples = read_audio(self.speaker.wav(said), beat_id)
        except (neural.VoiceError, OSError) as exc:
            raise NarrationError(f"narration {beat_id}: {exc}") from None
        return GAIN * neural.trimmed(samples, RATE)

    def close(self) -> None:
        """End the voice's process, if one was started."""
        if self.speaker is not None:
            self.speaker.close()


def split_phrases(text: str, marks: str) -> list[str]:
    """``text`` cut after each of ``marks`` followed by a space, never inside parentheses
    (``(1, 1)`` stays whole); a piece with nothing to say joins the one before."""
    pieces, depth, piece = [], 0, ""
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        piece += ch
        if depth == 0 and ch in marks and text[i + 1: i + 2] == " ":
            pieces.append(piece.strip())
            piece = ""
    pieces.append(piece.strip())
    merged: list[str] = []
    for p in pieces:
        if merged and not re.search(r"[A-Za-z0-9]", spoken(p)):
            merged[-1] += " " + p
        elif p:
            merged.append(p)
    return merged


def halves(sentence: str) -> list[str]:
    """A sentence without a clause to cut at, in two halves that each fit one cue, cut before a
    word that starts a phrase (JOINS, or else WORDS) outside parentheses, as near the middle as
    such a word is; the sentence whole if there is none."""
    words = sentence.split(" ")
    depth = np.cumsum([w.count("(") - w.count(")") for w in words])
    best: tuple[int, float] | None = None
    for tier in (JOINS, WORDS | JOINS):
        for i in range(1, len(words)):
            left, right = " ".join(words[:i]), " ".join(words[i:])
            if depth[i - 1] or words[i].lower() not in tier or not (fits(left) and fits(right)):
                continue
            balance = min(len(left), len(right)) / len(sentence)
            if best is None or balance > best[1]:
                best = (i, balance)
        if best is not None and best[1] >= 0.3:
            break
    if best is None:
        return [sentence]
    return [" ".join(words[: best[0]]), " ".join(words[best[0]:])]


def soundtrack(clips: list[tuple[float, Clip]], seconds: float) -> np.ndarray:
    """One mono track ``seconds`` long with each clip starting at its time."""
    track = np.zeros(round(seconds * RATE), np.float32)
    for start, clip in clips:
        at = round(start * RATE)
        piece = clip.samples[: max(len(track) - at, 0)]
        track[at: at + len(piece)] += piece
    return np.clip(track, -1.0, 1.0)


def mux(video: Path, samples: np.ndarray, target: Path) -> None:
    """``video``'s frames (copied, not re-encoded) with ``samples`` as its sound track: AAC for
    mp4, Opus for webm."""
    import av

    with av.open(str(video)) as src, av.open(str(target), "w") as out:
        vout = out.add_stream_from_template(src.streams.video[0])
        audio = add_track(out, video.suffix)
        copy_video(src, out, vout)
        encode(out, audio, samples)


def add_track(out, suffix: str):
    """A mono sound stream in ``out`` (an open PyAV container), in the codec its format plays."""
    codec = FORMATS[suffix.lstrip(".")].sound
    if codec is None:
        raise ValueError(f"{suffix}: this format carries no sound")
    stream = out.add_stream(codec, rate=RATE, layout="mono")
    stream.codec_context.format = CODEC_FRAMES[codec][1]
    stream.time_base = Fraction(1, RATE)
    return stream


def encode(out, stream, samples: np.ndarray) -> None:
    """Encode ``samples`` into ``stream`` frame by frame and flush the encoder."""
    import av

    frame_size, fmt = CODEC_FRAMES[stream.codec_context.name]
    pcm = samples.reshape(1, -1).astype(np.float32)
    for at in range(0, pcm.shape[1], frame_size):
        chunk = pcm[:, at: at + frame_size]
        if chunk.shape[1] < frame_size:
            chunk = np.pad(chunk, ((0, 0), (0, frame_size - chunk.shape[1])))
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format=fmt,
                                           layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, at, Fraction(1, RATE)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def decoded_track(path: Path) -> np.ndarray:
    """A video's sound track as mono float32 at RATE, each decoded frame placed at its
    timestamp (the encoder's priming samples, before 0, dropped), for joining and for the
    deck's clips. Our tracks are written at RATE, so resampling only converts the format."""
    import av

    with av.open(str(path)) as src:
        if not src.streams.audio:
            return np.zeros(0, np.float32)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
        pieces, end = [], 0
        for decoded in src.decode(src.streams.audio[0]):
            at = (end if decoded.pts is None or decoded.time_base is None
                  else round(decoded.pts * decoded.time_base * RATE))
            frames = [f.to_ndarray().reshape(-1) for f in resampler.resample(decoded)]
            samples = np.concatenate(frames) if frames else np.zeros(0, np.float32)
            if at < 0:
                samples, at = samples[-at:], 0
            pieces.append((at, samples))
            end = at + len(samples)
    track = np.zeros(max((at + len(s) for at, s in pieces), default=0), np.float32)
    for at, samples in pieces:
        track[at: at + len(samples)] = samples
    return track


def cut_or_padded(samples: np.ndarray, seconds: float) -> np.ndarray:
    """``samples`` cut or padded with silence to exactly ``seconds``."""
    n = round(seconds * RATE)
    return np.pad(samples[:n], (0, max(n - len(samples), 0)))
