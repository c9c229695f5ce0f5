"""What a person does to partners in Odoo: merge them, as the merge wizard does.

``base.partner.merge.automatic.wizard`` moves every reference to the merged partners onto the
one that survives with plain SQL (the referencing records' ``write_date`` does not move), fills
the survivor's empty fields from theirs and writes it (its ``write_date`` moves), then deletes
the merged partners.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wooodoo.sandbox.odoo.orm import BaseModel

SKIPPED = frozenset({"id", "create_date", "write_date", "display_name"})


def merge_partners(partners: BaseModel, survivor: int, merged: Sequence[int]) -> None:
    """Merge ``merged`` into ``survivor`` (call inside the app's transaction)."""
    store = partners.db.store
    for model in ("account.move", "account.move.line", "account.payment", "res.partner"):
        try:
            env = partners.env[model]
        except KeyError:
            continue
        column = "parent_id" if model == "res.partner" else "partner_id"
        for row in list(env.rows.values()):
            if row.get(column) in merged:
                store.update(model, row["id"], {column: survivor})
    values: dict[str, Any] = {}
    for rid in [*merged, survivor]:  # the survivor's own values win
        for name, value in partners.rows[rid].items():
            field = partners.spec.fields.get(name)
            if name in SKIPPED or field is None or field.computed or not value:
                continue
            values[name] = value
    partners.touch(survivor, values)
    for rid in merged:
        store.delete(partners._name, rid)
