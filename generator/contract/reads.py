"""The read checks of `gen test`, derived from the spec's GET operations.

- seed: every seed item is served exactly by its table's GetItem operation (local only);
- listed: every item a Scan operation lists is fetchable by GetItem, equal, and conforms;
- unknown-key: a key that does not exist answers 404 `{"message": ...}`;
- pagination: `limit=1` returns every item once, the truth's items, and the order of bigger pages;
- sort-range: sort-key ranges answer exactly the truth's items in range, in the declared order;
- index: index queries answer exactly the truth's items with that index key;
- protected: protected operations refuse missing and malformed credentials.
Each check returns one `CaseResult` per subject (a table or an operation).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from generator.contract.report import CaseResult, outcome
from generator.contract.shapes import (
    Conformance,
    Pages,
    claims_of,
    difference,
    get_item_op,
    item_path,
    key_of,
    served,
    text_of,
    truth,
)
from generator.contract.target import Target
from generator.ir.nodes import Operation, Table

PARTITIONS = 3
"""Partitions (the fullest ones) whose queries are compared with the truth, per operation."""


def _timed(check: str, subject: str, run: Callable[[], tuple[list[str], str]]) -> CaseResult:
    started = time.monotonic()
    problems, covered = run()
    return outcome(check, subject, problems, covered, time.monotonic() - started)


def _label(op: Operation) -> str:
    return f"{op.method.upper()} {op.path}"


def _skip(check: str, subject: str, why: str) -> CaseResult:
    return CaseResult(check, subject, "skipped", why)


def _cannot_authenticate(target: Target, op: Operation) -> str | None:
    if op.needs_credentials and target.http.auth.kind == "none":
        return "protected: pass --token, --sigv4 or --api-key"
    if op.key_claims and not target.http.auth.chooses_claims:
        return "the key comes from token claims: only the local stack lets gen test choose them"
    return None


# -- seed -----------------------------------------------------------------------------------------


def check_seed(target: Target) -> list[CaseResult]:
    ir = target.ir
    out: list[CaseResult] = []
    for seed in ir.seeds:
        subject = f"table {seed.table} ({len(seed.items)} items)"
        getter = get_item_op(ir, seed.table)
        if getter is None:
            out.append(_skip("seed", subject, "no GetItem operation serves this table"))
            continue
        op = getter
        if target.local is None:
            out.append(_skip("seed", subject, "a deployed stage need not hold the seed: see `listed`"))
            continue
        why = _cannot_authenticate(target, op)
        if why:
            out.append(_skip("seed", subject, why))
            continue
        model = ir.table(seed.table).item

        def run(op: Operation = op, items: Iterable[Any] = seed.items, model: str = model) -> tuple[list[str], str]:
            problems = []
            count = 0
            for item in items:
                count += 1
                path = item_path(op, item)
                reply = target.http.get(path, claims=claims_of(op, item))
                if reply.status != 200:
                    problems.append(f"GET {path} -> {reply.status} {reply.text[:200]}")
                    continue
                found = difference(served(ir, model, item), reply.json)
                if found:
                    problems.append(f"GET {path}: {found}")
            return problems, f"{count} item(s) served exactly by {_label(op)}"

        out.append(_timed("seed", subject, run))
    return out


# -- listed items ---------------------------------------------------------------------------------


def check_listed(target: Target) -> list[CaseResult]:
    ir = target.ir
    conformance = Conformance(target.spec_document)
    out: list[CaseResult] = []
    for op in ir.operations:
        if op.kind != "scan" or op.table is None:
            continue
        why = _cannot_authenticate(target, op)
        if why:
            out.append(_skip("listed", _label(op), why))
            continue
        table = ir.table(op.table)
        getter = get_item_op(ir, op.table)

        def run(op: Operation = op, table: Table = table, getter: Operation | None = getter) -> tuple[list[str], str]:
            pages = Pages(target, op.path, 25)
            problems = [pages.problem] if pages.problem else []
            for item in pages.items:
                problems += [f"{_label(op)} item {key_of(table, item)}: {p}"
                             for p in conformance.problems(table.item, item)]
                if getter is None or _cannot_authenticate(target, getter):
                    continue
                path = item_path(getter, item)
                reply = target.http.get(path, claims=claims_of(getter, item))
                if reply.status != 200:
                    problems.append(f"listed by {_label(op)}, but GET {path} -> {reply.status}")
                    continue
                found = difference(item, reply.json)
                if found:
                    problems.append(f"GET {path} differs from the listed item: {found}")
            fetched = f", each fetched by {_label(getter)}" if getter else ""
            return problems, f"{len(pages.items)} item(s) conform{fetched}"

        out.append(_timed("listed", _label(op), run))
    return out


# -- unknown keys ---------------------------------------------------------------------------------


def _absent_value(table: Table, attr: str) -> Any:
    kinds = {a.name: a.type for a in table.attribute_types}
    return Decimal(987654321987) if kinds.get(attr) == "N" else f"gen-test-absent-{uuid.uuid4().hex[:12]}"


def check_unknown_keys(target: Target) -> list[CaseResult]:
    ir = target.ir
    out: list[CaseResult] = []
    for op in ir.operations:
        if op.kind != "get_item" or op.table is None:
            continue
        why = _cannot_authenticate(target, op)
        if why:
            out.append(_skip("unknown-key", _label(op), why))
            continue
        table = ir.table(op.table)

        def run(op: Operation = op, table: Table = table) -> tuple[list[str], str]:
            values = {name: _absent_value(table, name) for name in table.key_names}
            path = item_path(op, values)
            reply = target.http.get(path, claims=claims_of(op, values))
            body = reply.json
            if reply.status != 404 or not (isinstance(body, dict) and set(body) == {"message"}):
                return [f"GET {path} -> {reply.status} {reply.text[:200]} (expected 404 {{message}})"], ""
            return [], f"GET {path} -> 404"

        out.append(_timed("unknown-key", _label(op), run))
    return out


# -- pagination, sort ranges, indexes ---------------------------------------------------------------


def _partitions(items: list[dict[str, Any]], attr: str, limit: int = PARTITIONS) -> list[Any]:
    counts: dict[str, tuple[int, Any]] = {}
    for item in items:
        if attr in item and item[attr] is not None:
            text = text_of(item[attr])
            counts[text] = (counts.get(text, (0, item[attr]))[0] + 1, item[attr])
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [value for _, (_, value) in ranked[:limit]]


def _sort_value(value: Any) -> Any:
    return (0, Decimal(str(value))) if isinstance(value, (int, Decimal, float)) else (1, str(value))


def _paged(target: Target, op: Operation, table: Table, params: dict[str, str], values: dict[str, Any],
           expected: list[dict[str, Any]] | None) -> list[str]:
    """Walk `op` with limit=1 and limit=7: each item once, same order; equal to `expected`."""
    path, claims = item_path(op, values), claims_of(op, values)
    one = Pages(target, path, 1, params, claims)
    seven = Pages(target, path, 7, params, claims)
    problems = [p for p in (one.problem, seven.problem) if p]
    if problems:
        return problems
    keys = [key_of(table, item) for item in one.items]
    if len(keys) != len(set(keys)):
        problems.append(f"GET {path} limit=1: an item came twice")
    if one.requests < len(keys):
        problems.append(f"GET {path} limit=1: {len(keys)} items in {one.requests} requests")
    if [key_of(table, item) for item in seven.items] != keys:
        problems.append(f"GET {path}: limit=7 gives another order (or other items) than limit=1")
    if expected is not None:
        want = sorted(key_of(table, item) for item in expected)
        if sorted(keys) != want:
            missing, extra = set(want) - set(keys), set(keys) - set(want)
            problems.append(f"GET {path} limit=1: missing {sorted(missing)[:3]}, extra {sorted(extra)[:3]}")
    return problems


def check_pagination(target: Target) -> list[CaseResult]:
    ir = target.ir
    out: list[CaseResult] = []
    for op in ir.operations:
        if op.kind not in ("scan", "query") or op.table is None:
            continue
        why = _cannot_authenticate(target, op)
        if why:
            out.append(_skip("pagination", _label(op), why))
            continue
        table = ir.table(op.table)

        def run(op: Operation = op, table: Table = table) -> tuple[list[str], str]:
            known = truth(target, table)
            items, source = known if known is not None else ([], "no truth")
            if op.kind == "scan":
                return _paged(target, op, table, {}, {}, items if known else None), f"limit=1 vs {source}"
            attr = op.key_params[0][0] if op.key_params else (op.key_claims[0][0] if op.key_claims else "")
            problems: list[str] = []
            partitions = _partitions(items, attr)
            for value in partitions:
                expected = [i for i in items if text_of(i.get(attr)) == text_of(value)]
                problems += _paged(target, op, table, {}, {attr: value}, expected)
            return problems, f"{len(partitions)} partition(s), limit=1 vs {source}"

        out.append(_timed("pagination", _label(op), run))
    return out


def _ranges(values: list[Any], has_from: bool, has_to: bool) -> list[tuple[Any, Any]]:
    """(from, to) pairs over the sorted distinct sort values; None means the parameter is absent."""
    n = len(values)
    mid = values[n // 2]
    pairs: list[tuple[Any, Any]] = [(None, None)]
    if has_from:
        pairs.append((mid, None))
        beyond = values[-1] + 1 if isinstance(values[-1], (int, Decimal)) else str(values[-1]) + "~"
        pairs.append((beyond, None))
    if has_to:
        pairs.append((None, mid))
    if has_from and has_to:
        pairs += [(values[min(1, n - 1)], values[max(n - 2, 0)]), (mid, mid)]
    return pairs


def check_sort_ranges(target: Target) -> list[CaseResult]:
    ir = target.ir
    out: list[CaseResult] = []
    for op in ir.operations:
        if op.kind != "query" or op.sort is None or op.table is None or op.index is not None:
            continue
        why = _cannot_authenticate(target, op)
        if why:
            out.append(_skip("sort-range", _label(op), why))
            continue
        table = ir.table(op.table)

        def run(op: Operation = op, table: Table = table) -> tuple[list[str], str]:
            assert op.sort is not None and table.sort_key is not None
            known = truth(target, table)
            if known is None:
                return [], "no truth to compare with (no Scan operation of this table)"
            items, source = known
            pk, sk = table.partition_key.name, table.sort_key.name
            problems: list[str] = []
            cases = 0
            for value in _partitions(items, pk, 1):
                rows = sorted((i for i in items if text_of(i.get(pk)) == text_of(value) and sk in i),
                              key=lambda i: _sort_value(i[sk]), reverse=op.sort.descending)
                ordered = sorted({text_of(r[sk]): r[sk] for r in rows}.values(), key=_sort_value)
                for low, high in _ranges(ordered, op.sort.from_param is not None, op.sort.to_param is not None):
                    params = {k: text_of(v) for k, v in ((op.sort.from_param, low), (op.sort.to_param, high))
                              if k is not None and v is not None}
                    want = [r for r in rows if (low is None or _sort_value(r[sk]) >= _sort_value(low))
                            and (high is None or _sort_value(r[sk]) <= _sort_value(high))]
                    pages = Pages(target, item_path(op, {pk: value}), 100, params, claims_of(op, {pk: value}))
                    cases += 1
                    if pages.problem:
                        problems.append(pages.problem)
                        continue
                    found = difference(want, pages.items)
                    if found:
                        problems.append(f"GET {item_path(op, {pk: value})} {params}: {found}")
            return problems, f"{cases} range(s) vs {source}"

        out.append(_timed("sort-range", _label(op), run))
    return out


def check_indexes(target: Target) -> list[CaseResult]:
    ir = target.ir
    out: list[CaseResult] = []
    for op in ir.operations:
        if op.kind != "query" or op.index is None or op.table is None:
            continue
        why = _cannot_authenticate(target, op)
        if why:
            out.append(_skip("index", _label(op), why))
            continue
        table = ir.table(op.table)
        index = table.index(op.index)
        if index is None:
            continue

        def run(op: Operation = op, table: Table = table) -> tuple[list[str], str]:
            known = truth(target, table)
            if known is None:
                return [], "no truth to compare with (no Scan operation of this table)"
            items, source = known
            assert index is not None
            pk = index.partition_key.name
            problems: list[str] = []
            partitions = _partitions(items, pk, 10)
            for value in partitions:
                rows = [i for i in items if text_of(i.get(pk)) == text_of(value)]
                path = item_path(op, {pk: value})
                pages = Pages(target, path, 2, None, claims_of(op, {pk: value}))
                if pages.problem:
                    problems.append(pages.problem)
                    continue
                got = {key_of(table, i): i for i in pages.items}
                if sorted(got) != sorted(key_of(table, r) for r in rows):
                    problems.append(f"GET {path}: {sorted(got)[:5]} instead of "
                                    f"{sorted(key_of(table, r) for r in rows)[:5]}")
                    continue
                isk = index.sort_key.name if index.sort_key else None
                if isk and len({text_of(r.get(isk)) for r in rows}) == len(rows):
                    want_order = [key_of(table, r) for r in sorted(rows, key=lambda r: _sort_value(r.get(isk)))]
                    if [key_of(table, i) for i in pages.items] != want_order:
                        problems.append(f"GET {path}: not in the order of the index sort key {isk}")
                if index.projection == "all":
                    for row in rows:
                        found = difference(row, got[key_of(table, row)])
                        if found:
                            problems.append(f"GET {path} item {key_of(table, row)}: {found}")
            return problems, f"{len(partitions)} index value(s) vs {source}"

        out.append(_timed("index", _label(op), run))
    return out


# -- protected operations -------------------------------------------------------------------------

REFUSED_LOCAL = (401,)
REFUSED_DEPLOYED = (401, 403)


def check_protected(target: Target) -> list[CaseResult]:
    ir = target.ir
    refused = REFUSED_LOCAL if target.local is not None else REFUSED_DEPLOYED
    out: list[CaseResult] = []
    for op in ir.operations:
        if not op.protected:
            continue

        def run(op: Operation = op) -> tuple[list[str], str]:
            values = {attr: "gen-test" for attr, _ in op.key_params}
            path = item_path(op, values)
            problems = []
            for label, headers in (("no credentials", {}), ("a malformed token", {"Authorization": "Bearer x.y"})):
                body: list[Any] | None = [] if op.kind == "ingest" else None
                reply = target.http.request(op.method.upper(), path, headers=headers, body=body,
                                            authenticated=False)
                if reply.status not in refused:
                    problems.append(f"{op.method.upper()} {path} with {label} -> {reply.status} "
                                    f"(expected {' or '.join(map(str, refused))})")
            return problems, f"refused without credentials ({'/'.join(map(str, refused))})"

        out.append(_timed("protected", _label(op), run))
    return out
