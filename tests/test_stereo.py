"""Real two-party stereo is split by channel; duplicated mono is not."""

from __future__ import annotations

import numpy as np

from analyzer.stereo import channels_differ, label_channel, merge_by_time
from analyzer.types import ModelInfo, Segment, Transcript

RATE = 16000


def burst(start: float, end: float, total: float = 4.0) -> np.ndarray:
    signal = np.zeros(int(total * RATE), dtype=np.float32)
    t = np.arange(int((end - start) * RATE)) / RATE
    signal[int(start * RATE) : int(start * RATE) + len(t)] = 0.3 * np.sin(2 * np.pi * 300 * t)
    return signal


def test_alternating_parties_differ():
    assert channels_differ(np.stack([burst(0, 1.5), burst(2, 3.5)]))


def test_duplicated_and_near_identical_channels_are_mono():
    left = burst(0, 3)
    noise = np.random.default_rng(0).normal(0, 1e-4, left.shape).astype(np.float32)
    assert not channels_differ(np.stack([left, left]))
    assert not channels_differ(np.stack([left, left * 0.98 + noise]))
    assert not channels_differ(np.stack([left, np.zeros_like(left)]))  # one silent side
    assert not channels_differ(left[None, :])


def _transcript(*spans):
    segments = tuple(Segment(id=i, start=a, end=b, text=t, raw_text=t) for i, (a, b, t) in enumerate(spans))
    return Transcript(segments=segments, language="zh", model=ModelInfo("m", None), settings={"beam_size": 5})


def test_merge_orders_by_time_and_labels_channels():
    left = label_channel(_transcript((0.0, 2.0, "你欠的钱什么时候还"), (5.0, 6.0, "不行")), 0)
    right = label_channel(_transcript((2.5, 4.5, "我下个月还"), (5.5, 7.0, "真的没钱")), 1)
    merged = merge_by_time([left, right])
    assert [(s.id, s.channel, s.speaker, s.text) for s in merged.segments] == [
        (0, 0, "left", "你欠的钱什么时候还"),
        (1, 1, "right", "我下个月还"),
        (2, 0, "left", "不行"),
        (3, 1, "right", "真的没钱"),  # overlapping speech stays
    ]
    assert merged.settings["channels"] == "split" and merged.settings["beam_size"] == 5
