"""The routed copy for a unit named in a "chuyển <đơn vị>" reply.

The new assignee gets the same mail the first one got (:mod:`gateway.routing.routed_copy`): the
document and the other files of the original message, read back byte for byte from the
archive, with its own reply token. Queued in the transaction that records the reply.
"""

from __future__ import annotations

import logging

import jinja2

from gateway.routing.routed_copy import Assignee, CopiedFile, RoutedDocument, routed_copy_draft
from gateway.storage.archive import ByteStore
from mailparse.errors import MailparseError
from mailparse.mime import parse
from registry.console.documents import files_not_forwarded
from registry.models import AssignmentRecord, InboundMessage, RegisterEntry
from registry.recorder import Recorder

log = logging.getLogger(__name__)


def queue_routed_copy(
    recorder: Recorder,
    assignment: AssignmentRecord,
    entry: RegisterEntry,
    *,
    archive: ByteStore,
    env: jinja2.Environment,
    from_address: str,
    timezone: str,
    instruction: str | None = None,
    instructed_by: str | None = None,
) -> str | None:
    """Queue the routed copy of ``entry`` for ``assignment``; its Message-ID (stored on the
    assignment), or None when the original is no longer in the archive. ``instruction``:
    the leader's ý kiến chỉ đạo, printed in the copy (R-DISTRIB)."""
    inbound = recorder.session.get_one(InboundMessage, entry.inbound_id)
    files = entry_files(recorder, entry, archive)
    if files is None:
        log.warning(
            "entry %s/%s: original not in the archive; no routed copy for %s",
            entry.year,
            entry.incoming_number,
            assignment.unit_code,
        )
        return None
    verdict = entry.routing_facts.get("signature_verdict")
    document = RoutedDocument.of_entry(
        entry,
        verdict if isinstance(verdict, str) else None,
        files,
        instruction=instruction,
        instructed_by=instructed_by,
    )
    draft = routed_copy_draft(
        document,
        Assignee.of_record(assignment),
        env=env,
        from_address=from_address,
        composed_at=recorder.now,
        timezone=timezone,
    )
    recorder.add_outbox(inbound, draft)
    assignment.routed_message_id = draft.message_id
    return draft.message_id


def entry_files(
    recorder: Recorder, entry: RegisterEntry, archive: ByteStore
) -> tuple[CopiedFile, ...] | None:
    """The entry's document first, then the files that are not other entries' documents."""
    try:
        parsed = parse(archive.read(entry.sha256))
    except (OSError, MailparseError):
        return None
    # other entries' documents, and refused or held documents, are never forwarded
    siblings = files_not_forwarded(recorder.session, entry)
    ordered = sorted(parsed.attachments, key=lambda a: a.sha256 != entry.document_sha256)
    return tuple(
        CopiedFile(a.filename, a.content_type, a.data) for a in ordered if a.sha256 not in siblings
    )
