"""Infrastructure rules: compare two generated Terraform trees resource by resource.

gen's HCL is `terraform fmt`-canonical, so top-level blocks start in column 0 and close with a
lone `}`; a block is split into its arguments and nested blocks only when its text changed.
Each changed resource is created, updated in place, replaced (an argument that forces a new
resource changed, or one it depends on through such an argument was replaced), destroyed, or
forgotten (a `removed` block). Data sources and locals are not resources: a change in one is
reported on the resources that read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.diagnostics import Location
from generator.review.findings import Finding
from generator.review.replacement import STATEFUL, forces_new

_HEADER = re.compile(r'^(resource|data) "([^"]+)" "([^"]+)" \{$')
_FROM = re.compile(r"^\s*from\s*=\s*(\S+)\s*$")
TF = "generated/terraform/"
API_DEFINITION = "local.api_definition"  # templatefile() of generated/api/openapi.json (api.tf)


@dataclass(frozen=True, slots=True)
class Block:
    address: str  # aws_x.name, or data.aws_x.name
    rtype: str
    body: tuple[str, ...]  # the lines between the braces, comments left out
    file: str
    line: int

    @property
    def text(self) -> str:
        return "\n".join(self.body)


@dataclass
class Tree:
    blocks: dict[str, Block]
    forgotten: set[str]
    locals: dict[str, str]


def parse(files: dict[str, str]) -> Tree:
    tree = Tree({}, set(), {})
    for name in sorted(files):
        lines = files[name].split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line or line[0] in " #}" or line.endswith("{}"):
                i += 1
                continue
            end = i + 1
            while end < len(lines) and lines[end] != "}":
                end += 1
            body = tuple(x for x in lines[i + 1:end] if not x.lstrip().startswith("#"))
            match = _HEADER.match(line)
            if match:
                kind, rtype, label = match.groups()
                address = f"{rtype}.{label}" if kind == "resource" else f"data.{rtype}.{label}"
                tree.blocks[address] = Block(address, rtype, body, TF + name, i + 1)
            elif line.startswith("removed "):
                tree.forgotten |= {m.group(1) for x in body if (m := _FROM.match(x))}
            elif line.startswith("locals "):
                tree.locals.update({f"local.{k}": "\n".join(v) for k, v in arguments(body).items()})
            i = end + 1
    return tree


def _balance(text: str) -> int:
    """Open minus closed brackets outside string literals."""
    depth, quoted, escaped = 0, False, False
    for ch in text:
        if quoted:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
    return depth


def arguments(body: tuple[str, ...]) -> dict[str, list[str]]:
    """The block's arguments and nested blocks at its first level: name -> texts (in order)."""
    out: dict[str, list[str]] = {}
    i = 0
    while i < len(body):
        line = body[i]
        stripped = line.strip()
        if not stripped or len(line) - len(line.lstrip()) != 2:
            i += 1
            continue
        head, eq, value = stripped.partition("=")
        if eq and not head.rstrip().endswith(("{", '"')) and " " not in head.strip():
            parts, depth, j = [value.strip()], _balance(value), i
            while depth > 0 and j + 1 < len(body):
                j += 1
                parts.append(body[j].strip())
                depth += _balance(body[j])
            out.setdefault(head.strip(), []).append("\n".join(parts))
            i = j + 1
        elif stripped.endswith("{"):
            j = i + 1
            while j < len(body) and body[j] != "  }":
                j += 1
            out.setdefault(stripped.split()[0], []).append("\n".join(x.strip() for x in body[i + 1:j]))
            i = j + 1
        else:
            i += 1
    return out


def _changed(old: Block, new: Block) -> set[str]:
    before, after = arguments(old.body), arguments(new.body)
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def _reads(block: Block, names: set[str]) -> set[str]:
    text = block.text
    return {n for n in names if n in text and re.search(re.escape(n) + r"\b(?!-)", text)}


