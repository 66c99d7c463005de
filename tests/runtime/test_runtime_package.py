"""`gen package`: deterministic Lambda zips with the generated package, handwritten/ and the
runtime wheels for arm64 / CPython 3.12, boto3 left to the runtime.

The builds run in a copy of the project with a wheel cache of small fake wheels (named like
real ones; tests/runtime/package_support.py), so no network is needed; the downloader is a stub
that records what it was asked. Handler dependencies and the handwritten checks are in
test_runtime_package_deps.py.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from generator import package
from generator.package import PackageError, Pin
from tests.runtime.package_support import copy_project, fake_cache, no_download as _no_download


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    cache = tmp_path / "wheels"
    fake_cache(cache, package.runtime_pins())
    return cache


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
