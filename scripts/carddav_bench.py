"""Time tagtui's CardDAV client against a bare script making the same requests (issue 13's "first
pull within 2x of a bare client"): one PROPFIND of depth 1 for the etags, then addressbook-multiget
REPORTs of 500 cards, on a local server filled with N cards.

    PYTHONPATH=$PWD python scripts/carddav_bench.py [--cards 5000] [--rounds 3] [--server radicale]

With httpx importable (it is no dependency of tagtui), the same requests made with httpx are timed too.

Run from the repository root (it starts the servers of tests/sync/servers.py in a temp folder).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib.util
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tagtui.sync import open_remote
from tests.sync.servers import DavServer, card

BATCH = 500


def bare_pull(url: str, user: str | None, password: str | None) -> int:
    """The same requests with nothing around them: returns the number of cards read."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    headers = {"Content-Type": "application/xml", "Depth": "1"}
    if user:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    conn.request(
        "PROPFIND", parts.path, b'<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>', headers
    )
    root = ET.fromstring(conn.getresponse().read())
    hrefs = [h.text for h in root.iter("{DAV:}href") if h.text and not h.text.endswith("/")]
    got = 0
    for i in range(0, len(hrefs), BATCH):
        body = (
            '<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
            "<D:prop><D:getetag/><C:address-data/></D:prop>"
            + "".join(f"<D:href>{h}</D:href>" for h in hrefs[i : i + BATCH])
            + "</C:addressbook-multiget>"
        ).encode()
        conn.request("REPORT", parts.path, body, headers)
        root = ET.fromstring(conn.getresponse().read())
        got += sum(1 for _ in root.iter("{urn:ietf:params:xml:ns:carddav}address-data"))
    conn.close()
    return got


def bare_httpx_pull(url: str, user: str | None, password: str | None) -> int:
    """The same requests made with httpx (the issue's "bare httpx script"), when httpx is installed."""
    import httpx

    auth = (user, password or "") if user else None
    with httpx.Client(auth=auth, timeout=600) as client:
        xml = {"Content-Type": "application/xml", "Depth": "1"}
        resp = client.request(
            "PROPFIND", url, content=b'<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>', headers=xml
        )
        root = ET.fromstring(resp.content)
        hrefs = [h.text for h in root.iter("{DAV:}href") if h.text and not h.text.endswith("/")]
        got = 0
        for i in range(0, len(hrefs), BATCH):
            body = (
                '<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">'
                "<D:prop><D:getetag/><C:address-data/></D:prop>"
                + "".join(f"<D:href>{h}</D:href>" for h in hrefs[i : i + BATCH])
                + "</C:addressbook-multiget>"
            ).encode()
            root = ET.fromstring(client.request("REPORT", url, content=body, headers=xml).content)
            got += sum(1 for _ in root.iter("{urn:ietf:params:xml:ns:carddav}address-data"))
    return got


def client_pull(url: str, user: str | None, password: str | None) -> int:
    remote = open_remote(url, user, password, timeout=600)
    return len(remote.fetch(list(remote.listing())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", choices=["radicale", "xandikos"], action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.server or ["radicale", "xandikos"]:
            server = DavServer(kind, Path(tmp) / kind).start()
            try:
                book = server.new_book()
                started = time.perf_counter()
                book.fill(
                    {
                        f"p{i}.vcf": card(f"p{i}", f"Person {i}", extra=f"EMAIL:p{i}@example.com\r\n")
                        for i in range(args.cards)
                    }
                )
                print(f"{kind}: {args.cards} cards stored in {time.perf_counter() - started:.1f} s")
                pulls = {"bare": bare_pull, "tagtui": client_pull}
                if importlib.util.find_spec("httpx") is not None:
                    pulls["bare httpx"] = bare_httpx_pull
                wall: dict[str, list[float]] = {name: [] for name in pulls}
                cpu: dict[str, list[float]] = {name: [] for name in pulls}
                for _ in range(args.rounds):
                    for name, pull in pulls.items():
                        started, started_cpu = time.perf_counter(), time.process_time()
                        got = pull(book.url, book.user, book.password)
                        wall[name].append(time.perf_counter() - started)
                        cpu[name].append(time.process_time() - started_cpu)
                        assert got == args.cards, (name, got)
                for what, times in (("wall-clock", wall), ("client CPU", cpu)):
                    ours = statistics.median(times["tagtui"])
                    print(
                        f"{kind}: PROPFIND + multiget of {args.cards} cards, {what}, median of {args.rounds}"
                    )
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
