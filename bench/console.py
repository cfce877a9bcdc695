"""Console benchmark: server time of the register page and the monthly report, 100 000 entries.

``python bench/console.py [--size 100000] [--databases sqlite,postgresql] [--repeat 15]
[--keep DIR] [--smoke] [--figures FILE]``

For each database a fresh register is bulk-loaded (bench/search_corpus.py: realistic
Vietnamese entries over three years), then completed with SQL ``INSERT … SELECT``: one
inbound message, one receipt in the outbox, one valid signature and one
``entry.registered`` audit event per entry, one entry in 12 urgent (its in-time figures
judged by the working-hours calendar, not in SQL), a lead assignment for 98 % of the
entries (done four days after arrival for all but the last weeks and one in 100, which
stays overdue) and a cooperating unit for one in three; the report's facts
(``report_fact``) are then rebuilt from them, as the migration that made the table does.
Then, signed in as a clerk through Starlette's TestClient (the ASGI app in process, no
network):

- ``GET /register``, ``GET /register?q=chan+chinh``, ``GET /dashboard``,
  ``GET /reports/monthly?month=2026-10``;
- ``GET /dashboard`` signed in as an officer of unit ``DV1`` (the report scoped to it);
- ``registry.reports.reporting.monthly_report`` for October 2026 on its own;
- **baseline**: ``SELECT count(*) FROM register_entry``, measured in the same run.

Each runs once to warm up, then ``--repeat`` times; median and p95 in ms and the ratio of
the median to the baseline's are printed. Target: under 300 ms. A benchmark, not a test.
PostgreSQL: ``GATEWAY_TEST_POSTGRES_URL`` names a server (a database is made for the
run), else a throwaway server is started with scripts/postgres.sh and stopped at the end.
``--keep DIR``: keep the registers and reuse them in the next run (SQLite: a file in DIR;
PostgreSQL: the database ``gw_console_<size>`` of the server that
``GATEWAY_TEST_POSTGRES_URL`` names, required then): loading takes minutes, a query being
tuned milliseconds.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import col

from bench.search import ROOT, database, ms, postgres_server
from bench.support import figures
from bench.support.figures import Figures
from bench.support.search_corpus import load
from gateway.clerk.accounts import Accounts
from gateway.config.deploy import init_deployment
from gateway.config.settings import load as load_settings
from gateway.web.app import create_app
from registry.console.accounts import DuplicateUserError, Role
from registry.database import make_engine, read_session, upgrade
from registry.models import RegisterEntry
from registry.reports.facts import rewrite_all
from registry.reports.reporting import month_bounds, monthly_report

PASSWORD = "mat-khau-do-hieu-nang-1"
TARGET_MS = 300.0


def _plus(engine: Engine, column: str, hours: int) -> str:
    """``column`` + ``hours`` in the dialect's SQL (SQLite keeps naive UTC text)."""
    if engine.dialect.name == "sqlite":
        return f"datetime({column}, '{hours:+d} hours')"
    return f"({column} + interval '{hours} hours')"


