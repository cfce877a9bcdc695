"""DATA taken into one buffer (DESIGN §1.1: the 250 comes after the spool's fsync).

aiosmtpd keeps a message as one ``bytearray`` per line, ~135 bytes for a 76-character
line, then joins them: at its peak the service held 4 × a 25 MiB message
(bench/ingest.py --large-mb). Here each line goes into one buffer as it arrives, and the
message is handed on as one ``bytes``: 2 × at the peak. Everything else is aiosmtpd
1.4.6's ``SMTP.smtp_DATA`` (constraints.txt pins it): the same replies, the same limits,
dot-unstuffing, the same handler call.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.smtp import MISSING, SMTP, syntax

log = logging.getLogger(__name__)


TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
TOO_MUCH = "552 Error: Too much mail data"


class OneBufferData(SMTP):
    """aiosmtpd's SMTP with DATA collected into one buffer."""

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's command method
        if await self._not_ready(arg):
            return
        assert self.envelope is not None
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        original, refusal = await self._receive()
        if refusal:
            await self.push(refusal)
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            return
        content = await self._content(original)
        if content is None:
            return
        self.envelope.content = content
        self.envelope.original_content = original
        status = await self._call_handler_hook("DATA")
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

    async def _receive(self) -> tuple[bytes, str]:
        """The message up to the lone dot, unstuffed; or the refusal, once it has all been
        read (a line too long, more than the size limit: RFC 5321 §4.2.5)."""
        data = bytearray()
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
                data.clear()
                line = await self._reader.read(exc.consumed)
            if not fragments and line == b".\r\n":
                break
            size += len(line)
            if not refusal and limit and size > limit:
                refusal = TOO_MUCH
                data.clear()
            fragments.append(line)
            if not line.endswith(b"\r\n"):
                continue
            whole = b"".join(fragments)
            fragments.clear()
            if refusal:
                continue
            if len(whole) > self.line_length_limit:
                refusal = TOO_LONG
                data.clear()
            else:  # RFC 5321 §4.5.2: a leading dot was doubled by the client
                data += memoryview(whole)[1:] if whole.startswith(b".") else whole
        original = bytes(data)
        data.clear()
        return original, refusal

    async def _content(self, original: bytes) -> str | bytes | None:
        """The message as the handler's ``envelope.content``; None: refused, answered."""
        if not self._decode_data:
            return original
        if self.enable_SMTPUTF8:
            return original.decode("utf-8", errors="surrogateescape")
        try:
            return original.decode("ascii", errors="strict")
        except UnicodeDecodeError:
            await self.push("500 Error: strict ASCII mode")
            return None
