"""The database, its environment and the generic ORM methods (search, read, create, write)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from wooodoo.sandbox.odoo.access import AccessMixin
from wooodoo.sandbox.odoo.domains import Domain, matches, parse_domain
from wooodoo.sandbox.odoo.exceptions import MissingError, ValidationError, missing
from wooodoo.sandbox.odoo.fields import Field, ModelSpec
from wooodoo.sandbox.odoo.lookup import Table, rows_to_test
from wooodoo.sandbox.odoo.store import Row, Store
from wooodoo.sandbox.odoo.values import to_read, to_stored, x2many_ids


def id_list(ids: int | Sequence[int]) -> list[int]:
    """The ids a record method was called with: Odoo takes one id as well as a list."""
    return [ids] if isinstance(ids, int) else list(ids)


def vals_rows(vals_list: Row | Sequence[Row]) -> list[Row]:
    """The values a create was called with: Odoo takes one dict as well as a list."""
    return [vals_list] if isinstance(vals_list, dict) else list(vals_list)


class Database:
    """One Odoo database: schema of its version, rows, settings and the model classes."""

    def __init__(
        self,
        name: str,
        version: int,
        schema: dict[str, ModelSpec],
        classes: dict[str, type[BaseModel]],
        clock: Callable[[], datetime],
    ) -> None:
        self.name = name
        self.version = version
        self.schema = schema
        self.classes = classes
        self.clock = clock
        self.store = Store()
        # what the calls cost Odoo, by kind of work (e.g. creates that carried tax_totals)
        self.tally: Counter[str] = Counter()
        self.uid = 2
        self.company_id = 1
        # (model, operation) pairs the API user may not do (model-level access rights)
        self.denied: set[tuple[str, str]] = set()

    def now(self) -> str:
        return self.clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")

    def today(self) -> str:
        return self.clock().astimezone(UTC).strftime("%Y-%m-%d")


class Env:
    """What a model method runs with: the database and a context."""

    def __init__(self, db: Database, context: dict[str, Any] | None = None) -> None:
        self.db = db
        self.context = dict(context or {})

    def __contains__(self, model: str) -> bool:
        return model in self.db.schema

    def __getitem__(self, model: str) -> BaseModel:
        spec = self.db.schema[model]
        return self.db.classes.get(model, BaseModel)(self, spec)


class BaseModel(AccessMixin):
    """Generic behaviour of every model; subclasses add business rules."""

    db: Database

    API_MODEL = frozenset(
        {
            "create",
            "search",
            "search_read",
            "search_count",
            "fields_get",
            "name_search",
            "default_get",
            "check_access_rights",
        }
    )
    RPC_METHODS = frozenset(
        API_MODEL | {"read", "write", "unlink", "exists", "copy", "has_access", "check_access"}
    )

    def __init__(self, env: Env, spec: ModelSpec) -> None:
        self.env = env
        self.db = env.db
        self.spec = spec
        self._name = spec.name

    # ----- helpers
    @property
    def rows(self) -> dict[int, Row]:
        return self.db.store.table(self._name)

    def field(self, name: str) -> Field:
        return self.spec.fields[name]

    def invalid_field(self, name: str) -> ValueError:
        if self.db.version >= 19:
            return ValueError(f"Invalid field {name!r} in {self._name!r}")
        return ValueError(f"Invalid field {name!r} on model {self._name!r}")

    def check_names(self, names: Iterable[str]) -> None:
        """Odoo's error for the first name that is no field of this model."""
        for name in names:
            if name not in self.spec.fields:
                raise self.invalid_field(name)

    def browse_rows(self, ids: Sequence[int]) -> list[Row]:
        gone = [i for i in ids if i not in self.rows]
        if gone:
            raise missing(self._name, gone, self.db.uid)
        return [self.rows[i] for i in ids]

    def display_name(self, row: Row) -> str:
        return str(row.get(self.spec.rec_name) or "")

    def compute(self, row: Row, name: str) -> Any:
        """Value of a computed field; subclasses add theirs."""
        if name == "id":
            return row["id"]
        if name == "display_name":
            return self.display_name(row)
        return row.get(name, False)

    def value(self, row: Row, path: str) -> Any:
        """Raw value of a field, or of ``a.b`` through a many2one."""
        head, _, rest = path.partition(".")
        if head not in self.spec.fields:
            raise self.invalid_leaf(head, path)
        field = self.spec.fields[head]
        val = self._stored_or_computed(row, head)
        if not rest:
            return val
        if field.type != "many2one" or field.relation is None:
            raise self.invalid_leaf(path, path)
        if not val:
            return False
        comodel = self.env[field.relation]
        return comodel.value(comodel.rows[val], rest) if val in comodel.rows else False

    def _stored_or_computed(self, row: Row, name: str) -> Any:
        field = self.spec.fields[name]
        if field.computed or field.type == "one2many":
            return self.compute(row, name)
        return row.get(name, False)

    def invalid_leaf(self, name: str, leaf: Any) -> ValueError:
        word = "condition" if self.db.version >= 18 else "leaf"
        return ValueError(f"Invalid field {self._name}.{name} in {word} {leaf!r}")

    def related_spec(self, relation: str) -> ModelSpec:
        return self.db.schema[relation]

    def related_name(self, relation: str, rid: Any) -> str | None:
        comodel = self.env[relation]
        return comodel.display_name(comodel.rows[rid]) if rid in comodel.rows else None

    def related_rows(self, relation: str) -> dict[int, Row]:
        return self.env[relation].rows

    def missing_records(self, relation: str, ids: list[int]) -> MissingError:
        return missing(relation, ids, self.db.uid)

    def _search_ids(
        self, domain: Domain, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        domain = list(domain or [])
        if (
            "active" in self.spec.fields
            and self.env.context.get("active_test", True)
            and not any(isinstance(t, list | tuple) and t and t[0] == "active" for t in domain)
        ):
            domain = ["&", ("active", "=", True), *domain] if domain else [("active", "=", True)]
        parsed = parse_domain(self, domain)
        test = parsed.test
        found = [row for row in rows_to_test(Table(self.db.store, self.spec), parsed) if test(row)]
        for name, desc in reversed(self._order_spec(order or self.spec.order)):
            found.sort(key=functools.partial(self._sort_key, name=name), reverse=desc)
        ids = [row["id"] for row in found]
        return ids[offset : offset + limit] if limit else ids[offset:]

    def _order_spec(self, order: str) -> list[tuple[str, bool]]:
        result = []
        for part in order.split(","):
            words = part.split()
            if not words:
                continue
            if words[0] not in self.spec.fields:
                if order != self.spec.order:
                    raise ValueError(f"Invalid field {words[0]!r} on model {self._name!r}")
                continue
            result.append((words[0], len(words) > 1 and words[1].lower() == "desc"))
        return result

    def _sort_key(self, row: Row, name: str) -> tuple[int, Any]:
        val = self.compute(row, name) if self.spec.fields[name].computed else row.get(name)
        if val in (None, False, ""):
            return (1, 0)
        return (0, val.lower() if isinstance(val, str) else val)

    # ----- public RPC methods
    def search(
        self, domain: Domain, offset: int = 0, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        return self._search_ids(domain, offset, limit, order)

    def search_count(self, domain: Domain, limit: int | None = None) -> int:
        return len(self._search_ids(domain, 0, limit))

    def search_read(
        self,
        domain: Domain | None = None,
        fields: list[str] | None = None,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        **read_kwargs: Any,
    ) -> list[Row]:
        self.require_access("read")
        ids = self._search_ids(domain or [], offset, limit, order)
        return self._read_format(ids, fields, **read_kwargs)

    def read(
        self, ids: Sequence[int], fields: list[str] | None = None, load: str = "_classic_read"
    ) -> list[Row]:
        ids = id_list(ids)
        self.browse_rows(ids)
        return self._read_format(ids, fields, load=load)

    def _read_format(
        self, ids: list[int], fnames: list[str] | None = None, load: str = "_classic_read"
    ) -> list[Row]:
        names = (
            list(fnames)
            if fnames
            else [n for n, f in self.spec.fields.items() if f.type != "binary"]
        )
        self.check_names(names)
        out = []
        for rid in ids:
            row = self.rows[rid]
            record: Row = {"id": rid}
            for name in names:
                record[name] = self.export(row, name, load)
            out.append(record)
        return out

    def export(self, row: Row, name: str, load: str = "_classic_read") -> Any:
        return to_read(self.spec.fields[name], self._stored_or_computed(row, name), load, self)

    def fields_get(
        self, allfields: list[str] | None = None, attributes: list[str] | None = None
    ) -> dict[str, Row]:
        out: dict[str, Row] = {}
        for name, field in self.spec.fields.items():
            if allfields and name not in allfields:
                continue
            desc: Row = {
                "type": field.type,
                "string": field.string or name,
                "required": field.required,
                "readonly": field.readonly,
                "store": not field.computed or name in ("id", "create_date", "write_date"),
            }
            if field.relation:
                desc["relation"] = field.relation
            if field.selection:
                desc["selection"] = [[v, v.replace("_", " ").title()] for v in field.selection]
            out[name] = {k: v for k, v in desc.items() if not attributes or k in attributes}
        return out

    def name_search(
        self,
        name: str = "",
        domain: Domain | None = None,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[list[Any]]:
        ids = self._search_ids(domain or [], 0, None)
        hits = [
            i
            for i in ids
            if not name
            or matches(
                self,
                self.display_name(self.rows[i]),
                operator,
                name,
                "char",
                self.field("display_name"),
            )
        ]
        return [[i, self.display_name(self.rows[i])] for i in hits[:limit]]

    def default_get(self, fields_list: list[str]) -> Row:
        return {
            n: self.spec.fields[n].default
            for n in fields_list
            if n in self.spec.fields and self.spec.fields[n].default is not None
        }

    def exists(self, ids: Sequence[int]) -> list[int]:
        return [i for i in ids if i in self.rows]

    def create(self, vals_list: Row | list[Row]) -> int | list[int]:
        self.require_access("create")
        single = isinstance(vals_list, dict)
        ids = [self._create_one(dict(vals)) for vals in vals_rows(vals_list)]
        return ids[0] if single else ids

    def _create_one(self, vals: Row) -> int:
        rid = self.db.store.next_id(self._name)
        row: Row = self.spec.stored_defaults()
        row.update(self.convert(vals))
        stamp = self.db.now()
        row.update({"id": rid, "create_date": stamp, "write_date": stamp})
        self.check_required(row)
        self.db.store.insert(self._name, rid, row)
        self.validate(row)
        return rid

    def write(self, ids: Sequence[int], vals: Row) -> bool:
        ids = id_list(ids)
        self.browse_rows(ids)
        for rid in ids:
            changes = self.convert(vals, self.rows[rid])
            self.db.store.update(self._name, rid, {**changes, "write_date": self.db.now()})
            self.validate(self.rows[rid])
        return True

    def unlink(self, ids: Sequence[int]) -> bool:
        for rid in list(ids):
            self.browse_rows([rid])
            self.db.store.delete(self._name, rid)
        return True

    def copy(self, ids: Sequence[int], default: Row | None = None) -> int:
        row = self.browse_rows(list(ids)[:1])[0]
        vals = {
            n: v
            for n, v in row.items()
            if n in self.spec.fields
            and not self.spec.fields[n].computed
            and self.spec.fields[n].type != "one2many"
        }
        vals.update(default or {})
        return self._create_one(vals)

    # ----- value conversion
    def convert(self, vals: Row, current: Row | None = None) -> Row:
        """Check field names and turn RPC values into stored values (x2many from ``current``)."""
        out: Row = {}
        for name, value in vals.items():
            if name not in self.spec.fields:
                raise self.invalid_field(name)
            field = self.spec.fields[name]
            if field.computed:
                continue  # Odoo drops writes to computed fields without an inverse
            if field.type == "many2many":
                out[name] = x2many_ids(field, (current or {}).get(name) or [], value, self)
            else:
                out[name] = to_stored(field, f"{self._name}.{name}", value, self)
        return out

    def check_required(self, row: Row) -> None:
        for name, field in self.spec.fields.items():
            if field.required and not field.computed and row.get(name) in (None, False, ""):
                raise ValidationError(
                    "The operation cannot be completed:\n"
                    "- Create/update: a mandatory field is not set.\n"
                    "- Delete: another model requires the record being deleted. "
                    "If possible, archive it instead.\n\n"
                    f"Model: {self.spec.description or self._name} ({self._name})\n"
                    f"Field: {field.string} ({name})"
                )

    def validate(self, row: Row) -> None:
        """Python constraints; subclasses add theirs."""

    def touch(self, rid: int, changes: Row) -> None:
        self.db.store.update(self._name, rid, {**changes, "write_date": self.db.now()})
