"""Syntax API Gateway's Velocity accepts that airspeed cannot parse alone (velocity.syntax)."""

from __future__ import annotations

from typing import Any

import pytest

from generator.dev.apigw.velocity.engine import VtlError, compile_template
from generator.dev.apigw.velocity.java import OpaqueMap
from generator.dev.apigw.velocity.syntax import BACKSLASH, rewrite


def render(text: str, **namespace: Any) -> str:
    return compile_template(text, "syntax.vtl").render(namespace)


def test_set_with_an_index_step() -> None:
    values: dict[str, Any] = {"inner": {}}
    out = render('#set($k = "a")#set($m[$k] = 1)#set($m["inner"]["b"] = $k)$m', m=values)
    assert values == {"inner": {"b": "a"}, "a": 1}
    assert out == "{inner={b=a}, a=1}"


def test_set_with_a_dashed_name_and_reading_it_back() -> None:
    overrides = OpaqueMap(header=OpaqueMap())
    out = render(
        "#set($o.header.X-Amz-Target = 'T.Action')[$o.header.get('X-Amz-Target')]", o=overrides
    )
    assert overrides["header"] == {"X-Amz-Target": "T.Action"}
    assert out == "[T.Action]"


def test_set_into_a_list_by_index_and_out_of_range_is_an_error() -> None:
    items = [1, 2]
    assert render("#set($l[1] = 'x')$l", l=items) == "[1, x]"
    with pytest.raises(VtlError):
        render("#set($l[5] = 'x')", l=[1])


def test_the_value_may_hold_parentheses_brackets_and_quotes() -> None:
    values: dict[str, Any] = {}
    render("#set($m['k)'] = \"(\" + ')' + ($n + 1))", m=values, n=1)
    assert values == {"k)": "()2"}


def test_plain_sets_are_left_to_airspeed_and_lines_are_kept() -> None:
    text = "#set($a = 1)\n#set($b.c = 2)\n"
    assert rewrite(text) == text
    rewritten = rewrite("x\n#set($m[$k] = 'multi\nline')\ny")
    assert rewritten.count("\n") == 3


def test_backslashes_in_argument_literals_are_kept_verbatim_as_in_velocity() -> None:
    assert render('$s.replaceAll("\\\'", "Q")', s="it's") == "itQs"  # the Java regex \' is '
    assert render('$s.replaceAll("\\\\\\\'", "Q")', s="a\\'b") == "aQb"  # \\' is \ then '
    assert render("#if($s.matches('\\d+'))digits#end", s="123") == "digits"
    assert render('$s.replaceAll("\\.", "-")', s="a.b") == "a-b"
    assert render('#set($p = "\\d")$p', s="") == "\\d"


def test_backslashes_in_plain_text_are_untouched() -> None:
    assert render('{"re": "\\d", "q": "\\\'"}') == '{"re": "\\d", "q": "\\\'"}'


def test_a_template_holding_the_stand_in_character_is_not_rewritten() -> None:
    text = f"{BACKSLASH}" + '$s.replaceAll("\\.", "-")'
    assert rewrite(text) == text
