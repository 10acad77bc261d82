"""One recording end to end (a folder of them: analyzer.batch, re-exported here).

audio (hash, decode) -> transcript (faster-whisper) -> findings, amounts, dates -> canonical JSON.
Inputs are only ever opened for reading. Outputs are written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .analysis import analyze_transcript
from .asr import TranscribeOptions, transcribe
from .audio import TARGET_RATE, describe, iter_chunks, mixdown, read_tags
from .batch import (  # noqa: F401  (the batch API, importable from here as before)
    BatchResult,
    InputFile,
    analyze_folder,
    check_output_dir,
    discover,
    output_json_path,
    write_atomic,
)
from .detect.callinfo import resolve_call_info
from .lexicon import LexiconSet, load_lexicons
from .models import resolve_model
from .resegment import split_at_pauses
from .stereo import channels_differ, label_channel, merge_by_time
from .types import CallInfo, CallRecord, Segment, Transcript
from .wordtimes import refine_word_times


@dataclass(frozen=True)
class AnalyzeOptions:
    model: str | None = None  # None = the embedded Whisper base
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    lexicons_dir: Path | None = None
    call_time: str | None = None  # user override for every file
    timezone: str = "Asia/Shanghai"
    sidecar: dict[str, CallInfo] | None = None  # from calls.csv, keyed by file name
    diarize: bool = True  # split mono calls into speakers when the [diarize] extra is installed
    roles: dict[str, str] | None = None  # user overrides, e.g. {"left": "borrower"}


def _timed(samples, transcript: Transcript) -> Transcript:
    """Word times checked against the audio, then segments cut at long pauses (turns)."""
    return split_at_pauses(refine_word_times(samples, transcript))


def _transcribe_window(samples, model_path: str, model_info, options: AnalyzeOptions) -> Transcript:
    """One window of audio with speakers (window-local times): a real two-party stereo recording
    is transcribed channel by channel; a mono one is diarized when the extra is installed."""
    if channels_differ(samples):
        parts = [
            label_channel(_timed(channel, transcribe(channel, model_path, model_info, options.transcribe)), index)
            for index, channel in enumerate(samples)
        ]
        return merge_by_time(parts)
    mono = mixdown(samples)
    transcript = _timed(mono, transcribe(mono, model_path, model_info, options.transcribe))
    if options.diarize:
        from .diarize import diarization_available, diarize

        if diarization_available():
            transcript = diarize(mono, transcript)
    return transcript


def _placed(transcript: Transcript, offset: float, first_id: int) -> tuple[Segment, ...]:
    """A window's segments moved to recording time and numbered on. Diarized voices are only
    known within their window, so after the first one their labels say where they were heard."""
    window = f"@{offset / 60:.0f}min" if offset else ""

    def speaker(label: str) -> str:
        return label + window if label.startswith("speaker") else label

    return tuple(
        replace(
            seg,
            id=first_id + index,
            start=round(seg.start + offset, 3),
            end=round(seg.end + offset, 3),
            words=tuple(replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3)) for w in seg.words),
            speaker=speaker(seg.speaker),
        )
        for index, seg in enumerate(transcript.segments)
    )


def transcribe_recording(path: Path, model_path: str, model_info, options: AnalyzeOptions) -> tuple[Transcript, float, dict]:
    """The whole recording, decoded and transcribed ten minutes at a time so memory stays bounded;
    returns the transcript with roles, the decoded duration, and the speaker -> role map."""
    from .roles import assign_roles

    segments: list[Segment] = []
    first: Transcript | None = None
    duration = 0.0
    for offset, samples in iter_chunks(path):
        window = _transcribe_window(samples, model_path, model_info, options)
        first = first or window
        segments.extend(_placed(window, offset, len(segments)))
        duration = offset + samples.shape[1] / TARGET_RATE
    transcript, roles = assign_roles(replace(first, segments=tuple(segments)), overrides=options.roles)
    speakers = {label: {"role": role, "confidence": round(conf, 3)} for label, (role, conf) in sorted(roles.items())}
    return transcript, round(duration, 3), speakers


def analyze_file(
    item: InputFile | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    *,
    lexicons: LexiconSet | None = None,
) -> CallRecord:
    """Analyse one recording; nothing is written. The file is hashed here, before anything reads
    its audio (the batch hashes it too when planning: a file changed in between is caught)."""
    if not isinstance(item, InputFile):
        item = InputFile(Path(item), Path(item).parent)
    started = time.monotonic()
    info = describe(item.path)
    model_path, model_info = resolve_model(options.model)
    transcript, duration, speakers = transcribe_recording(item.path, model_path, model_info, options)
    transcribed = time.monotonic()
    lexicons = lexicons or load_lexicons(options.lexicons_dir)
    call = resolve_call_info(
        item.path,
        tags=read_tags(item.path),
        user_time=options.call_time,
        sidecar=options.sidecar,
        timezone=options.timezone,
    )
    found = analyze_transcript(transcript, call, lexicons=lexicons)
    finished = time.monotonic()
    return CallRecord(
        source=replace(info, path=item.relative.as_posix(), duration_s=duration),
        call=call,
        transcript=transcript,
        lexicon=lexicons.info,
        speakers=speakers,
        findings=found.findings,
        suppressed=found.suppressed,
        amounts=found.amounts,
        dates=found.dates,
        tool_version=__version__,
        analysed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        timings={"transcribe_s": round(transcribed - started, 3), "detect_s": round(finished - transcribed, 3)},
    )
