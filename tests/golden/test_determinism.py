"""Output is byte-identical for the same input: twice, from reordered YAML, and in another
process with another hash seed and working directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from generator import pipeline
from generator.diagnostics import Diagnostics
from generator.load.yaml_loader import load_yaml
from tests.conftest import REPO, read_tree


def _reverse(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reverse(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reverse(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def _reordered_copy(src: Path, dst: Path) -> None:
    """Copy spec/ with every mapping's keys reversed and seed items in reverse order."""
    for path in sorted((src / "spec").rglob("*.yaml")):
        rel = path.relative_to(src)
        doc = load_yaml(rel.as_posix(), path.read_text(), Diagnostics(), exact_numbers="seed" in rel.parts)
        assert doc is not None
        data = _reverse(doc.data)
        if "seed" in rel.parts:
            data = list(reversed(data))
        out = dst / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True))


def _outputs(root: Path) -> dict[str, bytes]:
    _, files, _ = pipeline.generate(root, use_cache=False)
    return {f.path: f.content.encode() for f in files}


def test_generate_twice_is_identical() -> None:
    assert _outputs(REPO) == _outputs(REPO)


def test_reordered_yaml_gives_identical_output(tmp_path: Path) -> None:
    _reordered_copy(REPO, tmp_path)
    assert (tmp_path / "spec/model.yaml").read_text() != (REPO / "spec/model.yaml").read_text()
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    shutil.copytree(REPO / "spec", tmp_path / "a/spec")
    shutil.copytree(tmp_path / "spec", tmp_path / "b/spec")
    pipeline.build(tmp_path / "a", use_cache=False)
    pipeline.build(tmp_path / "b", use_cache=False)
    assert read_tree(tmp_path / "a", skip=("spec",)) == read_tree(tmp_path / "b", skip=("spec",))


def test_other_process_hash_seed_and_cwd(tmp_path: Path) -> None:
    trees = []
    for seed, cwd in (("1", tmp_path), ("4242", Path("/"))):
        project = tmp_path / f"p{seed}"
        shutil.copytree(REPO / "spec", project / "spec")
        env = {**os.environ, "PYTHONHASHSEED": seed, "LC_ALL": "C", "TZ": "Pacific/Chatham"}
        subprocess.run([sys.executable, "-m", "generator", "-C", str(project), "build", "-q"], cwd=cwd, env=env,
                       check=True, capture_output=True)
        trees.append(read_tree(project, skip=(".gen-cache", "spec")))
    assert trees[0] == trees[1]
    assert {k: v for k, v in trees[0].items() if k.startswith("generated/")} == read_tree(REPO / "generated", prefix="generated/")
