"""Two-channel calls: decide whether the channels really differ, and merge per-channel transcripts.

Call recorders that write stereo usually put one party on each side; then transcribing each channel
on its own tells who said what for free. Many files are only duplicated mono: those are treated as mono.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .types import Segment, Transcript

CHANNEL_NAMES = ("left", "right")
SAME_CHANNEL_LIMIT = 0.01  # energy of (left - right) relative to the channels' energy
SILENT_CHANNEL_LIMIT = 1e-4  # a channel this much quieter than the other carries nothing


def channels_differ(samples: np.ndarray) -> bool:
    """True for a real two-party stereo recording; False for mono, duplicated or near-identical
    channels, or a stereo file with one silent side."""
    if samples.ndim != 2 or samples.shape[0] != 2:
        return False
    left, right = samples.astype(np.float64)
    e_left, e_right = float(np.dot(left, left)), float(np.dot(right, right))
    if min(e_left, e_right) <= SILENT_CHANNEL_LIMIT * max(e_left, e_right, 1e-12):
        return False
    diff = left - right
    return float(np.dot(diff, diff)) / (e_left + e_right) > SAME_CHANNEL_LIMIT


def label_channel(transcript: Transcript, channel: int) -> Transcript:
    """Mark every segment of a one-channel transcript with its channel and speaker name."""
    segments = tuple(
        replace(s, channel=channel, speaker=CHANNEL_NAMES[channel]) for s in transcript.segments
    )
    return replace(transcript, segments=segments)


def merge_by_time(transcripts: list[Transcript]) -> Transcript:
    """One transcript with every channel's segments in time order, renumbered from 0.
    Overlapping speech stays in both channels' segments."""
    merged: list[Segment] = sorted(
        (s for t in transcripts for s in t.segments), key=lambda s: (s.start, s.channel or 0, s.end)
    )
    segments = tuple(replace(s, id=i) for i, s in enumerate(merged))
    first = transcripts[0]
    return replace(first, segments=segments, settings={**first.settings, "channels": "split"})
