"""A person deleting invoices in the Odoo look-alike: only drafts, and no gap in the numbering."""

from __future__ import annotations

from typing import Any

import pytest

from wooodoo.sandbox.odoo import OdooApp
from wooodoo.sandbox.odoo.exceptions import UserError

LINE = (0, 0, {"name": "Mug", "quantity": 2, "price_unit": 7.5})
CHAIN = "it has already consumed a sequence number and is not the last one in the chain"


def posted_invoices(app: OdooApp, n: int) -> list[int]:
    field = "type" if app.version == 13 else "move_type"
    vals = {field: "out_invoice", "partner_id": 3, "invoice_line_ids": [LINE]}
    ids: list[int] = app.call("account.move", "create", [dict(vals) for _ in range(n)])
    app.call("account.move", "action_post", ids)
    return ids


def unlink(app: OdooApp, ids: list[int], **context: Any) -> Any:
    with app.transaction():
        return app.env("account.move", context).unlink(ids)


def exists(app: OdooApp, move_id: int) -> bool:
    return bool(app.call("account.move", "search", [("id", "=", move_id)]))


@pytest.mark.parametrize("version", [19, 17, 16])
def test_a_posted_invoice_goes_only_as_the_last_draft_of_its_chain(version: int) -> None:
    app = OdooApp(version, api_key="k")
    first, last = posted_invoices(app, 2)
    with pytest.raises(UserError, match="posted once"):
        unlink(app, [last])
    app.call("account.move", "button_draft", [first, last])
    with pytest.raises(UserError, match=CHAIN):
        unlink(app, [first])
    assert unlink(app, [last]) is True
    assert not exists(app, last)
    assert exists(app, first)
    assert unlink(app, [first]) is True  # now the last of its chain


@pytest.mark.parametrize("version", [13, 14, 15])
def test_before_16_a_draft_posted_once_goes_only_with_force_delete(version: int) -> None:
    app = OdooApp(version, api_key="k")
    [move] = posted_invoices(app, 1)
    app.call("account.move", "button_draft", [move])
    with pytest.raises(UserError, match="posted once"):
        unlink(app, [move])
    assert exists(app, move)
    assert unlink(app, [move], force_delete=True) is True
    assert not exists(app, move)
