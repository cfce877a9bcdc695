"""A clamd client: INSTREAM over a unix socket or TCP, chunked, with timeouts (R-VIRUS).

``[scanner] clamd`` names the daemon: ``/run/clamav/clamd.ctl`` or ``unix:/path`` for a
unix socket, ``tcp://host:port`` or ``host:port`` for TCP. Socket errors, timeouts and
answers we cannot read are translated here, at the boundary, into
:class:`ScannerUnavailableError` (transient: the spool item waits; it is never passed
unscanned). An answer naming a signature is a value (:class:`ScanVerdict`), not an error.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from gateway.errors import ScannerUnavailableError

CHUNK_BYTES = 64 * 1024
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class ScanVerdict:
    """What clamd said about one stream; ``signature`` is set when it found something."""

    signature: str | None = None

    @property
    def infected(self) -> bool:
        return self.signature is not None


@dataclass(frozen=True)
class ClamdAddress:
    """Where clamd listens: a unix socket path, or a TCP host and port."""

    path: str | None = None
    host: str | None = None
    port: int = 3310

    @classmethod
    def parse(cls, text: str) -> ClamdAddress:
        """``/path``, ``unix:/path``, ``tcp://host:port`` or ``host:port``; ValueError else."""
        value = text.strip()
        if value.startswith("unix:"):
            value = value[len("unix:") :].removeprefix("//")
            if not value.startswith("/"):
                raise ValueError(f"expected an absolute socket path, got {text!r}")
            return cls(path=value)
        if value.startswith("/"):
            return cls(path=value)
        host, sep, port = value.removeprefix("tcp://").rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected a socket path or HOST:PORT, got {text!r}")
        return cls(host=host.strip("[]"), port=int(port))

    def __str__(self) -> str:
        return f"unix:{self.path}" if self.path else f"tcp://{self.host}:{self.port}"


class ClamdScanner:
    """Scans byte strings with clamd; one connection per stream (clamd's simplest mode)."""

    def __init__(self, address: ClamdAddress, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout

    @property
    def name(self) -> str:
        return f"clamd {self.address}"

    def ping(self) -> None:
        """Raise :class:`ScannerUnavailableError` unless clamd answers PONG."""
        reply = self._exchange(b"zPING\0", None)
        if reply != "PONG":
            raise ScannerUnavailableError(f"{self.name}: unexpected PING answer {reply!r}")

    def scan(self, data: bytes) -> ScanVerdict:
        """INSTREAM ``data``; the verdict, or ScannerUnavailableError when clamd cannot say."""
        chunks = (data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES))
        reply = self._exchange(b"zINSTREAM\0", chunks)
        # "stream: OK", "stream: Eicar-Test FOUND", "INSTREAM size limit exceeded. ERROR"
        body = reply.removeprefix("stream:").strip()
        if body == "OK":
            return ScanVerdict()
        if body.endswith(" FOUND"):
            return ScanVerdict(signature=body.removesuffix(" FOUND").strip() or "unknown")
        raise ScannerUnavailableError(f"{self.name}: cannot scan: {body[:200]}")

    def _exchange(self, command: bytes, chunks: Iterable[bytes] | None) -> str:
        try:
            with self._connect() as sock:
                sock.sendall(command)
                if chunks is not None:
                    for chunk in chunks:
                        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                    sock.sendall(struct.pack("!L", 0))
                return _read_reply(sock)
        except TimeoutError as exc:
            raise ScannerUnavailableError(f"{self.name}: timed out") from exc
        except OSError as exc:
            raise ScannerUnavailableError(f"{self.name}: {exc.strerror or exc}") from exc

    def _connect(self) -> socket.socket:
        if self.address.path is not None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.address.path)
            except OSError:
                sock.close()
                raise
            return sock
        assert self.address.host is not None
        return socket.create_connection((self.address.host, self.address.port), self.timeout)


def _read_reply(sock: socket.socket) -> str:
    """Read up to the NUL that ends a z-command's answer (or until clamd closes)."""
    data = bytearray()
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > 65536:
            raise ScannerUnavailableError("clamd: answer too long")
    if not data:
        raise ScannerUnavailableError("clamd closed the connection without an answer")
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()
