"""Raw message bytes → :class:`~mailparse.message.ParsedMessage` (DESIGN §1 step 3).

The stdlib :mod:`email` package (``policy.default``) splits the MIME structure; headers are
decoded here from their raw form, because mail from Vietnamese agencies carries
``windows-1258`` encoded-words, unencoded 8-bit headers and RFC 2231 file names, and
because the stdlib's lazy header objects raise on some hostile input. Anything odd becomes
a short defect string; only a message whose structure cannot be read at all raises
:class:`~mailparse.errors.MalformedMessageError`.
"""

from __future__ import annotations

import email
import email.errors
import email.utils
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import Message

from mailparse.addresses import on_local_domain, validated
from mailparse.documents.text import decode_bytes, decode_header_text, html_to_text
from mailparse.edxml.envelope import looks_like_edxml
from mailparse.edxml.files import embedded_files
from mailparse.errors import MailparseError, MalformedMessageError
from mailparse.filenames import sanitised
from mailparse.limits import MAX_ADDRESS_HEADER_CHARS, Limits
from mailparse.message import Address, Attachment, ParsedMessage
from mailparse.tree import STDLIB_ERRORS, message_tree, well_formed_base64

# A header line as RFC 5322 §2.2 defines it: printable ASCII name, colon.
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_MSG_ID = re.compile(r"<[^<>\s]+>")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_RAW_FILENAME = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)
DEFAULT_LIMITS = Limits()
_UTF8_BOM = b"\xef\xbb\xbf"


def parse_once(
    raw: bytes, limits: Limits = DEFAULT_LIMITS, *, local_domains: frozenset[str] = frozenset()
) -> Callable[[], ParsedMessage]:
    """:func:`parse`, made on the first call and kept: every later call returns the same
    :class:`ParsedMessage` (or raises the same error) without reading ``raw`` again. The
    intake stages and the analysis of one message share it (DESIGN §1.2)."""
    memo: list[ParsedMessage | MailparseError] = []

    def parsed() -> ParsedMessage:
        if not memo:
            try:
                memo.append(parse(raw, limits, local_domains=local_domains))
            except MailparseError as exc:
                memo.append(exc)
        if isinstance(memo[0], MailparseError):
            raise memo[0]
        return memo[0]

    return parsed


def parse(
    raw: bytes, limits: Limits = DEFAULT_LIMITS, *, local_domains: frozenset[str] = frozenset()
) -> ParsedMessage:
    """Read one message; raise :class:`MalformedMessageError` only for unreadable structure
    or a message over the ``limits`` that cannot be read within them.

    ``local_domains``: a closed network's own domains (special-use like ``.local``, or a
    single label) that email-validator refuses; an address on one of them is accepted when
    its local part is valid (the agency directory lists them, DESIGN §4.9)."""
    bom = raw.startswith(_UTF8_BOM)
    if bom:  # some mail clients save a message as a UTF-8 text file; only read past it
        raw = raw[len(_UTF8_BOM) :]
    _require_header_section(raw)
    head_end = raw.find(b"\n\r\n") if b"\n\r\n" in raw else raw.find(b"\n\n")
    if (head_end if head_end >= 0 else len(raw)) > limits.max_header_bytes:
        raise MalformedMessageError("header section too large")
    try:
        msg = message_tree(raw)
    except STDLIB_ERRORS as exc:
        raise MalformedMessageError("MIME structure cannot be read") from exc
    defects: list[str] = ["byte-order-mark-before-headers"] if bom else []
    sender = _sender(msg, defects, local_domains)
    body_text, attachments = _contents(msg, defects, limits)
    attachments += _inside_edxml(attachments, defects, limits)
    if sender is None and "From" not in msg and not body_text.strip() and not attachments:
        raise MalformedMessageError("message has neither a sender nor any content")
    references = _header(msg, "References")
    return ParsedMessage(
        message_id=_message_id(_header(msg, "Message-ID")),
        subject=_header(msg, "Subject") or "",
        sender=sender,
        to=_addresses(msg, "To", defects, local_domains),
        reply_to=_addresses(msg, "Reply-To", defects, local_domains),
        date=_date(_header(msg, "Date"), defects),
        in_reply_to=_message_id(_header(msg, "In-Reply-To")),
        references=tuple(_MSG_ID.findall(references or "")),
        auto_submitted=_header(msg, "Auto-Submitted") or _legacy_autoreply(msg),
        precedence=_header(msg, "Precedence"),
        authentication_results=tuple(_headers(msg, "Authentication-Results")),
        body_text=body_text,
        attachments=tuple(attachments),
        defects=tuple(dict.fromkeys(defects)),
    )


