"""faster-whisper wrapper: 16 kHz samples -> Transcript (Simplified text, raw text, suspects).

Never drops text: segments that look hallucinated (repetition loops, subtitle boilerplate, high
no-speech probability) are kept and marked `suspect` with the reason. Tuned for phone audio
(scripts/eval_asr.py measures it against stock faster-whisper): the level is normalised before
Whisper and Silero see it, the VAD keeps quieter speech, and speech the decoder jumped over is
decoded again on its own. The same samples and options always give the same transcript.
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
MIN_LOOP_CHARS = 8  # 对对对对 is how people answer; 还钱还钱还钱还钱 and longer is a decoding loop
NO_SPEECH_LIMIT = 0.6
COMPRESSION_LIMIT = 2.4
SEED = 1234  # temperature fallback samples; a fixed seed keeps runs identical
# Silero's default threshold (0.5) drops short or quiet replies once the band is cut to 300-3400 Hz;
# 0.35 keeps them (with loudness normalisation: core telephone CER 0.317 -> 0.248, see eval_asr.py).
VAD_DEFAULTS = {"threshold": 0.35}
LOUDNESS_DBFS = -18.0  # active speech level Whisper sees; many phone and corpus files sit near -40
MAX_GAIN_DB = 30.0  # never lift a near-silent file into loud noise
FRAME = 480  # 30 ms at 16 kHz
RATE = 16000
MIN_SKIPPED_S = 1.0  # speech stretches shorter than this are not worth a second decoding
UNCOVERED_SHARE = 0.2  # a stretch with words over less than this share of it was skipped


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding settings; all of them are recorded in every output."""

    language: str | None = "zh"  # None = detect
    beam_size: int = 5
    vad_filter: bool = True
    vad_parameters: dict = field(default_factory=lambda: dict(VAD_DEFAULTS))
    loudness_dbfs: float | None = LOUDNESS_DBFS  # None = keep the recorded level
    word_timestamps: bool = True
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    initial_prompt: str | None = None
    hotwords: str | None = None
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0 = CTranslate2 default (all cores)
    batch_size: int = 0  # >0: faster-whisper's BatchedInferencePipeline
    recover_skipped: bool = True  # decode again any VAD speech that the transcript skipped
    seed: int = SEED

    def decode_kwargs(self) -> dict:
        """Keyword arguments for faster-whisper's `transcribe` (bench.py passes the same ones)."""
        return dict(
            language=self.language,
            beam_size=self.beam_size,
            vad_filter=self.vad_filter,
            vad_parameters=dict(self.vad_parameters) or None,  # a copy: faster-whisper edits it in place
            word_timestamps=self.word_timestamps,
            temperature=list(self.temperature),
            condition_on_previous_text=self.condition_on_previous_text,
            initial_prompt=self.initial_prompt,
            hotwords=self.hotwords,
        )

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
    loop = max((len(m.group()) for m in REPETITION.finditer(compact)), default=0)
    if loop >= MIN_LOOP_CHARS or compression_ratio > COMPRESSION_LIMIT:
        return "repetition loop"
    if no_speech_prob > NO_SPEECH_LIMIT and avg_logprob < -0.5:
        return f"high no-speech probability ({no_speech_prob:.2f})"
    return None


def normalize_loudness(samples: np.ndarray, target_dbfs: float) -> np.ndarray:
    """Scale so the active level (30 ms frames within 30 dB of the loudest) is `target_dbfs`.

    Whisper's features and Silero VAD depend on absolute level; quiet recordings lose short words.
    The gain is capped so nothing clips and silence is not lifted by more than MAX_GAIN_DB.
    """
    usable = len(samples) // FRAME * FRAME
    peak = float(np.abs(samples).max()) if len(samples) else 0.0
    if usable == 0 or peak == 0.0:
        return samples
    power = np.square(samples[:usable].reshape(-1, FRAME), dtype=np.float64).mean(axis=1) + 1e-12
    active = power[power > power.max() * 1e-3]
    level_db = 10 * np.log10(active.mean())
    gain_db = min(target_dbfs - level_db, MAX_GAIN_DB)
    gain = min(10 ** (gain_db / 20), 0.99 / peak)
    return (samples * gain).astype(np.float32)


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


def _recover_skipped(model, samples: np.ndarray, segments: list, kwargs: dict) -> list[tuple[object, float]]:
    """Transcribe again, on its own, any stretch of speech (per VAD) that no word covers.

    Conditioned on its own earlier text, Whisper sometimes jumps over a whole turn (seen: a 30 s
    call inside an 8-minute recording left out entirely). Each such stretch is decoded alone, so the
    jump cannot repeat, and its segments come back with the stretch's start as time shift.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = [(w.start, w.end) for seg in segments for w in (seg.words or ())] or [(g.start, g.end) for g in segments]
    recovered = []
    for chunk in get_speech_timestamps(samples, VadOptions(**(kwargs["vad_parameters"] or {}))):
        start, end = chunk["start"] / RATE, chunk["end"] / RATE
        covered = sum(max(0.0, min(end, b) - max(start, a)) for a, b in spans)
        if end - start >= MIN_SKIPPED_S and covered < UNCOVERED_SHARE * (end - start):
            alone = {**kwargs, "vad_filter": False}
            parts, _ = model.transcribe(samples[chunk["start"] : chunk["end"]], **alone)
            recovered += [(seg, start) for seg in parts]
    return recovered


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
    if options.loudness_dbfs is not None:
        samples = normalize_loudness(samples, options.loudness_dbfs)
    ctranslate2.set_random_seed(options.seed)
    kwargs = options.decode_kwargs()
    if options.batch_size > 0:
        from faster_whisper import BatchedInferencePipeline

        pipeline = BatchedInferencePipeline(model=model)
        segments, info = pipeline.transcribe(samples, batch_size=options.batch_size, **kwargs)
    else:
        segments, info = model.transcribe(samples, **kwargs)
    found = [(seg, 0.0) for seg in segments]
    if options.recover_skipped and options.vad_filter:
        found += _recover_skipped(model, samples, [seg for seg, _ in found], kwargs)
    found.sort(key=lambda item: item[0].start + item[1])
    if any((seg.temperature or 0.0) > 0 for seg, _ in found):
        # The fallback sampled: CTranslate2 seeds its per-thread generator once, when the model's
        # thread first samples, so the next file would continue this sequence. A fresh model
        # (about a second to load) makes every file's result independent of what came before.
        load_model.cache_clear()
    result = tuple(_segment(first_id + i, seg, offset + shift) for i, (seg, shift) in enumerate(found))
    return Transcript(
        segments=result,
        language=info.language if options.language is None else options.language,
        model=replace(model_info, compute_type=options.compute_type),
        settings=options.as_settings(),
    )