def infra_findings(base_files: dict[str, str], head_files: dict[str, str],
                   claims: dict[str, tuple[str, str]], api_changed: bool) -> list[Finding]:
    """One finding per resource whose plan is not a no-op. `claims` maps addresses to the data
    finding that explains them; `api_changed` says the API definition file changed."""
    base, head = parse(base_files), parse(head_files)
    plan: dict[str, tuple[str, str]] = {}  # address -> (verb, detail)
    for address, new in head.blocks.items():
        old = base.blocks.get(address)
        if old is None or old.text == new.text or address.startswith("data."):
            continue
        changed = _changed(old, new)
        if not changed:
            continue  # only alignment moved (a neighbour's name got longer)
        forced = forces_new(new.rtype, changed)
        plan[address] = ("replace", "changed " + ", ".join(forced)) if forced else \
            ("update", ", ".join(sorted(changed)))
    _indirect(base, head, plan, api_changed)
    _cascade(base, head, plan)
    out: list[Finding] = []
    for address, new in sorted(head.blocks.items()):
        if address.startswith("data."):
            continue
        where = Location(new.file, new.line, 1)
        if address not in base.blocks:
            out.append(_finding("infra.resource-created", address, f"{address} is created", where, "head", claims))
        elif address in plan:
            verb, detail = plan[address]
            if verb == "update":
                out.append(_finding("infra.resource-updated", address, f"{address} is updated in place ({detail})",
                                    where, "head", claims))
            else:
                rule = "infra.stateful-resource-replaced" if new.rtype in STATEFUL else "infra.resource-replaced"
                tail = _protection(base.blocks[address], replaced=True)
                out.append(_finding(rule, address, f"{address} is destroyed and created again ({detail}){tail}",
                                    where, "head", claims))
    for address, old in sorted(base.blocks.items()):
        if address in head.blocks or address.startswith("data."):
            continue
        where = Location(old.file, old.line, 1)
        if address in head.forgotten:
            out.append(_finding("infra.resource-forgotten", address,
                                f"{address} is forgotten by Terraform (removed block): it stays in AWS with its "
                                "data, and costs, until deleted by hand", where, "base", claims))
        elif old.rtype in STATEFUL:
            out.append(_finding("infra.stateful-resource-destroyed", address,
                                f"{address} is destroyed with its data{_protection(old, replaced=False)}",
                                where, "base", claims))
        else:
            out.append(_finding("infra.resource-destroyed", address, f"{address} is destroyed", where, "base", claims))
    return out


def _finding(rule: str, address: str, text: str, where: Location, side: str,
             claims: dict[str, tuple[str, str]]) -> Finding:
    return Finding(rule, address, text, where, "base" if side == "base" else "head", claims.get(address))


def _protection(block: Block, *, replaced: bool) -> str:
    text = block.text
    notes = []
    if replaced and "prevent_destroy = true" in text:
        notes.append("`terraform plan` refuses it (prevent_destroy)")
    if "deletion_protection_enabled = true" in text:
        notes.append("AWS refuses to delete it while deletion protection is on")
    return "; " + "; ".join(notes) if notes else ""


def _indirect(base: Tree, head: Tree, plan: dict[str, tuple[str, str]], api_changed: bool) -> None:
    """Resources unchanged in text that read a changed data source or local are updated."""
    changed = {a for a, b in head.blocks.items() if a.startswith("data.") and a in base.blocks
               and base.blocks[a].text != b.text}
    changed |= {k for k, v in head.locals.items() if base.locals.get(k) != v}
    if api_changed:
        changed.add(API_DEFINITION)
    if not changed:
        return
    for address, block in head.blocks.items():
        if address in plan or address not in base.blocks or address.startswith("data."):
            continue
        read = _reads(block, changed)
        if read:
            words = ["the API definition (generated/api) changed" if r == API_DEFINITION else f"{r} changed"
                     for r in sorted(read)]
            plan[address] = ("update", "; ".join(words))


def _cascade(base: Tree, head: Tree, plan: dict[str, tuple[str, str]]) -> None:
    """A resource whose replacement-forcing argument refers to a replaced resource is replaced."""
    while True:
        replaced = {a for a, (verb, _) in plan.items() if verb == "replace"}
        if not replaced:
            return
        grew = False
        for address, block in head.blocks.items():
            if address in replaced or address.startswith("data.") or address not in base.blocks:
                continue
            text = block.text
            if not any(r + "." in text for r in replaced):
                continue
            args = arguments(block.body)
            for name in forces_new(block.rtype, set(args)):
                hit = sorted(r for r in replaced if any(r + "." in v for v in args[name]))
                if hit:
                    plan[address] = ("replace", f"{name} refers to {hit[0]}, which is replaced")
                    grew = True
                    break
        if not grew:
            return
