"""``OdooTarget`` for real: the Odoo operations the sync needs, each one batched call over any
OdooApi transport (XML-RPC or JSON-2)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from wooodoo.errors import ConfigError, OdooRecordError
from wooodoo.odoo.protocol import OdooApi
from wooodoo.sync.mapping import Currency, OdooTax, Reference, TaxRounding
from wooodoo.sync.ports import MoveState, ReferenceSpec


def _dec(value: Any) -> Decimal:
    # Odoo sends floats; their repr is the shortest exact decimal (14.99 stays 14.99).
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value or 0))


def _like_literal(text: str) -> str:
    """``text`` as a LIKE pattern that matches only itself (``_`` and ``%`` are wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _email_domain(emails: Sequence[str]) -> list[Any]:
    terms: list[Any] = [("email", "=ilike", _like_literal(e)) for e in emails]
    return ["|"] * (len(terms) - 1) + terms


class OdooWriter:
    """OdooTarget over a real connection (XML-RPC or JSON-2)."""

    MOVE_FIELDS = (
        "invoice_origin",
        "name",
        "state",
        "amount_untaxed",
        "amount_tax",
        "amount_total",
    )

    def __init__(self, api: OdooApi) -> None:
        self.api = api
        self.fields = api.fields
        self._tax_groups: dict[int, int | None] = {}
        self._company_currency: int | None = None

    # ------------------------------------------------------------ reference data

    def load_reference(self, spec: ReferenceSpec) -> Reference:
        api, f = self.api, self.fields
        problems: list[str] = []
        ctx = {"active_test": False}
        currencies = {
            r["name"]: Currency(
                r["id"], r["name"], int(r.get("decimal_places") or 2), bool(r["active"])
            )
            for r in api.call(
                "res.currency",
                "search_read",
                domain=[],
                fields=["name", "active", "decimal_places"],
                context=ctx,
            )
        }
        tax_rows = api.call(
            "account.tax",
            "search_read",
            domain=[("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")],
            # ``price_include`` is readable on every version (computed from
            # ``price_include_override`` on 18+, whose value is a selection, not a flag)
            fields=["name", "amount", "price_include", "tax_group_id"],
        )
        by_name: dict[str, OdooTax] = {}
        seen_names: dict[str, int] = {}
        for r in tax_rows:
            group = r.get("tax_group_id")
            self._tax_groups[r["id"]] = group[0] if isinstance(group, list) and group else None
            seen_names[r["name"]] = seen_names.get(r["name"], 0) + 1
            by_name[r["name"]] = OdooTax(
                r["id"],
                r["name"],
                _dec(r["amount"]),
                bool(r.get("price_include")),
                group[0] if isinstance(group, list) and group else None,
            )
        taxes: dict[str, OdooTax] = {}
        for woo_rate, tax_name in spec.taxes.items():
            if seen_names.get(tax_name, 0) > 1:
                # several companies (or a copy) with the same name: never guess which one
                problems.append(
                    f"sync.taxes.{woo_rate}: {seen_names[tax_name]} sale taxes are"
                    f" named {tax_name!r} in Odoo; rename them so one name is one tax"
                )
                continue
            tax = by_name.get(tax_name)
            if tax is None:
                problems.append(
                    f"sync.taxes.{woo_rate}: no active sale tax named {tax_name!r} in Odoo"
                )
            elif tax.price_include:
                problems.append(
                    f"sync.taxes.{woo_rate}: Odoo tax {tax_name!r} includes the"
                    " price; map to a tax that excludes it"
                )
            else:
                taxes[woo_rate] = tax
        codes = sorted(set(spec.accounts.values()))
        account_rows = api.call(
            "account.account", "search_read", domain=[("code", "in", codes)], fields=["code"]
        )
        account_ids = {r["code"]: r["id"] for r in account_rows}
        shared = sorted(
            {
                r["code"]
                for r in account_rows
                if sum(1 for o in account_rows if o["code"] == r["code"]) > 1
            }
        )
        for code in shared:
            problems.append(
                f"sync.accounts: several Odoo accounts have the code {code!r}"
                " (one per company?): wooodoo cannot tell which to use"
            )
            account_ids.pop(code, None)
        accounts: dict[str, int] = {}
        for role, code in spec.accounts.items():
            if code in account_ids:
                accounts[role] = account_ids[code]
            elif code not in shared:
                problems.append(f"sync.accounts.{role}: no account with code {code!r} in Odoo")
        journal_id: int | None = None
        if spec.journal:
            journals = api.call(
                "account.journal",
                "search_read",
                domain=[("code", "=", spec.journal), ("type", "=", "sale")],
                fields=["code"],
                limit=1,
            )
            if journals:
                journal_id = journals[0]["id"]
            else:
                problems.append(f"sync.journal: no sales journal with code {spec.journal!r}")
        countries = {
            r["code"]: r["id"]
            for r in api.call("res.country", "search_read", domain=[], fields=["code"])
            if r.get("code")
        }
        code_by_country = {v: k for k, v in countries.items()}
        states: dict[tuple[str, str], int] = {}
        for r in api.call(
            "res.country.state", "search_read", domain=[], fields=["code", "country_id"]
        ):
            country = r.get("country_id")
            if isinstance(country, list) and country and country[0] in code_by_country:
                states[(code_by_country[country[0]], str(r["code"]).upper())] = r["id"]
        rounding = self.tax_rounding()
        if problems:
            raise ConfigError(
                f"tenant {spec.tenant!r}: the config does not match Odoo",
                problems=problems,
                hint="Fix the names in the config or create them in Odoo.",
            )
        return Reference(
            tenant=spec.tenant,
            currencies=currencies,
            taxes=taxes,
            accounts=accounts,
            countries=countries,
            states=states,
            journal_id=journal_id,
            move_type_field=f.move_type,
            price_unit_rounded=f.price_unit_rounded,
            tax_rounding=rounding,
            use_products=spec.use_products,
            sale_taxes=tuple(by_name.values()),
        )

    def tax_rounding(self) -> TaxRounding:
        rows = self.api.call(
            "res.company",
            "search_read",
            domain=[],
            fields=["tax_calculation_rounding_method", "currency_id"],
            limit=1,
        )
        currency = rows[0].get("currency_id") if rows else None
        self._company_currency = currency[0] if isinstance(currency, list) and currency else None
        method = rows[0].get("tax_calculation_rounding_method") if rows else None
        return "round_globally" if method == "round_globally" else "round_per_line"

    def products_by_sku(self, skus: Sequence[str]) -> dict[str, int]:
        if not skus:
            return {}
        rows = self.api.call(
            "product.product",
            "search_read",
            domain=[("default_code", "in", list(skus))],
            fields=["default_code"],
        )
        return {r["default_code"]: r["id"] for r in rows}

    # ------------------------------------------------------------ partners

    def find_partners(self, keys: Sequence[str], emails: Sequence[str]) -> list[dict[str, Any]]:
        domain: list[Any] = [("ref", "in", list(keys))]
        if emails:
            domain = ["|", *domain, *_email_domain(emails)]
        return list(
            self.api.call(
                "res.partner",
                "search_read",
                domain=domain,
                fields=["ref", "email", "name"],
                order="id",
            )
        )

    def create_partners(self, values: Sequence[dict[str, Any]]) -> list[int]:
        return list(self.api.call("res.partner", "create", vals_list=list(values)))

    def update_partner(self, partner_id: int, values: dict[str, Any]) -> None:
        # the same values twice do no harm: safe to retry
        self.api.call("res.partner", "write", ids=[partner_id], vals=values, retry=True)

    # ------------------------------------------------------------ invoices

    def find_invoices(self, keys: Sequence[str]) -> list[MoveState]:
        """Every invoice (not cancelled) carrying one of ``keys``, oldest first: twins too."""
        if not keys:
            return []
        return self._moves([("invoice_origin", "in", list(keys))])

    def recent_invoices(self, prefix: str, since: datetime) -> list[MoveState]:
        """Invoices whose key starts with ``prefix``, created since ``since``: one call."""
        return self._moves(
            [
                ("invoice_origin", "=like", _like_literal(prefix) + "%"),
                ("create_date", ">=", since),
            ]
        )

    def _moves(self, domain: list[Any]) -> list[MoveState]:
        rows = self.api.call(
            "account.move",
            "search_read",
            domain=[
                *domain,
                (self.fields.move_type, "=", "out_invoice"),
                ("state", "!=", "cancel"),
            ],
            fields=list(self.MOVE_FIELDS),
            order="id",
        )
        return [self._state(r) for r in rows]

    def remove_invoices(self, ids: Sequence[int]) -> dict[int, str]:
        """Delete drafts (twins); what Odoo refuses to delete, by id, with its reason."""
        return self._unlink("account.move", list(ids))

    def recent_partners(self, prefix: str, since: datetime) -> list[dict[str, Any]]:
        """Partners whose key (``ref``) starts with ``prefix``, created since ``since``."""
        return list(
            self.api.call(
                "res.partner",
                "search_read",
                domain=[
                    ("ref", "=like", _like_literal(prefix) + "%"),
                    ("create_date", ">=", since),
                ],
                fields=["ref", "email", "name"],
                order="id",
                context={"active_test": False},
            )
        )

    def remove_partners(self, ids: Sequence[int]) -> dict[int, str]:
        return self._unlink("res.partner", list(ids))

    def _unlink(self, model: str, ids: list[int]) -> dict[int, str]:
        """One call; a refused call is split to find the records Odoo will not delete.

        Never sent twice: after a lost answer the records may be gone, and Odoo refuses to
        delete a missing record. The next sweep looks again.
        """
        if not ids:
            return {}
        try:
            self.api.call(model, "unlink", ids=ids)
        except OdooRecordError as exc:
            if len(ids) == 1:
                return {ids[0]: exc.message}
            mid = len(ids) // 2
            return {**self._unlink(model, ids[:mid]), **self._unlink(model, ids[mid:])}
        return {}

    def create_invoices(self, values: Sequence[dict[str, Any]]) -> list[int]:
        return list(self.api.call("account.move", "create", vals_list=list(values)))

    def read_invoices(self, ids: Sequence[int]) -> dict[int, MoveState]:
        if not ids:
            return {}
        rows = self.api.call("account.move", "read", ids=list(ids), fields=list(self.MOVE_FIELDS))
        return {r["id"]: self._state(r) for r in rows}

    def post_invoices(self, ids: Sequence[int]) -> None:
        if ids:
            self.api.call("account.move", "action_post", ids=list(ids))

    def adjust_taxes(self, adjustments: Mapping[int, Mapping[int, Decimal]]) -> dict[int, str]:
        """Set drafts' tax amounts the way Odoo's tax totals widget does; refusals by move.

        16-17 and 18+ take an edited ``tax_totals`` per tax group (one write per move);
        13-15 have no such widget: there the tax journal items themselves are edited, found
        for all moves in one search.
        """
        refused: dict[int, str] = {}
        tax_lines: dict[int, list[dict[str, Any]]] = {}
        if self.api.version.major < 16:
            try:
                rows = self.api.call(
                    "account.move.line",
                    "search_read",
                    domain=[("move_id", "in", list(adjustments)), ("tax_line_id", "!=", False)],
                    fields=[
                        "move_id",
                        "tax_line_id",
                        "debit",
                        "credit",
                        "amount_currency",
                        "currency_id",
                    ],
                )
            except OdooRecordError as exc:  # refuse these adjustments, keep the run going
                return {move_id: exc.message for move_id in adjustments}
            for row in rows:
                tax_lines.setdefault(row["move_id"][0], []).append(row)
        for move_id, tax_by_tax in adjustments.items():
            try:
                if self.api.version.major >= 16:
                    vals = {"tax_totals": self._tax_totals_edit(move_id, tax_by_tax)}
                else:
                    vals = {
                        "line_ids": self._tax_item_edits(
                            move_id, tax_by_tax, tax_lines.get(move_id, [])
                        )
                    }
                # setting the same target amounts again does no harm: safe to retry
                self.api.call("account.move", "write", ids=[move_id], vals=vals, retry=True)
            except OdooRecordError as exc:
                refused[move_id] = exc.message
        return refused

    def tax_totals_at_create(self, tax_by_tax: Mapping[int, Decimal]) -> Any | None:
        """A ``tax_totals`` value for ``create``, or None where Odoo cannot take one (13-15).

        From 16, ``account.move.create`` applies a given ``tax_totals`` once its tax lines
        exist, as the totals widget would: the adjustment then costs no call of its own.
        """
        if self.api.version.major < 16:
            return None
        try:
            return self._tax_totals_edit(0, tax_by_tax)
        except OdooRecordError:
            return None

    def _tax_totals_edit(self, move_id: int, tax_by_tax: Mapping[int, Decimal]) -> Any:
        by_group: dict[int, Decimal] = {}
        for tax_id, amount in tax_by_tax.items():
            group = self._tax_groups.get(tax_id)
            if group is None:
                raise OdooRecordError(f"move {move_id}: tax {tax_id} has no tax group")
            by_group[group] = by_group.get(group, Decimal(0)) + amount
        if self.api.version.major >= 18:
            return {
                "subtotals": [
                    {
                        "tax_groups": [
                            {"id": g, "tax_amount_currency": float(a)} for g, a in by_group.items()
                        ]
                    }
                ]
            }
        return {
            "groups_by_subtotal": {
                "Untaxed Amount": [
                    {"tax_group_id": g, "tax_group_amount": float(a)} for g, a in by_group.items()
                ]
            }
        }

    def _tax_item_edits(
        self, move_id: int, tax_by_tax: Mapping[int, Decimal], lines: list[dict[str, Any]]
    ) -> list[Any]:
        """Journal item edits that bring each tax to its amount (13-15: no tax totals there).

        A customer invoice's tax is a credit. In another currency than the company's, the
        amount goes to ``amount_currency`` and the credit follows at the line's own rate.
        """
        by_tax: dict[int, list[dict[str, Any]]] = {}
        for line in lines:
            tax = line["tax_line_id"]
            if isinstance(tax, list) and tax and tax[0] in tax_by_tax:
                by_tax.setdefault(tax[0], []).append(line)
        commands: list[Any] = []
        for tax_id, tax_lines in by_tax.items():
            first, *others = tax_lines
            foreign = self._foreign(first)
            field = "amount_currency" if foreign else "credit"
            sign = Decimal(-1) if foreign else Decimal(1)
            rest = sum((_dec(o.get(field)) * sign for o in others), Decimal(0))
            if not foreign:
                rest -= sum((_dec(o.get("debit")) for o in others), Decimal(0))
            amount = tax_by_tax[tax_id] - rest
            vals: dict[str, Any]
            if foreign:
                old_currency = -_dec(first.get("amount_currency"))
                old_balance = _dec(first.get("credit")) - _dec(first.get("debit"))
                if not old_currency:
                    raise OdooRecordError(f"move {move_id}: no rate on its tax line")
                credit = (amount * old_balance / old_currency).quantize(Decimal("0.01"))
                vals = {"amount_currency": -float(amount), "credit": float(credit), "debit": 0.0}
            else:
                vals = {"credit": float(amount), "debit": 0.0}
                if self.api.version.major >= 14:
                    vals["amount_currency"] = -float(amount)  # 14+ keep it on every line
            commands.append((1, first["id"], vals))
        if not commands:
            raise OdooRecordError(f"move {move_id}: no tax line to adjust")
        return commands

    def _foreign(self, line: Mapping[str, Any]) -> bool:
        currency = line.get("currency_id")
        currency_id = currency[0] if isinstance(currency, list) and currency else None
        company = self._company_currency
        return bool(currency_id and company and currency_id != company)

    def _state(self, r: Mapping[str, Any]) -> MoveState:
        name = r.get("name")
        return MoveState(
            id=r["id"],
            key=r.get("invoice_origin") or "",
            name=name if isinstance(name, str) and name not in ("/", "") else None,
            state=r.get("state") or "draft",
            untaxed=_dec(r.get("amount_untaxed")),
            tax=_dec(r.get("amount_tax")),
            total=_dec(r.get("amount_total")),
        )
