"""``gateway demo``: a newcomer's first run, end to end, with nothing to set up.

Makes a throwaway deployment (``gateway init``) whose trust store holds the demo test CA,
serves it, mails the shipped signed sample document to itself over SMTP, waits for the
receipt, and says where to look. It keeps serving until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
import socket
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid
from importlib import resources
from pathlib import Path

from gateway.config.deploy import init_deployment
from gateway.config.settings import load
from gateway.service import Service
from gateway.wiring import build
from mailparse import policies

SAMPLE_SENDER = "vanthu@vp.rachgia.example.gov.vn"  # unit 01 of the sample directory
SAMPLE_SUBJECT = (
    "Công văn số 54/UBND-VP ngày 20/11/2026 V/v chấn chỉnh, tăng cường việc gửi, "
    "nhận văn bản điện tử"
)
RECEIPT_TIMEOUT_SECONDS = 30.0


def prepare(target: Path) -> Path:
    """A demo deployment in ``target`` on a free loopback port; returns its config file."""
    config = target / "gateway.toml"
    if not config.exists():
        init_deployment(target)
    demo = resources.files("gateway").joinpath("data/demo")
    (target / "trust" / "demo-root.pem").write_bytes(demo.joinpath("root.pem").read_bytes())
    text = config.read_text(encoding="utf-8")
    text = re.sub(
        r'(?m)^listen = "127\.0\.0\.1:\d+"', f'listen = "127.0.0.1:{_free_port()}"', text, count=1
    )
    config.write_text(text, encoding="utf-8")
    return config


def sample_message(gateway_address: str) -> bytes:
    """The shipped signed công văn, mailed as unit 01 of the sample directory would."""
    pdf = resources.files("gateway").joinpath("data/demo/cong-van-mau.pdf").read_bytes()
    message = EmailMessage()
    message["From"] = f"Văn phòng HĐND và UBND thành phố <{SAMPLE_SENDER}>"
    message["To"] = gateway_address
    message["Subject"] = SAMPLE_SUBJECT
    message["Message-ID"] = make_msgid(domain="vp.rachgia.example.gov.vn")
    message.set_content("Kính gửi văn thư,\n\nXin gửi công văn số 54/UBND-VP đính kèm.\n")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="54-UBND-VP.pdf")
    return message.as_bytes(policy=policies.SMTP)  # CRLF line ends, as SMTP wants


def run_demo(target: Path | None) -> int:
    target = target or Path(tempfile.mkdtemp(prefix="gateway-demo-"))
    config = prepare(target)
    deployment = load(config)
    components = build(deployment)
    print(f"Thư mục thử nghiệm: {target}")
    asyncio.run(
        _serve_and_send(
            Service(components),
            deployment.settings.smtp.listen,
            deployment.settings.smtp.addresses[0],
            config,
        )
    )
    return 0


async def _serve_and_send(service: Service, listen: str, address: str, config: Path) -> None:
    serving = asyncio.create_task(service.run())
    await service.ready.wait()
    host, _, port = listen.rpartition(":")
    try:
        await asyncio.to_thread(_send, host, int(port), address)
    except (smtplib.SMTPException, OSError) as exc:
        print(f"Không gửi được công văn mẫu tới cổng: {exc}")
        service.stop()
        await serving
        return
    outbox = config.parent / "var" / "outbox" / "new"
    receipt = await asyncio.to_thread(_wait_for_file, outbox, RECEIPT_TIMEOUT_SECONDS)
    print(f"Đã gửi công văn mẫu 54/UBND-VP tới {address} qua SMTP {listen}.")
    if receipt is None:
        print("Chưa thấy biên nhận; xem nhật ký ở trên.")
    else:
        print(f"Biên nhận đã được gửi lại cho nơi gửi: {receipt}")
    print(f"Xem sổ đăng ký văn bản đến:  gateway register list -c {config}")
    print(f"Xem thư đã nhận:             gateway inbound list -c {config}")
    print(f"Gửi thêm văn bản tới {address} qua SMTP {listen}. Nhấn Ctrl-C để dừng.")
    await serving


def _send(host: str, port: int, address: str) -> None:
    with smtplib.SMTP(host, port, timeout=30) as client:
        client.sendmail(SAMPLE_SENDER, [address], sample_message(address))


def _wait_for_file(folder: Path, timeout: float) -> Path | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if folder.is_dir():
            found = sorted(folder.iterdir())
            if found:
                return found[0]
        time.sleep(0.1)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
