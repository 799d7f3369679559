"""Files in a workspace, as `files_upload_v2` makes them: an id and an upload URL are asked
for, the bytes are sent to that URL, and completing the upload shares the file in a
conversation as a message of its own (in a thread, when asked)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

# A file reserved but never completed is forgotten after this many newer ones, as Slack
# drops an upload URL that was not used.
PENDING_KEPT = 100


class WorkspaceFiles:
    """Mixed into the Workspace, whose state it keeps its files in."""

    new_id: Callable[[str], str]
    post: Callable[[str, dict[str, Any]], dict[str, Any]]
    _changing: Callable[..., AbstractContextManager[dict[str, Any]]]
    _lock: threading.RLock
    _state: dict[str, Any]

    def _kept(self, file_id: str) -> dict[str, Any] | None:
        with self._lock:
            kept = self._state.get("files", {}).get(file_id)
            return dict(kept) if kept is not None and kept["shared"] else None

    def reserve_file(self, *, name: str, length: int, alt_text: str | None) -> str:
        """files.getUploadURLExternal: an id for bytes still to come."""
        file_id = self.new_id("F")
        with self._changing() as state:
            files = state.setdefault("files", {})
            files[file_id] = {
                "id": file_id,
                "name": name,
                "title": name,
                "length": length,
                "alt_txt": alt_text,
                "content": None,
                "shared": False,
            }
            pending = [key for key, kept in files.items() if not kept["shared"]]
            for key in pending[:-PENDING_KEPT]:
                del files[key]
        return file_id

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        """The bytes posted to an upload URL; False when the URL is unknown or the length is
        not the one announced."""
        with self._changing() as state:
            kept = state.get("files", {}).get(file_id)
            if kept is None or kept["shared"] or kept["length"] != len(content):
                return False
            kept["content"] = base64.b64encode(content).decode()
        return True

    def complete_uploads(
        self,
        uploads: list[dict[str, Any]],
        *,
        channel: str | None,
        thread_ts: str | None,
        comment: str | None,
    ) -> list[dict[str, Any]] | None:
        """files.completeUploadExternal: the files, shared in `channel` when one is given;
        None when one of them was never uploaded."""
        with self._changing() as state:
            files = state.get("files", {})
            chosen = [files.get(str(upload.get("id"))) for upload in uploads]
            if not chosen or any(kept is None or kept["content"] is None for kept in chosen):
                return None
            for kept, upload in zip(chosen, uploads, strict=True):
                assert kept is not None
                kept["title"] = str(upload.get("title") or kept["name"])
                kept["shared"] = True
            shared = [_described(kept) for kept in chosen if kept is not None]
        if channel:
            message: dict[str, Any] = {"text": comment or "", "files": shared}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.post(channel, message)
        return shared

    def file(self, file_id: str) -> dict[str, Any] | None:
        """What files.info says about a file that was shared."""
        kept = self._kept(file_id)
        return _described(kept) if kept is not None else None

    def file_content(self, file_id: str) -> bytes | None:
        kept = self._kept(file_id)
        return base64.b64decode(kept["content"]) if kept is not None else None

    def files(self) -> Iterator[dict[str, Any]]:
        """Every shared file, oldest first."""
        with self._lock:
            kept = [dict(f) for f in self._state.get("files", {}).values() if f["shared"]]
        return (_described(f) for f in kept)


def _described(kept: dict[str, Any]) -> dict[str, Any]:
    """A file object as the Web API gives it (its bytes are fetched by URL, not carried)."""
    return {
        "id": kept["id"],
        "name": kept["name"],
        "title": kept["title"],
        "mimetype": "image/png" if kept["name"].endswith(".png") else "application/octet-stream",
        "filetype": kept["name"].rsplit(".", 1)[-1] if "." in kept["name"] else "binary",
        "size": kept["length"],
        "alt_txt": kept["alt_txt"],
        "url_private": f"/sandbox/files/{kept['id']}",
    }
