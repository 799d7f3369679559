"""The App Home tab: the user's open requests and how to file one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import FIELD_TEXT_MAX, VIEW_BLOCKS_MAX, Block, context, divider, header, section
from bot.blocks.requests import build_my_requests
from bot.blocks.text import escape_truncate
from bot.domain.snapshots import DepartmentSnapshot, RequestSnapshot


def build_home_view(
    requests: Sequence[RequestSnapshot], departments: Sequence[DepartmentSnapshot]
) -> dict[str, Any]:
    blocks: list[Block] = [
        header("pulsedesk"),
        section(
            "File a request with `/request <what you need>` from any channel, or "
            "`/request <department> <what you need>`. You'll hear back here when someone "
            "picks it up and when it's resolved."
        ),
        divider(),
        *build_my_requests(requests)["blocks"],
    ]
    if departments:
        names = ", ".join(f"{d.name} ({d.key})" for d in departments)
        blocks += [divider(), context(escape_truncate(f"Departments: {names}", FIELD_TEXT_MAX))]
    assert len(blocks) <= VIEW_BLOCKS_MAX
    return {"type": "home", "blocks": blocks}
