"""Data rules: tables (keys, indexes, TTL) and streams (capacity, retention, archive).

A removed table or a changed key is destructive: DynamoDB deletes, or replaces, the table and its
data (`gen build` refuses both unless acknowledged; `generator.write.guard`). Index, TTL and
stream changes apply in place. `claims` maps the Terraform addresses a data finding explains to
that finding, so the infrastructure finding about the same resource follows its acknowledgement.
"""

from __future__ import annotations

from generator.ir.nodes import Index, Stream, Table
from generator.review.findings import Finding
from generator.review.side import Side
from generator.write.guard import key_of

MODEL = "model.yaml"
Claims = dict[str, tuple[str, str]]


def _address(t: Table) -> str:
    return t.names.table.address


def data_findings(base: Side, head: Side) -> tuple[list[Finding], Claims]:
    out: list[Finding] = []
    claims: Claims = {}
    before = {t.name: t for t in base.ir.tables}
    after = {t.name: t for t in head.ir.tables}
    for name in sorted(set(before) - set(after)):
        t = before[name]
        out.append(Finding("data.table-removed", name,
                           f"table {name} left the spec: Terraform would delete it and its data",
                           base.locate(MODEL, t.source.pointer), "base"))
        claims[_address(t)] = ("data.table-removed", name)
    for name in sorted(set(after) - set(before)):
        out.append(Finding("data.table-added", name, f"table {name} (key {', '.join(key_of(after[name]))})",
                           head.locate(MODEL, after[name].source.pointer)))
    for name in sorted(set(before) & set(after)):
        out += _table(base, head, before[name], after[name], claims)
    out += _streams(base, head, claims)
    return out, claims


def _table(base: Side, head: Side, old: Table, new: Table, claims: Claims) -> list[Finding]:
    out: list[Finding] = []
    name, ptr = new.name, new.source.pointer
    if key_of(old) != key_of(new):
        moved = _address(old) != _address(new)
        how = (f"gen moves it to {_address(new)} and Terraform forgets {_address(old)}, which keeps the old "
               "data (migrate it: docs/review.md)" if moved else
               "DynamoDB cannot change a key, so Terraform would replace the table and its data is lost")
        out.append(Finding("data.key-changed", name,
                           f"table {name}: key ({', '.join(key_of(old))}) -> ({', '.join(key_of(new))}): {how}",
                           head.locate(MODEL, ptr + ("partition_key",))))
        claims[_address(old)] = claims[_address(new)] = ("data.key-changed", name)
    out += _indexes(head, old, new)
    if old.ttl != new.ttl:
        if old.ttl is None:
            rule, text = "data.ttl-enabled", f"items expire by {new.ttl}"
        elif new.ttl is None:
            rule, text = "data.ttl-disabled", f"items no longer expire (was {old.ttl}): the table grows"
        else:
            rule, text = "data.ttl-changed", (f"TTL attribute {old.ttl} -> {new.ttl} (DynamoDB disables TTL, then "
                                              "enables it again: at most one change per hour)")
        out.append(Finding(rule, name, f"table {name}: {text}", head.locate(MODEL, ptr + ("ttl",))
                           if new.ttl else head.locate(MODEL, ptr)))
    return out


def _index_shape(i: Index) -> str:
    keys = [i.partition_key] + ([i.sort_key] if i.sort_key else [])
    return f"({', '.join(f'{k.name}:{k.type}' for k in keys)}; {i.projection})"


def _indexes(head: Side, old: Table, new: Table) -> list[Finding]:
    before = {i.name: i for i in old.indexes}
    after = {i.name: i for i in new.indexes}
    name, out = new.name, []
    for index in sorted(set(after) - set(before)):
        out.append(Finding("data.index-added", name,
                           f"table {name}: index {index} {_index_shape(after[index])} is built in place; queries "
                           "on it work once it is ACTIVE", head.locate(MODEL, after[index].source.pointer)))
    for index in sorted(set(before) - set(after)):
        out.append(Finding("data.index-removed", name,
                           f"table {name}: index {index} is deleted in place (readers outside this spec lose it)",
                           head.locate(MODEL, new.source.pointer)))
    for index in sorted(set(before) & set(after)):
        if _index_shape(before[index]) != _index_shape(after[index]):
            out.append(Finding("data.index-changed", name,
                               f"table {name}: index {index} {_index_shape(before[index])} -> "
                               f"{_index_shape(after[index])}: deleted and built again in place; queries on it "
                               "fail meanwhile", head.locate(MODEL, after[index].source.pointer)))
    return out


def _capacity(s: Stream) -> str:
    return "on-demand" if s.on_demand else f"{s.shards} shard(s)"


def _streams(base: Side, head: Side, claims: Claims) -> list[Finding]:
    before = {s.name: s for s in base.ir.streams}
    after = {s.name: s for s in head.ir.streams}
    out: list[Finding] = []
    for name in sorted(set(before) - set(after)):
        out.append(Finding("data.stream-removed", name,
                           f"stream {name} is deleted: records no processor has read yet are lost",
                           base.locate(MODEL, before[name].source.pointer), "base"))
        claims[before[name].names.stream.address] = ("data.stream-removed", name)
    for name in sorted(set(after) - set(before)):
        out.append(Finding("data.stream-added", name, f"stream {name} ({_capacity(after[name])})",
                           head.locate(MODEL, after[name].source.pointer)))
    for name in sorted(set(before) & set(after)):
        out += _stream(head, before[name], after[name], claims)
    return out


def _stream(head: Side, old: Stream, new: Stream, claims: Claims) -> list[Finding]:
    out: list[Finding] = []
    name, ptr = new.name, new.source.pointer
    if _capacity(old) != _capacity(new):
        note = ""
        if old.shards and new.shards and not old.shards / 2 <= new.shards <= old.shards * 2:
            note = "; UpdateShardCount at most doubles or halves per call, so Terraform may need several applies"
        out.append(Finding("data.stream-capacity-changed", name,
                           f"stream {name}: {_capacity(old)} -> {_capacity(new)} in place{note}",
                           head.locate(MODEL, ptr)))
    if old.retention_hours != new.retention_hours:
        shorter = new.retention_hours < old.retention_hours
        rule = "data.stream-retention-decreased" if shorter else "data.stream-retention-increased"
        tail = ": older records are dropped at once, and replays reach less far back" if shorter else ""
        out.append(Finding(rule, name, f"stream {name}: retention {old.retention_hours} h -> {new.retention_hours} h"
                           + tail, head.locate(MODEL, ptr + ("retention_hours",))))
    if old.archive != new.archive:
        if new.archive:
            out.append(Finding("data.archive-enabled", name, f"stream {name} is archived to the data lake from now on",
                               head.locate(MODEL, ptr + ("archive",))))
        else:
            out.append(Finding("data.archive-disabled", name,
                               f"stream {name} is no longer archived: later events cannot be replayed from the lake "
                               "(what is archived stays)", head.locate(MODEL, ptr + ("archive",))))
            claims[new.names.archive.address] = ("data.archive-disabled", name)
    return out
