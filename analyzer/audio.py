"""Read recordings without ever writing to them: hash, probe, decode, resample.

wav/flac/ogg go through soundfile (libsndfile); everything else (mp3, m4a/aac, amr, opus, webm,
video containers) through PyAV, which faster-whisper already depends on. The SHA-256 is taken
from the file's bytes before anything decodes it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AudioError
from .types import AudioInfo

TARGET_RATE = 16000  # what Whisper expects
WINDOW_S = 600.0  # the pipeline decodes and transcribes long recordings ten minutes at a time
WHOLE_FILE_S = 48 * 3600.0  # one window for the whole file
SOUNDFILE_SUFFIXES = {".wav", ".flac", ".ogg", ".oga"}
AUDIO_SUFFIXES = SOUNDFILE_SUFFIXES | {
    ".mp3", ".m4a", ".aac", ".amr", ".opus", ".webm", ".3gp", ".3ga", ".wma", ".aiff", ".aif",
    ".caf", ".mka", ".mp4", ".mkv", ".mov", ".avi", ".spx",
}  # fmt: skip


@dataclass(frozen=True)
class DecodedAudio:
    info: AudioInfo
    samples: np.ndarray  # float32, shape (channels, n) at TARGET_RATE


def is_audio_name(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def resample(samples: np.ndarray, rate: int, target: int = TARGET_RATE) -> np.ndarray:
    """Polyphase resampling (anti-aliased, deterministic) of a (channels, n) array."""
    if rate == target:
        return samples.astype(np.float32, copy=False)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(rate, target)
    return resample_poly(samples, target // g, rate // g, axis=1).astype(np.float32)


def _fs(path: Path) -> bytes:
    """The name as bytes for libsndfile: file names need not be UTF-8 (PyAV takes the str as it is)."""
    return os.fsencode(path)


def _av_open(path: Path):
    import av

    return av.open(str(path), metadata_errors="ignore")


def describe(path: Path, *, sha256: str | None = None) -> AudioInfo:
    """The untouched file: size, SHA-256 (taken from its bytes first), and its header's rate,
    channels and format. Duration here is the header's; the pipeline replaces it by what decodes."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise AudioError(f"{path.name}: empty file (0 bytes)")
        digest = sha256 or sha256_file(path)
    except OSError as exc:
        raise AudioError(f"{path.name}: cannot read file ({exc.strerror})") from exc
    duration, rate, channels, fmt = _header(path)
    return AudioInfo(
        path=str(path), size=size, sha256=digest, duration_s=duration, sample_rate=rate, channels=channels, format=fmt
    )


def _header(path: Path) -> tuple[float, int, int, str]:
    """(duration, rate, channels, format) from the header; a file neither reader opens is not audio."""
    problem = "unknown format"
    if path.suffix.lower() in SOUNDFILE_SUFFIXES:
        import soundfile

        try:
            info = soundfile.info(_fs(path))
            return round(float(info.duration), 3), int(info.samplerate), int(info.channels), str(info.format)
        except Exception as exc:  # libsndfile has one error type for everything; PyAV may still read it
            problem = str(exc).strip()
    try:
        with _av_open(path) as container:
            if not container.streams.audio:
                raise AudioError(f"{path.name}: no audio stream in this file")
            stream = container.streams.audio[0]
            rate = int(stream.codec_context.sample_rate or stream.rate or 0)
            channels = 2 if (stream.codec_context.channels or 1) >= 2 else 1
            duration = float(container.duration or 0) / 1_000_000
            return round(duration, 3), rate, channels, container.format.name
    except AudioError:
        raise
    except Exception as exc:  # FFmpeg's many error classes all mean "cannot decode"
        problem = str(exc).strip()
    raise AudioError(f"{path.name}: cannot decode audio: not an audio file, or corrupt/truncated ({problem})")