def complete(engine: Engine) -> None:
    """Inbound messages, answers, signatures, audit events and assignments, set-wise."""

    def p(column: str, hours: int) -> str:
        return _plus(engine, column, hours)

    empty = "X''" if engine.dialect.name == "sqlite" else "''::bytea"
    done = "(e.id % 100 <> 0 AND e.received_at < '2026-12-10')"
    statements = (
        "INSERT INTO inbound_message (spool_id, sha256, fingerprint, received_at, protocol,"
        " envelope_from, sender_agency_code, subject, outcome, reasons, trace, answered, note)"
        " SELECT 'b' || e.id, 'a', 'f' || e.id, e.received_at, 'smtp', 'vt@cq.gov.vn',"
        " 'CQ' || (e.id % 12), 's', 'accepted', '[]', '[]', true, '' FROM register_entry e",
        "INSERT INTO inbound_message (spool_id, sha256, fingerprint, received_at, protocol,"
        " envelope_from, subject, outcome, reasons, trace, answered, note)"
        " SELECT 'r' || e.id, 'a', 'g' || e.id, e.received_at, 'smtp', 'x@y.vn', 's',"
        " 'rejected', '[\"unsigned\"]', '[]', true, '' FROM register_entry e WHERE e.id % 40 = 0",
        "UPDATE register_entry SET inbound_id = (SELECT i.id FROM inbound_message i"
        " WHERE i.spool_id = 'b' || register_entry.id), sender_agency_code = 'CQ' || (id % 12),"
        f" process_by = {p('received_at', 2)}, assign_by = {p('received_at', 20)}",
        # One in 12 urgent, with the routing's "at once" deadlines: judged by the calendar.
        "UPDATE register_entry SET urgency = 'khan', process_by = received_at,"
        " assign_by = received_at WHERE id % 12 = 5",
        "INSERT INTO outbox_message (inbound_id, kind, message_id, sender, recipient, raw,"
        " status, attempts, created_at, next_attempt_at, last_error)"
        f" SELECT e.inbound_id, 'receipt', '<r' || e.id || '@bench>', 'gw@x', 'a@x', {empty},"
        f" 'sent', 1, {p('e.received_at', 1)}, e.received_at, '' FROM register_entry e",
        "INSERT INTO signature_result (inbound_id, entry_id, document_sha256, position,"
        " field_name, verdict, reasons) SELECT e.inbound_id, e.id, 'b', 1, 'Signature1',"
        " CASE WHEN e.id % 30 = 0 THEN 'invalid' ELSE 'valid' END, '[]' FROM register_entry e",
        "INSERT INTO audit_event (at, actor, action, inbound_id, entry_id, details)"
        " SELECT e.received_at, 'system', 'entry.registered', e.inbound_id, e.id, '{}'"
        " FROM register_entry e",
        "INSERT INTO assignment (entry_id, unit_code, unit_name, role, mailbox, status, token,"
        " created_at, updated_at, due_at, done_at)"
        " SELECT e.id, 'DV' || (e.id % 9), 'Phòng số ' || (e.id % 9), 'lead', 'dv@x',"
        f" CASE WHEN {done} THEN 'done' ELSE 'in_progress' END, 'l' || e.id,"
        f" {p('e.received_at', 3)}, {p('e.received_at', 3)}, {p('e.received_at', 240)},"
        f" CASE WHEN {done} THEN {p('e.received_at', 96)} END"
        " FROM register_entry e WHERE e.id % 50 <> 0",
        "INSERT INTO assignment (entry_id, unit_code, unit_name, role, mailbox, status, token,"
        " created_at, updated_at, due_at) SELECT e.id, 'DV' || ((e.id + 1) % 9), 'Phòng',"
        f" 'cooperate', 'dv@x', 'assigned', 'c' || e.id, {p('e.received_at', 3)},"
        f" {p('e.received_at', 3)}, {p('e.received_at', 240)}"
        " FROM register_entry e WHERE e.id % 3 = 0",
    )
    percent = "%" if engine.dialect.name == "sqlite" else "%%"  # psycopg's placeholders
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement.replace("%", percent))
        rewrite_all(connection)  # written with SQL, not through a session
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    run()
    values = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        values.append(time.perf_counter() - start)
    return values


@contextmanager
def signed_in_client(
    engine: Engine, workdir: Path, username: str, role: Role, unit: str | None = None
) -> Iterator[Any]:
    with warnings.catch_warnings():  # starlette would rather have httpx2; httpx works
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    if not (workdir / "deploy").exists():
        init_deployment(workdir / "deploy")
    deployment = load_settings(workdir / "deploy" / "gateway.toml", environ={})
    accounts = Accounts(engine)
    with suppress(DuplicateUserError):  # a kept register (--keep)
        accounts.add(username, role, PASSWORD, unit_code=unit, actor="bench")
    with TestClient(create_app(deployment, engine, accounts)) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        answer = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        yield client


def page(client: Any, path: str) -> Callable[[], object]:
    def get() -> object:
        response = client.get(path)
        assert response.status_code == 200, response.text[:300]
        return response

    return get


def report(engine: Engine) -> object:
    with read_session(engine) as session:
        return monthly_report(session, 2026, 10, ZoneInfo("Asia/Ho_Chi_Minh"))


