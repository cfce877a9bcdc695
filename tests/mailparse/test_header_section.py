"""Looking at a message's headers reads its header section only (mailparse.dsn)."""

from __future__ import annotations

from email import policy
from email.parser import BytesHeaderParser

from hypothesis import given
from hypothesis import strategies as st

from mailparse.dsn import header_section, header_values

LINE_ENDS = st.sampled_from([b"\r\n", b"\n", b"\r"])
HEADER = st.tuples(
    st.sampled_from([b"Content-Type", b"Auto-Submitted", b"Subject", b"X-Other"]),
    st.binary(max_size=20).map(lambda v: v.replace(b"\r", b"").replace(b"\n", b"")),
)


@given(
    headers=st.lists(HEADER, max_size=6),
    ends=st.lists(LINE_ENDS, min_size=8, max_size=8),
    body=st.binary(max_size=200),
)
def test_headers_read_from_the_section_are_the_headers_of_the_message(
    headers: list[tuple[bytes, bytes]], ends: list[bytes], body: bytes
) -> None:
    """GIVEN a message with any line ends (CRLF, LF, CR, mixed) and any body
    WHEN its headers are read from its header section alone
    THEN they are exactly the headers a parser reads from the whole message."""
    raw = b"".join(
        name + b": " + value + ends[i % len(ends)] for i, (name, value) in enumerate(headers)
    )
    raw += ends[-1] + body

    def parsed(data: bytes) -> list[tuple[str, str]]:
        return BytesHeaderParser(policy=policy.compat32).parsebytes(data).items()

    assert parsed(header_section(raw)) == parsed(raw)
    names = ("Content-Type", "Auto-Submitted", "Subject")
    assert header_values(raw, *names) == header_values(header_section(raw), *names)


def test_a_large_body_is_not_read() -> None:
    """GIVEN a 5 MB message WHEN its header section is taken THEN it ends at the empty
    line (give or take the two bytes after it)."""
    head = b"Subject: x\r\nContent-Type: text/plain\r\n\r\n"
    section = header_section(head + b"a" * 5_000_000)

    assert section.startswith(head) and len(section) <= len(head) + 2
