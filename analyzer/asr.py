"""faster-whisper wrapper: 16 kHz samples -> Transcript (Simplified text, raw text, suspects).

Never drops text: segments that look hallucinated (repetition loops, subtitle boilerplate, high
no-speech probability) are kept and marked `suspect` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

import numpy as np

from .normalize import to_simplified
from .types import ModelInfo, Segment, Transcript, Word

# Text Whisper invents over silence or music, learnt from subtitled video.
BOILERPLATE = (
    "字幕由Amara.org社群提供", "Amara.org", "请不吝点赞", "订阅转发", "打赏支持", "明镜与点点栏目",
    "谢谢观看", "感谢观看", "谢谢收看", "谢谢大家收看", "字幕志愿者", "中文字幕", "优优独播剧场",
    "YoYo Television", "请订阅", "点赞订阅", "字幕制作", "由 Amara.org",
)  # fmt: skip
REPETITION = re.compile(r"(.{1,8}?)\1{3,}")
NO_SPEECH_LIMIT = 0.6
COMPRESSION_LIMIT = 2.4
SEED = 1234  # temperature fallback samples; a fixed seed keeps runs identical


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings; all of them are recorded in every output."""

    language: str | None = "zh"  # None = detect
    beam_size: int = 5
    vad_filter: bool = True
    vad_parameters: dict = field(default_factory=dict)
    word_timestamps: bool = True
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    initial_prompt: str | None = None
    hotwords: str | None = None
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0 = CTranslate2 default (all cores)
    batch_size: int = 0  # >0: faster-whisper's BatchedInferencePipeline
    seed: int = SEED

    def as_settings(self) -> dict:
        settings = asdict(self)
        settings["temperature"] = list(self.temperature)
        return settings


@lru_cache(maxsize=2)
def load_model(model_path: str, compute_type: str, cpu_threads: int):
    """One WhisperModel per process and settings (loading takes about a second)."""
    from faster_whisper import WhisperModel

    return WhisperModel(model_path, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads)


def suspect_reason(text: str, no_speech_prob: float, compression_ratio: float, avg_logprob: float) -> str | None:
    """Why a segment looks like a hallucination rather than speech, or None."""
    compact = re.sub(r"\s+", "", text)
    for phrase in BOILERPLATE:
        if phrase.replace(" ", "") in compact:
            return f"known Whisper boilerplate ({phrase})"
    if REPETITION.search(compact) or compression_ratio > COMPRESSION_LIMIT:
        return "repetition loop"
    if no_speech_prob > NO_SPEECH_LIMIT and avg_logprob < -0.5:
        return f"high no-speech probability ({no_speech_prob:.2f})"
    return None


def _segment(index: int, seg, offset: float) -> Segment:
    raw = seg.text.strip()
    words = tuple(
        Word(
            start=round(w.start + offset, 3),
            end=round(w.end + offset, 3),
            text=to_simplified(w.word),
            probability=round(float(w.probability), 4),
        )
        for w in (seg.words or ())
    )
    return Segment(
        id=index,
        start=round(seg.start + offset, 3),
        end=round(seg.end + offset, 3),
        text=to_simplified(raw),
        raw_text=raw,
        words=words,
        avg_logprob=round(float(seg.avg_logprob), 4),
        no_speech_prob=round(float(seg.no_speech_prob), 4),
        compression_ratio=round(float(seg.compression_ratio), 4),
        suspect=suspect_reason(raw, seg.no_speech_prob, seg.compression_ratio, seg.avg_logprob),
    )


def transcribe(
    samples: np.ndarray,
    model_path: str,
    model_info: ModelInfo,
    options: TranscribeOptions,
    *,
    offset: float = 0.0,
    first_id: int = 0,
) -> Transcript:
    """Transcribe 16 kHz mono float32 samples; times are shifted by `offset` seconds."""
    import ctranslate2

    model = load_model(model_path, options.compute_type, options.cpu_threads)
    ctranslate2.set_random_seed(options.seed)
    kwargs = dict(
        language=options.language,
        beam_size=options.beam_size,
        vad_filter=options.vad_filter,
        vad_parameters=options.vad_parameters or None,
        word_timestamps=options.word_timestamps,
        temperature=list(options.temperature),
        condition_on_previous_text=options.condition_on_previous_text,
        initial_prompt=options.initial_prompt,
        hotwords=options.hotwords,
    )
    if options.batch_size > 0:
        from faster_whisper import BatchedInferencePipeline

        pipeline = BatchedInferencePipeline(model=model)
        segments, info = pipeline.transcribe(samples, batch_size=options.batch_size, **kwargs)
    else:
        segments, info = model.transcribe(samples, **kwargs)
    result = tuple(_segment(first_id + i, seg, offset) for i, seg in enumerate(segments))
    return Transcript(
        segments=result,
        language=info.language if options.language is None else options.language,
        model=replace(model_info, compute_type=options.compute_type),
        settings=options.as_settings(),
    )
