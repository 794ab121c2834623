"""What a caption sounds like: the one table that turns the captions' symbols into words.

A caption is written to be read (``β₁ = 0.9``, ``√v̂``, ``(1, 1)``, ``1e-12``, ``3.16x``); a
voice must say it as a person would ("beta one equals 0.9", "the square root of v hat", "the
point 1, 1", "ten to the minus 12", "3.16 times"; a formula's brackets heard in its words,
``1/(1 − β₁)`` "one over 1 minus beta one"). :func:`spoken` does that for every voice, from
:data:`WORDS` and a few patterns for numbers; what it returns is plain ASCII words, digits and
punctuation, which any English voice reads without spelling anything out (digits as numbers:
"1800" is "one thousand eight hundred").
:func:`unspoken` says what in a text a voice could not say (the tests run it on every caption
of every scene at the defaults and the presets).
"""

from __future__ import annotations

import re
import unicodedata

# Symbols and names as words, longest first where one contains another (applied in order).
WORDS: tuple[tuple[str, str], ...] = (
    ("∇J", "the gradient of J"), ("∇", "the gradient of "), ("J(θ)", "J of theta"),
    ("own √v̂", "own square root of v hat"), ("own √v", "own square root of v"),
    ("√v̂", "the square root of v hat"), ("√v", "the square root of v"),
    ("√", "the square root of "),
    ("m̂", "m hat"), ("v̂", "v hat"), ("ĝ", "g hat"),
    ("β₁", "beta one"), ("β₂", "beta two"), ("β", "beta"), ("θ", "theta"), ("α", "alpha"),
    ("ε", "epsilon"), ("η", "eta"), ("λ", "lambda"), ("σ", "sigma"), ("μ", "mu"), ("π", "pi"),
    ("_t", " t"), ("ₜ", " t"), ("_k", " k"),
    ("−", " minus "), ("×", " times "), ("·", " times "), ("≈", " about "), ("≤", " at most "),
    ("≥", " at least "), ("<", " below "), (">", " above "), ("±", " plus or minus "),
    ("→", " to "), ("–", " to "), ("—", ", "), ("…", ""), ("&", " and "), ("%", " percent"),
    ("°", " degrees"), ("=", " equals "), ("+", " plus "),
    ("RMSProp", "RMS prop"), ("AMSGrad", "AMS grad"), ("tanh", "tanch"),
    ("AdamW", "Adam W"), ("NAdam", "N Adam"), ("lr", "learning rate"), ("3D", "three D"),
    ("2D", "two D"), ("e.g.", "for example"), ("i.e.", "that is"), ("vs.", "versus"),
)
# Letters and acronyms a voice may say on their own: symbols of the maths, and the names.
LETTERS = frozenset("aAcgmvxyJtkIDWN")  # single letters said as letters: variables
ACRONYMS = frozenset({"SGD", "RMS", "AMS", "MNIST", "ONNX"})  # said letter by letter
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵗᵏⁿ", "0123456789-tkn")
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₜₖ", "0123456789tk")
POWER_WORDS = {"2": " squared", "3": " cubed"}
ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth", "5": "fifth", "6": "sixth",
            "7": "seventh", "8": "eighth", "9": "ninth", "10": "tenth", "11": "eleventh",
            "12": "twelfth"}  # ten to the seventh; a negative power is read "to the minus 8"
OPERATORS = "−+/×·"  # what makes a bracket a formula's, not an aside's ((α = 0.1) is one)
MATHS_NEXT = re.compile(r"\s*(?:[α-ωΑ-Ω√∇]|[A-Za-z](?![A-Za-z]))")  # a symbol, a letter alone
NUMBER_WORDS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
                "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


def _power(match: re.Match) -> str:
    """A superscript: ``10⁻³`` -> "ten to the minus 3", ``10⁷`` -> "ten to the seventh",
    ``g_t²`` -> "g t squared", ``βᵗ`` -> "beta to the t"."""
    base, exponent = match[1], match[2].translate(SUPERSCRIPTS)
    if base == "10":
        base = "ten"
    if exponent in POWER_WORDS and base != "ten":
        return base + POWER_WORDS[exponent]
    return f"{base} to the {_exponent(exponent)}"


def _exponent(exponent: str) -> str:
    """A power as said after "to the": "seventh", "minus 3", "t", "power 15"."""
    if exponent.startswith("-"):
        return f"minus {exponent[1:]}"
    if exponent.isdigit():
        return ORDINALS.get(exponent, f"power {exponent}")
    return exponent


def _scientific(match: re.Match) -> str:
    """``1e-12`` -> "ten to the minus 12", ``2.5e+07`` -> "2.5 times ten to the seventh"."""
    mantissa, sign, exponent = match[1], match[2], str(int(match[3]))
    power = f"ten to the {_exponent(('-' if sign == '-' else '') + exponent)}"
    return power if float(mantissa) == 1 else f"{mantissa} times {power}"


