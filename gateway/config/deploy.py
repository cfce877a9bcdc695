"""``gateway init DIR``: a working deployment to start from."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gateway.errors import GatewayError

_FILES = {
    "gateway.toml": "data/gateway.toml",
    "agencies.yaml": "data/agencies.yaml",
    "rules.yaml": "data/rules.yaml",
    "trust/README.txt": "data/trust-README.txt",
}


def init_deployment(target: Path, *, force: bool = False) -> list[Path]:
    """Write the sample deployment into ``target``; never overwrite without ``force``."""
    existing = [target / name for name in _FILES if (target / name).exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise GatewayError(f"đã có tệp, không ghi đè (dùng --force để ghi đè): {names}")
    written = []
    package = resources.files("gateway")
    for name, source in _FILES.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(package.joinpath(source).read_text(encoding="utf-8"), encoding="utf-8")
        written.append(path)
    return written
