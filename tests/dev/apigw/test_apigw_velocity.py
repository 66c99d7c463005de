"""The Velocity engine: every form the module docstring calls safe, with API Gateway's (Java
Velocity 1.7) semantics where airspeed alone would differ, and located errors."""

from __future__ import annotations

from typing import Any

import pytest

from generator.dev.apigw.velocity.java import JsonList
from generator.dev.apigw.velocity.engine import VtlError, compile_template


def render(text: str, **namespace: Any) -> str:
    return compile_template(text, "t.vtl").render(namespace)


def test_null_references_render_empty_with_or_without_quiet_notation() -> None:
    assert render("[$x][$!x][${x}][$!{x}][$a.b.c]", a={"b": None}) == "[][][][][]"


def test_alternate_value_in_braces() -> None:
    assert render("${x|'fallback'}", x=None) == "fallback"


def test_values_render_as_java_writes_them() -> None:
    out = render(
        "$t $f $i $d $m $l $j",
        t=True,
        f=False,
        i=42,
        d=21.5,
        m={"a": 1, "b": True},
        l=["x", None],
        j=JsonList([{"k": "v"}, 2]),
    )
    assert out == 'true false 42 21.5 {a=1, b=true} [x, null] [{"k":"v"},2]'


def test_if_null_comparison() -> None:
    assert render("#if($x == $null)none#{else}some#end", x=None) == "none"
    assert render("#if($x != $null)some#end", x=0) == "some"
    assert render("#if($x == $null)none#{else}some#end", x="x") == "some"


def test_null_equals_the_empty_string_as_on_aws() -> None:
    # Recorded on AWS (tests/fidelity/corpus/ls_input_path.yaml, absent-path / null-value).
    assert render('#if($x == "")eq#{else}ne#end', x=None) == "eq"
    assert render('#if("" == $x)eq#{else}ne#end', x=None) == "eq"
    assert render('#if($x != "")ne#{else}eq#end', x=None) == "eq"
    assert render("#if($x == $null)none#{else}some#end", x="") == "none"
    assert render('#if($x == "null")eq#{else}ne#end', x=None) == "ne"
    assert render("#if($x == 0)eq#{else}ne#end", x=None) == "ne"


def test_if_truth_is_velocity_1_7_only_null_and_false_are_false() -> None:
    template = "#if($v)T#{else}F#end"
    values: list[Any] = ["", 0, [], {}, "x"]
    assert [render(template, v=v) for v in values] == ["T"] * 5
    assert [render(template, v=v) for v in (None, False)] == ["F", "F"]


def test_not_and_or_use_velocity_truth() -> None:
    assert render("#if(!$v)T#{else}F#end", v="") == "F"
    assert render("#if(!$v)T#{else}F#end", v=None) == "T"
    assert render("#if($a && $b)T#{else}F#end", a="", b=0) == "T"
    assert render("#if($a || $b)T#{else}F#end", a=None, b=False) == "F"


def test_elseif_chain() -> None:
    template = "#if($n == 1)one#elseif($n == 2)two#{else}many#end"
    assert [render(template, n=n) for n in (1, 2, 3)] == ["one", "two", "many"]


def test_equality_across_kinds_compares_to_string() -> None:
    assert render("#if($s == 10)eq#end", s="10") == "eq"
    assert render("#if($n == 10.0)eq#end", n=10) == "eq"
    assert render("#if($b == 'true')eq#end", b=True) == "eq"
    assert render("#if($s != 'a')ne#end", s="b") == "ne"


def test_set_variables_and_map_entries() -> None:
    assert render("#set($x = 'a')#set($y = \"$x-b\")$y") == "a-b"
    context: dict[str, Any] = {"responseOverride": {"status": None, "header": {}}}
    render("#set($context.responseOverride.status = 404)", context=context)
    assert context["responseOverride"]["status"] == 404
    render("#set($context.responseOverride.header.Location = 'x')", context=context)
    assert context["responseOverride"]["header"] == {"Location": "x"}


def test_set_inside_foreach_is_visible_after_the_loop() -> None:
    assert render("#foreach($v in [1, 2, 3])#set($last = $v)#end$last") == "3"


def test_set_through_put_for_hyphenated_names() -> None:
    headers: dict[str, Any] = {}
    assert render("#set($discard = $h.put('X-Y', 'v'))done", h=headers) == "done"
    assert headers == {"X-Y": "v"}


def test_foreach_has_next_index_count_first_last() -> None:
    out = render(
        "#foreach($v in $l)$foreach.index:$foreach.count:$v#if($foreach.first)^#end"
        "#if($foreach.last)~#end#if($foreach.hasNext),#end#end",
        l=["a", "b", "c"],
    )
    assert out == "0:1:a^,1:2:b,2:3:c~"
    assert render("#foreach($v in $l)$velocityCount#end", l=["a", "b"]) == "12"


