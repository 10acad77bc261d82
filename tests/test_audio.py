"""Decoding keeps rate and channels honest, hashes the bytes first, and never writes to inputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import soundfile

from analyzer.audio import TARGET_RATE, decode, mixdown, probe_duration, sha256_file
from analyzer.errors import AudioError


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def write_pyav(path: Path, samples: np.ndarray, rate: int, codec: str, layout: str = "mono") -> None:
    """Encode with PyAV (mp3, aac in m4a, opus in webm...) so the tests need no system tool."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        frame_size = stream.codec_context.frame_size or 1024
        planar = np.atleast_2d(samples).astype(np.float32)
        for start in range(0, planar.shape[1], frame_size):
            chunk = np.ascontiguousarray(planar[:, start : start + frame_size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


@pytest.mark.parametrize(("suffix", "rate", "channels"), [(".wav", 8000, 1), (".flac", 44100, 2), (".ogg", 16000, 2)])
def test_soundfile_formats_keep_rate_and_channels(tmp_path, suffix, rate, channels):
    data = np.stack([tone(1.5, rate, 440 * (c + 1)) for c in range(channels)], axis=1)
    path = tmp_path / f"call{suffix}"
    soundfile.write(path, data, rate)
    decoded = decode(path)
    assert decoded.info.sample_rate == rate
    assert decoded.info.channels == channels
    assert decoded.info.duration_s == pytest.approx(1.5, abs=0.01)
    assert decoded.samples.shape == (channels, int(1.5 * TARGET_RATE))
    assert decoded.info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("name", "codec"), [("call.mp3", "mp3"), ("call.m4a", "aac"), ("call.webm", "libopus")])
def test_pyav_formats(tmp_path, name, codec):
    rate = 48000 if codec == "libopus" else 16000
    path = tmp_path / name
    write_pyav(path, tone(2.0, rate), rate, codec)
    decoded = decode(path)
    assert decoded.info.channels == 1
    assert decoded.info.sample_rate == rate
    assert decoded.info.duration_s == pytest.approx(2.0, abs=0.1)
    assert probe_duration(path) == pytest.approx(2.0, abs=0.15)
    # the tone survives decoding: its energy sits at 440 Hz
    spectrum = np.abs(np.fft.rfft(decoded.samples[0]))
    assert abs(np.argmax(spectrum) * TARGET_RATE / decoded.samples.shape[1] - 440) < 5


def test_input_is_never_modified(tmp_path):
    path = tmp_path / "call.wav"
    soundfile.write(path, tone(1.0, 8000), 8000)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    decode(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_mixdown_of_identical_channels_is_exact():
    mono = tone(1.0, TARGET_RATE)
    assert np.array_equal(mixdown(np.stack([mono, mono])), mono)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.wav", b"", "empty file"),
        ("notes.mp3", "这不是音频文件，只是一段文字。\n".encode() * 50, "cannot decode"),
        ("noise.wav", b"RIFF\x00\x00\x00\x00WAVEjunk" * 10, "cannot decode"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError) as err:
        decode(path)
    assert name in err.value.message and message in err.value.message


def test_truncated_m4a_is_an_error(tmp_path):
    good = tmp_path / "good.m4a"
    write_pyav(good, tone(3.0, 16000), 16000, "aac")
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(AudioError):
        decode(cut)


def test_sha256_streams_large_files(tmp_path):
    path = tmp_path / "big.bin"
    path.write_bytes(b"\x01" * (3 << 20))
    assert sha256_file(path, chunk_size=1 << 16) == hashlib.sha256(path.read_bytes()).hexdigest()
