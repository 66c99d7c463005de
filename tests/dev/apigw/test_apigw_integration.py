"""The integration step's reading of templates and `$context` (apigw.integration)."""

from __future__ import annotations

import pytest

from generator.dev.apigw.integration import (
    MockTemplateError,
    StatusOverrideError,
    mock_response,
    override_headers,
    status_override,
)


@pytest.mark.parametrize(
    ("rendered", "status"),
    [
        ('{"statusCode": 404}', 404),
        ('{"statusCode": "201"}', 201),
        ("{statusCode: 200}", 200),  # recorded on AWS: not JSON, accepted
        ("{'statusCode': 503}", 503),
        ('{\n  #if(true)\n  "statusCode": 500\n}', 500),
        ('{"other": 1}', 200),
        ("", 200),
        ("   \n", 200),
    ],
)
def test_mock_status(rendered: str, status: int) -> None:
    assert mock_response(rendered).status == status


@pytest.mark.parametrize("rendered", ["no status here", '{"statusCode": "abc"}', "[1, 2]"])
def test_mock_without_a_readable_status_is_an_error(rendered: str) -> None:
    with pytest.raises(MockTemplateError):
        mock_response(rendered)


def test_override_headers_join_lists_drop_nulls_and_stringify() -> None:
    context = {
        "requestOverride": {"header": {"a": ["x", "y"], "b": None, "c": 1, "d": True}},
        "responseOverride": {"header": {"e": "f"}},
    }
    assert override_headers(context) == {"a": "x,y", "c": "1", "d": "true"}
    assert override_headers(context, "responseOverride") == {"e": "f"}
    assert override_headers({}) == {}


def test_status_override() -> None:
    assert status_override({"responseOverride": {"header": {}}}) is None
    assert status_override({"responseOverride": {"status": 444}}) == 444
    assert status_override({"responseOverride": {"status": "201"}}) == 201
    for bad in ("x", 99, 600):
        with pytest.raises(StatusOverrideError):
            status_override({"responseOverride": {"status": bad}})
