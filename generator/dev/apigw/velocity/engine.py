r"""The Velocity engine of the emulator: airspeed, adjusted to behave like API Gateway's Java Velocity.

Contract: `compile_template(text, name)` parses once (cached) and returns a `Template` whose
`render(namespace)` gives the output text; any syntax or evaluation failure raises `VtlError`,
whose message names the template and the line and column (`getDevice.response.vtl:12:5: ...`).

airspeed is parsed as is; the parsed tree of *our* templates is then adjusted node by node (no
global patch of airspeed), so that these forms behave as API Gateway evaluates them:

Safe forms (tested in tests/dev/apigw/test_apigw_velocity.py):
- `$x`, `${x}`, `$!x`, `$a.b.c`, `$m['key']`, `$l[0]`: a null reference renders as the empty
  string (API Gateway renders every null reference empty, `$x` and `$!x` alike);
- `#if($x == $null)`, `#if($x != "")`, `#if(!$x)`, `&&`, `||`, `#elseif`, `#else`: conditions use
  Velocity 1.7 truth (only null and `false` are false: `""`, `0` and `[]` are TRUE);
- `==` / `!=`: null equals null and `""` (recorded on AWS: an absent `$input.path` result
  `== ""`); numbers compare numerically, values of one kind by value, other pairs by their
  `toString()` (so `'10' == 10` is true, as in Velocity);
- `#set($x = ...)`, `#set($map.key = ...)`, `#set($context.responseOverride.status = 404)`,
  `#set($map[$key] = ...)`, `#set($context.requestOverride.header.X-Amz-Target = ...)` (index
  steps and dashed names go through `syntax.rewrite`): a variable first set inside `#foreach`
  stays set after the loop (Velocity's global context);
- `#foreach($v in $list)` with `$foreach.hasNext`, `$foreach.index`, `$foreach.count`,
  `$foreach.first`, `$foreach.last`, `$velocityCount`; over a map it iterates the map's VALUES
  (Java); over null or a scalar it does nothing;
- strings: `.length()`, `.substring(b[, e])`, `.charAt(i)`, `.indexOf(s)` (UTF-16 indices, as
  Java), `.replace(a, b)` (literal, all), `.replaceAll(regex, repl)` / `.replaceFirst` (Java
  replacement syntax `$1`), `.matches(regex)` (whole string), `.split(regex)`, `.trim()`,
  `.toLowerCase()`, `.toUpperCase()`, `.contains`, `.startsWith`, `.endsWith`, `.equals`,
  `.isEmpty()`;
- maps: `.get(k)`, `.keySet()`, `.values()`, `.containsKey(k)`, `.size()`, `.isEmpty()`,
  `.put(k, v)`; lists: `.size()`, `.get(i)`, `.isEmpty()`, `.contains(v)`, `.add(v)`;
- `+` adds numbers and concatenates when either side is a string; `/` on integers truncates.
- string literals keep backslashes verbatim, as Velocity does: the documented idiom
  `$util.escapeJavaScript($s).replaceAll("\\'", "'")` passes the Java regex `\\'`, and
  `.replaceAll("\'", "'")` or `.matches("\d+")` in a directive's or a method's arguments pass
  `\'` and `\d+` (`syntax.rewrite` makes them parsable for airspeed).

Unsafe forms (do not use in generated templates; they differ between airspeed and Java or are
unspecified): backslash sequences other than `\\`, `\'`, `\"`, `\n`, `\r`, `\t`, `\b` in a
string literal outside the arguments of a directive or method call, e.g. in a `[...]` list
literal (airspeed cannot parse `'\d'` there: write `[0-9]`); `#set($x = $null)` (Velocity 1.7
keeps the old value, airspeed assigns null); `#define`, `#evaluate`, `#include`, `#parse`,
`#macro`; a dashed name READ as a property (`$h.X-Y` reads `$h.X` then the text `-Y`; write
`$h.get('X-Y')`); float formatting beyond plain decimals.
"""

from __future__ import annotations

import inspect
import operator
import threading
from dataclasses import dataclass, field
from collections.abc import Callable, KeysView, Mapping, MutableMapping, ValuesView
from typing import Any

import airspeed  # type: ignore[import-untyped]

from generator.dev.apigw.velocity import java, syntax

_BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": java.equals,
    "eq": java.equals,
    "!=": java.not_equals,
    "ne": java.not_equals,
    "&&": java.logical_and,
    "and": java.logical_and,
    "||": java.logical_or,
    "or": java.logical_or,
    "+": java.add,
    "-": java.subtract,
    "*": java.multiply,
    "/": java.divide,
    "%": java.modulo,
    ">": java.compare(operator.gt),
    "gt": java.compare(operator.gt),
    ">=": java.compare(operator.ge),
    "ge": java.compare(operator.ge),
    "<": java.compare(operator.lt),
    "lt": java.compare(operator.lt),
    "<=": java.compare(operator.le),
    "le": java.compare(operator.le),
}


class VtlError(Exception):
    """A mapping template failed to parse or to render; the message locates the failure."""

    def __init__(self, template: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{template}:{line}:{column}: {message}")
        self.template = template
        self.line = line
        self.column = column
        self.detail = message


class _Reference(airspeed.FormalReference):  # type: ignore[misc]
    """`$x`: written with Java's toString; null renders as the empty string (API Gateway)."""

    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        if self.expression is None:
            stream.write(self.my_text())
            return
        value = self.expression.calculate(namespace, loader)
        if value is None and self.alternate is not None:
            value = self.alternate.calculate(namespace, loader)
        stream.write("" if value is None else java.to_string(value))


class _NameOrCall(airspeed.NameOrCall):  # type: ignore[misc]
    """`.name`, `.name(args)`, `.name[index]` resolved as Velocity resolves them on Java objects."""

    def calculate(self, current_object: Any, loader: Any, top_namespace: Any) -> Any:
        if self.parameters is not None:
            args = self.parameters.calculate(top_namespace, loader)
            return java.call_method(current_object, self.name, args)
        if isinstance(current_object, airspeed.LocalNamespace):
            try:
                value = current_object[self.name]
            except KeyError:
                value = None
        else:
            value = java.get_property(current_object, self.name)
        if self.index is not None:
            key = self.index.calculate(top_namespace, loader)
            value = _index(value, key)
        return value


def _index(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping):
        return value.get(key)
    if isinstance(value, (list, str)) and isinstance(key, int) and not isinstance(key, bool):
        return value[key] if 0 <= key < len(value) else None
    return None


class _If(airspeed.IfDirective):  # type: ignore[misc]
    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        if java.truthy(self.condition.calculate(namespace, loader)):
            self.block.evaluate(stream, namespace, loader)
            return
        for elseif in self.elseifs:
            if java.truthy(elseif.calculate(namespace, loader)):
                elseif.evaluate(stream, namespace, loader)
                return
        self.else_block.evaluate(stream, namespace, loader)


class _Foreach(airspeed.ForeachDirective):  # type: ignore[misc]
    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        source = self.value.calculate(namespace, loader)
        if isinstance(source, Mapping):
            items = list(source.values())
        elif isinstance(source, (list, tuple, range, KeysView, ValuesView)):
            items = list(source)
        else:
            return
        size = len(items)
        for count, item in enumerate(items, start=1):
            local = airspeed.LocalNamespace(namespace)
            local["velocityCount"] = count
            local["velocityHasNext"] = count < size
            local["foreach"] = {
                "count": count,
                "index": count - 1,
                "hasNext": count < size,
                "first": count == 1,
                "last": count == size,
            }
            local[self.loop_var_name] = item
            self.block.evaluate(stream, local, loader)


def _outermost_local(namespace: Any) -> Any:
    while isinstance(getattr(namespace, "parent", None), airspeed.LocalNamespace):
        namespace = namespace.parent
    return namespace


class _Set(airspeed.SetDirective):  # type: ignore[misc]
    def evaluate_raw(self, stream: Any, namespace: Any, loader: Any) -> None:
        value = self.value.calculate(namespace, loader)
        if len(self.terms) == 1:
            owner = namespace.find_outermost(self.terms[0])
            if owner is None:
                owner = _outermost_local(namespace)
            dict.__setitem__(owner, self.terms[0], value)
            return
        try:
            target = namespace[self.terms[0]]
        except KeyError:
            target = None
        for term in self.terms[1:-1]:
            target = java.get_property(target, term)
        if not isinstance(target, MutableMapping):
            raise TypeError(
                f"cannot #set ${'.'.join(self.terms)}: ${'.'.join(self.terms[:-1])} is not a map"
            )
        target[self.terms[-1]] = value


def _velocity_literal(raw: str, restore: bool) -> str:
    """A string literal's value as Velocity sees it: quotes stripped, doubled quotes undoubled."""
    quote = raw[0]
    value = raw[1:-1].replace(quote * 2, quote)
    return syntax.restore(value) if restore else value


_SWAPS: dict[type, type] = {
    airspeed.FormalReference: _Reference,
    airspeed.NameOrCall: _NameOrCall,
    airspeed.IfDirective: _If,
    airspeed.ForeachDirective: _Foreach,
    airspeed.SetDirective: _Set,
}


@dataclass
class _Walk:
    """One adjustment walk: the nodes seen, and whether `syntax.rewrite` stood in for backslashes."""

    restore: bool
    seen: set[int] = field(default_factory=set)


def _adjust(node: Any, walk: _Walk) -> None:
    """Walk a parsed airspeed tree and give its nodes API Gateway semantics."""
    if id(node) in walk.seen:
        return
    walk.seen.add(id(node))
    kind = type(node)
    if kind in _SWAPS:
        node.__class__ = _SWAPS[kind]
    elif kind is airspeed.BinaryOperator:
        node.apply_to = _BINARY_OPERATORS.get(node.my_text().strip(), node.apply_to)
    elif kind is airspeed.UnaryOperatorValue:
        node.op = java.logical_not
    elif kind is airspeed.StringLiteral:
        node.value = _velocity_literal(node.my_text(), walk.restore)
    elif kind is airspeed.InterpolatedStringLiteral:
        _reparse_interpolated(node, walk.restore)
    elif kind is airspeed.Text and walk.restore:
        node.text = syntax.restore(node.text)  # text inside an interpolated literal
    for value in list(vars(node).values()):
        _adjust_value(value, walk)


def _reparse_interpolated(node: Any, restore: bool) -> None:
    raw = node.my_text()
    node.value = _velocity_literal(raw, restore)
    if '""' in raw:
        node.block = airspeed.Block(node.filename, node.value, 0)
    else:
        # Parse in place so positions (and so error lines) are those of the whole template.
        node.block = airspeed.Block(node.filename, node.full_text()[: node.end - 1], node.start + 1)


def _adjust_value(value: Any, walk: _Walk) -> None:
    if isinstance(value, airspeed._Element):
        _adjust(value, walk)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _adjust_value(item, walk)
    elif isinstance(value, dict):
        for key, item in value.items():
            _adjust_value(key, walk)
            _adjust_value(item, walk)
    elif inspect.ismethod(value) and isinstance(value.__self__, airspeed._Element):
        _adjust(value.__self__, walk)


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


class Template:
    """A parsed, adjusted mapping template."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.text = text
        try:
            self._template = airspeed.Template(syntax.rewrite(text), filename=name)
            self._template.ensure_compiled()
        except airspeed.TemplateSyntaxError as error:
            message = str(error).split(": ", 1)[-1].replace("\n", "\\n")
            raise VtlError(name, error.line, error.column, f"syntax error: {message}") from None
        _adjust(self._template.root_element, _Walk(restore=syntax.BACKSLASH not in text))

    def render(self, namespace: dict[str, Any]) -> str:
        namespace.setdefault(syntax.ASSIGNER, _ASSIGNER)
        try:
            return str(self._template.merge(namespace))
        except airspeed.TemplateExecutionError as error:
            line, column = _position(error.element.full_text(), error.start)
            cause = error.__cause__
            detail = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
            raise VtlError(
                self.name, line, column, f"in `{error.element.my_text()}`: {detail}"
            ) from cause


_ASSIGNER = syntax.Assigner()
_CACHE: dict[tuple[str, str], Template] = {}
_CACHE_LOCK = threading.Lock()


def compile_template(text: str, name: str) -> Template:
    """Parse (once per distinct name and text) and adjust a template."""
    key = (name, text)
    template = _CACHE.get(key)
    if template is None:
        template = Template(text, name)
        with _CACHE_LOCK:
            _CACHE[key] = template
    return template