def check_report(engine: Engine, total: Any) -> None:
    """Exit 1 unless October's report counts the register's October entries, with their
    answers and signatures (its facts were built from the completed register)."""
    start, end = month_bounds(2026, 10, ZoneInfo("Asia/Ho_Chi_Minh"))
    received_at = col(RegisterEntry.received_at)
    with read_session(engine) as session:
        received = session.scalar(
            select(func.count()).where(received_at >= start, received_at < end)
        )
    if (
        not received
        or total.received != received
        or not (total.answered_same_day and total.signed_valid)
    ):
        sys.exit(f"the report is wrong: {received} entries received in October, {total}")


def count(engine: Engine) -> object:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM register_entry")).scalar()


def build(engine: Engine, size: int) -> None:
    """A register of ``size`` entries, unless a kept one (--keep) is there already."""
    with engine.connect() as connection:
        if inspect(connection).has_table("assignment"):
            found = connection.execute(text("SELECT count(*) FROM assignment")).scalar()
            if found:
                print(f"\n{engine.dialect.name} {size:,} entries: kept register reused")
                start = time.perf_counter()
                upgrade(engine)  # a register kept by an older tree: its new migrations
                print(f"  migrated in {time.perf_counter() - start:.1f} s")
                return
    upgrade(engine, "0004")
    start = time.perf_counter()
    load(engine, size)
    upgrade(engine)
    complete(engine)
    built = time.perf_counter() - start
    print(f"\n{engine.dialect.name} {size:,} entries: built in {built:.1f} s")


def bench_one(url: str, size: int, repeat: int, workdir: Path, found: Figures) -> None:
    engine = make_engine(url)
    try:
        build(engine, size)
        with (
            signed_in_client(engine, workdir, "vanthu", Role.CLERK) as client,
            signed_in_client(engine, workdir, "cv-dv1", Role.OFFICER, "DV1") as officer,
        ):
            cases: list[tuple[str, Callable[[], object]]] = [
                ("baseline SELECT count(*)", lambda: count(engine)),
                ("GET /register", page(client, "/register")),
                ("GET /register?q=chan+chinh", page(client, "/register?q=chan+chinh")),
                ("GET /dashboard", page(client, "/dashboard")),
                ("GET /dashboard (officer DV1)", page(officer, "/dashboard")),
                ("GET /reports/monthly 2026-10", page(client, "/reports/monthly?month=2026-10")),
                ("monthly_report() 2026-10", lambda: report(engine)),
            ]
            results = [(label, ms(timed(run, repeat))) for label, run in cases]
        base = results[0][1][0] or 1e-9
        print(f"  {'measure':<32}{'median ms':>10}{'p95 ms':>9}{'× baseline':>12}  < 300 ms")
        for label, (median, p95) in results:
            verdict = "yes" if p95 < TARGET_MS else "NO"
            print(f"  {label:<32}{median:>10.1f}{p95:>9.1f}{median / base:>12.1f}  {verdict}")
            found[f"{engine.dialect.name} {size:,}: {label} p95"] = (round(p95, 1), "ms")
        figures = report(engine)
        print(f"  October 2026: {figures.total}")  # type: ignore[attr-defined]
        check_report(engine, figures.total)  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="keep the registers here and reuse them")
    figures.add_arguments(parser)
    args = parser.parse_args()
    if args.smoke:  # CI: 500 entries, both databases
        args.size, args.repeat = 500, 2
    server = os.environ.get("GATEWAY_TEST_POSTGRES_URL", "").strip() or None
    if args.keep is not None and server is None and "postgresql" in args.databases:
        parser.error("--keep needs GATEWAY_TEST_POSTGRES_URL for PostgreSQL")
    found: Figures = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        for kind in args.databases.split(","):
            if kind == "postgresql" and server is None:
                server = stack.enter_context(postgres_server())
            with ExitStack() as made:  # a register made for the run is dropped after it
                if args.keep is not None:
                    url = kept(kind, server, args.keep, args.size)
                else:
                    url = made.enter_context(database(kind, server, workdir, args.size))
                bench_one(url, args.size, args.repeat, workdir / kind, found)
    figures.write(args.figures, found)


def kept(kind: str, server: str | None, directory: Path, size: int) -> str:
    """The URL of a register kept between runs (made empty on first use)."""
    if kind == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{directory.resolve() / f'console-{size}.db'}"
    assert server is not None
    name = f"gw_console_{size}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    assert ROOT.is_dir()
    main()
