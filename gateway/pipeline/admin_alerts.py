"""Alerts the administrators see until they acknowledge them (R-SECRET, R-VIRUS).

The pipeline mails an alert to ``[alerts] administrator`` when one is configured; with the
default empty address that mail reaches nobody. So each secret-marked or infected message
also leaves a row (:mod:`registry.console.alerts`) in the same transaction as its inbound record:
``/system``, ``gateway status`` and an administrator's dashboard show it until it is
acknowledged. The summary is Vietnamese and quotes nothing of the message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from registry.console.alerts import AlertKind, add_alert


def record_alerts(
    session: Session,
    *,
    spool_id: str,
    now: datetime,
    secret_level: str | None,
    malware: str | None,
    administrator: str,
) -> None:
    """One alert row for the spool item when it is secret-marked or infected.

    ``secret_level``: "Mật", "Tối mật"…, None when not secret; ``malware``: the scanner's
    findings, None when clean; ``administrator``: where the alert mail went ("" none).
    """
    if secret_level is not None:
        summary = (
            f"Thư có văn bản mang dấu độ mật ({secret_level or 'mật'}) đã bị từ chối; thư gốc"
            f" chỉ lưu trong kho hạn chế. Mã thư: {spool_id}."
        )
        kind = AlertKind.SECRET
    elif malware is not None:
        summary = f"Thư có mã độc đã bị từ chối ({malware}). Mã thư: {spool_id}."
        kind = AlertKind.MALWARE
    else:
        return
    add_alert(
        session,
        kind=kind,
        spool_id=spool_id,
        created_at=now,
        summary=summary,
        mailed_to=administrator,
    )
