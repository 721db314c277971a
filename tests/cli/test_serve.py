"""``tagtui serve``: the UI in a browser, checked in a real headless Chromium through Playwright."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tagtui.cli.main import main
from tagtui.cli.serve import app_command, is_loopback
from tests.cli.conftest import Cli, assert_one_error_line

#: How Chromium runs on a closed network (no background connections, no sandbox as root).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_ANSI = re.compile(rb"\x1b\[[0-9;?$<>=]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("localhost")
    assert is_loopback("::1")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.4")
    assert not is_loopback("example.org")


def test_the_database_is_not_on_the_served_command_line() -> None:
    command = app_command(demo=False)
    assert command.endswith("-m tagtui")
    assert "--db" not in command


def test_a_port_in_use_is_one_line(cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port))
    assert_one_error_line(result, 1, f"127.0.0.1:{port}", "try --port")


def test_a_bad_port_or_host_is_a_usage_error(cli: Cli) -> None:
    assert_one_error_line(cli("serve", "--port", "70000"), 2, "1–65535")
    assert_one_error_line(cli("serve", "--host", "no-such-host.invalid"), 2, "--host")


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``tagtui serve`` on demo data at a free port, as its own process."""
    env = {**os.environ, "TAGTUI_DB": db_url, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("TAGTUI_WORKSPACE", None)
    # The demo data in-process (what is tested is serve, in a process of its own).
    assert main(["demo", "--contacts", "200", "--seed", "7", "--db", db_url]) == 0
    for _attempt in range(3):
        # A free port may be taken by another process (a parallel test) before serve binds it:
        # then serve says so and exits, and another free port is tried.
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "tagtui", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        if proc.poll() is None:
            break
        err = proc.stderr.read() if proc.stderr else ""
        assert "try --port" in err, err
    try:
        assert proc.poll() is None, "tagtui serve did not start"
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_serve_says_where_and_for_whom(served: tuple[subprocess.Popen[str], int]) -> None:
    proc, port = served
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    first = err.splitlines()[0]
    assert f"http://127.0.0.1:{port}" in first
    assert "only this machine" in first
    assert "password" not in err.lower()


def test_a_public_host_is_warned_about(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "TAGTUI_DB": db_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tagtui", "serve", "--host", "0.0.0.0", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert line.startswith("warning:")
    assert "anyone who can reach port" in line


def screen_text(frames: list[bytes]) -> str:
    """What the app wrote to the browser's terminal, escape sequences taken out."""
    return _ANSI.sub(b"", b"".join(frames)).decode("utf-8", "replace")


def test_the_app_in_a_real_browser(served: tuple[subprocess.Popen[str], int], tmp_path: Path) -> None:
    browser_path = chromium()
    if browser_path is None:
        pytest.skip("no Chromium on this machine (apt-get install -y chromium; .ci/run does)")
    playwright = pytest.importorskip("playwright.sync_api")
    _, port = served
    frames: list[bytes] = []

    def on_socket(ws) -> None:  # type: ignore[no-untyped-def]
        ws.on("framereceived", lambda p: frames.append(p if isinstance(p, bytes) else p.encode()))

    def wait_for(text: str, start: int, page, seconds: float = 45) -> bool:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in screen_text(frames[start:]):
                return True
            page.wait_for_timeout(200)  # lets Playwright deliver the websocket frames
        return False

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("websocket", on_socket)
            page.goto(f"http://127.0.0.1:{port}/")
            assert wait_for("Contacts — default", 0, page), screen_text(frames)[-2000:]
            assert wait_for("200 contacts", 0, page), screen_text(frames)[-2000:]
            page.screenshot(path=str(tmp_path / "contacts.png"))
            seen = len(frames)
            page.locator("body").click()
            page.keyboard.press("4")
            assert wait_for("Board — default", seen, page), screen_text(frames[seen:])[-2000:]
            assert wait_for("Move card", seen, page), screen_text(frames[seen:])[-2000:]
        finally:
            browser.close()
