"""``tagtui completion bash|zsh|fish``: scripts generated from the parser; bash's run in bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tagtui.cli.registry import COMMANDS
from tests.cli.conftest import Cli, assert_one_error_line

BASH = shutil.which("bash")


@pytest.fixture
def bash_script(run: Cli, tmp_path) -> str:
    result = run("completion", "bash")
    assert (result.code, result.err) == (0, "")
    path = tmp_path / "tagtui.bash"
    path.write_text(result.out)
    return str(path)


def _complete(script: str, *words: str, db: str | None = None) -> list[str]:
    """What bash offers for ``words`` (the last one being completed), with the generated function."""
    assert BASH, "bash is needed to test bash completion"
    line = " ".join(f"'{w}'" for w in words)
    program = (
        f"source {script}\n"
        f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}\n"
        '_shtab_tagtui; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTUI_")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # this tagtui
    if db:
        env["TAGTUI_DB"] = db
    done = subprocess.run(
        [BASH, "--norc", "-c", program], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_commands_and_options(bash_script: str) -> None:
    assert _complete(bash_script, "tagtui", "con") == ["contacts", "config"]
    assert "completion" in _complete(bash_script, "tagtui", "")
    assert set(_complete(bash_script, "tagtui", "tags", "")) >= {"list", "create", "assign", "merge"}
    assert _complete(bash_script, "tagtui", "export", "--fo") == ["--format", "--for"]
    assert _complete(bash_script, "tagtui", "export", "--for", "") == ["spreadsheet", "google", "outlook"]
    here = os.path.dirname(bash_script)
    os.mkdir(os.path.join(here, "exports"))
    assert _complete(bash_script, "tagtui", "export", "--output", os.path.join(here, "exp")) == [
        os.path.join(here, "exports")
    ]
    assert _complete(bash_script, "tagtui", "import", os.path.join(here, "tagtui.b")) == [bash_script]


def test_bash_completes_tag_status_and_view_names_from_the_database(
    ok: Cli, db_url: str, bash_script: str
) -> None:
    ok("tags", "create", "Hot Lead")
    ok("tags", "create", "VIP")
    ok("statuses", "setup")
    ok("views", "save", "warm", "-tag:vip")
    assert _complete(bash_script, "tagtui", "tags", "show", "", db=db_url) == ["hot-lead", "vip"]
    assert _complete(bash_script, "tagtui", "tags", "assign", "h", db=db_url) == ["hot-lead"]
    statuses = _complete(bash_script, "tagtui", "contacts", "status", "jane@example.com", "", db=db_url)
    assert statuses[:2] == ["new", "contacted"] and "won" in statuses
    assert _complete(bash_script, "tagtui", "views", "delete", "", db=db_url) == ["warm"]


def test_the_hidden_names_helper(ok: Cli, run: Cli, tmp_path) -> None:
    ok("tags", "create", "Café Crème")
    assert ok("completion", "--names", "tags").out.split() == ["café-crème"]  # slugs: no spaces
    missing = tmp_path / "none.db"
    result = run("completion", "--names", "tags", "--db", str(missing))
    assert (result.code, result.out, result.err) == (0, "", "")
    assert not missing.exists()  # pressing tab makes no database


def test_fish_completes_commands_and_names(ok: Cli, run: Cli, db_url: str, tmp_path) -> None:
    fish = shutil.which("fish")
    if not fish:
        pytest.skip("fish is not installed (.ci/run installs it)")
    ok("tags", "create", "Hot Lead")
    script = tmp_path / "tagtui.fish"
    script.write_text(run("completion", "fish").out)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAGTUI_")}
    env.update(PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""), TAGTUI_DB=db_url)

    def complete(line: str) -> list[str]:
        program = f"source {script}; complete -C '{line}'"
        done = subprocess.run([fish, "-c", program], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("tagtui con") == ["config", "contacts"]
    assert complete("tagtui tags show h") == ["hot-lead"]
    assert complete("tagtui export --for ") == ["spreadsheet", "google", "outlook"]


def test_zsh_script_parses(run: Cli, tmp_path) -> None:
    zsh = shutil.which("zsh")
    if not zsh:
        pytest.skip("zsh is not installed (.ci/run installs it)")
    script = tmp_path / "_tagtui"
    script.write_text(run("completion", "zsh").out)
    done = subprocess.run([zsh, "-n", str(script)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_command(run: Cli, shell: str) -> None:
    result = run("completion", shell)
    assert (result.code, result.err) == (0, "")
    for name in COMMANDS:
        assert name in result.out
    assert "--for" in result.out and "google" in result.out
    assert "tagtui completion --names tags" in result.out
    first = result.out.splitlines()[0]
    assert first == "#compdef tagtui" if shell == "zsh" else "complete -c tagtui" in result.out


def test_usage_errors_are_one_line(run: Cli) -> None:
    assert_one_error_line(run("completion"), 2, "bash|zsh|fish")
    assert_one_error_line(run("completion", "powershell"), 2, "invalid choice")


def test_only_the_completion_command_imports_shtab_and_it_needs_no_textual(tmp_path) -> None:
    probe = (
        "import sys\nfrom tagtui.cli.main import main\n"
        "code = main(sys.argv[1:])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'shtab', 'textual'}), file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    db = str(tmp_path / "t.db")

    def loaded(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stderr.splitlines()[-1]

    assert loaded("--db", db, "tags", "list") == "[]"
    assert loaded("completion", "bash") == "['shtab']"
