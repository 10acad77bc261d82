"""A statistical second opinion for the conduct lexicons: one logistic regression per category over
character n-grams, applied sentence by sentence.

The lexicons are precise but only know the phrasings someone wrote down; collectors keep finding new
ones. The model catches a sentence whose words *weigh* like a category's training sentences
although no entry matched. It never overrides the lexicons: where they flagged a category, or
judged it away on context (negation, reported speech, lawful framing...), the model stays silent
on that category in that sentence; a clause merely lacking 你/您 is no such judgement. It only has
a say over `weak` entries, whose words alone were too often something else: their flags need its
support (WEAK_SUPPORT).
Its flags say so in their explanation, carry the probability as their confidence and name the
n-grams that weighed most, so a reviewer sees why. The weights are plain JSON in `lexicons/`
(`conduct_model.json`, written by `scripts/train_conduct_model.py`) and are part of the lexicon set's
SHA-256.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np

from ..lexicon import ConductModel

# Text between these is one unit for the model; a long unpunctuated stretch (raw ASR) is cut into
# pieces of at most PIECE characters at clause breaks, else hard.
_SENTENCE = re.compile(r"[^。！？!?\n]+")
# What ends a clause, for the model and for the lexicons' context rules alike.
CLAUSE_CHARS = "，,；;：:、\\s"
_CLAUSE_END = re.compile(f"[{CLAUSE_CHARS}]")
_PUNCT = re.compile(r"[\s，,。！？!?；;：:、\"“”‘’'（）()\[\]【】《》<>…~～\-—.]+")
PIECE = 60
# A shorter piece (打断你, a cut-off ASR segment) says too little for the weights to mean anything.
MIN_CHARS = 6
# The labelled utterances the model learnt from are short (19 pieces in 20 have at most 34
# characters). Over a longer piece (ASR glues a lawful demand to the threat after it) the weights of
# unrelated clauses can add up to a category that no part of it holds: there one window of
# consecutive clauses of at most WINDOW characters, as long as what it learnt from, must reach the
# threshold too. (Windows alone, without the whole, would give a long piece many tries at a flag.)
WINDOW = 36
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A weak lexicon entry (see lexicons/README.md) flags only where the model gives the entry's category
# at least this probability in the piece around the match.
WEAK_SUPPORT = 0.3
_EXPLAIN_TOP = 4


def features(text: str, orders: tuple[int, ...]) -> set[str]:
    """Character n-grams of normalised text; punctuation becomes '|', the ends '^' and '$'."""
    marked = "^" + _PUNCT.sub("|", text) + "$"
    size = len(marked)
    found = {marked[i : i + n] for n in orders for i in range(size - n + 1)}
    for n in orders:
        found.discard("|" * n)  # punctuation alone says nothing
    return found


@dataclass(frozen=True)
class ModelFlag:
    category: str
    start: int  # offsets into the normalised text
    end: int
    probability: float
    evidence: tuple[str, ...]  # the n-grams that weighed most for the category


def pieces(text: str) -> list[tuple[int, int]]:
    """Sentences of at most PIECE characters, trimmed of spaces and punctuation."""
    out = []
    for m in _SENTENCE.finditer(text):
        start, end = m.span()
        while start < end:
            stop = end
            if end - start > PIECE:
                breaks = [b.end() for b in _CLAUSE_END.finditer(text, start + PIECE // 2, start + PIECE)]
                stop = breaks[-1] if breaks else start + PIECE
            a, b = _trimmed(text, start, stop)
            if b > a:
                out.append((a, b))
            start = stop
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the spaces and punctuation at either end."""
    while start < end and _PUNCT.fullmatch(text[start]):
        start += 1
    while end > start and _PUNCT.fullmatch(text[end - 1]):
        end -= 1
    return start, end