def _require_header_section(raw: bytes) -> None:
    """Refuse input that has no header section: empty, binary, or prose without fields."""
    lines = raw.lstrip(b"\r\n").split(b"\n", 2)
    if lines[0].startswith(b"From ") and len(lines) > 1:  # an mbox separator line
        lines = lines[1:]
    if not raw.strip():
        raise MalformedMessageError("empty message")
    if not _HEADER_LINE.match(lines[0]):
        raise MalformedMessageError("no header section")


# --- headers -------------------------------------------------------------------------------


def _headers(msg: Message, name: str) -> Iterator[str]:
    """Every value of header ``name``, decoded; from the raw items, never the policy."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted and isinstance(value, str):
            # NUL is no character of any header (RFC 5322 §3.2.3); databases refuse it.
            text = decode_header_text(value).replace("\x00", "")
            if text:
                yield text


def _header(msg: Message, name: str) -> str | None:
    return next(_headers(msg, name), None)


def _legacy_autoreply(msg: Message) -> str | None:
    """``auto-replied`` for responders that predate RFC 3834 and mark their mail with
    ``X-Autoreply`` or ``X-Autorespond`` instead of Auto-Submitted; None otherwise."""
    for name in ("X-Autoreply", "X-Autorespond"):
        value = _header(msg, name)
        if value is not None and value.strip().lower() not in {"", "no", "false", "0"}:
            return "auto-replied"
    return None


def _raw_header(msg: Message, name: str) -> str | None:
    """The first raw value of ``name``, unfolded but not decoded (for address lists)."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted and isinstance(value, str):
            return re.sub(r"\r?\n(?=[ \t])", "", value)
    return None


def _message_id(value: str | None) -> str | None:
    if not value:
        return None
    match = _MSG_ID.search(value)
    return match.group(0) if match else value.split()[0]


def _date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("invalid-date")
        return None
    # RFC 5322 "-0000": UTC with no word on the sender's zone; keep it aware.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _sender(msg: Message, defects: list[str], local_domains: frozenset[str]) -> Address | None:
    if "From" not in msg:
        defects.append("missing-from")
        return None
    found = _addresses(msg, "From", defects, local_domains)
    if not found:
        defects.append("unreadable-from")
        return None
    if len(found) > 1:
        defects.append("multiple-from")
    return found[0]


def _addresses(
    msg: Message, name: str, defects: list[str], local_domains: frozenset[str] = frozenset()
) -> tuple[Address, ...]:
    raw = _raw_header(msg, name)
    if raw is None:
        return ()
    if len(raw) > MAX_ADDRESS_HEADER_CHARS:
        defects.append(f"header-too-long:{name.lower()}")
        return ()
    if any("\udc80" <= ch <= "\udcff" for ch in raw):  # unencoded 8-bit (SMTPUTF8 or legacy)
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"), "utf-8")
    out: list[Address] = []
    try:
        pairs = email.utils.getaddresses([raw])
    except STDLIB_ERRORS:
        pairs = []
    for display, addr in pairs:
        if not addr:
            continue
        address = validated(addr) or on_local_domain(addr, local_domains)
        if address is None:
            defects.append(f"invalid-address:{name.lower()}")
            continue
        out.append(Address(address=address, display_name=decode_header_text(display)))
    return tuple(out)


# --- body and attachments ------------------------------------------------------------------


def _leaves(msg: Message, defects: list[str], limits: Limits) -> Iterator[Message]:
    """The leaf parts in document order, without recursion (nesting is attacker-chosen)."""
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        defects.extend(_defect_name(d) for d in part.defects)
        if part.is_multipart():  # also message/rfc822: its payload is the inner message
            if depth >= limits.max_depth:
                defects.append("nesting-too-deep")
                continue
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((p, depth + 1) for p in reversed(children) if isinstance(p, Message))
        else:
            yield part


