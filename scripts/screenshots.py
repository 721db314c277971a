"""Regenerate ``screenshots/*.svg``: every screen of the UI, from a fixed demo seed, headless.

    python scripts/screenshots.py [--out screenshots] [--contacts 400]

A temporary SQLite database is filled with ``tagtui.io.demo.generate(seed=1)`` so the
pictures are the same on every run; nothing outside the output folder is touched.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tagtui.app.app import TagtuiApp  # noqa: E402
from tagtui.app.screens.contacts import DEBOUNCE  # noqa: E402
from tagtui.config import Config  # noqa: E402
from tagtui.store import Store  # noqa: E402

SIZE = (140, 40)
FILTER = "tag:vip,hot-lead -tag:do-not-contact status:qualified,demo,proposal"

Step = Callable[[Pilot], Awaitable[None]]


async def settle(pilot: Pilot, *, typed: bool = False) -> None:
    """Let the debounce fire and every worker finish."""
    if typed:
        await pilot.pause(DEBOUNCE + 0.1)
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.2)


async def keys(pilot: Pilot, *pressed: str, typed: bool = False) -> None:
    await pilot.press(*pressed)
    await settle(pilot, typed=typed)


async def query(pilot: Pilot, text: str) -> None:
    await keys(pilot, "slash")
    await keys(pilot, *text, "enter", typed=True)


async def with_rules(pilot: Pilot) -> None:
    """Two automation rules (added once), then the Rules screen with the first one previewed."""
    store = pilot.app.store  # type: ignore[attr-defined]
    if not store.list_rules():
        store.add_rule("Rising stars", "followers>=20000 -tag:influencer", add=["Rising star"])
        store.add_rule(
            "Nurture cold leads", "tag:cold-lead -status:won", add=["Nurture"], remove=["Hot lead"]
        )
    await keys(pilot, "R")
    await keys(pilot, "p")


async def with_duplicates(pilot: Pilot) -> None:
    """Three contacts that are one person, written three ways (planted once), then the Duplicates
    screen with the company chosen from the second contact and the merge staged."""
    store = pilot.app.store  # type: ignore[attr-defined]
    if not store.find_duplicates(limit=1):
        store.update_settings(phone_region="US")
        store.add_contact(
            "Jonathan Smith",
            email="jonathan.smith@contoso.example",
            phone="(415) 555-0134",
            company="Contoso",
        )
        store.add_contact("Smith, Jon", phone="+1 415 555 0134", company="Contoso Ltd", assignee="Sam Chen")
        store.add_contact("J. Smith", company="CONTOSO", notes="Met at the expo.")
    await keys(pilot, "D")
    await keys(pilot, "down", "down", "right_square_bracket")
    await keys(pilot, "m")


async def with_sync(pilot: Pilot) -> None:
    """Two address books (a vdir folder of three cards and a CardDAV one), the folder synced once,
    then a phone number changed on both sides: the Sync screen syncs it and lists the conflict."""
    from tagtui.sync.engine import sync

    store = pilot.app.store  # type: ignore[attr-defined]
    if not store.sync_sources():
        folder = Path(tempfile.mkdtemp(prefix="tagtui-shot-")) / "contacts"
        folder.mkdir()
        for uid, name, extra in (
            ("ada", "Ada Lovelace", "TEL:+44 20 7946 0001\r\nCATEGORIES:VIP,Math\r\n"),
            ("alan", "Alan Turing", "ORG:Bletchley Park\r\n"),
            ("grace", "Grace Hopper", "X-TAGTUI-STATUS:Lead\r\n"),
        ):
            text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\nEMAIL:{uid}@example.com\r\n"
            (folder / f"{uid}.vcf").write_text(text + extra + "END:VCARD\r\n", newline="")
        store.add_sync_source("phone", str(folder))
        store.add_sync_source(
            "work",
            "https://dav.example.com/dav/addressbooks/sam/work/",
            username="sam",
            password_env="WORK_DAV",
        )
        sync(store, "phone")
        store.update_contact("ada@example.com", phone="+44 20 7946 0002")
        card = folder / "ada.vcf"
        card.write_text(card.read_text().replace("0001", "0003"), newline="")
    await keys(pilot, "S")
    await keys(pilot, "enter")


# Each shot: (file name, title, steps from a freshly opened app on the demo data).
SHOTS: list[tuple[str, str, list[Step]]] = [
    (
        "contacts",
        "Contacts: a filter from the panel and the query bar",
        [
            lambda p: query(p, FILTER),
            lambda p: keys(p, "down", "x", "x", "x"),
        ],
    ),
    (
        "contacts-panel",
        "Contacts: cycling tags in the side panel",
        [
            lambda p: keys(p, "f", "down", "down", "space", "down", "space", "space", "space"),
        ],
    ),
    (
        "tag-picker",
        "Add tags to marked contacts: type to search",
        [
            lambda p: keys(p, "x", "x", "x", "t"),
            lambda p: keys(p, *"lead"),
        ],
    ),
    (
        "triage",
        "Triage: one contact at a time, hint keys for tags and stages",
        [
            lambda p: query(p, "tag:hot-lead"),
            lambda p: keys(p, "g"),
        ],
    ),
    (
        "hints",
        "Hint keys over marked contacts (h)",
        [
            lambda p: keys(p, "x", "x", "h"),
        ],
    ),
    ("tags", "Tags", [lambda p: keys(p, "2")]),
    ("statuses", "Statuses: the pipeline", [lambda p: keys(p, "3")]),
    ("board", "Pipeline board", [lambda p: keys(p, "4")]),
    (
        "funnel",
        "Board: the funnel (f), contacts per stage and the conversion to the next",
        [lambda p: keys(p, "4", "f")],
    ),
    (
        "explain",
        "Query explain: each clause's running count; the one that empties the list stands out",
        [lambda p: query(p, "tag:vip -tag:do-not-contact status:proposal,won tag:cold-lead")],
    ),
    ("tag-insight", "Tag insight (i on Tags): which tags occur together", [lambda p: keys(p, "2", "i")]),
    (
        "trends",
        "Trends (T on the Board): entries per stage per week, median days in stage",
        [lambda p: keys(p, "4", "T")],
    ),
    ("rules", "Automation rules (R): a query and its actions, previewed before they apply", [with_rules]),
    ("sync", "Sync (S): address books, sync now, the conflicts of the last sync", [with_sync]),
    (
        "bulk-confirm",
        "A bulk change over marked contacts: its effect first, applied on confirmation",
        [lambda p: keys(p, "ctrl+a", "t"), lambda p: keys(p, *"vip", "enter", "enter")],
    ),
    ("detail", "Contact detail", [lambda p: keys(p, "down", "enter")]),
    ("history", "History (H): who changed what, undone and dropped steps marked", [lambda p: keys(p, "H")]),
    ("help", "Help: every key", [lambda p: keys(p, "question_mark")]),
    (
        "error",
        "An invalid query: the error points at the problem",
        [
            lambda p: keys(p, "slash"),
            lambda p: keys(p, *"tag:vip and (status:won or", typed=True),
        ],
    ),
    (
        "query-complete",
        "The query bar completes: tab takes the dimmed suggestion (here cold-lead)",
        [
            lambda p: keys(p, "slash"),
            lambda p: keys(p, *"tag:vip -tag:co", typed=True),
        ],
    ),
    (
        "contact-form-error",
        "New contact: the store's error under its field",
        [
            lambda p: keys(p, "n"),
            lambda p: keys(p, *"Ada Lovelace", "tab", *"ada at example", "ctrl+s"),
        ],
    ),
    (
        "import-mapping",
        "Import (I): another tool's columns mapped to fields, to confirm or change with f",
        [
            lambda p: keys(p, "I"),
            lambda p: keys(p, *str(ROOT / "tests" / "io" / "samples" / "google.csv"), "enter"),
            lambda p: keys(p, "down", "down", "down"),
        ],
    ),
    (
        "duplicates",
        "Duplicates (D): a group side by side, a value chosen with ], the merge staged (m, then y)",
        [with_duplicates],
    ),
]


#: The same app at 80×24 (issue 12.3): every screen usable on a small terminal.
SMALL = (80, 24)
SMALL_SHOTS: list[tuple[str, str, list[Step]]] = [
    ("small-contacts", "80×24: Contacts, the side panel hidden (ctrl+b shows it)", []),
    ("small-contacts-panel", "80×24: Contacts with the side panel (ctrl+b)", [lambda p: keys(p, "ctrl+b")]),
    ("small-triage", "80×24: Triage, every field and every stage", [lambda p: keys(p, "down", "g")]),
    ("small-contact-form", "80×24: New contact, the buttons in view", [lambda p: keys(p, "n")]),
    ("small-tags", "80×24: Tags, the count column kept", [lambda p: keys(p, "2")]),
    ("small-statuses", "80×24: Statuses", [lambda p: keys(p, "3")]),
    ("small-board", "80×24: the board", [lambda p: keys(p, "4")]),
    ("small-detail", "80×24: contact detail", [lambda p: keys(p, "down", "enter")]),
    ("small-history", "80×24: History, what and about on two lines", [lambda p: keys(p, "H")]),
    ("small-tag-picker", "80×24: the tag picker, its help line in view", [lambda p: keys(p, "t")]),
    ("small-help", "80×24: Help, the keys in force", [lambda p: keys(p, "question_mark")]),
    ("small-columns", "80×24: the column chooser (c)", [lambda p: keys(p, "c")]),
    ("small-tag-form", "80×24: the tag form, its colour hint whole", [lambda p: keys(p, "2", "n")]),
    ("small-funnel", "80×24: the board's funnel (i)", [lambda p: keys(p, "4", "i")]),
    ("small-trends", "80×24: Trends, the legend above the chart", [lambda p: keys(p, "4", "T")]),
]


async def shoot(
    store: Store, name: str, title: str, steps: list[Step], out: Path, size: tuple[int, int] = SIZE
) -> None:
    # The machine's own config file (theme, keys, columns) stays out of the pictures.
    app = TagtuiApp(store, config=Config(path=out / ".no-config.toml"))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for step in steps:
            await step(pilot)
        # Let the tables measure their new rows (widths are settled when the app is idle).
        await pilot.pause(0.3)
        await settle(pilot)
        (out / f"{name}.svg").write_text(app.export_screenshot(title=f"tagtui — {title}"), encoding="utf-8")
    print(f"  {name}.svg  {title}")


async def main(out: Path, contacts: int, only: list[str] | None = None) -> None:
    from tagtui.io.demo import generate

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        # The welcome screen: a database with nothing in it yet.
        empty = Store.open(str(Path(tmp) / "empty.db"))
        try:
            if not only or "welcome" in only:
                await shoot(empty, "welcome", "First run: demo data, standard tags, pipeline", [], out)
        finally:
            empty.close()
        store = Store.open(str(Path(tmp) / "demo.db"))
        try:
            generate(store, contacts=contacts, seed=1)
            # The sync shot last: its sync adds a tag, a status and contacts, and the header
            # then says when the workspace was synced (a time that changes every run).
            syncs = [shot for shot in SHOTS if with_sync in shot[2]]
            shots = [(shot, SIZE) for shot in SHOTS if shot not in syncs]
            shots += [(shot, SMALL) for shot in SMALL_SHOTS] + [(shot, SIZE) for shot in syncs]
            for (name, title, steps), size in shots:
                if only and name not in only:
                    continue
                await shoot(store, name, title, steps, out, size)
        finally:
            store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--contacts", type=int, default=400)
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="only these shots (file names without .svg)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.out, args.contacts, args.only))
