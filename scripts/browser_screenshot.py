"""Take ``screenshots/browser.png``: ``tagtui serve`` on demo data, seen in headless Chromium.

    python scripts/browser_screenshot.py [--out screenshots/browser.png] [--chromium /usr/bin/chromium]

Needs Debian's Chromium (``apt-get install -y chromium``) and Playwright from PyPI (the
``test`` extra); Playwright drives the system browser, it downloads none.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cli.test_serve import CHROMIUM_ARGS, chromium, free_port, screen_text  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default=str(ROOT / "screenshots" / "browser.png"))
    parser.add_argument("--chromium", default=chromium())
    args = parser.parse_args()
    if not args.chromium:
        print("no Chromium found: apt-get install -y chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TAGTUI_DB": str(Path(tmp) / "demo.db"), "XDG_CONFIG_HOME": tmp}
        env.pop("TAGTUI_WORKSPACE", None)
        subprocess.run([sys.executable, "-m", "tagtui", "demo", "--seed", "1"], env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "tagtui", "serve", "--port", str(port)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            frames: list[bytes] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.on(
                    "websocket",
                    lambda ws: ws.on(
                        "framereceived", lambda f: frames.append(f if isinstance(f, bytes) else f.encode())
                    ),
                )
                page.goto(f"http://127.0.0.1:{port}/")
                for _ in range(300):
                    if " contacts" in screen_text(frames) and "Contacts — default" in screen_text(frames):
                        break
                    page.wait_for_timeout(200)
                page.wait_for_timeout(1500)  # the side panel's counts and the table settle
                page.screenshot(path=args.out)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
