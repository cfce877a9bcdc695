"""The installed package carries everything the code reads at run time (package data).

The suite runs against an editable install, which reads data straight from the source
tree; a file missing from the wheel would only show on a real server. This test builds the
wheel as ``pip install .`` does and checks that every data file of every package is in it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "mailparse", "registry", "rules", "templates")


def data_files() -> set[str]:
    """Every file under the packages that is not Python source or a cache."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if (
                path.is_file()
                and path.suffix not in {".py", ".pyc"}
                and "__pycache__" not in path.parts
            ):
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_the_wheel_carries_every_data_file(tmp_path: Path) -> None:
    """GIVEN the source tree WHEN the wheel is built THEN it holds every template, YAML
    sample, CA certificate, static file and migration of the packages."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = data_files()
    assert expected, "the packages have data files (templates, samples, CA roots)"
    assert sorted(expected - names) == []
    assert "gateway/data/vn-ca/rootca-chuyen-dung-chinh-phu-g2.pem" in names
    assert any(n.startswith("registry/migrations/versions/v0001_0010/0001") for n in names)