def _contents(msg: Message, defects: list[str], limits: Limits) -> tuple[str, list[Attachment]]:
    """Body text (first text/plain, else text/html) and every other leaf as an attachment."""
    plain: str | None = None
    markup: str | None = None
    attachments: list[Attachment] = []
    decoded = 0
    for count, part in enumerate(_leaves(msg, defects, limits)):
        if count >= limits.max_parts:
            defects.append("too-many-parts")
            break
        content_type = _content_type(part, defects)
        filename = _filename(part, defects)
        data = _payload(part, defects)
        part.set_payload("")  # read once: its encoded text need not outlive the decoding
        decoded += len(data)
        if decoded > limits.max_decoded_bytes:
            raise MalformedMessageError("decoded content too large")
        if not filename and not _is_attachment(part) and content_type == "text/plain":
            if plain is None:
                plain = decode_bytes(data, _charset(part))
            continue
        if not filename and not _is_attachment(part) and content_type == "text/html":
            if markup is None:
                markup = decode_bytes(data, _charset(part))
            continue
        safe, original = sanitised(filename)  # once, here: every later stage uses it
        attachments.append(
            Attachment(
                filename=safe,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                original_filename=original,
            )
        )
    if plain is not None:
        return plain.replace("\r\n", "\n"), attachments
    return (html_to_text(markup) if markup is not None else ""), attachments


def _inside_edxml(
    attachments: list[Attachment], defects: list[str], limits: Limits
) -> list[Attachment]:
    """The files an edXML package of the message carries inside itself, as attachments,
    when the mail carries no file of its own besides the package (:mod:`mailparse.
    edxml_files`). A mail with its own files is read from them alone: copies inside the
    package that differ from them (altered on the way, or by the sender) never become a
    second document."""
    packages = [a for a in attachments if looks_like_edxml(a.filename, a.content_type, a.data)]
    if len(packages) != len(attachments):
        return []
    present = {a.sha256 for a in attachments}
    added: list[Attachment] = []
    for package in packages:
        for file in embedded_files(package.data):
            sha256 = hashlib.sha256(file.data).hexdigest()
            if sha256 in present:
                continue
            if len(attachments) + len(added) >= limits.max_parts:
                defects.append("too-many-parts")
                return added
            present.add(sha256)
            safe, original = sanitised(file.name)
            added.append(
                Attachment(
                    filename=safe,
                    content_type=file.content_type,
                    size=len(file.data),
                    sha256=sha256,
                    data=file.data,
                    original_filename=original,
                )
            )
    return added


def _content_type(part: Message, defects: list[str]) -> str:
    try:
        return part.get_content_type()
    except STDLIB_ERRORS:
        defects.append("unreadable-content-type")
        return "application/octet-stream"


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except STDLIB_ERRORS:
        return None


def _is_attachment(part: Message) -> bool:
    raw = _raw_header(part, "Content-Disposition") or ""
    return raw.strip().lower().startswith("attachment")


def _filename(part: Message, defects: list[str]) -> str:
    """File name from Content-Disposition ``filename`` or Content-Type ``name`` (RFC 2231)."""
    try:
        name = _raw_filename(_raw_header(part, "Content-Disposition") or "")
        name = name or part.get_filename() or part.get_param("name")
    except STDLIB_ERRORS:
        defects.append("unreadable-filename")
        return ""
    if isinstance(name, tuple):  # RFC 2231: (charset, language, the bytes as Latin-1)
        charset, _, value = name
        name = decode_bytes(value.encode("latin-1", "replace"), charset or None)
    if not isinstance(name, str):
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in name):
        name = decode_bytes(name.encode("utf-8", "surrogateescape"), "utf-8")
    # Many clients put RFC 2047 words inside the quoted parameter; decode those too.
    return decode_header_text(name.replace("\x00", ""))


def _raw_filename(disposition: str) -> tuple[str | None, str | None, str] | str | None:
    """The ``filename`` parameter before the policy decodes it: an RFC 2231 triple (charset,
    language, bytes as Latin-1), or 8-bit text (undeclared charset) as surrogate escapes —
    both of which ``policy.default`` would decode as Latin-1 or replace with U+FFFD."""
    if any("\udc80" <= ch <= "\udcff" for ch in disposition):
        found = _RAW_FILENAME.search(disposition)
        return (found.group(1) or found.group(2)) if found else None
    legacy = Message()  # compat32: parameters left as sent
    legacy["Content-Disposition"] = disposition
    value = legacy.get_param("filename", header="content-disposition")
    return value if isinstance(value, tuple) else None


def _payload(part: Message, defects: list[str]) -> bytes:
    lean = well_formed_base64(part)
    if lean is not None:
        return lean
    try:
        data = part.get_payload(decode=True)
    except STDLIB_ERRORS:
        defects.append("undecodable-payload")
        return b""
    return data if isinstance(data, bytes) else b""


def _defect_name(defect: object) -> str:
    """``MissingHeaderBodySeparatorDefect`` → ``"missing-header-body-separator"``."""
    name = type(defect).__name__.removesuffix("Defect")
    return _CAMEL.sub("-", name).lower()
