"""Normalise text before detection (Traditional -> Simplified, full-width -> half-width),
keeping a map so that every span found in the normalised text points back into the original."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str  # normalised; same length as `original` except where a conversion changed lengths
    offsets: tuple[int, ...]  # offsets[i] = index in `original` of normalised character i; len = len(text) + 1

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the normalised text to a half-open span of the original."""
        o_start = self.offsets[start]
        o_end = self.offsets[end - 1] + 1 if end > start else o_start
        return o_start, max(o_end, o_start)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> Simplified with OpenCC's phrase-aware converter."""
    return _t2s().convert(text) if text else text


def fold_width(ch: str) -> str:
    """Full-width ASCII forms and the ideographic space -> their half-width equivalents."""
    code = ord(ch)
    if code == 0x3000:
        return " "
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    return ch


def normalize(text: str) -> NormalizedText:
    """Simplified, half-width text plus an offset map back into `text`.

    OpenCC converts phrase by phrase; when that keeps the length (the usual case for Chinese),
    characters map one to one. Otherwise we fall back to converting character by character,
    which always keeps the map exact.
    """
    if not text:
        return NormalizedText(text, text, (0,))
    converted = to_simplified(text)
    if len(converted) != len(text):
        converted = "".join(
            c if len(c := to_simplified(ch)) == 1 else ch for ch in text
        )
    folded = "".join(fold_width(ch) for ch in converted)
    return NormalizedText(text, folded, tuple(range(len(text) + 1)))
