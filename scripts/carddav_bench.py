"""Time tagtui's CardDAV client against bare scripts making the same requests (issue 13's "first
pull within 2x of a bare client"): a sync-collection REPORT without a token, then
addressbook-multiget REPORTs of 500, on a local server filled with N cards.

    PYTHONPATH=$PWD python scripts/carddav_bench.py [--cards 5000] [--rounds 3] [--server radicale]

The bare requests are ``tagtui.bench.sync.bare_pull`` (http.client), as in ``tagtui bench``'s
sync rows; with httpx importable (it is no dependency of tagtui) the same requests made with
httpx are timed too. One loop times them all, wall-clock and this process's CPU.

Run from the repository root (it starts the servers of tests/sync/servers.py in a temp folder).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tagtui.bench.sync import MULTIGET, bare_pull, phone_card
from tagtui.sync import open_remote
from tests.sync.servers import DavServer

Pull = Callable[[str, str | None, str | None], int]


def httpx_pull(url: str, user: str | None, password: str | None) -> int:
    """``bare_pull``'s requests made with httpx."""
    import xml.etree.ElementTree as ET

    import httpx

    from tagtui.bench.sync import CARD_DATA, DAV, _sync_collection

    auth = (user, password or "") if user else None
    with httpx.Client(auth=auth, timeout=900) as client:

        def report(body: bytes, depth: str) -> ET.Element:
            headers = {"Content-Type": "application/xml", "Depth": depth}
            return ET.fromstring(client.request("REPORT", url, content=body, headers=headers).content)

        root = report(_sync_collection(""), "0")
        hrefs = [
            r.findtext(DAV + "href")
            for r in root.iter(DAV + "response")
            if r.find(f"{DAV}propstat/{DAV}prop/{DAV}getetag") is not None
        ]
        got = 0
        for i in range(0, len(hrefs), MULTIGET):
            body = (
                '<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
                "<D:prop><D:getetag/><C:address-data/></D:prop>"
                + "".join(f"<D:href>{h}</D:href>" for h in hrefs[i : i + MULTIGET])
                + "</C:addressbook-multiget>"
            ).encode()
            got += sum(1 for _ in report(body, "1").iter(CARD_DATA))
    return got


def client_pull(url: str, user: str | None, password: str | None) -> int:
    """tagtui's client alone (no store): the changes without a token, then the cards."""
    remote = open_remote(url, user, password, timeout=900)
    changes = remote.changes(None)
    hrefs = list(changes.changed) if changes is not None else list(remote.listing())
    return len(remote.fetch(hrefs))


def timed(pulls: dict[str, Pull], rounds: int, url: str, user: str | None, password: str | None, cards: int):
    """The one timing loop: each pull ``rounds`` times, interleaved; wall and CPU seconds."""
    wall: dict[str, list[float]] = {name: [] for name in pulls}
    cpu: dict[str, list[float]] = {name: [] for name in pulls}
    for _ in range(rounds):
        for name, pull in pulls.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            got = pull(url, user, password)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            assert got == cards, (name, got)
    return {"wall-clock": wall, "client CPU": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", choices=["radicale", "xandikos"], action="append")
    args = parser.parse_args()
    pulls: dict[str, Pull] = {"bare": bare_pull, "tagtui": client_pull}
    if importlib.util.find_spec("httpx") is not None:
        pulls["bare httpx"] = httpx_pull
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.server or ["radicale", "xandikos"]:
            server = DavServer(kind, Path(tmp) / kind).start()
            try:
                book = server.new_book()
                started = time.perf_counter()
                book.fill({f"p{i}.vcf": phone_card(i) for i in range(args.cards)})
                bare_pull(book.url, book.user, book.password)  # the server's first, cold answer
                print(f"{kind}: {args.cards} cards stored in {time.perf_counter() - started:.1f} s")
                for what, times in timed(
                    pulls, args.rounds, book.url, book.user, book.password, args.cards
                ).items():
                    ours = statistics.median(times["tagtui"])
                    print(f"{kind}: {args.cards} cards, {what}, median of {args.rounds}")
                    for name, runs in times.items():
                        median = statistics.median(runs)
                        print(
                            f"  {name:<11} {median:6.2f} s (tagtui / this: {ours / median:.2f}x) "
                            f"runs {[round(t, 2) for t in runs]}"
                        )
            finally:
                server.stop()


if __name__ == "__main__":
    main()
