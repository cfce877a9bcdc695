"""``gateway users add|disable|list``: console accounts (R-ACCOUNT, DESIGN §4.6).

The audit trail names the operator as ``cli:<system user>``.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from gateway.clerk.accounts import Accounts
from gateway.config.settings import Deployment, load
from gateway.errors import ConfigError
from gateway.routing.in_force import Router
from gateway.wiring import load_directory, open_database
from registry.console.accounts import Role
from templates.labels import account_role

ROLE_LABELS = {role: account_role(role).lower() for role in Role}


def operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def read_password(path: Path | None) -> str:
    """The first line of ``path``, or typed twice at a prompt."""
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"{path}: không đọc được tệp mật khẩu: {exc.strerror}") from exc
        return lines[0] if lines else ""
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ConfigError("hai lần nhập mật khẩu không khớp")
    return first


def unknown_unit(deployment: Deployment, engine: Engine, code: str | None) -> str:
    """Why ``code`` is not a unit of this deployment (Vietnamese); "" when it is one.

    Units are the routing rules' units in force (what assignments name) and the
    directory's codes.
    """
    if not code:
        return ""
    known = set(Router(deployment, engine).units)
    known |= {agency.code for agency in load_directory(deployment).agencies}
    if code in known:
        return ""
    return (
        f"không có đơn vị mã {code!r} trong quy tắc chuyển xử lý hay danh bạ cơ quan"
        f" (các mã có: {', '.join(sorted(known)[:40])})"
    )


def cmd_users(args: argparse.Namespace) -> int:
    deployment = load(args.config)
    engine = open_database(deployment)
    accounts = Accounts(engine)
    action = args.users_command
    if action == "add":
        unknown = unknown_unit(deployment, engine, args.unit)
        if unknown:
            print(f"Lỗi: {unknown}", file=sys.stderr)
            return 2
        try:
            accounts.add(
                args.name,
                Role(args.role),
                read_password(args.password_file),
                unit_code=args.unit,
                display_name=args.display_name,
                actor=operator(),
            )
        except ValueError as exc:
            print(f"Lỗi: {exc}", file=sys.stderr)
            return 2
        print(f"đã tạo tài khoản {args.name} ({ROLE_LABELS[Role(args.role)]})")
    elif action == "disable":
        accounts.disable(args.name, actor=operator())
        print(f"đã khóa tài khoản {args.name}; mọi phiên đăng nhập của tài khoản đã kết thúc")
    else:
        rows = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "unit": u.unit_code,
                "disabled": u.disabled,
            }
            for u in accounts.list()
        ]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            print(users_table(rows))
    return 0


def users_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "Chưa có tài khoản nào. Tạo bằng: gateway users add TÊN --role admin"
    lines = []
    for row in rows:
        state = "đã khóa" if row["disabled"] else "đang dùng"
        unit = f", đơn vị {row['unit']}" if row["unit"] else ""
        lines.append(f"{row['username']}: {ROLE_LABELS[Role(row['role'])]}{unit} ({state})")
    return "\n".join(lines)


def add_parser(commands: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    """``gateway users …`` wired into the main parser."""
    users = commands.add_parser("users", help="console accounts").add_subparsers(
        dest="users_command", required=True, metavar="ACTION"
    )
    add = command(users, "add", cmd_users, "create a console account")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--unit", help="unit code (required for officers)")
    add.add_argument("--display-name", default="", help="full name shown in the console")
    add.add_argument("--password-file", type=Path, help="first line is the password")
    disable = command(users, "disable", cmd_users, "disable an account and end its sessions")
    disable.add_argument("name", metavar="NAME")
    command(users, "list", cmd_users, "list accounts", json_flag=True)
