"""Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
JSON messages separated by NUL bytes, commands on the browser's fd 3, answers on fd 4), so
tests can click and read the page without a driver package. Tests skip, with the reason,
where no Chromium exists or it cannot start."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium not installed (apt-get install chromium); browser test skipped")


class Browser:
    """One headless Chromium with one page; :meth:`evaluate` runs JavaScript in it."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 2000, timeout: float = 120.0):
        self.timeout = timeout
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire():  # runs in the child: the protocol's fds 3 and 4 (via high numbers, so neither clobbers the other)
            os.dup2(to_browser_read, 200)
            os.dup2(from_browser_write, 201)
            os.dup2(200, 3)
            os.dup2(201, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        try:
            self.process = subprocess.Popen(
                [chromium_binary(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                 "--remote-debugging-pipe", "about:blank"],
                pass_fds=(3, 4, to_browser_read, from_browser_write), preexec_fn=wire,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError as exc:
            pytest.skip(f"Chromium cannot start here: {exc}")
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def call(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session is not None and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" not in self._buffer:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"Chromium did not answer {method}")
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the protocol pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def open(self, url: str) -> None:
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})
        self.evaluate("new Promise(r => { if (document.readyState === 'complete') r(1); "
                      "else window.addEventListener('load', () => r(1)); })")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (promises awaited)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, width: int = 1280, height: int = 1600) -> Path:
        import base64

        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": False})
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": {"x": 0, "y": 0, "width": width,
                                                                              "height": height, "scale": 1}})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: The page checks every browser test runs: media loaded, TOC links resolve, numeric rank sort.
PAGE_CHECKS = """
new Promise(resolve => {
  const videos = Array.from(document.querySelectorAll('video'));
  const ready = videos.map(v => v.readyState >= 1 ? Promise.resolve() :
      new Promise(r => { v.addEventListener('loadedmetadata', r); v.addEventListener('error', r); v.load(); }));
  Promise.all(ready).then(() => {
    const images = Array.from(document.images);
    const toc = Array.from(document.querySelectorAll('nav.toc a')).map(a => a.getAttribute('href'));
    const table = document.getElementById('summary-table');
    const rank = table.tHead.rows[0].cells[0];
    const ranks = () => Array.from(table.tBodies[0].rows).map(r => r.cells[0].textContent.trim());
    rank.click();
    const ascending = ranks();
    rank.click();
    const descending = ranks();
    resolve({
      images: images.length, imagesLoaded: images.filter(i => i.complete && i.naturalWidth > 0).length,
      videos: videos.length, videosLoaded: videos.filter(v => v.readyState >= 1 && v.videoWidth > 0).length,
      toc: toc, tocMissing: toc.filter(h => !document.getElementById(h.slice(1))),
      ascending: ascending, descending: descending, scripts: document.scripts.length,
    });
  });
})
"""
