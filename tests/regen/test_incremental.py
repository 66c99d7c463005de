"""Incremental builds: a build that reuses .gen-cache/ writes exactly what a cold build writes.

One synthesized project goes through a sequence of edits; after each, `gen build` with the
cache of the previous builds must leave generated/ and handwritten/ byte-identical to a cold
build of the same tree (its own copy, without .gen-cache/ and generated/).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from benchmarks.synth import write_project
from tests.conftest import read_tree, run_cli

CACHE = ".gen-cache"


def _edit_yaml(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _project(root: Path) -> Path:
    """A 6-table project whose item schemas all share one component (`Audit`), with seeds."""
    write_project(root, 6)

    def share(doc: dict[str, object]) -> None:
        schemas = doc["components"]["schemas"]  # type: ignore[index]
        schemas["Audit"] = {"type": "object", "properties": {"by": {"type": "string"}}}
        for name, schema in schemas.items():
            if name.startswith("Item") and not name.endswith("Page"):
                schema["properties"]["audit"] = {"$ref": "#/components/schemas/Audit"}

    _edit_yaml(root / "spec/openapi.yaml", share)
    seed = root / "spec/seed/t000.yaml"
    seed.parent.mkdir()
    seed.write_text("- {id0: a, name: first, updatedAt: '2026-01-01T00:00:00Z', score: 1.50}\n"
                    "- {id0: b, name: zweite \u00fcberschrift, updatedAt: '2026-01-02T00:00:00Z', count: 3}\n",
                    encoding="utf-8")
    return root


def _build(root: Path) -> None:
    result = run_cli("-C", str(root), "build", "-q")
    assert result.exit_code == 0, result.stderr


def _assert_same_as_cold(warm: Path, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(warm, cold, ignore=shutil.ignore_patterns(CACHE, "generated"))
    _build(warm)
    _build(cold)
    got, want = read_tree(warm), read_tree(cold)
    assert sorted(got) == sorted(want)
    different = [path for path in want if got[path] != want[path]]
    assert not different, f"warm build differs from a cold build in {different[:5]}"


def _one_path(root: Path) -> None:
    spec = root / "spec/openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "description: one\n" in text
    spec.write_text(text.replace("description: one\n", "description: one, edited\n", 1), encoding="utf-8")


def _summary(root: Path) -> None:
    def change(doc: dict[str, object]) -> None:
        doc["paths"]["/t003"]["get"]["summary"] = "List the third table"  # type: ignore[index]

    _edit_yaml(root / "spec/openapi.yaml", change)


def _shared_schema(root: Path) -> None:
    def change(doc: dict[str, object]) -> None:
        doc["components"]["schemas"]["Audit"]["properties"]["at"] = {  # type: ignore[index]
            "type": "string", "format": "date-time"}

    _edit_yaml(root / "spec/openapi.yaml", change)


def _rename_table(root: Path) -> None:
    """A renamed table is a removed one to Terraform: acknowledged, so the build goes ahead."""
    for name in ("openapi.yaml", "model.yaml"):
        path = root / "spec" / name
        path.write_text(path.read_text(encoding="utf-8").replace("t005", "renamed005"), encoding="utf-8")
    model = root / "spec/model.yaml"
    model.write_text(model.read_text(encoding="utf-8")
                     + "changes:\n- {rule: data.table-removed, target: t005, reason: renamed}\n", encoding="utf-8")


def _add_processor(root: Path) -> None:
    def change(doc: dict[str, object]) -> None:
        doc["processors"]["sweep_extra"] = {"schedule": "rate(2 hours)", "reads": ["t001"],  # type: ignore[index]
                                            "writes": ["t002"]}

    _edit_yaml(root / "spec/model.yaml", change)


def _insert_lines_early(root: Path) -> None:
    """Every later line moves: positions in the IR change for most nodes."""
    spec = root / "spec/openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("paths:\n", "tags:\n- name: extra\n  description: moves every line\npaths:\n", 1),
                    encoding="utf-8")


def _add_operation(root: Path) -> None:
    """A new path in the middle of paths: every later line moves (the components' too)."""
    def change(doc: dict[str, object]) -> None:
        paths = doc["paths"]  # type: ignore[index]
        items = list(paths.items())  # type: ignore[attr-defined]
        at = [path for path, _ in items].index("/t002") + 1
        added = {"get": {**paths["/t002"]["get"], "operationId": "listItem002Again"}}  # type: ignore[index]
        paths.clear()  # type: ignore[attr-defined]
        paths.update(items[:at] + [("/t002/again", added)] + items[at:])  # type: ignore[attr-defined]

    _edit_yaml(root / "spec/openapi.yaml", change)


def _seed_number(root: Path) -> None:
    seed = root / "spec/seed/t000.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace("1.50", "1.500"), encoding="utf-8")


EDITS: list[Callable[[Path], None]] = [_one_path, _summary, _shared_schema, _rename_table, _add_processor,
                                       _insert_lines_early, _add_operation, _seed_number]


def test_warm_builds_equal_cold_builds_through_a_sequence_of_edits(tmp_path: Path) -> None:
    warm = _project(tmp_path / "warm")
    _build(warm)
    assert (warm / CACHE / "render").is_dir()
    for edit in EDITS:
        edit(warm)
        _assert_same_as_cold(warm, tmp_path)


def test_a_one_path_edit_renders_only_that_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the memo: after a response description changes, the seam computes again
    only the edited path item's JSON, its lint part and its canonical JSON fragment (for the
    spec digest); no emitter, mapping template or other part runs again."""
    import generator.emit as emit
    from generator.speed.session import Session

    warm = _project(tmp_path / "warm")
    _build(warm)
    computed: dict[str, int] = {}
    loaded: list[str] = []
    memoized, clean, load_emitter = Session.memoized, Session.clean, emit.load_emitter

    def counting(namespace: str, compute: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object) -> object:
            computed[namespace] = computed.get(namespace, 0) + 1
            return compute(*args)
        return wrapper

    monkeypatch.setattr(Session, "memoized", lambda self, namespace, material, compute, plain: memoized(
        self, namespace, material, counting(namespace, compute), plain))
    monkeypatch.setattr(Session, "clean", lambda self, namespace, material, run, diags: clean(
        self, namespace, material, counting(namespace, run), diags))
    monkeypatch.setattr(emit, "load_emitter", lambda spec: loaded.append(spec) or load_emitter(spec))
    _one_path(warm)
    _build(warm)
    assert computed == {"apipath": 1, "lint": 1, "json": 1}
    assert loaded == sorted(emit.READS_SOURCE)  # only the API emitter, which declares its own parts


def test_an_added_operation_renders_only_what_reads_every_operation(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """An added path moves the lines of every node after it; lines are not part of any key, so
    the other operations' mapping templates, path items and lint parts are reused, and so are
    the emitters that read no operation: what runs again is the new operation's parts and what
    reads every operation (the other emitters, the components), and then the result is exactly
    a cold build's."""
    import generator.emit as emit
    from generator.speed.session import Session

    warm = _project(tmp_path / "warm")
    _build(warm)
    computed: dict[str, int] = {}
    memoized, clean = Session.memoized, Session.clean

    def counting(namespace: str, compute: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object) -> object:
            computed[namespace] = computed.get(namespace, 0) + 1
            return compute(*args)
        return wrapper

    monkeypatch.setattr(Session, "memoized", lambda self, namespace, material, compute, plain: memoized(
        self, namespace, material, counting(namespace, compute), plain))
    monkeypatch.setattr(Session, "clean", lambda self, namespace, material, run, diags: clean(
        self, namespace, material, counting(namespace, run), diags))
    _add_operation(warm)
    _build(warm)
    assert computed.pop("emit") == len(emit.EMITTERS) - len(emit.READS_SOURCE) - len(emit.READS_NO_OPERATIONS)
    # and the new path item's canonical JSON fragment, for the spec digest
    assert computed == {"vtl": 1, "apipath": 1, "lint": 1, "apicomponents": 1, "json": 1}
    monkeypatch.undo()
    _assert_same_as_cold(warm, tmp_path)


