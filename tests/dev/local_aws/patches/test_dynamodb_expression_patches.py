"""moto's DynamoDB expression patches, each compared with plain moto.

The condition-expression memo (`dynamodb_condition_cache`): every case is parsed by moto's own
parser and by the memo (cold, then warm with other values), and the resulting conditions are
evaluated on the same items: the verdicts, the names and values moto records as used, and any
error (type and message) must be identical. Then the same calls through moto's server with each
expression patch alone -- the memo, the update-expression cache (`dynamodb_update_cache`), the
plain-SET short way (`dynamodb_plain_set`) -- and all three, against plain moto.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from generator.dev.local_aws.patches import dynamodb_condition_cache as condition_cache
from generator.dev.local_aws.patches import dynamodb_plain_set as plain_set
from generator.dev.local_aws.patches import dynamodb_update_cache as update_cache


def _item(**attrs: Any) -> Item:
    return Item(DynamoType({"S": "k"}), None, {"pk": {"S": "k"}, **attrs})


ITEMS = [
    _item(),
    _item(lastSeen={"S": "2026-11-24T10:00:00Z"}, status={"S": "online"}),
    _item(lastSeen={"S": "2026-11-24T12:00:00Z"}, status={"S": "offline"}, n={"N": "5"}),
    _item(lastSeen={"NULL": True}, lastReading={"M": {"time": {"S": "2026-11-24T09:00:00Z"}}}),
    _item(expiration={"N": "100"}, status={"S": "COMPLETED"}, tags={"L": [{"S": "a"}, {"S": "b"}]}),
]

# (expression, names, [values, values, ...]): every values set is parsed after the first.
CASES: list[tuple[str, dict[str, str] | None, list[dict[str, Any] | None]]] = [
    ("attribute_not_exists(pk)", None, [None, {}]),
    ("attribute_exists(#k) AND #s = :s", {"#k": "pk", "#s": "status"},
     [{":s": {"S": "online"}}, {":s": {"S": "offline"}}, {":s": {"N": "1"}}]),
    ("attribute_not_exists(#id) OR #exp < :now OR (#st = :inprogress AND #ipexp < :ms)",
     {"#id": "pk", "#exp": "expiration", "#st": "status", "#ipexp": "ipexp"},
     [{":now": {"N": "50"}, ":inprogress": {"S": "INPROGRESS"}, ":ms": {"N": "7"}},
      {":now": {"N": "500"}, ":inprogress": {"S": "COMPLETED"}, ":ms": {"N": "7"}}]),
    ("#ls = :ls AND lastReading.#t = :t", {"#ls": "lastSeen", "#t": "time"},
     [{":ls": {"S": "2026-11-24T10:00:00Z"}, ":t": {"S": "2026-11-24T09:00:00Z"}},
      {":ls": {"NULL": True}, ":t": {"S": "2026-11-24T09:00:00Z"}}]),
    ("attribute_type(#ls, :null) OR NOT attribute_exists(#ls)", {"#ls": "lastSeen"},
     [{":null": {"S": "NULL"}}, {":null": {"S": "S"}}]),
    ("n BETWEEN :a AND :b OR n IN (:c, :d)", None,
     [{":a": {"N": "1"}, ":b": {"N": "9"}, ":c": {"N": "0"}, ":d": {"N": "1"}},
      {":a": {"N": "6"}, ":b": {"N": "9"}, ":c": {"N": "5"}, ":d": {"N": "1"}}]),
    ("size(tags) > :two OR begins_with(#s, :p) OR contains(tags, :a)", {"#s": "status"},
     [{":two": {"N": "2"}, ":p": {"S": "COMP"}, ":a": {"S": "b"}},
      {":two": {"N": "1"}, ":p": {"S": "on"}, ":a": {"S": "z"}}]),
    ("tags[1] = :b", None, [{":b": {"S": "b"}}, {":b": {"S": "a"}}]),
    # A later call that lacks a value the expression uses fails as moto fails.
    ("#s = :s", {"#s": "status"}, [{":s": {"S": "online"}}, {":other": {"S": "x"}}, None]),
]

BROKEN: list[tuple[str, dict[str, str] | None, dict[str, Any] | None]] = [
    ("#s = :s", {"#s": "status"}, {}),  # value missing on the first parse
    ("#s = :s", {}, {":s": {"S": "x"}}),  # name missing
    ("status = :s", None, {":s": {"S": "x"}}),  # a reserved word
    ("attribute_exists(pk", None, None),  # syntax
    ("pk ~ :v", None, {":v": {"S": "x"}}),  # no such comparator
    ("attribute_exists(:v)", None, {":v": {"S": "x"}}),  # wrong argument kind
]


def _outcome(expression: str, names: Any, values: Any) -> tuple[Any, ...]:
    parser = ConditionExpressionParser(expression, names, values)
    try:
        op = parser.parse()
    except Exception as error:  # noqa: BLE001 (the error itself is what is compared)
        return ("error", type(error).__name__, str(error))
    verdicts = []
    for item in ITEMS:
        try:
            verdicts.append(op.expr(item))
        except Exception as error:  # noqa: BLE001
            verdicts.append(("error", type(error).__name__, str(error)))
    return (verdicts, parser.expr_attr_names_found, parser.expr_attr_values_found)


@pytest.fixture
def memo() -> Iterator[None]:
    condition_cache.install()
    yield
    condition_cache.uninstall()


def _expected() -> list[tuple[Any, ...]]:
    condition_cache.uninstall()
    return [_outcome(e, n, v) for e, n, vs in CASES for v in vs]


def test_same_verdicts_names_and_errors_as_moto_cold_and_warm() -> None:
    expected = _expected()
    condition_cache.install()
    try:
        for _ in range(2):  # first round fills the memo, the second only binds values
            got = [_outcome(e, n, v) for e, n, vs in CASES for v in vs]
            assert got == expected
    finally:
        condition_cache.uninstall()
    # The cases must discriminate, or the comparison proves nothing.
    assert any(True in o[0] and False in o[0] for o in expected if o[0] != "error")
    assert any(o[0] == "error" for o in expected)


def test_the_memo_is_used(memo: None) -> None:
    calls = 0
    original = ConditionExpressionParser._lex_condition_expression

    def counting(self: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self)

    ConditionExpressionParser._lex_condition_expression = counting  # type: ignore[method-assign]
    try:
        for n in range(20):
            _outcome("#s = :s", {"#s": "status"}, {":s": {"S": f"v{n}"}})
    finally:
        ConditionExpressionParser._lex_condition_expression = original  # type: ignore[method-assign]
    assert calls == 1


@pytest.mark.parametrize("expression, names, values", BROKEN)
def test_rejected_expressions_fail_alike_every_time(
    expression: str, names: Any, values: Any, memo: None
) -> None:
    first = _outcome(expression, names, values)
    again = _outcome(expression, names, values)
    condition_cache.uninstall()
    try:
        stock = _outcome(expression, names, values)
    finally:
        condition_cache.install()
    assert first[0] == "error"
    assert first == again == stock


def test_names_are_part_of_the_key(memo: None) -> None:
    item = _item(a={"S": "x"}, b={"S": "y"})
    for attribute, expected in (("a", True), ("b", False), ("a", True)):
        op = ConditionExpressionParser("#n = :v", {"#n": attribute}, {":v": {"S": "x"}}).parse()
        assert op.expr(item) is expected


# -- Through moto's server: the same calls, with and without the memo, the same answers and items.

def _calls(table: str) -> list[tuple[str, dict[str, Any]]]:
    key = {"pk": {"S": "d1"}}
    update = "SET #ls = :ls, #st = :st"
    names = {"#ls": "lastSeen", "#st": "status"}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("put_item", {"Item": {**key, "n": {"N": "1"}}, "ConditionExpression": "attribute_not_exists(pk)"}),
        ("put_item", {"Item": {**key, "n": {"N": "2"}}, "ConditionExpression": "attribute_not_exists(pk)"}),
    ]
    for minute in (1, 3, 2, 3):  # 2 and the second 3 are stale: their condition fails
        stamp = f"2026-11-24T10:0{minute}:00Z"
        calls.append(("update_item", {
            "Key": key, "UpdateExpression": update, "ExpressionAttributeNames": names,
            "ConditionExpression": "attribute_not_exists(#ls) OR #ls < :ls",
            "ExpressionAttributeValues": {":ls": {"S": stamp}, ":st": {"S": f"s{minute}"}},
            "ReturnValues": "ALL_NEW"}))
    calls.append(("update_item", {"Key": key, "UpdateExpression": "SET n = n + :one",
                                  "ExpressionAttributeValues": {":one": {"N": "5"}}}))
    calls.append(("update_item", {"Key": key, "UpdateExpression": "SET n = n +",  # syntax error
                                  "ExpressionAttributeValues": {":one": {"N": "5"}}}))
    calls.append(("update_item", {"Key": key, "UpdateExpression": "SET #ls = :missing",
                                  "ExpressionAttributeNames": {"#ls": "lastSeen"},
                                  "ExpressionAttributeValues": {":ls": {"S": "x"}}}))
    plain = "SET #a = :a, #b = :b"
    for names_, values_ in (
        ({"#a": "pk", "#b": "x"}, {":a": {"S": "k2"}, ":b": {"S": "x"}}),  # a key attribute
        ({"#a": "site", "#b": "x"}, {":a": {"N": "1"}, ":b": {"S": "x"}}),  # an index key, wrong type
        ({"#a": "site", "#b": "x"}, {":a": {"S": ""}, ":b": {"S": "x"}}),  # an index key, empty
        ({"#a": "site", "#b": "x"}, {":a": {"S": "s1"}, ":b": {"S": "x"}}),  # an index key, fine
        ({"#a": "y", "#b": "z"}, {":a": {"S": "1"}}),  # a value missing
        ({"#a": "y", "#b": "z"}, {":a": {"M": {"deep": {"L": [{"N": "1.50"}, {"NULL": True}]}}},
                                  ":b": {"SS": ["a", "b"]}}),
        ({"#a": "big", "#b": "z"}, {":a": {"S": "x" * 410_000}, ":b": {"S": "1"}}),  # too large
    ):
        calls.append(("update_item", {"Key": key, "UpdateExpression": plain, "ExpressionAttributeNames": names_,
                                      "ExpressionAttributeValues": values_, "ReturnValues": "UPDATED_OLD"}))
    calls.append(("update_item", {"Key": {"pk": {"S": "fresh"}}, "UpdateExpression": "SET #a = :a",
                                  "ExpressionAttributeNames": {"#a": "y"},
                                  "ExpressionAttributeValues": {":a": {"BOOL": True}}, "ReturnValues": "ALL_NEW"}))
    calls.append(("update_item", {"Key": key, "UpdateExpression": "SET #a = :a", "ConditionExpression": "#a = :b",
                                  "ExpressionAttributeNames": {"#a": "y"}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                                  "ExpressionAttributeValues": {":a": {"S": "new"}, ":b": {"S": "nope"}}}))
    calls.append(("update_item", {"Key": {"pk": {"S": "absent"}}, "UpdateExpression": "SET #a = :a",
                                  "ConditionExpression": "attribute_exists(pk)", "ExpressionAttributeNames": {"#a": "y"},
                                  "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                                  "ExpressionAttributeValues": {":a": {"S": "new"}}}))
    calls.append(("update_item", {"Key": {"pk": {"S": "d1"}, "other": {"S": "x"}}, "UpdateExpression": "SET #a = :a",
                                  "ExpressionAttributeNames": {"#a": "y"}, "ExpressionAttributeValues": {":a": {"S": "1"}}}))
    calls.append(("update_item", {"Key": key, "UpdateExpression": "SET #a.#b = :a",  # nested: moto's own path
                                  "ExpressionAttributeNames": {"#a": "y", "#b": "deep"},
                                  "ExpressionAttributeValues": {":a": {"S": "1"}}}))
    calls.append(("transact_write_items", {"TransactItems": [
        {"Update": {"TableName": table, "Key": {"pk": {"S": f"t{i}"}}, "UpdateExpression": update,
                    "ExpressionAttributeNames": names, "ConditionExpression": "attribute_not_exists(pk)",
                    "ExpressionAttributeValues": {":ls": {"S": f"v{i}"}, ":st": {"S": "new"}}}}
        for i in range(5)]}))
    calls.append(("transact_write_items", {"TransactItems": [  # t3 exists now: all cancelled
        {"Update": {"TableName": table, "Key": {"pk": {"S": f"t{i}"}}, "UpdateExpression": update,
                    "ExpressionAttributeNames": names, "ConditionExpression": "attribute_not_exists(pk)",
                    "ExpressionAttributeValues": {":ls": {"S": f"w{i}"}, ":st": {"S": "new"}}}}
        for i in (6, 3)]}))
    return calls


def _replay(dynamodb: Any, table: str) -> list[Any]:
    dynamodb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "site", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "bySite", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "site", "KeyType": "HASH"}]}])
    answers: list[Any] = []
    for operation, params in _calls(table):
        if operation != "transact_write_items":
            params = {"TableName": table, **params}
        try:
            answer = getattr(dynamodb, operation)(**params)
            answers.append({k: v for k, v in answer.items() if k != "ResponseMetadata"})
        except dynamodb.exceptions.ClientError as error:
            answers.append({"error": error.response["Error"]["Code"],
                            "message": error.response["Error"]["Message"],
                            "reasons": error.response.get("CancellationReasons")})
    items = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    answers.append(sorted(items, key=lambda item: item["pk"]["S"]))
    return json.loads(json.dumps(answers, sort_keys=True).replace(table, "TABLE"))


EXPRESSION_PATCHES = {"condition_cache": condition_cache, "update_cache": update_cache,
                      "plain_set": plain_set}


@pytest.mark.parametrize("patches", [["condition_cache"], ["update_cache"], ["plain_set"],
                                     ["condition_cache", "update_cache", "plain_set"]], ids=str)
def test_moto_answers_the_same_with_the_patches(moto_endpoint: str, patches: list[str]) -> None:
    import boto3

    from tests.dev.helpers import unique

    dynamodb = boto3.client("dynamodb", endpoint_url=moto_endpoint, region_name="us-east-1")
    for patch in EXPRESSION_PATCHES.values():
        patch.uninstall()
    stock = _replay(dynamodb, unique("stock"))
    for name in patches:
        EXPRESSION_PATCHES[name].install()
    plain = 0
    original = plain_set._plain_sets

    def counting(*args: Any) -> Any:
        nonlocal plain
        sets = original(*args)
        plain += sets is not None
        return sets

    plain_set._plain_sets = counting  # type: ignore[assignment]
    try:
        patched = [_replay(dynamodb, unique("memo")) for _ in range(2)]
    finally:
        plain_set._plain_sets = original  # type: ignore[assignment]
        for patch in EXPRESSION_PATCHES.values():
            patch.uninstall()
    for got in patched:
        for n, (ours, theirs) in enumerate(zip(got, stock, strict=True)):
            assert ours == theirs, f"call {n}: {str(ours)[:300]} != {str(theirs)[:300]}"
    if "plain_set" in patches:
        assert plain >= 2 * 11  # the plain SETs took the short way (or this compares nothing)
    errors = [a["error"] for a in stock if isinstance(a, dict) and "error" in a]
    assert set(errors) >= {"ConditionalCheckFailedException", "ValidationException",
                           "TransactionCanceledException"}


def test_update_expressions_are_parsed_once_per_text() -> None:
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    update_cache.install()
    first = UpdateExpressionParser.make("SET #a = :a, b = b + :one")
    assert UpdateExpressionParser.make("SET #a = :a, b = b + :one") is first
    for _ in range(2):  # a text moto rejects is never kept: moto's error each time
        with pytest.raises(Exception) as failed:
            UpdateExpressionParser.make("SET n = n +")
        update_cache.uninstall()
        with pytest.raises(type(failed.value), match=re.escape(str(failed.value))):
            UpdateExpressionParser.make("SET n = n +")
        update_cache.install()


def test_operators_are_shared_only_between_equal_values(memo: None) -> None:
    def op(values: dict[str, Any]) -> Any:
        parsed = ConditionExpressionParser("#s = :s OR attribute_not_exists(#s)", {"#s": "status"}, values).parse()
        parsed.expr(ITEMS[0])
        return parsed._resolve() if isinstance(parsed, condition_cache._Deferred) else parsed

    op({":s": {"S": "the first parse builds the tree"}})
    first = op({":s": {"S": "online"}})
    assert op({":s": {"S": "online"}}) is first  # equal values: moto's operators built once
    other = op({":s": {"S": "offline"}})
    assert other is not first
    nested = [op({":s": {"M": {"a": {"L": [{"N": "1"}, {"N": "2"}]}}}}),
              op({":s": {"M": {"a": {"L": [{"N": "2"}, {"N": "1"}]}}}})]
    assert nested[0] is not nested[1]  # order inside a list matters
    assert op({":s": {"M": {"x": {"S": "1"}, "y": {"S": "2"}}}}) is op({":s": {"M": {"y": {"S": "2"}, "x": {"S": "1"}}}})
