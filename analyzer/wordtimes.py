"""Tighten Whisper's word timestamps against the audio itself.

Whisper (base especially) often starts a word at the end of the previous one, so the pause before
a word is counted as part of it and a flag's timecode lands up to a second early. Evidence needs the
second the words are actually spoken: each word's start is moved forward to the first voiced frame
inside it (skipping the tail of the previous word that Whisper often counts in), and its end back
to the end of that voiced stretch. A word with no voiced frame is left as it is.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .types import Segment, Transcript, Word

RATE = 16000
FRAME_S = 0.01
MIN_RUN = 3  # voiced frames in a row that count as speech (30 ms)
MAX_GAP = 15  # a silence of 150 ms or more separates two words
MIN_CONTRAST_DB = 15.0  # below this speech/noise contrast the energy cannot be trusted


def frame_levels(samples: np.ndarray) -> np.ndarray:
    """Level in dB of each 10 ms frame."""
    size = int(RATE * FRAME_S)
    count = len(samples) // size
    if count == 0:
        return np.zeros(0)
    frames = samples[: count * size].reshape(count, size).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def voiced_frames(samples: np.ndarray) -> np.ndarray | None:
    """Boolean per frame, or None when speech and noise are too close to tell apart."""
    levels = frame_levels(samples)
    if len(levels) < 10:
        return None
    noise, speech = np.percentile(levels, 10), np.percentile(levels, 95)
    if speech - noise < MIN_CONTRAST_DB:
        return None
    loud = levels > (noise + speech) / 2
    # keep only runs of at least MIN_RUN frames (clicks are not speech)
    voiced = np.zeros_like(loud)
    run_start = None
    for i, flag in enumerate(np.append(loud, False)):
        if flag and run_start is None:
            run_start = i
        elif not flag and run_start is not None:
            if i - run_start >= MIN_RUN:
                voiced[run_start:i] = True
            run_start = None
    return voiced


def _islands(voiced: np.ndarray, first: int, last: int) -> list[tuple[int, int]]:
    """Voiced stretches within frames [first, last), joined across gaps shorter than MAX_GAP."""
    islands: list[tuple[int, int]] = []
    for index in np.flatnonzero(voiced[first:last]) + first:
        if islands and index - islands[-1][1] < MAX_GAP:
            islands[-1] = (islands[-1][0], index + 1)
        else:
            islands.append((index, index + 1))
    return islands


def _tighten(word: Word, voiced: np.ndarray) -> Word:
    first, last = int(word.start / FRAME_S), min(len(voiced), int(np.ceil(word.end / FRAME_S)))
    islands = _islands(voiced, first, last)
    if not islands:
        return word
    chosen = islands[0]
    # speech running into the word from before it is the previous word's tail, not this word
    if len(islands) > 1 and chosen[0] == first and first > 0 and voiced[first - 1]:
        chosen = islands[1]
    start = max(word.start, round(chosen[0] * FRAME_S, 3))
    end = min(word.end, round(chosen[1] * FRAME_S, 3))
    return replace(word, start=start, end=max(end, start + FRAME_S))


def refine_word_times(samples: np.ndarray, transcript: Transcript) -> Transcript:
    """Word (and segment) times moved onto the voiced audio of 16 kHz mono `samples`."""
    voiced = voiced_frames(samples)
    if voiced is None:
        return transcript
    segments: list[Segment] = []
    for segment in transcript.segments:
        words = tuple(_tighten(w, voiced) for w in segment.words)
        if words:
            segment = replace(
                segment, words=words, start=min(w.start for w in words), end=max(w.end for w in words)
            )
        segments.append(segment)
    return replace(transcript, segments=tuple(segments))
