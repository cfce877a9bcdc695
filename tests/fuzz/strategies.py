"""Hypothesis strategies for hostile mail and PDFs: random MIME trees (broken boundaries,
huge headers, deep nesting, bad encodings and charsets) and byte-level mutations of seeds.
"""

from __future__ import annotations

import base64
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# One derandomized profile: the same cases on every run (CI is reproducible); the number of
# cases can be raised locally with GATEWAY_FUZZ_SCALE (a factor).
SCALE = float(os.environ.get("GATEWAY_FUZZ_SCALE", "1"))
settings.register_profile(
    "gateway-fuzz",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cases(n: int) -> settings:
    return settings(settings.get_profile("gateway-fuzz"), max_examples=max(1, int(n * SCALE)))


_CHARSETS = ["utf-8", "windows-1258", "x-unknown", "utf-7", "iso-2022-jp", "", "utf-16", "\x00"]
_ENCODINGS = ["base64", "quoted-printable", "7bit", "8bit", "binary", "x-uuencode", "bogus"]
_NAMES = ["From", "To", "Subject", "Message-ID", "Date", "Content-Type", "Reply-To", "X-A"]

header_value = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda cs, enc, text: f"=?{cs}?{enc}?{text}?=",
        st.sampled_from(_CHARSETS),
        st.sampled_from(["B", "Q", "X", ""]),
        st.text(alphabet="=?_ABCabc012+/\x00\u1ea1", max_size=40),
    ),
    st.sampled_from([1_000, 40_000, 200_000]).map(lambda n: "x" * n),  # huge header
    st.just('\u1ea0\u0303 <a@b> ,,, <<>> "\\'),
)


@st.composite
def header_lines(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        name = draw(st.sampled_from(_NAMES))
        value = draw(header_value)
        lines.append(f"{name}: {value}".encode("utf-8", "surrogatepass"))
    if draw(st.booleans()):
        lines.append(b"From: =?windows-1258?Q?V=E3n_th=F0?= <vanthu@vp.example.gov.vn>")
    return b"\r\n".join(lines)


@st.composite
def mime_part(draw: st.DrawFn, depth: int = 0) -> bytes:
    """A leaf or a multipart (maybe with a wrong or missing closing boundary)."""
    if depth < 40 and draw(st.integers(0, 3)) == 0:
        boundary = draw(st.text(alphabet="abcXYZ'()+_,-./:=? ", min_size=0, max_size=12))
        children = [
            draw(mime_part(depth + 1)) for _ in range(draw(st.integers(0, 4 if depth < 6 else 1)))
        ]
        head = f'Content-Type: multipart/mixed; boundary="{boundary}"'.encode()
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + c + b"\r\n" for c in children)
        closing = draw(st.sampled_from([b"--" + boundary.encode() + b"--", b"", b"--wrong--"]))
        return head + b"\r\n\r\n" + body + closing
    ctype = draw(
        st.sampled_from(
            [
                "application/pdf",
                "text/plain",
                "text/html",
                "message/rfc822",
                "application/octet-stream",
                "image/x",
                "multipart/mixed",
            ]
        )
    )
    enc = draw(st.sampled_from(_ENCODINGS))
    charset = draw(st.sampled_from(_CHARSETS))
    name = draw(
        st.sampled_from(
            [
                'filename="a.pdf"',
                "filename*=utf-8''c%C3%B4ng%20v%C4%83n.pdf",
                "filename*0*=x'y'%ZZ",
                'name="=?utf-8?B?xx?="',
                "",
            ]
        )
    )
    payload = draw(st.binary(max_size=300))
    if enc == "base64" and draw(st.booleans()):
        payload = base64.encodebytes(payload)
    head = (
        f"Content-Type: {ctype}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {enc}\r\n"
        f"Content-Disposition: attachment; {name}"
    ).encode()
    return head + b"\r\n\r\n" + payload


@st.composite
def hostile_message(draw: st.DrawFn) -> bytes:
    return draw(header_lines()) + b"\r\n" + draw(mime_part())


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few byte-level mutations: flips, deletions, insertions, duplications."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            data[at] = draw(st.integers(0, 255))
        elif kind == 1:
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == 2:
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            size = draw(st.integers(1, 256))
            data[at:at] = data[at : at + size] * draw(st.integers(1, 8))
    return bytes(data)
