"""Measured hot spots of signature reading, replaced by exact equivalents (R-SIGN).

One job: make pyHanko and asn1crypto do less of the same work, never different work.
Measured on one-page documents with two signatures (bench/ingest.py's profile), these
took about half of the verification time:

1. **Hex strings read one byte at a time.** A signature's ``/Contents`` is a hex string of
   several kilobytes (the CMS signature, padded to its reserved size). pyHanko's tokenizer
   (``pyhanko.pdf_utils.generic.read_hex_string_from_stream``) reads it one byte per call,
   skipping whitespace and comments byte by byte. :func:`read_hex_string` reads the same
   bytes in one slice — only when everything between ``<`` and the first ``>`` is hex
   digits and PDF whitespace, exactly the case in which pyHanko's tokenizer returns the
   same value (no comment can start, nothing to reject). Anything else (a ``%``, a stray
   byte, a string that never ends) is handed to pyHanko's own function from the same
   position, so its errors and comment handling stay as they are. The value is built with
   pyHanko's own ``pdf_string``.
2. **Names prepared again for every document.** Comparing two certificate names (finding
   the signer among the embedded certificates, the ESS certificate id, path building)
   runs RFC 4518 string preparation (``NameTypeAndValue._ldap_string_prep``: stringprep
   tables, NFKC) on every attribute of every freshly parsed certificate, and every
   document carries its own copies of the same few certificates. The preparation is a
   pure function of the attribute's text, so its results are remembered (at most
   :data:`PREPARED_NAMES` texts; then forgotten all at once — hostile input cannot grow
   it); a text whose preparation fails is never remembered, so it fails again as before.
   Whole names are compared once per pair of encodings (``Name.__eq__``, the same bound):
   RFC 5280 name equality is a function of the two DER encodings.

:func:`use_speedups` installs them in the modules' own attributes (the names their callers
look up at call time); it is called by the signature reader
(:func:`mailparse.signatures.fields.filled_signature_fields`) before any signature
dictionary is read. Installing twice changes nothing. Nothing here can change a verdict:
each function returns what the original returns for the same input.
"""

from __future__ import annotations

import binascii
import os
from collections.abc import Callable
from typing import IO, Any

from asn1crypto import x509
from pyhanko.pdf_utils import generic

PREPARED_NAMES = 4096
_CHUNK = 1 << 16
_WHITESPACE = b" \n\r\t\f\x00"  # pyhanko.pdf_utils.misc.PDF_WHITESPACE
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_pyhanko_read_hex_string = generic.read_hex_string_from_stream
_asn1crypto_string_prep: Callable[[Any, str], str] = x509.NameTypeAndValue._ldap_string_prep
_prepared: dict[str, str] = {}
_asn1crypto_name_eq: Callable[[x509.Name, object], bool] = x509.Name.__eq__
_name_equality: dict[tuple[bytes, bytes], bool] = {}


def read_hex_string(stream: IO[bytes]) -> Any:
    """The hex string at the stream's position (its ``<``), as pyHanko reads it.

    Leaves the stream just after the closing ``>``, as pyHanko's reader does.
    """
    start = stream.tell()
    chunks: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:  # no closing '>': pyHanko says what is wrong
            stream.seek(start, os.SEEK_SET)
            return _pyhanko_read_hex_string(stream)
        end = chunk.find(b">", 0 if chunks else 1)
        if end >= 0:
            chunks.append(chunk[:end])
            break
        chunks.append(chunk)
    body = b"".join(chunks)[1:]  # after the opening '<' (which pyHanko does not check)
    digits = body.translate(None, _WHITESPACE)
    if digits.translate(None, _HEX_DIGITS):  # a comment or a stray byte: pyHanko's way
        stream.seek(start, os.SEEK_SET)
        return _pyhanko_read_hex_string(stream)
    stream.seek(start + 1 + len(body) + 1, os.SEEK_SET)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def prepared_name_text(ntv: x509.NameTypeAndValue, text: str) -> str:
    """asn1crypto's RFC 4518 preparation of ``text``, remembered across certificates."""
    found = _prepared.get(text)
    if found is None:
        found = _asn1crypto_string_prep(ntv, text)  # raises as before for a bad text
        if len(_prepared) >= PREPARED_NAMES:
            _prepared.clear()
        _prepared[text] = found
    return found


def names_equal(name: x509.Name, other: object) -> bool:
    """asn1crypto's RFC 5280 comparison of two names, remembered per pair of encodings."""
    if not isinstance(other, x509.Name):
        return _asn1crypto_name_eq(name, other)
    key = (name.dump(), other.dump())
    found = _name_equality.get(key)
    if found is None:
        found = _asn1crypto_name_eq(name, other)
        if len(_name_equality) >= PREPARED_NAMES:
            _name_equality.clear()
        _name_equality[key] = found
    return found


def use_speedups() -> None:
    """Install :func:`read_hex_string` in pyHanko, :func:`prepared_name_text` and
    :func:`names_equal` in asn1crypto (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string
    x509.NameTypeAndValue._ldap_string_prep = prepared_name_text
    x509.Name.__eq__ = names_equal
