"""``tagtui serve``: the same terminal UI in a web browser, served by textual-serve.

Each browser tab that connects gets its own tagtui process on the same database and
workspace (textual-serve starts the command per connection and relays the screen over a
websocket). The database target travels in the environment, never on the command line
(a URL with a password would show in ``ps``) and never in what is printed.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import sys

from tagtui.cli.common import UsageError, command
from tagtui.cli.context import Context
from tagtui.cli.registry import help_for

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    p = command(
        sub,
        "serve",
        help=help_for("serve"),
        handler=serve,
        parents=parents,
        description="Serve the terminal UI to web browsers (one tagtui per browser tab), on the"
        " database and workspace this command is given. Only this machine can connect"
        " unless --host says otherwise.",
        epilog="examples:\n  tagtui serve                       # http://127.0.0.1:8000\n"
        "  tagtui serve --port 9000 --demo\n"
        "  tagtui --db postgresql+psycopg://me@db/crm serve --host 0.0.0.0   # a team's server",
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})"
    )
    # SUPPRESS: ``tagtui --demo serve`` keeps the top-level flag's value.
    p.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="fill an empty workspace with demo data when the first browser connects",
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_command(demo: bool) -> str:
    """The shell command textual-serve runs for each browser connection."""
    words = [sys.executable, "-m", "tagtui"]
    if demo:
        words.append("--demo")
    return shlex.join(words)


def _check_port(host: str, port: int) -> None:
    """Fail with one line now, not with a traceback from inside the web server."""
    from tagtui.store.errors import TagtuiError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(
            f"--host {host}: not an address this machine can listen on ({exc.strerror})"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            raise TagtuiError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
                + (" (another program uses it; try --port)" if exc.errno == errno.EADDRINUSE else "")
            ) from None


def serve(ctx: Context) -> int:
    host: str = ctx.args.host
    port: int = ctx.args.port
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: a port is 1–65535")
    ctx.store.settings()  # a refused or unreachable database fails here, with one line
    ctx.close()
    _check_port(host, port)
    try:
        from textual_serve.server import Server
    except ImportError:
        ctx.out.error("tagtui serve needs textual-serve: pip install textual-serve")
        return 1
    # Every tagtui the server starts reads its database and workspace from here.
    os.environ["TAGTUI_DB"] = ctx.target
    os.environ["TAGTUI_WORKSPACE"] = ctx.workspace
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    if is_loopback(host):
        ctx.out.note(f"Serving tagtui on {url} — only this machine can connect (--host to share).")
    else:
        ctx.out.note(
            f"warning: listening on {host}: anyone who can reach port {port} gets tagtui"
            " and the whole workspace, with no password."
        )
    server = Server(
        app_command(bool(getattr(ctx.args, "demo", False))),
        host=host,
        port=port,
        title="tagtui",
        public_url=url,
    )
    server.serve()
    return 0
