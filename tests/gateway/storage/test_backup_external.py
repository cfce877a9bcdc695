"""A backup holds the files the configuration names outside its folder (DESIGN §4.9): an
administrator who keeps the rules in /etc and the trust roots elsewhere gets them back on
a new machine, and a restore never overwrites such a file that is already there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.cli.main import main
from tests.gateway.routing.test_router import rules_text
from tests.support.pki import TestPki


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def test_files_named_outside_the_configuration_folder_are_backed_up_and_put_back(
    tmp_path: Path,
    pki: TestPki,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a deployment whose rules file and trust root live outside its folder
    (absolute paths in gateway.toml)
    WHEN it is backed up, the outside files are lost (a new machine) and it is restored
    THEN the backup verifies, lists them under external/, and the restore writes them back
    byte for byte where the configuration expects them;
    WHEN restored again while a changed file stands there
    THEN that file is left alone and the backup's copy waits in NEWDIR/external, said."""
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "etc" / "gateway"
    outside.mkdir(parents=True)
    (outside / "rules.yaml").write_text(rules_text("TCKH"), encoding="utf-8")
    (outside / "root.pem").write_bytes(pki.root_pem())
    assert main(["init", str(tmp_path / "d")]) == 0
    config = tmp_path / "d" / "gateway.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('file = "rules.yaml"', f'file = "{outside / "rules.yaml"}"', 1)
    text = text.replace('roots = ["trust/*.pem"]', f'roots = ["{outside}/*.pem"]')
    config.write_text(text, encoding="utf-8")
    assert main(["db", "upgrade", "-c", str(config)]) == 0
    capsys.readouterr()

    code, said = _run(capsys, "backup", str(tmp_path / "b"), "-c", str(config))
    assert code == 0, said
    manifest = json.loads((tmp_path / "b" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert set(manifest["external"]) == {str(outside / "rules.yaml"), str(outside / "root.pem")}
    assert _run(capsys, "backup", "verify", str(tmp_path / "b"))[0] == 0

    for name in ("rules.yaml", "root.pem"):
        (outside / name).unlink()
    code, said = _run(capsys, "restore", str(tmp_path / "b"), "--into", str(tmp_path / "n"))
    assert code == 0, said
    assert (outside / "rules.yaml").read_text(encoding="utf-8") == rules_text("TCKH")
    assert (outside / "root.pem").read_bytes() == pki.root_pem()

    (outside / "rules.yaml").write_text(rules_text("VP"), encoding="utf-8")
    code, said = _run(capsys, "restore", str(tmp_path / "b"), "--into", str(tmp_path / "n2"))
    assert code == 0, said
    assert (outside / "rules.yaml").read_text(encoding="utf-8") == rules_text("VP")
    kept = tmp_path / "n2" / "external" / Path(*(outside / "rules.yaml").parts[1:])
    assert kept.read_text(encoding="utf-8") == rules_text("TCKH")
    assert "không bị ghi đè" in said and str(outside / "rules.yaml") in said
