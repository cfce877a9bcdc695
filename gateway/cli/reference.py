"""``docs/cli.md``, generated from the command line's argparse tree (DESIGN §4.1).

Each command and sub-command with its help text and every argument. A test regenerates the
page and fails when the committed page differs, so a new command cannot go undocumented.
"""

from __future__ import annotations

import argparse


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    found = []
    for action in parser._actions:  # argparse exposes no public walk of its tree
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            found += [(name, sub, helps.get(name, "")) for name, sub in action.choices.items()]
    return found


def _argument_rows(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            name = ", ".join(action.option_strings)
            if action.nargs != 0:
                name += f" {action.metavar or action.dest.upper()}"
        else:
            name = str(action.metavar or action.dest)
        text = (action.help or "").replace("|", "\\|")
        if action.choices and not isinstance(action.choices, dict):
            text += f" (one of: {', '.join(map(str, action.choices))})"
        rows.append(f"| `{name}` | {text} |")
    return rows


def _walk(path: str, parser: argparse.ArgumentParser, help_text: str, out: list[str]) -> None:
    children = _subcommands(parser)
    rows = _argument_rows(parser)
    if path != "gateway" and (rows or not children):
        out += [f"### `{path}`", "", help_text, ""]
        if rows:
            out += ["| argument | meaning |", "|---|---|", *rows, ""]
    for name, child, child_help in children:
        _walk(f"{path} {name}", child, child_help, out)


def render(parser: argparse.ArgumentParser) -> str:
    """The whole page, as committed in ``docs/cli.md``."""
    out = [
        "# Command line reference (`gateway`)",
        "",
        "Generated from the argparse tree by `python scripts/make_docs.py`; a test fails when",
        "this page and the code differ. Every command takes `-c/--config FILE` after its own",
        "name (default `./gateway.toml`, else the embedded defaults). Exit codes: 0 success,",
        "1 operational failure, 2 usage or configuration error. `--json` output is the",
        "contract for scripts (DESIGN §4.1, §4.3); the human output is in Vietnamese.",
        "",
    ]
    _walk("gateway", parser, parser.description or "", out)
    return "\n".join(out).rstrip() + "\n"
