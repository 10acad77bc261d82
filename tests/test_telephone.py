"""The simulated G.711 channel: band-limited to 300-3400 Hz, mu-law noise, same length and rate."""

import numpy as np
from scipy.signal import welch

from analyzer.telephone import mu_law_roundtrip, telephone_channel

RATE = 16000


def _tone(freq: float, seconds: float = 1.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _band_energy(samples: np.ndarray, low: float, high: float) -> float:
    freqs, power = welch(samples, fs=RATE, nperseg=1024)
    return float(power[(freqs >= low) & (freqs < high)].sum())


def test_keeps_length_dtype_and_voice_band():
    tone = _tone(1000)
    out = telephone_channel(tone)
    assert out.dtype == np.float32 and out.shape == tone.shape
    assert np.sqrt(np.mean(out[1000:-1000] ** 2)) > 0.9 * np.sqrt(np.mean(tone**2))


def test_removes_what_a_phone_line_cannot_carry():
    for freq in (100, 6000):
        tone = _tone(freq)
        assert _band_energy(telephone_channel(tone), 0, RATE / 2) < 0.05 * _band_energy(tone, 0, RATE / 2)


def test_mixed_signal_loses_its_high_band():
    mixed = _tone(800) + _tone(5000)
    out = telephone_channel(mixed)
    assert _band_energy(out, 4500, 5500) < 1e-3 * _band_energy(mixed, 4500, 5500)
    assert _band_energy(out, 700, 900) > 0.5 * _band_energy(mixed, 700, 900)


def test_mu_law_adds_small_level_dependent_noise():
    tone = _tone(1000, amplitude=0.5)
    error = mu_law_roundtrip(tone) - tone
    snr_db = 10 * np.log10(np.mean(tone**2) / np.mean(error**2))
    assert 30 < snr_db < 45  # 8-bit companding: roughly 38 dB, far from lossless
    assert np.all(np.abs(mu_law_roundtrip(np.array([2.0, -2.0], np.float32))) <= 1.0)
