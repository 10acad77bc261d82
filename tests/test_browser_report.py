"""Acceptance: the report for a real analysed call, in real headless Chromium over the DevTools
protocol: flags listed, a click seeks the audio to the flag, no network request, screenshot saved."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CALL2 = SHARED / "corpus" / "spliced-calls" / "call2_threats_insults.wav"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--remote-debugging-port=0",
)  # fmt: skip


def chromium_binary() -> str | None:
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


class DevTools:
    """Just enough of the Chrome DevTools Protocol: commands, and the events seen meanwhile."""

    def __init__(self, ws_url: str):
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=20, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for: {expression}")


@pytest.fixture()
def browser(tmp_path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    pytest.importorskip("websocket", reason="websocket-client is not installed (pip install '.[test]')")
    profile = tmp_path / "profile"
    proc = subprocess.Popen(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            pages = [t for t in json.load(response) if t["type"] == "page"]
        tools = DevTools(pages[0]["webSocketDebuggerUrl"])
        yield tools
        tools.ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def call2_report(request, tmp_path_factory):
    """call2 analysed by the real pipeline (a shared session fixture `analyzed_call2` when the
    suite has one), then its report written into OUT."""
    if not CALL2.is_file():
        pytest.skip(f"shared corpus not present ({CALL2})")
    from analyzer.record import dumps
    from analyzer.report import write_call_outputs

    out = tmp_path_factory.mktemp("out")
    try:
        record = request.getfixturevalue("analyzed_call2")
    except pytest.FixtureLookupError:
        from analyzer.pipeline import InputFile, analyze_file

        record = analyze_file(InputFile(CALL2, CALL2.parent))
    json_path = out / (record.source.path + ".json")
    json_path.write_text(dumps(record), encoding="utf-8")
    write_call_outputs(out, json_path, record, audio_path=CALL2)
    return record, json_path.with_suffix(".html")


@pytest.mark.shared
@pytest.mark.slow
def test_report_in_chromium_seeks_audio_to_flag(browser, call2_report, tmp_path):
    record, html_path = call2_report
    assert record.findings, "call2 (threats and insults) should raise flags"
    browser.call("Network.enable")
    browser.call("Page.enable")
    browser.call("Emulation.setDeviceMetricsOverride", width=1200, height=1600, deviceScaleFactor=1, mobile=False)
    browser.call("Page.navigate", url=html_path.resolve().as_uri())
    browser.wait_for("document.readyState === 'complete'")

    rows = browser.evaluate("Array.from(document.querySelectorAll('#flags tr[id^=\"flag-\"]')).length")
    assert rows == len(record.findings)
    # the audio (a relative file link) loads under the page's Content-Security-Policy
    duration = browser.wait_for("(function(p){return p.readyState >= 1 && !p.error && p.duration})(document.getElementById('player'))")
    assert duration == pytest.approx(record.source.duration_s, abs=0.5)

    target = browser.evaluate(
        "(function(){var b=Array.from(document.querySelectorAll('#flags button.tc')).pop();"
        "b.scrollIntoView({block:'center'});var r=b.getBoundingClientRect();"
        "return {t:parseFloat(b.dataset.t),x:r.x+r.width/2,y:r.y+r.height/2};})()"
    )
    timed = [f.t_start for f in record.findings if f.t_start is not None]
    assert target["t"] == pytest.approx(max(timed), abs=0.001)
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=target["x"], y=target["y"], button="left", clickCount=1)
    current = browser.wait_for(
        "(function(p){return !p.seeking && p.currentTime > 0 && p.currentTime})(document.getElementById('player'))"
    )
    assert abs(current - target["t"]) < 0.5

    shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
    import base64

    (tmp_path / "report.png").write_bytes(base64.b64decode(shot["data"]))
    requested = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert requested, "the page load itself should be seen"
    assert all(url.startswith(("file://", "data:")) for url in requested), requested


@pytest.mark.shared
@pytest.mark.slow
def test_embedded_audio_plays_under_the_csp(browser, call2_report, tmp_path):
    """`--embed-audio`: the report alone (moved away from the recording) still has playable audio."""
    from analyzer.report import write_call_outputs

    record, html_path = call2_report
    alone = tmp_path / "emailed"
    json_path = alone / html_path.with_suffix(".json").name
    json_path.parent.mkdir()
    shutil.copy(html_path.with_suffix(".json"), json_path)
    write_call_outputs(alone, json_path, record, audio_path=CALL2, embed_audio=True)
    browser.call("Page.enable")
    browser.call("Page.navigate", url=json_path.with_suffix(".html").as_uri())
    browser.wait_for("document.readyState === 'complete'")
    duration = browser.wait_for("(function(p){return p.readyState >= 1 && !p.error && p.duration})(document.getElementById('player'))")
    assert duration == pytest.approx(record.source.duration_s, abs=0.5)
