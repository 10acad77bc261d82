"""Word starts move onto the voiced audio: a flag's timecode is the second the words are spoken."""

from __future__ import annotations

import numpy as np

from analyzer.types import ModelInfo, Segment, Transcript, Word
from analyzer.wordtimes import refine_word_times

RATE = 16000


def speech_like(spans, total=6.0, seed=0):
    """Noise floor at about -60 dB with loud bursts where `spans` say someone speaks."""
    rng = np.random.default_rng(seed)
    audio = rng.normal(0, 0.001, int(total * RATE)).astype(np.float32)
    for start, end in spans:
        n = int((end - start) * RATE)
        audio[int(start * RATE) : int(start * RATE) + n] += 0.2 * np.sin(2 * np.pi * 220 * np.arange(n) / RATE)
    return audio


def transcript_of(*words):
    ws = tuple(Word(a, b, t, 0.9) for a, b, t in words)
    seg = Segment(id=0, start=ws[0].start, end=ws[-1].end, text="".join(w.text for w in ws), raw_text="", words=ws)
    return Transcript(segments=(seg,), language="zh", model=ModelInfo("m", None), settings={})


def test_pause_before_a_word_is_not_part_of_it():
    # "你" spoken 1.0-1.5, silence, "派" spoken 2.4-2.9; Whisper put 派 at 1.5-2.5
    audio = speech_like([(1.0, 1.52), (2.4, 2.9)])
    out = refine_word_times(audio, transcript_of((1.0, 1.5, "你"), (1.45, 2.5, "派")))
    words = out.segments[0].words
    assert words[0].start == 1.0
    assert abs(words[1].start - 2.4) <= 0.02  # the tail of 你 inside 派's span was skipped
    assert out.segments[0].start == 1.0


def test_leading_silence_is_trimmed_and_silent_words_kept():
    audio = speech_like([(0.8, 1.6)])
    out = refine_word_times(audio, transcript_of((0.05, 1.0, "我们"), (4.0, 4.5, "嗯")))
    assert abs(out.segments[0].words[0].start - 0.8) <= 0.02
    assert out.segments[0].words[1].start == 4.0  # nothing voiced there: left as Whisper said


def test_flat_noise_changes_nothing():
    audio = np.random.default_rng(1).normal(0, 0.1, 4 * RATE).astype(np.float32)
    original = transcript_of((0.5, 1.0, "好"))
    assert refine_word_times(audio, original) == original