def _point(match: re.Match) -> str:
    """``(1, 1)`` -> "the point 1, 1,"; ``(-1.5, -1)`` -> "the point minus 1.5, minus 1,"."""
    return "the point " + ", ".join(part.strip() for part in match[1].split(",")) + ","


def _formula(match: re.Match) -> str:
    """A bracket in a formula is heard in the words around it: ``1/(1 − β₁)`` -> "1/1 − β₁",
    ``(1 − β₁) g₁`` -> "1 − β₁, times g₁"; a word after it gets a pause."""
    after = match.string[match.end():]
    if MATHS_NEXT.match(after):
        return f"{match[1]}, times "
    return match[1] + ("," if re.match(r"\s*[A-Za-z0-9]", after) else "")


def spoken(caption: str) -> str:
    """``caption`` as a voice should say it: every symbol in words (see :data:`WORDS`),
    numbers as they are read aloud, plain ASCII."""
    text = unicodedata.normalize("NFC", " ".join(caption.split()))
    # Numbers first, while their signs, separators and exponents are still symbols.
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,800 -> 1800
    text = re.sub(r"(\d+(?:\.\d+)?)[eE]([-+]?)(\d+)\b", _scientific, text)
    text = re.sub(r"\b(an?) (\d+(?:\.\d+)?)x\b", r"\1 \2 fold", text)  # a 31.6x range
    text = re.sub(r"(\d+(?:\.\d+)?)x\b", r"\1 times", text)  # 3.16x -> 3.16 times
    text = re.sub(r"\(([-−]?\d[\d.]*(?:,\s*[-−]?\d[\d.]*)+)\)", _point, text)
    text = re.sub(r"(?<![\w.])[-−](?=\d)", "minus ", text)  # -1.5 -> minus 1.5
    text = re.sub(r"(\w+)([⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵗᵏⁿ]+)", _power, text)
    text = re.sub(r"\b(\d+) × (\d+)\b(?![.\d])", r"\1 by \2", text)  # 8 × 8 pixels
    text = re.sub(rf"\(([^()]*[{OPERATORS}][^()]*)\)", _formula, text)
    text = re.sub(r"\|([^|]+)\|", r"the size of \1", text)  # |g|: an absolute value
    text = re.sub(r"\b1/", "one over ", text)
    text = re.sub(r"\s*/\s*", " over ", text)
    for symbol, word in WORDS:
        if symbol.isascii() and symbol.isalnum():  # a name or an abbreviation: whole words
            text = re.sub(rf"\b{re.escape(symbol)}\b", word, text)
        else:  # a symbol: a word of its own, even next to a number (0.0057α)
            text = text.replace(symbol, f" {word.strip()} " if word.strip() else word)
    text = re.sub(r"([A-Za-z])\s*([₀-₉ₜₖ]+)",
                  lambda m: f"{m[1]} {m[2].translate(SUBSCRIPTS)}", text)
    # Parentheses around words or maths: a pause, as a speaker makes one.
    text = re.sub(r"\s*\(\s*", ", ", text)
    text = re.sub(r"\s*\)\s*", ", ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"\s+'s\b", "'s", text)  # θ's units -> "theta's units"
    text = re.sub(r",(\s*[,.;:!?])+", lambda m: m[0].strip(",").strip() or ",", text)
    text = re.sub(r"^[,\s]+", "", text)
    return " ".join(text.split())


def unspoken(text: str) -> list[str]:
    """What in ``text`` (as :func:`spoken` returns it) a voice would not say as words: a symbol
    left, or a token it would spell out letter by letter. Empty when all of it is speakable."""
    problems = [f"symbol {c!r}" for c in sorted(set(text))
                if not (c.isascii() and (c.isalnum() or c in " .,;:!?'-\""))]
    for token in re.findall(r"[A-Za-z0-9.'-]+", text):
        word = token.strip(".'-")
        if not word:
            continue
        if re.fullmatch(r"\d+(\.\d+)?", word) or re.fullmatch(r"[A-Za-z]+([-'][A-Za-z]+)*", word):
            letters = re.sub(r"'s$", "", word).replace("-", "").replace("'", "")
            if (letters.isalpha() and len(letters) == 1 and letters not in LETTERS
                    or len(letters) > 1 and letters not in ACRONYMS
                    and (letters.isupper() or re.search(r"[a-z][A-Z]|[A-Z]{2}[a-z]", letters))):
                problems.append(f"{word!r} would be spelled out")
            continue
        problems.append(f"{word!r} mixes letters and digits")
    if not re.search(r"[A-Za-z0-9]", text):
        problems.append("nothing to say")
    return problems
