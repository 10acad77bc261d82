"""Cut Whisper segments into smaller ones along their words.

Whisper's segments follow its 30 s decoding windows, not the conversation: one segment can hold
several turns (on a stereo channel, the turns between which the other party spoke) or, on a mono
call, both speakers. Splitting at long pauses and at speaker changes gives segments that read in
time order and belong to one person.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby

from .types import Segment, Transcript, Word

PAUSE_S = 1.0  # a silence this long inside a segment starts a new one


def cut(segment: Segment, groups: list[tuple[Word, ...]], **fields) -> list[Segment]:
    """One segment per group of consecutive words (ids are set by the caller). `fields` (such as
    a speaker per group, given as lists) are applied piece by piece."""
    if len(groups) <= 1:
        return [replace(segment, **{k: v[0] for k, v in fields.items()})]
    raw_pieces = _raw_pieces(segment, groups)
    return [
        replace(
            segment,
            start=float(words[0].start),
            end=float(words[-1].end),
            text="".join(w.text for w in words).strip(),
            raw_text=raw,
            words=words,
            **{k: v[index] for k, v in fields.items()},
        )
        for index, (words, raw) in enumerate(zip(groups, raw_pieces))
    ]


def _raw_pieces(segment: Segment, groups: list[tuple[Word, ...]]) -> list[str]:
    """Cut raw_text where the words' Simplified text is cut, when the two line up character for character."""
    texts = ["".join(w.text for w in group) for group in groups]
    joined = "".join(texts)
    lead = len(joined) - len(joined.lstrip())
    if joined.strip() != segment.text or len(segment.raw_text) != len(segment.text):
        return [t.strip() for t in texts]
    pieces, offset = [], -lead
    for text in texts:
        begin, offset = max(offset, 0), offset + len(text)
        pieces.append(segment.raw_text[begin:offset].strip())
    return pieces


def split_by(segment: Segment, key) -> list[Segment]:
    """Cut where `key(word)` changes; each piece gets `speaker=str(key)`."""
    if not segment.words:
        return [replace(segment, speaker=str(key(Word(segment.start, segment.end, segment.text, 1.0))))]
    runs = [(value, tuple(words)) for value, words in groupby(segment.words, key)]
    return cut(segment, [words for _, words in runs], speaker=[str(value) for value, _ in runs])


def split_at_pauses(transcript: Transcript, pause_s: float = PAUSE_S) -> Transcript:
    """Segments cut wherever a pause of `pause_s` or more separates two words; renumbered from 0."""
    pieces: list[Segment] = []
    for segment in transcript.segments:
        groups: list[list[Word]] = []
        for word in segment.words:
            if groups and word.start - groups[-1][-1].end < pause_s:
                groups[-1].append(word)
            else:
                groups.append([word])
        pieces.extend(cut(segment, [tuple(g) for g in groups]) if groups else [segment])
    return replace(transcript, segments=tuple(replace(s, id=i) for i, s in enumerate(pieces)))