def decode(path: Path, *, sha256: str | None = None) -> DecodedAudio:
    """The whole recording at 16 kHz, keeping the channel count (for clips and evaluation;
    the pipeline reads long recordings window by window with `iter_chunks`)."""
    info = describe(path, sha256=sha256)
    windows = [samples for _, samples in iter_chunks(path, WHOLE_FILE_S)]
    samples = np.concatenate(windows, axis=1)
    info = AudioInfo(**{**info.__dict__, "duration_s": round(samples.shape[1] / TARGET_RATE, 3)})
    return DecodedAudio(info=info, samples=samples)


def read_tags(path: Path) -> dict[str, str]:
    """Container metadata (e.g. creation_time) without decoding audio; empty when unreadable."""
    try:
        with _av_open(path) as container:
            tags = dict(container.metadata)
            for stream in container.streams.audio[:1]:
                tags = {**dict(stream.metadata), **tags}
            return {str(k).lower(): str(v) for k, v in tags.items()}
    except Exception:  # tags are optional evidence; an unreadable container just has none
        return {}


def mixdown(samples: np.ndarray) -> np.ndarray:
    """Mono for transcription: the mean of the channels."""
    return samples.mean(axis=0).astype(np.float32) if samples.shape[0] > 1 else samples[0]


def probe_duration(path: Path) -> float:
    """Duration in seconds from the header alone (for progress and ETA); 0.0 when unknown."""
    try:
        return _header(Path(path))[0]
    except AudioError:  # a file we cannot probe will fail properly when decoded
        return 0.0


def iter_chunks(path: Path, seconds: float | None = None):
    """Yield (offset_s, samples) windows of `seconds` each, (channels, n) float32 at 16 kHz, decoding
    one window at a time so memory stays bounded however long the recording is (a 2-hour call
    decoded whole would need gigabytes). Each window is resampled on its own."""
    path, seconds = Path(path), seconds or WINDOW_S
    offset = 0.0
    try:
        for samples, rate in _native_windows(path, seconds):
            yield offset, resample(samples, rate)
            offset += samples.shape[1] / rate
    except AudioError:
        raise
    except Exception as exc:  # libsndfile / FFmpeg errors: the file is not (or no longer) decodable
        raise AudioError(f"{path.name}: cannot decode audio: not an audio file, or corrupt/truncated ({exc})") from exc
    if offset == 0.0:
        raise AudioError(f"{path.name}: no audio could be decoded (empty or truncated file)")


def _native_windows(path: Path, seconds: float):
    """(samples at the file's own rate, rate) blocks of about `seconds`."""
    if path.suffix.lower() in SOUNDFILE_SUFFIXES:
        import soundfile

        try:
            handle = soundfile.SoundFile(_fs(path))
        except soundfile.LibsndfileError:
            handle = None  # not something libsndfile reads after all: let PyAV try
        if handle is not None:
            with handle:
                frames = max(1, int(seconds * handle.samplerate))
                while (block := handle.read(frames, dtype="float32", always_2d=True)).shape[0]:
                    yield block.T.copy(), handle.samplerate
            return
    import itertools

    import av

    with _av_open(path) as container:
        if not container.streams.audio:
            raise AudioError(f"{path.name}: no audio stream in this file")
        stream = container.streams.audio[0]
        rate = int(stream.codec_context.sample_rate or stream.rate)
        layout = "stereo" if (stream.codec_context.channels or 1) >= 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        frames, held, count = max(1, int(seconds * rate)), [], 0
        for frame in itertools.chain(container.decode(stream), [None]):
            for out in resampler.resample(frame):
                held.append(out.to_ndarray())
                count += held[-1].shape[1]
            if count < frames and frame is not None:
                continue
            pending = np.concatenate(held, axis=1).astype(np.float32) if held else np.zeros((1, 0), np.float32)
            while pending.shape[1] >= frames or (frame is None and pending.shape[1]):
                yield pending[:, :frames], rate
                pending = pending[:, frames:]
            held, count = ([pending], pending.shape[1]) if pending.shape[1] else ([], 0)
