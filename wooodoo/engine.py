"""One tenant's sync and replay: page by page, batch by batch, exactly once."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import filelock

from wooodoo.audit import AuditStore, Event, Link
from wooodoo.batching import CommitWait
from wooodoo.config import TenantConfig
from wooodoo.customers import CustomerSweep
from wooodoo.errors import (
    EXIT_OK,
    EXIT_RECORDS_FAILED,
    LockBusyError,
    MappingError,
    WooodooError,
)
from wooodoo.invoicing import create_invoices, settle, totals
from wooodoo.odoo.target import MoveState, OdooTarget, ReferenceSpec
from wooodoo.partners import (
    resolve_partners,
    wanted_for_orders,
)
from wooodoo.sync.mapping import (
    InvoicePlan,
    Reference,
    Totals,
    map_order,
    order_key,
    partner_key_for_order,
    with_included_twins,
)
from wooodoo.twin_sweep import TwinOutcome, TwinSweep, settle_moves
from wooodoo.woo.models import Customer, Order

log = logging.getLogger(__name__)

ORDER_CURSOR = "orders"
ATTENTION_STATUSES = frozenset({"cancelled", "refunded"})


# ---------------------------------------------------------------- what the engine talks to


class RejectedLike(Protocol):
    @property
    def record_id(self) -> int | None: ...

    @property
    def reason(self) -> str: ...


class OrderPageLike(Protocol):
    @property
    def orders(self) -> Sequence[Order]: ...

    @property
    def rejected(self) -> Sequence[RejectedLike]: ...

    @property
    def cursor(self) -> datetime: ...


class WooSource(Protocol):
    def iter_order_pages(
        self, *, modified_after: datetime, statuses: Sequence[str] | None = None
    ) -> Iterator[OrderPageLike]: ...

    def get_orders(self, ids: Sequence[int]) -> list[Order]: ...

    def iter_customers(
        self, *, ids: Sequence[int] | None = None, role: str = "all", newest_first: bool = False
    ) -> Iterator[list[Customer]]: ...


# ---------------------------------------------------------------- options and results


@dataclass(frozen=True)
class SyncOptions:
    since: date | None = None  # overrides the cursor
    dry_run: bool = False
    full: bool = False  # re-read every order since ``since`` and sweep every customer
    limit: int | None = None  # stop after this many orders


@dataclass
class TenantResult:
    tenant: str
    run_id: int | None = None
    stats: Counter[str] = field(default_factory=Counter)
    planned: list[InvoicePlan] = field(default_factory=list)  # dry run: what would be created
    error: str | None = None
    exit_code: int = EXIT_OK

    @property
    def failed(self) -> int:
        return self.stats["failed"] + self.stats["mismatch"] + self.stats["conflict"]

    def finish(self) -> None:
        if self.exit_code == EXIT_OK and self.failed:
            self.exit_code = EXIT_RECORDS_FAILED


Progress = Callable[[str, int], None]  # (what, how many): "page", "orders", "invoices"


def _no_progress(what: str, n: int) -> None:
    pass


@contextmanager
def tenant_lock(lock_dir: Path, tenant: str) -> Iterator[None]:
    """Hold the tenant's lock for the run; a second run gets LockBusyError (exit 75)."""
    lock_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = filelock.FileLock(str(lock_dir / f"{tenant}.lock"), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockBusyError(
            f"tenant {tenant!r} is already being synced by another wooodoo run"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _event(source_id: object, key: str, action: str, **details: Any) -> Event:
    """An audit row about an order."""
    return Event("order", str(source_id), key, action, **details)


def _number(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except ArithmeticError:
        return None


def _refund_ids(order: Order) -> str:
    return ",".join(str(i) for i in sorted(r.id for r in order.refunds))


def _amounts(t: Totals) -> dict[str, str]:
    return {"untaxed": str(t.untaxed), "tax": str(t.tax), "total": str(t.total)}


class Engine:
    """Syncs one tenant. Holds no connection of its own: it is handed the three sides."""

    def __init__(
        self,
        tenant: TenantConfig,
        woo: WooSource,
        odoo: OdooTarget,
        store: AuditStore,
        *,
        progress: Progress = _no_progress,
    ) -> None:
        self.tenant = tenant
        self.name = tenant.name
        self.woo = woo
        self.odoo = odoo
        self.store = store
        self.progress = progress
        self._ref: Reference | None = None
        self._skus_asked: set[str] = set()
        self._set_at_create: set[str] = set()  # keys whose create carried the shop's tax
        self._started = datetime.now(UTC)

    # ------------------------------------------------------------ entry points

    @contextmanager
    def _recorded_run(self, command: str) -> Iterator[TenantResult]:
        """A run row from start to finish; an aborted run keeps what it had done."""
        result = TenantResult(self.name)
        result.run_id = self.store.start_run(self.name, command)
        try:
            yield result
        except BaseException as exc:
            # Our own errors are written without secrets; anything else could carry a URL
            # with keys in its message, so only its type goes to the audit store.
            result.error = exc.message if isinstance(exc, WooodooError) else type(exc).__name__
            self.store.finish_run(result.run_id, "aborted", dict(result.stats), result.error)
            raise
        result.finish()
        status = "ok" if result.exit_code == EXIT_OK else "partial"
        self.store.finish_run(result.run_id, status, dict(result.stats))

    def sync(self, options: SyncOptions = SyncOptions()) -> TenantResult:
        self._started = datetime.now(UTC)
        with self._recorded_run("sync --dry-run" if options.dry_run else "sync") as result:
            if not options.dry_run:
                self._sweep_twins(result)
            self._sync_orders(options, result)
            overlap = timedelta(seconds=self.tenant.sync.overlap_seconds)
            self._customers(result, options.dry_run).sweep(
                mark=self._started - overlap, full=options.full
            )
        return result

    def replay(self, keys: Sequence[str] | None = None) -> TenantResult:
        """Try the failed records again (all of them, or only ``keys``)."""
        failures = [f for f in self.store.failures(self.name) if keys is None or f.key in keys]

        def ids(kind: str) -> list[int]:
            return sorted(
                {int(f.source_id) for f in failures if f.kind == kind and f.source_id.isdigit()}
            )

        with self._recorded_run("replay") as result:
            self._sweep_twins(result)
            order_ids = ids("order")
            size = self.tenant.sync.batch_size
            for start in range(0, len(order_ids), size):
                chunk = order_ids[start : start + size]
                orders = self.woo.get_orders(chunk)
                gone = set(chunk) - {o.id for o in orders}
                events = [
                    _event(
                        i,
                        order_key(self.name, i),
                        "failed",
                        error="the order no longer exists in WooCommerce",
                    )
                    for i in sorted(gone)
                ]
                result.stats["failed"] += len(events)
                batch_events, links = self._process_batch(orders, SyncOptions(), result)
                self.store.commit_page(self.name, result.run_id, events + batch_events, links)
            customer_ids = ids("customer")
            if customer_ids:
                for customers in self.woo.iter_customers(ids=customer_ids):
                    self._customers(result).process(customers)
        return result

    def _sweep_twins(self, result: TenantResult) -> None:
        """Remove twins that a killed run's late commits (or a lost create) left behind."""
        assert result.run_id is not None
        self._count_twins(TwinSweep(self.name, self.odoo, self.store).run(result.run_id), result)

    @staticmethod
    def _count_twins(out: TwinOutcome, result: TenantResult) -> None:
        result.stats["twins_removed"] += out.removed
        result.stats["conflict"] += len(out.conflicts)

    @property
    def wait(self) -> CommitWait:
        return CommitWait(seconds=max(30.0, self.tenant.odoo.timeout))

    # ------------------------------------------------------------ orders

    @property
    def ref(self) -> Reference:
        if self._ref is None:
            sync = self.tenant.sync
            spec = ReferenceSpec(
                tenant=self.name,
                taxes=dict(sync.taxes),
                accounts={
                    "products": sync.accounts.products,
                    "shipping": sync.accounts.shipping,
                    "fees": sync.accounts.fees,
                    "refunds": sync.accounts.refunds,
                },
                journal=sync.journal,
                use_products=sync.products == "sku",
            )
            self._ref = with_included_twins(self.odoo.load_reference(spec))
        return self._ref

    def _start(self, options: SyncOptions) -> datetime:
        if options.since is None and not options.full:
            saved = self.store.cursor(self.name, ORDER_CURSOR)
            if saved:
                overlap = timedelta(seconds=self.tenant.sync.overlap_seconds)
                return datetime.fromisoformat(saved) - overlap
        # Store-local midnight is at most 14 hours before UTC midnight; orders of the day
        # before are skipped by their local date in _process_batch.
        since = options.since or self.tenant.sync.since
        return datetime.combine(since, time.min, tzinfo=UTC) - timedelta(hours=14)

    def _sync_orders(self, options: SyncOptions, result: TenantResult) -> None:
        # Reference data is read on first use: a run with nothing new costs no Odoo reads.
        modified_after = self._start(options)
        seen = 0
        for page in self.woo.iter_order_pages(modified_after=modified_after):
            self.progress("page", 1)
            orders = page.orders
            if options.limit is not None:
                orders = orders[: max(0, options.limit - seen)]
            seen += len(orders)
            events = [
                _event(
                    r.record_id or "?",
                    order_key(self.name, r.record_id or 0),
                    "failed",
                    error=r.reason,
                )
                for r in page.rejected
            ]
            result.stats["failed"] += len(events)
            limited = options.limit is not None and seen >= options.limit
            saved = self.store.cursor(self.name, ORDER_CURSOR)
            ahead = saved is None or page.cursor > datetime.fromisoformat(saved)
            cursor = None
            if not limited and ahead:
                cursor = (ORDER_CURSOR, page.cursor.astimezone(UTC).isoformat())
            size = self.tenant.sync.batch_size
            batches = [orders[i : i + size] for i in range(0, len(orders), size)] or [[]]
            for n, batch in enumerate(batches):
                batch_events, links = self._process_batch(batch, options, result)
                events += batch_events
                last = n == len(batches) - 1
                if options.dry_run or not (events or links or (last and cursor)):
                    continue
                # The page's last audit rows and its cursor: one transaction (DESIGN rule 2).
                self.store.commit_page(
                    self.name, result.run_id, events, links, cursor=cursor if last else None
                )
                events = []
            self.progress("orders", len(orders))
            if limited:
                break

    def _process_batch(
        self, orders: Sequence[Order], options: SyncOptions, result: TenantResult
    ) -> tuple[list[Event], list[Link]]:
        """Invoice the orders of one batch; return the audit rows for the caller to commit."""
        if not orders:
            return [], []
        statuses = set(self.tenant.sync.statuses)
        since = options.since or self.tenant.sync.since
        events: list[Event] = []
        links: list[Link] = []
        keys = [order_key(self.name, o.id) for o in orders]
        local = self.store.links(self.name, keys)
        todo: list[Order] = []
        passed: list[tuple[Order, str]] = []
        for order, key in zip(orders, keys, strict=True):
            link = local.get(key)
            # a draft left as a mismatch is looked at again (replay, or a later sync)
            if link is None or link.state == "mismatch":
                if order.local_date_created < since:
                    result.stats["before_since"] += 1
                elif order.status in statuses:
                    todo.append(order)
                else:
                    passed.append((order, key))
                continue
            self._check_invoiced(order, link, events, links, result)
        # An order in a status that is not invoiced leaves one "skipped" row per version.
        last = self.store.last_actions(self.name, [key for _, key in passed]) if passed else {}
        for order, key in passed:
            result.stats["skipped"] += 1
            if last.get(key) != ("skipped", order.version):
                events.append(
                    _event(
                        order.id,
                        key,
                        "skipped",
                        source_version=order.version,
                        error=f"status {order.status} is not invoiced",
                    )
                )
        plans: dict[int, InvoicePlan] = {}
        if todo and self.ref.use_products:
            self._learn_products(todo)
        for order in todo:
            try:
                plans[order.id] = map_order(order, self.ref)
            except MappingError as exc:
                events.append(self._failed(order, str(exc)))
                result.stats["failed"] += 1
        by_id = {o.id: o for o in todo}
        found = self.odoo.find_invoices([p.key for p in plans.values()]) if plans else []
        if options.dry_run:
            existing = {m.key: m for m in found}
            adopted = [(p, existing[p.key]) for p in plans.values() if p.key in existing]
            new_plans = [p for p in plans.values() if p.key not in existing]
            result.planned.extend(new_plans)
            result.stats["would_create"] += len(new_plans)
            result.stats["unchanged"] += len(adopted)
            wanted: dict[str, dict[str, Any]] = {}
            for plan in new_plans:
                try:
                    wanted.update(wanted_for_orders([by_id[plan.order_id]], self.ref))
                except MappingError:
                    continue  # the order would fail; its plan says why
            partners = resolve_partners(wanted, self.ref, self.odoo, self.store, dry_run=True)
            result.stats["partners_would_create"] += sum(
                1 for e in partners.events if e.action == "would_create"
            )
            return [], []
        linked = {k: link.odoo_id for k, link in local.items() if link.odoo_model == "account.move"}
        kept, twins = settle_moves(self.odoo, found, linked)
        adopted = self._adopt(plans.values(), kept, twins, by_id, events, links, result)
        new_plans = [p for p in plans.values() if p.key not in kept]
        created = self._create(new_plans, by_id, events, result)
        self._settle(created + adopted, by_id, events, links, result)
        self.progress("invoices", len(created))
        return events, links

    def _adopt(
        self,
        plans: Iterable[InvoicePlan],
        kept: Mapping[str, MoveState],
        twins: TwinOutcome,
        orders: Mapping[int, Order],
        events: list[Event],
        links: list[Link],
        result: TenantResult,
    ) -> list[tuple[InvoicePlan, MoveState]]:
        """Invoices Odoo already has for these plans, twins settled; two posted: a conflict."""
        self._count_twins(twins, result)
        events.extend(twins.events)
        adopted: list[tuple[InvoicePlan, MoveState]] = []
        for plan in plans:
            move = kept.get(plan.key)
            if move is None:
                continue
            if plan.key not in twins.conflicts:
                adopted.append((plan, move))
                continue
            order = orders[plan.order_id]
            state = "posted" if move.state == "posted" else "draft"
            links.append(
                Link(
                    plan.key,
                    "order",
                    str(order.id),
                    "account.move",
                    move.id,
                    "conflict",
                    source_version=order.version,
                    odoo_name=move.name,
                    amounts={"state": state},
                )
            )
        return adopted

    def _learn_products(self, orders: Sequence[Order]) -> None:
        """Odoo products for the SKUs of these orders not asked about yet: one search."""
        ref = self.ref
        unknown = sorted(
            {item.sku for o in orders for item in o.line_items if item.sku} - self._skus_asked
        )
        if not unknown:
            return
        self._skus_asked.update(unknown)
        found = self.odoo.products_by_sku(unknown)
        if found:
            self._ref = replace(ref, products_by_sku={**ref.products_by_sku, **found})

    def _failed(self, order: Order, reason: str, action: str = "failed") -> Event:
        return _event(
            order.id,
            order_key(self.name, order.id),
            action,
            source_version=order.version,
            error=reason,
        )

    def _check_invoiced(
        self,
        order: Order,
        link: Link,
        events: list[Event],
        links: list[Link],
        result: TenantResult,
    ) -> None:
        """An order we already invoiced: never edit it; say so when it changed.

        Amounts are compared even when the modification date did not move: WooCommerce 7.9
        does not stamp edits of line items made through the REST API.
        """
        amounts = link.amounts or {}
        # compared as numbers: "72.66" and "72.660000" (asked with dp=6) are the same amount
        changed = (_number(amounts.get("total")), _number(amounts.get("tax"))) != (
            order.total,
            order.total_tax,
        )
        # A refund keeps the order's total and often its status: only its refund list moves.
        refunded = amounts.get("refunds", "") != _refund_ids(order)
        if link.state == "conflict" or not (
            changed or refunded or order.status in ATTENTION_STATUSES
        ):
            if link.source_version != order.version and link.state != "conflict":
                links.append(replace(link, source_version=order.version))
            result.stats["unchanged"] += 1
            return
        if order.status in ATTENTION_STATUSES:
            reason = f"order is now {order.status}"
        elif refunded:
            total = sum((r.total for r in order.refunds), Decimal(0))
            reason = f"refunded after invoicing ({-total} in {len(order.refunds)} refund(s))"
        else:
            reason = (
                f"amounts changed after invoicing: total {amounts.get('total')} → {order.total}"
            )
        events.append(
            _event(
                order.id,
                link.key,
                "conflict",
                source_version=order.version,
                odoo_model=link.odoo_model,
                odoo_id=link.odoo_id,
                odoo_name=link.odoo_name,
                error=reason + "; needs a credit note",
            )
        )
        links.append(replace(link, state="conflict", source_version=order.version))
        result.stats["conflict"] += 1

    def _create(
        self,
        plans: list[InvoicePlan],
        orders: dict[int, Order],
        events: list[Event],
        result: TenantResult,
    ) -> list[tuple[InvoicePlan, MoveState]]:
        if not plans:
            return []
        batch_orders = [orders[p.order_id] for p in plans]
        wanted: dict[str, dict[str, Any]] = {}
        good: list[InvoicePlan] = []
        for plan, order in zip(plans, batch_orders, strict=True):
            try:
                wanted.update(wanted_for_orders([order], self.ref))
                good.append(plan)
            except MappingError as exc:
                events.append(self._failed(order, str(exc)))
                result.stats["failed"] += 1
        partners = resolve_partners(wanted, self.ref, self.odoo, self.store, wait=self.wait)
        result.stats["in_doubt"] += partners.unsure
        events.extend(partners.events)
        result.stats["partners_created"] += sum(1 for e in partners.events if e.action == "created")
        self.store.commit_page(self.name, result.run_id, [], partners.links)
        ready: list[tuple[InvoicePlan, dict[str, Any]]] = []
        for plan in good:
            order = orders[plan.order_id]
            pkey = partner_key_for_order(self.name, order)
            if pkey in partners.failed:
                events.append(self._failed(order, f"partner: {partners.failed[pkey]}"))
                result.stats["failed"] += 1
                continue
            values = {**plan.values, "partner_id": partners.ids[pkey]}
            if self.tenant.sync.tax_adjust and plan.needs_tax_adjustment:
                # Only where the mapping foresees that Odoo's own rounding misses the shop's
                # tax: a create carrying tax_totals costs a real Odoo twice the time. On 16+
                # the shop's tax per tax group rides in the create (Odoo applies it once the
                # tax lines exist); elsewhere the draft is adjusted after the read-back.
                totals_edit = self.odoo.tax_totals_at_create(plan.expected_tax_by_tax)
                if totals_edit is not None:
                    values["tax_totals"] = totals_edit
                    self._set_at_create.add(plan.key)
                    result.stats["tax_totals_at_create"] += 1
            ready.append((plan, values))
        done = create_invoices(self.odoo, ready, self.wait)
        result.stats["in_doubt"] += done.unsure
        for plan, reason in done.refused:
            events.append(self._failed(orders[plan.order_id], reason))
            result.stats["failed"] += 1
        # Read back by key, not by id: a late twin from a call whose client had gone may have
        # landed meanwhile; one invoice per key stays, and that is the one checked and posted.
        made = [plan for plan, _ in done.made]
        kept, twins = settle_moves(self.odoo, self.odoo.find_invoices([p.key for p in made]), {})
        return self._adopt(made, kept, twins, orders, events, [], result)

    def _settle(
        self,
        moves: list[tuple[InvoicePlan, MoveState]],
        orders: dict[int, Order],
        events: list[Event],
        links: list[Link],
        result: TenantResult,
    ) -> None:
        """Check, adjust and post the batch's drafts; record what became of each."""
        sync = self.tenant.sync
        for done in settle(self.odoo, moves, post=sync.post, tax_adjust=sync.tax_adjust):
            order = orders[done.plan.order_id]
            action = "created" if done.status in ("posted", "draft") else done.status
            events.append(
                _event(
                    order.id,
                    done.plan.key,
                    action,
                    source_version=order.version,
                    odoo_model="account.move",
                    odoo_id=done.move.id,
                    odoo_name=done.name,
                    error=done.reason,
                    payload={
                        "expected": _amounts(done.plan.expected),
                        "odoo": _amounts(totals(done.move)),
                        "state": done.status,
                    },
                )
            )
            if order.refunds and done.status in ("posted", "draft"):
                # Recorded, not (yet) answered: credit notes for refunds are a later step.
                total = sum((r.total for r in order.refunds), Decimal(0))
                events.append(
                    _event(
                        order.id,
                        done.plan.key,
                        "refunded",
                        source_version=order.version,
                        odoo_model="account.move",
                        odoo_id=done.move.id,
                        odoo_name=done.name,
                        error=f"refunded before it was invoiced ({-total}): needs a credit note",
                    )
                )
                result.stats["refunded"] += 1
            if done.status != "failed":
                links.append(
                    Link(
                        done.plan.key,
                        "order",
                        str(order.id),
                        "account.move",
                        done.move.id,
                        done.status,
                        source_version=order.version,
                        odoo_name=done.name,
                        amounts={
                            "untaxed": str(done.plan.expected.untaxed),
                            "tax": str(order.total_tax),
                            "total": str(order.total),
                            "refunds": _refund_ids(order),
                        },
                    )
                )
            result.stats["invoiced" if action == "created" else done.status] += 1
            # once per invoice, whether the create carried it or a later write did
            adjusted = done.tax_adjusted or done.plan.key in self._set_at_create
            result.stats["tax_adjusted"] += adjusted and done.status in ("posted", "draft")
            # a write after the read-back: on 13-15 always, on 16+ only where the mapping's
            # prediction of Odoo's own rounding was wrong (each costs one more call)
            result.stats["tax_adjusted_after_read"] += done.tax_adjusted

    def _customers(self, result: TenantResult, dry_run: bool = False) -> CustomerSweep:
        return CustomerSweep(
            self.name,
            self.woo,
            self.odoo,
            self.store,
            lambda: self.ref,
            run_id=result.run_id,
            stats=result.stats,
            dry_run=dry_run,
            wait=self.wait,
        )
