"""DATA written to the spool as it arrives (DESIGN §1.1: the 250 comes after the fsync).

aiosmtpd keeps a message as one ``bytearray`` per line, ~135 bytes for a 76-character
line, then joins them: at its peak the service held 4 × a 25 MiB message
(bench/ingest.py --large-mb). Here each line goes into the handler's *arrival* (for the
gateway, a new spool item in tmp/, :class:`gateway.spool.queue.Arrival`) as it comes, so
the listener holds no more than a line and the arrival's write buffer. The handler's
``handle_DATA`` receives the arrival as a fourth argument and commits it or not.
Everything else is aiosmtpd 1.4.6's ``SMTP.smtp_DATA`` (constraints.txt pins it): the same
replies, the same limits (a refused message is read to its end, then answered),
dot-unstuffing. ``envelope.content`` and ``original_content`` stay None.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from aiosmtpd.smtp import MISSING, SMTP, syntax

log = logging.getLogger(__name__)


TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
TOO_MUCH = "552 Error: Too much mail data"


class Sink(Protocol):
    """Where one message's bytes go while DATA lasts."""

    def write(self, data: bytes | memoryview) -> None: ...

    def discard(self) -> None: ...


class ArrivalHandler(Protocol):
    """The part of the aiosmtpd handler that opens arrivals."""

    def arrival(self) -> Sink: ...


class ArrivingData(SMTP):
    """aiosmtpd's SMTP with DATA written into the handler's arrival."""

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's command method
        if await self._not_ready(arg):
            return
        assert self.envelope is not None
        handler: ArrivalHandler = self.event_handler
        arrival = handler.arrival()
        try:
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            refusal = await self._receive(arrival)
        except BaseException:
            arrival.discard()
            raise
        if refusal is None:  # the connection went before the lone dot: nothing to answer
            arrival.discard()
            return
        if refusal:
            arrival.discard()
            await self.push(refusal)
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            return
        # A cancellation (the connection lost) is let through: a commit under way in its
        # thread goes on, and the sender, who got no 250, sends again; the pipeline settles
        # that re-delivery (Recorder.find_redelivery, DESIGN §4.4).
        try:
            status = await self._call_handler_hook("DATA", arrival)
        except Exception:  # before its commit; once committed, it has left tmp/ anyway
            arrival.discard()
            raise
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def _not_ready(self, arg: str) -> bool:
        """Answered already: no HELO, no AUTH when it is required, no RCPT, an argument."""
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return True
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return True
        if arg:
            await self.push("501 Syntax: DATA")
            return True
        return False

    async def _receive(self, arrival: Sink) -> str | None:
        """The message up to the lone dot, unstuffed, into ``arrival``: "" when it all came,
        else the refusal once it has all been read (a line too long, more than the size
        limit: RFC 5321 §4.2.5), the arrival then left for the caller to discard; None
        when the connection was lost before the dot."""
        size = 0
        limit = self.data_size_limit
        fragments: list[bytes] = []
        refusal = ""
        while self.transport is not None:
            try:
                line = await self._reader.readuntil(b"\r\n")
            except asyncio.CancelledError:
                log.info("Connection lost during DATA")
                self._writer.close()
                raise
            except asyncio.LimitOverrunError as exc:  # a line over the stream's limit
                refusal = refusal or TOO_LONG
                line = await self._reader.read(exc.consumed)
            if not fragments and line == b".\r\n":
                return refusal
            size += len(line)
            if not refusal and limit and size > limit:
                refusal = TOO_MUCH
            fragments.append(line)
            if not line.endswith(b"\r\n"):
                continue
            whole = b"".join(fragments)
            fragments.clear()
            if refusal:
                continue
            if len(whole) > self.line_length_limit:
                refusal = TOO_LONG
            else:  # RFC 5321 §4.5.2: a leading dot was doubled by the client
                arrival.write(memoryview(whole)[1:] if whole.startswith(b".") else whole)
        return None
