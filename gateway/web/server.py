"""Run the console inside the service's event loop (``[web] listen``).

uvicorn normally installs its own SIGINT/SIGTERM handlers; here the service owns the
signals, so the server is told to stop by :meth:`ConsoleServer.stop` instead.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from sqlalchemy.engine import Engine

from gateway.config.settings import Deployment
from gateway.web.app import create_app
from gateway.wiring import Components

log = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the service handles SIGTERM/SIGINT and calls stop()


class ConsoleServer:
    def __init__(
        self, deployment: Deployment, engine: Engine, components: Components | None = None
    ) -> None:
        host, _, port = deployment.settings.web.listen.rpartition(":")
        config = uvicorn.Config(
            create_app(deployment, engine, components=components),
            host=host.strip("[]"),
            port=int(port),
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
            # X-Forwarded-For/-Proto only from the configured proxies ([web] trusted_proxies)
            proxy_headers=bool(deployment.settings.web.trusted_proxies),
            forwarded_allow_ips=list(deployment.settings.web.trusted_proxies) or None,
        )
        self._server = _QuietServer(config)
        self.listen = deployment.settings.web.listen

    async def serve(self) -> None:
        log.info("console listening on http://%s/", self.listen)
        try:
            await self._server.serve()
        except SystemExit:  # uvicorn exits when it cannot bind; mail must keep flowing
            log.error(  # noqa: TRY400 - uvicorn already logged why
                "the web console could not listen on %s; running without it", self.listen
            )

    def stop(self) -> None:
        self._server.should_exit = True
