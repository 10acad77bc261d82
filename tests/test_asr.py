"""Transcription wrapper without the model: suspects, loudness normalisation, recorded settings."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from analyzer.asr import MAX_GAIN_DB, TranscribeOptions, normalize_loudness, suspect_reason


def _level_db(samples: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(samples, dtype=np.float64)))


@pytest.mark.parametrize(
    "text", ["字幕由Amara.org社群提供", "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目", "谢谢观看", "字幕由 Amara.org 社群提供"]
)
def test_boilerplate_is_suspect(text):
    assert suspect_reason(text, 0.1, 1.2, -0.3).startswith("known Whisper boilerplate")


def test_repetition_loops_are_suspect():
    assert suspect_reason("还钱还钱还钱还钱还钱", 0.0, 1.5, -0.2) == "repetition loop"
    assert suspect_reason("我们会我们会我们会我们会", 0.0, 1.9, -0.2) == "repetition loop"
    assert suspect_reason("你好你好", 0.0, 3.1, -0.2) == "repetition loop"  # compression ratio


def test_high_no_speech_probability_with_low_confidence_is_suspect():
    assert suspect_reason("嗯", 0.9, 1.0, -1.2).startswith("high no-speech probability")
    assert suspect_reason("嗯", 0.9, 1.0, -0.2) is None  # confident text stays plain


def test_ordinary_speech_is_not_suspect():
    assert suspect_reason("您的贷款这个月应该还三千五百元，最后的日期是五月二十号。", 0.05, 1.3, -0.25) is None
    assert suspect_reason("对对对对，好的好的", 0.05, 1.1, -0.3) is None  # how people answer


def test_quiet_speech_is_raised_to_the_target_level():
    rng = np.random.default_rng(0)
    quiet = np.concatenate([np.zeros(16000), 0.01 * rng.standard_normal(32000)]).astype(np.float32)
    louder = normalize_loudness(quiet, -20.0)
    assert louder.dtype == np.float32 and louder.shape == quiet.shape
    assert _level_db(louder[16000:]) == pytest.approx(-20.0, abs=0.5)


def test_normalisation_never_clips_nor_lifts_silence_without_limit():
    spike = np.zeros(16000, np.float32)
    spike[100] = 0.5
    spike[200:16000] = 0.001
    assert np.abs(normalize_loudness(spike, -10.0)).max() <= 0.99
    hiss = np.full(16000, 1e-5, np.float32)
    gain_db = 20 * np.log10(normalize_loudness(hiss, -20.0).max() / hiss.max())
    assert gain_db == pytest.approx(MAX_GAIN_DB, abs=0.01)
    assert not normalize_loudness(np.zeros(16000, np.float32), -20.0).any()
    assert normalize_loudness(np.zeros(100, np.float32), -20.0).shape == (100,)


def test_settings_are_complete_and_serialisable():
    settings = TranscribeOptions(cpu_threads=2).as_settings()
    assert json.loads(json.dumps(settings)) == settings
    assert settings["cpu_threads"] == 2 and settings["language"] == "zh" and settings["seed"] > 0
    assert settings["vad_filter"] and settings["vad_parameters"] and settings["loudness_dbfs"] is not None
    assert TranscribeOptions().vad_parameters is not TranscribeOptions().vad_parameters  # no shared dict


def test_decode_kwargs_hand_faster_whisper_a_fresh_vad_dict():
    options = TranscribeOptions()
    kwargs = options.decode_kwargs()
    kwargs["vad_parameters"].pop("threshold")
    assert options.vad_parameters == options.decode_kwargs()["vad_parameters"] != {}


def test_speech_the_transcript_skipped_is_decoded_again_on_its_own():
    """The recovery step alone, with a stand-in model: real speech (samples/) and real Silero VAD."""
    from analyzer.asr import RATE, _recover_skipped
    from analyzer.audio import decode, mixdown

    clips = sorted((Path(__file__).resolve().parents[1] / "samples").glob("*.ogg"))[:2]
    if len(clips) < 2:
        pytest.skip("samples/ holds fewer than two .ogg recordings")
    first, second = (mixdown(decode(path).samples) for path in clips)
    audio = np.concatenate([first, np.zeros(3 * RATE, np.float32), second])
    heard = [SimpleNamespace(start=0.0, end=len(first) / RATE, words=None)]  # the second call was skipped
    calls = []

    class Model:
        def transcribe(self, samples, **kwargs):
            calls.append((len(samples) / RATE, kwargs["vad_filter"]))
            return [SimpleNamespace(start=0.5, end=2.0, words=None)], None

    recovered = _recover_skipped(Model(), audio, heard, TranscribeOptions().decode_kwargs())
    assert len(recovered) == len(calls) == 1 and calls[0][1] is False
    segment, shift = recovered[0]
    assert len(first) / RATE < shift < len(first) / RATE + 3.5  # starts where the second call starts
    assert calls[0][0] == pytest.approx(len(second) / RATE, abs=1.0)
    everything = [SimpleNamespace(start=0.0, end=len(audio) / RATE, words=None)]
    assert _recover_skipped(Model(), audio, everything, TranscribeOptions().decode_kwargs()) == []