def _damage(root: Path, how: str) -> None:
    for path in sorted((root / CACHE).rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if how == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif how == "flip":
            middle = len(data) // 2
            path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1:])
        else:
            path.write_bytes(b"\x00garbage")


@pytest.mark.parametrize("how", ["delete", "truncate", "flip", "garbage"])
def test_a_missing_or_damaged_cache_only_costs_time(tmp_path: Path, how: str) -> None:
    warm = _project(tmp_path / "warm")
    _build(warm)
    _one_path(warm)
    if how == "delete":
        shutil.rmtree(warm / CACHE)
    else:
        _damage(warm, how)
    _assert_same_as_cold(warm, tmp_path)
    _shared_schema(warm)
    _assert_same_as_cold(warm, tmp_path)


def test_another_generator_fingerprint_never_reuses_rendered_text(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Code that renders differently comes with another fingerprint: nothing rendered by the
    old code may reach the output (simulated by changing the header line rendered into the
    mapping templates together with the fingerprint)."""
    import generator.render.header as header
    import generator.speed.keys as keys
    import generator.speed.last_build as last_build

    warm = _project(tmp_path / "warm")
    _build(warm)
    _one_path(warm)
    monkeypatch.setattr(header, "_LINE", "Code generated by gen (changed) from {source}. DO NOT EDIT.")
    monkeypatch.setattr(keys, "code_fingerprint", lambda: "another generator")
    monkeypatch.setattr(last_build, "code_fingerprint", lambda: "another generator")
    _assert_same_as_cold(warm, tmp_path)
    vtl = next((warm / "generated/api/vtl").iterdir()).read_text(encoding="utf-8")
    assert "(changed)" in vtl


_BREAKAGES = {
    "lint": [("description: one\n", "description: costs ${price}\n"), ("minimum: 0\n", "exclusiveMinimum: 0\n")],
    "ir": [("operationId: getItem002", "operationId: getItem001")],
    "structure": [("description: page\n", "descriptio: page\n")],
    "model": [("partition_key: id3\n", "partition_key: 3\n")],
    # lines move above a part that was memoised clean, and that part breaks: the error carries
    # the new line (the memo keys leave lines out; only clean verdicts are kept)
    "lint, lines moved": [("paths:\n", "tags:\n- name: extra\n  description: moves every line\npaths:\n"),
                          ("description: one\n", "description: costs ${price}\n")],
}


@pytest.mark.parametrize("kind", sorted(_BREAKAGES))
def test_errors_are_reported_exactly_as_without_a_cache(tmp_path: Path, kind: str) -> None:
    """Only clean verdicts are memoised: a part that breaks after a warm build is reported
    exactly as a cold run reports it, and undoing the change builds the cold tree again."""
    warm = _project(tmp_path / "warm")
    _build(warm)
    _one_path(warm)
    _build(warm)
    originals = {name: (warm / "spec" / name).read_text(encoding="utf-8") for name in ("openapi.yaml", "model.yaml")}
    for name, text in originals.items():
        for old, new in _BREAKAGES[kind]:
            assert old in originals["openapi.yaml"] + originals["model.yaml"]
            text = text.replace(old, new, 1)
        (warm / "spec" / name).write_text(text, encoding="utf-8")
    cold = tmp_path / "cold"
    shutil.copytree(warm, cold, ignore=shutil.ignore_patterns(CACHE, "generated"))
    got, want = run_cli("-C", str(warm), "build"), run_cli("-C", str(cold), "build")
    assert got.exit_code == want.exit_code == 2
    assert got.stderr == want.stderr
    assert "error[" in got.stderr, got.stderr
    for name, text in originals.items():
        (warm / "spec" / name).write_text(text, encoding="utf-8")
    _assert_same_as_cold(warm, tmp_path)


def test_a_build_process_reports_and_exits_like_before(tmp_path: Path) -> None:
    """`gen build` as its own process skips interpreter teardown; output and exit codes stay."""
    import subprocess
    import sys

    root = _project(tmp_path / "p")

    def gen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "generator", "-C", str(root), *args],
                              capture_output=True, text=True, timeout=120)

    first = gen("build")
    assert first.returncode == 0 and "\ncreate " in "\n" + first.stderr and "done: " in first.stderr
    _one_path(root)
    stale = gen("build", "--check", "--diff")
    assert stale.returncode == 1 and "generated/ is stale" in stale.stderr and "+++ " in stale.stdout
    (root / "spec/model.yaml").write_text("version: 1\nname: [\n", encoding="utf-8")
    broken = gen("build")
    assert broken.returncode == 2 and "error[E-YAML]" in broken.stderr