def piece_probability(model: ConductModel, text: str, spans: list[tuple[int, int]], offset: int, category: str) -> float:
    """The model's probability for `category` in the piece holding `offset`; `spans` is
    `pieces(text)`, computed once by the caller so that many lookups stay linear."""
    k = bisect.bisect_right(spans, (offset, len(text) + 1)) - 1
    a, b = spans[k] if k >= 0 and offset < spans[k][1] else (offset, offset + 1)
    return float(probabilities(model, text[a:b])[model.categories.index(category)])


def probabilities(model: ConductModel, text: str) -> np.ndarray:
    """Probability of each category (in `model.categories` order) for one piece of text."""
    # Rows are summed in sorted order, so the result never depends on set iteration order.
    row_of = model.rows.get
    rows = sorted({r for g in features(text, model.orders) if (r := row_of(g)) is not None})
    z = model.bias + model.weights[rows].sum(axis=0)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))


def _evidence(model: ConductModel, k: int, text: str) -> tuple[str, ...]:
    """The n-grams of `text` that weighed most towards category number `k`."""
    weight = {g: float(model.weights[model.rows[g], k]) for g in features(text, model.orders) if g in model.rows}
    return tuple(sorted((g for g in weight if weight[g] > 0), key=lambda g: (-weight[g], g))[:_EXPLAIN_TOP])


def model_flags(model: ConductModel, text: str, covered: set[tuple[str, int]]) -> list[ModelFlag]:
    """Pieces the model puts in a category above its threshold, where the lexicons said nothing
    about that category: `covered` holds (category, offset) of every lexicon candidate that was
    flagged or suppressed on context."""
    cutoffs = np.array([model.thresholds[c] for c in model.categories])
    flags = []
    for start, end in pieces(text):
        if len(_HAN.findall(text, start, end)) < MIN_CHARS:
            continue
        whole = probabilities(model, text[start:end])
        parts = None  # clauses and windows, scored once per piece whichever categories it is flagged in
        for k in np.flatnonzero(whole >= cutoffs):
            category = model.categories[k]
            if any((category, i) in covered for i in range(start, end)):
                continue
            parts = parts or _scored_parts(model, text, start, end, whole)
            clauses, windows = parts
            held, _, a, b = max((float(scores[k]), -a, a, b) for a, b, scores in windows)
            if held < cutoffs[k]:
                continue
            evidence = _evidence(model, int(k), text[slice(*_trimmed(text, a, b))])
            inside = [(x, y, scores) for x, y, scores in clauses if a <= x and y <= b]
            if inside:  # the quote and its timecode point at the likeliest clause, not a whole run-on
                _, _, a, b = max((float(scores[k]), -x, x, y) for x, y, scores in inside)
            flags.append(ModelFlag(category, *_trimmed(text, a, b), min(float(whole[k]), held), evidence))
    return flags


Scored = list[tuple[int, int, np.ndarray]]


def _scored_parts(model: ConductModel, text: str, start: int, end: int, whole: np.ndarray) -> tuple[Scored, Scored]:
    """The piece's clauses, and its windows: the piece itself when it is at most WINDOW characters,
    else, from each clause on, the longest run of whole clauses within WINDOW (a single longer
    clause on its own); each with the model's probabilities."""
    bounds = [start, *(m.end() for m in _CLAUSE_END.finditer(text, start, end)), end]
    spans = [(a, b) for a, b in zip(bounds, bounds[1:]) if _HAN.search(text, a, b)]
    clauses = [(a, b, probabilities(model, text[a:b])) for a, b in spans] if len(spans) > 1 else []
    if end - start <= WINDOW:
        return clauses, [(start, end, whole)]
    runs = set()
    for i, (a, b) in enumerate(spans):
        for _, stop in spans[i + 1 :]:
            if stop - a > WINDOW:
                break
            b = stop
        runs.add((a, b))
    return clauses, [(a, b, probabilities(model, text[slice(*_trimmed(text, a, b))])) for a, b in sorted(runs)]
