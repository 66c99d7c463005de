"""`gen package`: deterministic Lambda zips with the generated package, handwritten/ and the
runtime wheels for arm64 / CPython 3.12, boto3 left to the runtime.

The builds run in a copy of the project with a wheel cache of small fake wheels (named like
real ones), so no network is needed; the downloader is a stub that records what it was asked.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from generator import package
from generator.package import PackageError, Pin

ROOT = Path(__file__).resolve().parents[2]


def _wheel(cache: Path, filename: str, files: dict[str, str]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(cache / filename, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)


def _fake_cache(cache: Path, pins: list[Pin]) -> None:
    for pin in pins:
        dist = pin.name.replace("-", "_").lower()
        module = dist if dist != "aws_lambda_powertools" else "aws_lambda_powertools"
        info = f"{dist}-{pin.version}.dist-info"
        files = {f"{module}/__init__.py": f"# {pin}\n", f"{info}/METADATA": f"Name: {pin.name}\n",
                 f"{module}/__pycache__/x.cpython-312.pyc": "stale"}
        if dist == "msgspec":
            # the wrong platform and the wrong Python are cached too: they must not be picked
            _wheel(cache, f"msgspec-{pin.version}-cp312-cp312-manylinux_2_17_x86_64.whl", {"x86": "1"})
            _wheel(cache, f"msgspec-{pin.version}-cp311-cp311-manylinux_2_17_aarch64.whl", {"cp311": "1"})
            files[f"msgspec-{pin.version}.data/purelib/msgspec/extra.py"] = "EXTRA = 1\n"
            files[f"msgspec-{pin.version}.data/scripts/tool"] = "#!/bin/sh\n"
            _wheel(cache, f"msgspec-{pin.version}-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
                   files)
        else:
            _wheel(cache, f"{dist}-{pin.version}-py3-none-any.whl", files)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(ROOT / "spec", root / "spec")
    shutil.copytree(ROOT / "generated" / "python", root / "generated" / "python",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "handwritten", root / "handwritten", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "handwritten" / "__pycache__").mkdir()
    (root / "handwritten" / "__pycache__" / "junk.cpython-311.pyc").write_bytes(b"junk")
    return root


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    cache = tmp_path / "wheels"
    _fake_cache(cache, package.runtime_pins())
    return cache


def _no_download(pins: list[Pin], dest: Path) -> None:
    raise AssertionError(f"unexpected download of {pins}")


def test_runtime_pins_are_the_installed_closure_without_boto3() -> None:
    from importlib.metadata import version

    pins = {p.key: p.version for p in package.runtime_pins()}
    assert pins == {"aws-lambda-powertools": version("aws-lambda-powertools"), "jmespath": version("jmespath"),
                    "msgspec": version("msgspec"), "typing-extensions": version("typing-extensions")}


def test_builds_are_byte_identical(project: Path, cache: Path) -> None:
    first = package.build_packages(project, download=_no_download, wheel_cache=cache)
    assert [p.name for p in first] == ["apply_readings.zip", "mark_offline.zip", "register_devices.zip"]
    before = [p.read_bytes() for p in first]
    (project / "handwritten" / "processors" / "apply_readings.py").touch()  # mtimes do not matter
    second = package.build_packages(project, download=_no_download, wheel_cache=cache)
    assert [p.read_bytes() for p in second] == before


def test_zip_contents_and_metadata(project: Path, cache: Path) -> None:
    built = package.build_packages(project, download=_no_download, wheel_cache=cache)
    with zipfile.ZipFile(io.BytesIO(built[0].read_bytes())) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {"fleet/entry/apply_readings.py", "fleet/runtime/stream.py", "fleet/py.typed",
                "handwritten/processors/apply_readings.py", "handwritten/fleet_rules.py",
                "msgspec/__init__.py", "msgspec/extra.py", "aws_lambda_powertools/__init__.py",
                "jmespath/__init__.py", "typing_extensions/__init__.py"} <= set(names)
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or ".data/" in n]
        assert not [n for n in names if n.startswith(("boto3", "botocore", "x86", "cp311"))]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        assert zf.read("fleet/entry/apply_readings.py") == (
            project / "generated/python/fleet/entry/apply_readings.py").read_bytes()


def test_missing_wheels_are_downloaded_once(project: Path, cache: Path) -> None:
    (jmespath,) = [w for w in cache.glob("jmespath-*.whl")]
    saved = jmespath.read_bytes()
    jmespath.unlink()
    asked: list[list[str]] = []

    def download(pins: list[Pin], dest: Path) -> None:
        asked.append([str(p) for p in pins])
        (dest / jmespath.name).write_bytes(saved)

    package.build_packages(project, download=download, wheel_cache=cache)
    package.build_packages(project, download=download, wheel_cache=cache)
    assert len(asked) == 1 and asked[0][0].startswith("jmespath==")


def test_a_wheel_that_cannot_be_found_is_an_error(project: Path, cache: Path) -> None:
    for wheel in cache.glob("msgspec-*aarch64*.whl"):
        wheel.unlink()
    with pytest.raises(PackageError, match="no wheel of msgspec"):
        package.build_packages(project, download=lambda pins, dest: None, wheel_cache=cache)


def test_stale_generated_code_is_refused(project: Path, cache: Path) -> None:
    models = project / "generated" / "python" / "fleet" / "models.py"
    models.write_text(models.read_text() + "\n# edited\n")
    with pytest.raises(PackageError, match="stale"):
        package.build_packages(project, download=_no_download, wheel_cache=cache)
    assert not (project / "build").exists()


def test_gen_package_command(project: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    shutil.copytree(cache, project / ".gen-cache" / "wheels")
    main(["-C", str(project), "package"])
    assert "built" in capsys.readouterr().err
    assert sorted(p.name for p in (project / "build" / "lambda").iterdir()) == [
        "apply_readings.zip", "mark_offline.zip", "register_devices.zip"]
    (project / "generated" / "python" / "fleet" / "events.py").unlink()
    with pytest.raises(SystemExit) as exit_info:
        main(["-C", str(project), "package"])
    assert exit_info.value.code == 2
    assert "run `gen build` first" in capsys.readouterr().err