def test_foreach_over_a_map_iterates_values_and_keyset_iterates_keys() -> None:
    m = {"a": 1, "b": 2}
    assert render("#foreach($v in $m)$v#end", m=m) == "12"
    assert render("#foreach($k in $m.keySet())$k#end", m=m) == "ab"


def test_foreach_over_null_or_scalar_does_nothing() -> None:
    assert render("[#foreach($v in $x)$v#end]", x=None) == "[]"
    assert render("[#foreach($v in $x)$v#end]", x="abc") == "[]"


def test_string_methods() -> None:
    s = "Hello, World"
    assert render("$s.length()", s=s) == "12"
    assert render("$s.substring(7)|$s.substring(0, 5)", s=s) == "World|Hello"
    assert render("$s.replace('l', 'L')", s=s) == "HeLLo, WorLd"
    assert render("$s.indexOf('o')|$s.lastIndexOf('o')|$s.charAt(1)", s=s) == "4|8|e"
    assert render("$s.toLowerCase()|$s.toUpperCase()", s=s) == "hello, world|HELLO, WORLD"
    assert (
        render("$s.contains('lo,')|$s.startsWith('He')|$s.endsWith('x')", s=s) == "true|true|false"
    )
    assert render("[$s.trim()]|$s.isEmpty()", s="  a \t") == "[a]|false"


def test_string_length_and_substring_count_utf16_units_like_java() -> None:
    assert render("$s.length()", s="a😀b") == "4"
    assert render("$s.substring(1, 3)", s="a😀b") == "😀"


def test_java_regex_methods() -> None:
    assert render("$s.replaceAll('([a-z])([0-9])', '$2$1')", s="a1b2") == "1a2b"
    assert render("$s.replaceFirst('[0-9]', '#')", s="a1b2") == "a#b2"
    assert render("$s.matches('[a-z]+')|$s.matches('[a-z]')", s="abc") == "true|false"
    assert render("#foreach($p in $s.split(','))[$p]#end", s="a,b,,") == "[a][b]"


def test_backslashes_in_string_literals_are_kept_as_velocity_keeps_them() -> None:
    # The documented API Gateway idiom: the Java regex \\' matches a backslash-quote pair.
    assert render('$s.replaceAll("\\\\\'", "\'")', s="it\\'s") == "it's"
    assert render("'a\\\\b'.length() = #set($x = 'a\\\\b')$x.length()") == "'a\\\\b'.length() = 4"


def test_map_and_list_methods() -> None:
    m = {"a": 1}
    assert (
        render("$m.get('a')|$m.containsKey('a')|$m.containsKey('b')|$m.size()", m=m)
        == "1|true|false|1"
    )
    assert render("$m.isEmpty()|#set($d = $m.put('b', 2))$m.size()", m=m) == "false|2"
    items = ["x", "y"]
    assert (
        render("$l.size()|$l.get(1)|$l.contains('x')|$l.isEmpty()|$l[0]", l=items)
        == "2|y|true|false|x"
    )
    assert render("#set($d = $l.add('z'))$l.size()", l=items) == "3"


def test_map_property_names_starting_with_underscore_are_map_entries() -> None:
    assert render("$e.__type", e={"__type": "ValidationException"}) == "ValidationException"


def test_host_object_internals_are_not_reachable() -> None:
    assert render("[$s.__class__][$s.__len__()]", s="abc") == "[][]"


def test_arithmetic_follows_velocity() -> None:
    assert render("#set($n = 7 / 2)$n|#set($m = -7 / 2)$m|#set($r = -7 % 3)$r") == "3|-3|-1"
    assert render("#set($s = 'n' + 1)$s|#set($t = 1 + 2)$t") == "n1|3"
    assert render("#if(2 > 1 && 'b' > 'a')gt#end") == "gt"


def test_unknown_method_is_null() -> None:
    assert render("[$s.noSuchMethod()]", s="abc") == "[]"


def test_runtime_error_names_template_line_and_column() -> None:
    with pytest.raises(VtlError) as caught:
        compile_template('{\n  "a": "$s.substring(9)"\n}', "getDevice.response.vtl").render(
            {"s": "abc"}
        )
    error = caught.value
    assert (error.template, error.line, error.column) == ("getDevice.response.vtl", 2, 9)
    assert str(error).startswith("getDevice.response.vtl:2:9: ")
    assert "substring" in str(error)


def test_error_inside_an_interpolated_string_is_located_in_the_template() -> None:
    with pytest.raises(VtlError) as caught:
        compile_template('x\n#set($a = "q $s.substring(9) z")', "t.vtl").render({"s": "abc"})
    assert (caught.value.line, caught.value.column) == (2, 14)


def test_syntax_error_names_template_and_line() -> None:
    with pytest.raises(VtlError) as caught:
        compile_template("{\n#if($x\n}", "listDevices.request.vtl")
    assert caught.value.template == "listDevices.request.vtl"
    assert caught.value.line == 2
    assert "syntax error" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_compiled_templates_are_cached() -> None:
    assert compile_template("$x", "c.vtl") is compile_template("$x", "c.vtl")
