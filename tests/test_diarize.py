"""Mono diarization: clustering and segment splitting (always), and real voices (with the `diarize` extra)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analyzer import diarize as d
from analyzer.audio import decode, mixdown
from analyzer.errors import MissingExtraError
from analyzer.types import ModelInfo, Segment, Transcript, Word

from .conftest import REPO, read_manifest

needs_extra = pytest.mark.skipif(
    not d.diarization_available(), reason="the 'diarize' extra is not installed (pip install '.[diarize]')"
)


def voices(centres: list[int], n: int, spread: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors scattered around one random direction per voice; `centres` picks the voice per point."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(max(centres) + 1, 256))
    who = np.array([centres[i % len(centres)] for i in range(n)])
    points = (
        directions[who] / np.linalg.norm(directions[who], axis=1, keepdims=True)
        + spread * rng.normal(size=(n, 256)) / 16
    )
    return points / np.linalg.norm(points, axis=1, keepdims=True), who


def test_two_distinct_voices_make_two_clusters():
    points, who = voices([0, 0, 1], 300, spread=1.0)
    labels = d._cluster(points, 2)
    assert max(np.mean(labels == who), np.mean(labels != who)) == 1.0


def test_one_voice_stays_one_cluster():
    points, _ = voices([0], 300, spread=1.0)
    assert set(d._cluster(points, 2)) == {0}


def test_a_handful_of_odd_windows_is_not_a_second_speaker():
    points, _ = voices([0] * 19 + [1], 300, spread=0.5)  # 5 % of windows
    assert set(d._cluster(points, 2)) == {0}


def test_a_few_seconds_of_speech_are_too_little_to_split():
    points, _ = voices([0, 1], d.MIN_WINDOWS - 1, spread=0.5)
    assert set(d._cluster(points, 2)) == {0}


def test_speakers_are_named_in_order_of_first_appearance():
    segs = [Segment(id=i, start=i, end=i + 1, text="", raw_text="", speaker=k) for i, k in enumerate("1011")]
    assert [s.speaker for s in d._name_speakers(segs)] == ["speaker1", "speaker2", "speaker1", "speaker1"]


def test_availability_check_does_not_import_torch():
    code = "import sys, analyzer.diarize as d; d.diarization_available(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_extra_is_a_clear_error(monkeypatch):
    for name in ("torch", "resemblyzer"):  # imports fail as if they were not installed
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MissingExtraError, match=r"pip install 'call-analyzer\[diarize\]'"):
        d._load_encoder()


def manifest_transcript(entry: dict) -> tuple[Transcript, list[int]]:
    """One long segment (as Whisper makes on mono calls) whose words are the manifest sentences' characters,
    evenly timed within each sentence; returns it with each word's true channel."""
    words, truth = [], []
    for sentence in entry["segments"]:
        chars = [c for c in sentence["text"] if c.isalnum()]
        step = (sentence["end"] - sentence["start"]) / len(chars)
        for i, c in enumerate(chars):
            start = sentence["start"] + i * step
            words.append(Word(start=round(start, 3), end=round(start + step, 3), text=c, probability=1.0))
            truth.append(sentence["channel"])
    text = "".join(w.text for w in words)
    seg = Segment(id=0, start=words[0].start, end=words[-1].end, text=text, raw_text=text, words=tuple(words))
    return Transcript((seg,), "zh", ModelInfo("test", None), {}), truth


@pytest.fixture(scope="module")
def spliced(spliced_dir):
    return {row["file"]: row for row in read_manifest(spliced_dir)}


@needs_extra
def test_call5_mixed_to_mono_puts_words_with_the_right_speaker(spliced_dir, spliced):
    samples = mixdown(decode(spliced_dir / "call5_dialogue_stereo.wav").samples)
    transcript, truth = manifest_transcript(spliced["call5_dialogue_stereo.wav"])
    result = d.diarize(samples, transcript)
    guessed = [int(s.speaker == "speaker2") for s in result.segments for _ in s.words]
    assert np.mean(np.array(guessed) == np.array(truth)) >= 0.85  # speaker1 speaks first, as channel 0 does
    assert [s.id for s in result.segments] == list(range(len(result.segments)))
    assert len(result.segments) >= 6  # the one long segment is cut at (most of) the 8 turns
    assert "".join(s.text for s in result.segments) == transcript.segments[0].text


@needs_extra
def test_one_voice_call_is_one_speaker(spliced_dir, spliced):
    samples = mixdown(decode(spliced_dir / "call1_polite_reminder.wav").samples)
    transcript, _ = manifest_transcript(spliced["call1_polite_reminder.wav"])
    assert {s.speaker for s in d.diarize(samples, transcript).segments} == {"speaker1"}
