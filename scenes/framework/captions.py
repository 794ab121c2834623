"""Caption rules: what one beat may say, and how long it must stay on screen.

Subtitle practice (BBC subtitle guidelines; Netflix timed-text style guide): about 15 characters
a second, at most two lines of 42 characters, 1 to 7 seconds on screen, one cue at a time. A beat's
caption is one cue: the sentence a narrator would say while the beat plays. A statement that does
not fit is written as several beats; a caption that breaks the rule is an error when the scene is
built, so custom parameters cannot produce an unreadable cue.
"""

from __future__ import annotations

READING_RATE = 15.0  # characters a second a viewer reads comfortably
READING_PAUSE = 0.6  # seconds added to the reading time (eyes go back to the picture)
SPOKEN_PAUSE = 0.5  # seconds a narrated beat holds after its speech ends
LINE_CHARS = 42
MAX_LINES = 2
MIN_CUE = 1.0  # seconds
MAX_CUE = 7.0  # seconds; a longer beat keeps its picture but drops the caption at 7 s
MIN_HOLD = 0.5  # seconds every beat holds its last frame (the end state of its animations)


class CaptionError(ValueError):
    """A caption that cannot be one readable cue."""


def cue_lines(caption: str) -> list[str]:
    """The caption as one line, or two lines of similar length (BBC guidance), each at most 42
    characters, broken between words but never inside a group (see ``keep_groups``); or
    CaptionError."""
    caption = " ".join(caption.split())
    if not caption:
        raise CaptionError("a beat needs a caption (the sentence a narrator would say)")
    words = keep_groups(caption).split(" ")
    if len(caption) <= LINE_CHARS:
        candidates = [[caption]]
    else:
        candidates = [[" ".join(words[:cut]), " ".join(words[cut:])]
                      for cut in range(1, len(words))]
        candidates = [c for c in candidates if max(len(line) for line in c) <= LINE_CHARS]
    if not candidates:
        raise CaptionError(f"caption too long for one cue ({len(caption)} characters; at most "
                           f"{MAX_LINES} lines of {LINE_CHARS}): {caption!r}")
    best = min(candidates, key=lambda c: abs(len(c[0]) - len(c[-1])))
    return [line.replace(NO_BREAK, " ") for line in best]


NO_BREAK = "\u00a0"  # textwrap breaks at ASCII whitespace only


def keep_groups(caption: str) -> str:
    """Spaces inside parentheses and around "=" become unbreakable: a point such as (1, 1) and
    an assignment such as θ = 3.35 stay on one line."""
    out, depth = [], 0
    for ch in caption:
        depth += (ch == "(") - (ch == ")")
        out.append(NO_BREAK if ch == " " and depth > 0 else ch)
    return "".join(out).replace(" = ", f"{NO_BREAK}={NO_BREAK}")


def reading_time(caption: str) -> float:
    """Seconds a caption needs on screen: its reading time plus a pause, at least 1 s."""
    return max(MIN_CUE, len(" ".join(caption.split())) / READING_RATE + READING_PAUSE)


def fits(caption: str) -> bool:
    try:
        cue_lines(caption)
    except CaptionError:
        return False
    return True


def first_fitting(*candidates: str) -> str:
    """The first caption that fits one cue: say the most that fits (e.g. with or without the
    racers' names). The last candidate must always fit."""
    for candidate in candidates:
        if fits(candidate):
            return candidate
    cue_lines(candidates[-1])  # raises with the reason
    return candidates[-1]


def names_list(names: list[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def spoken_cues(caption: str, parts: tuple[tuple[str, float, float], ...], spoken: float,
                pause: float) -> list[tuple[float, float, str]]:
    """The cues of a narrated beat, ``(start, latest end, text)`` in seconds from the beat's
    start (the beat's own end cuts them short): the whole caption, shown until MAX_CUE or, if
    its speech is longer, until the speech is over (the pause after it is cut to MAX_CUE).
    When the speech is longer than MAX_CUE and was spoken in ``parts`` (``(text, start, end)``:
    sentences, clauses or halves of a sentence), the parts are grouped into the fewest
    consecutive cues that keep the rules (each fits one cue and lasts MIN_CUE to MAX_CUE; the
    reading speed is the speaker's), each shown from its first part until the next begins, the
    last until MAX_CUE after its start. If no grouping keeps them, the whole caption, cut at
    MAX_CUE."""
    whole = [(0.0, max(MAX_CUE, spoken), caption)]
    if spoken <= MAX_CUE or not 2 <= len(parts) <= 8:
        return whole
    best: list[tuple[float, float, str]] | None = None
    for mask in range(1, 2 ** (len(parts) - 1)):  # a cut after part i where bit i is set
        cuts = [i + 1 for i in range(len(parts) - 1) if mask >> i & 1]
        groups = [parts[a:b] for a, b in zip([0, *cuts], [*cuts, len(parts)], strict=True)]
        cues = []
        for i, group in enumerate(groups):
            start = 0.0 if i == 0 else group[0][1]
            last = i + 1 == len(groups)
            end = group[-1][2] + pause if last else groups[i + 1][0][1]
            text = " ".join(p[0] for p in group)
            if not (fits(text) and end - start >= MIN_CUE and
                    (end if not last else group[-1][2]) - start <= MAX_CUE):
                break
            cues.append((start, start + MAX_CUE if last else end, text))
        else:
            if best is None or len(cues) < len(best):
                best = cues
    return best or [(0.0, MAX_CUE, caption)]
