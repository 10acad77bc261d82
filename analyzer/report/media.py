"""Audio the reports carry: a compressed copy for `--embed-audio`, and a short clip per flag.

Both start from the original decoded (read only) by `analyzer.audio.decode`; the MP3 encoding is
bit-exact so regenerating a report gives the same bytes."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np

from ..audio import TARGET_RATE
from ..types import CallRecord
from .view import sorted_findings

EMBED_BITRATE = 32000
CLIP_MARGIN_S = 3.0
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


def encode_mp3(samples: np.ndarray, rate: int = TARGET_RATE) -> bytes:
    """(channels, n) float32 -> MP3 bytes at a low bitrate (speech stays intelligible)."""
    import av

    layout = "mono" if samples.shape[0] == 1 else "stereo"
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3", container_options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("libmp3lame", rate=rate, layout=layout)
        stream.bit_rate = EMBED_BITRATE
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:2], dtype=np.float32), format="fltp", layout=layout)
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def embedded_audio_uri(samples: np.ndarray) -> str:
    """A data: URI with a compressed copy of the recording, for a report that travels alone."""
    return "data:audio/mpeg;base64," + base64.b64encode(encode_mp3(samples)).decode("ascii")


def clip_name(record: CallRecord, t_start: float, category: str) -> str:
    """'call2.wav_00m12s_insult.wav': call, time and category, safe on every file system."""
    seconds = int(t_start)
    stem = _UNSAFE_NAME.sub("_", Path(record.source.path).name).strip("._") or "call"
    return f"{stem}_{seconds // 60:02d}m{seconds % 60:02d}s_{_UNSAFE_NAME.sub('_', category)}.wav"


def write_clips(record: CallRecord, samples: np.ndarray, folder: Path, write) -> list[Path]:
    """One WAV per timed flag, 3 s either side of the decoded (channels, n) recording;
    `write(path, bytes)` is the atomic writer."""
    import soundfile

    timed = [f for f in sorted_findings(record) if f.t_start is not None]
    written: dict[Path, None] = {}
    for finding in timed:
        start = max(0, int((finding.t_start - CLIP_MARGIN_S) * TARGET_RATE))
        end = min(samples.shape[1], int(((finding.t_end or finding.t_start) + CLIP_MARGIN_S) * TARGET_RATE))
        buffer = io.BytesIO()
        soundfile.write(buffer, samples[:, start:end].T, TARGET_RATE, format="WAV", subtype="PCM_16")
        path = folder / clip_name(record, finding.t_start, finding.category)
        write(path, buffer.getvalue())
        written[path] = None
    return list(written)
