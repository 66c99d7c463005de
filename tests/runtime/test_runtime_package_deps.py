"""`gen package` with handler dependencies (handwritten/requirements.txt) and the checks of
handwritten/ before packing: modules that do not compile (E-COMPILE), requirements that are
not exact pins or not a closed set (E-DEPS), imports nothing provides (E-IMPORT).

One test fetches a real wheel (six, pinned) from the configured index with pip; it is skipped
when pip cannot reach an index. Every other test uses fake wheels and no network.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from generator import package
from generator.diagnostics import Diagnostics, GenError
from generator.package import Pin
from generator.package.requirements import parse_requirements
from tests.conftest import run_cli
from tests.runtime.package_support import copy_project, fake_cache, make_wheel, no_download

SIX = Pin("six", "1.17.0")
PROCESSOR = "handwritten/processors/apply_readings.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    cache = tmp_path / "wheels"
    fake_cache(cache, package.runtime_pins())
    return cache


@pytest.fixture(scope="module")
def six_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real six 1.17.0 wheel, fetched once by gen's own downloader."""
    dest = tmp_path_factory.mktemp("six")
    try:
        package.pip_download([SIX], dest)
    except package.PackageError as exc:
        pytest.skip(f"pip cannot fetch six: {exc}")
    wheels = list(dest.glob("six-1.17.0-*.whl"))
    if not wheels:
        pytest.skip("the configured index has no wheel of six 1.17.0")
    return wheels[0]


def _declare(project: Path, text: str) -> None:
    (project / "handwritten" / "requirements.txt").write_text(text, encoding="utf-8")


def _prepend(project: Path, rel: str, code: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    marker = "from __future__ import annotations\n"
    path.write_text(text.replace(marker, marker + code, 1), encoding="utf-8")


def _errors(project: Path, cache: Path) -> list[str]:
    with pytest.raises(GenError) as info:
        package.build_packages(project, download=no_download, wheel_cache=cache)
    assert not (project / "build").exists(), "an error leaves build/ untouched"
    return [d.render() for d in info.value.diagnostics]


def _line_of(project: Path, rel: str, needle: str) -> int:
    lines = (project / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


# -- a real dependency, packed deterministically ---------------------------------------------


def test_a_declared_dependency_is_packed_byte_identically(tmp_path: Path, six_wheel: Path) -> None:
    built: list[bytes] = []
    for copy in ("a", "b"):  # two checkouts, two caches: the same bytes
        project = copy_project(tmp_path / copy)
        cache = tmp_path / f"wheels-{copy}"
        fake_cache(cache, package.runtime_pins())
        _declare(project, "# what handwritten code imports\nsix==1.17.0  # via handwritten.fleet_rules\n")
        _prepend(project, "handwritten/fleet_rules.py", "import six\n")
        asked: list[list[Pin]] = []

        def download(pins: list[Pin], dest: Path) -> None:
            asked.append(pins)
            shutil.copy(six_wheel, dest / six_wheel.name)

        zips = package.build_packages(project, download=download, wheel_cache=cache)
        again = package.build_packages(project, download=no_download, wheel_cache=cache)  # offline now
        assert asked == [[SIX]]
        assert [z.read_bytes() for z in again] == [z.read_bytes() for z in zips]
        built.append(zips[0].read_bytes())
    assert built[0] == built[1]
    with zipfile.ZipFile(io.BytesIO(built[0])) as zf, zipfile.ZipFile(six_wheel) as wheel:
        names = zf.namelist()
        assert zf.read("six.py") == wheel.read("six.py")
        assert "six-1.17.0.dist-info/METADATA" in names
        assert "handwritten/requirements.txt" not in names  # build input, not code
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_declared_wheels_are_fetched_for_the_lambda_platform(six_wheel: Path) -> None:
    assert six_wheel.name == "six-1.17.0-py2.py3-none-any.whl"
    assert package.wheels.find_wheel(six_wheel.parent, SIX) == six_wheel


# -- handwritten modules that do not compile ---------------------------------------------------


def test_a_module_that_does_not_compile_is_refused(project: Path, cache: Path) -> None:
    path = project / PROCESSOR
    path.write_text(path.read_text(encoding="utf-8") + "\ndef broken(:\n    pass\n", encoding="utf-8")
    line = _line_of(project, PROCESSOR, "def broken(:")
    (project / "handwritten" / "helpers.py").write_text("def f():\n    pass\nreturn 1\n", encoding="utf-8")
    errors = _errors(project, cache)
    assert errors == [
        "handwritten/helpers.py:3:1: error[E-COMPILE]: does not compile: 'return' outside function\n"
        "  hint: gen package packs only modules that compile (Lambda runs Python 3.12)",
        f"{PROCESSOR}:{line}:12: error[E-COMPILE]: does not compile: invalid syntax\n"
        "  hint: gen package packs only modules that compile (Lambda runs Python 3.12)",
    ]


def test_gen_package_prints_located_errors_and_exits_2(project: Path, cache: Path) -> None:
    shutil.copytree(cache, project / ".gen-cache" / "wheels")
    path = project / PROCESSOR
    path.write_text(path.read_text(encoding="utf-8") + "\nx = (\n", encoding="utf-8")
    result = run_cli("-C", str(project), "package")
    assert result.exit_code == 2
    assert f"{PROCESSOR}:" in result.stderr and "error[E-COMPILE]: does not compile: '(' was never closed" in result.stderr
    assert "Traceback" not in result.stderr and not (project / "build").exists()


# -- imports nothing provides ------------------------------------------------------------------


def test_an_undeclared_import_is_reported_where_it_is(project: Path, cache: Path) -> None:
    _prepend(project, "handwritten/fleet_rules.py", "\n".join([
        "import json, requests.adapters",
        "from yaml import safe_load",
        "import boto3",
        "from typing import TYPE_CHECKING",
        "if TYPE_CHECKING:",
        "    from mypy_boto3_dynamodb import DynamoDBClient",
        "try:",
        "    import ujson",
        "except ImportError:",
        "    ujson = None",
        "from . import processors",
        "",
    ]))
    errors = _errors(project, cache)
    hint = ("  hint: declare the library that provides '{}' in handwritten/requirements.txt (name==version), "
            "or guard an optional import with try/except ImportError")
    line = _line_of(project, "handwritten/fleet_rules.py", "import json, requests")
    assert errors == [
        f"handwritten/fleet_rules.py:{line}:1: error[E-IMPORT]: 'requests' is imported, but the zip and the "
        "Lambda runtime do not provide it\n" + hint.format("requests"),
        f"handwritten/fleet_rules.py:{line + 1}:1: error[E-IMPORT]: 'yaml' is imported, but the zip and the "
        "Lambda runtime do not provide it\n" + hint.format("yaml"),
    ]


def test_a_declared_import_name_comes_from_the_wheel(project: Path, cache: Path) -> None:
    make_wheel(cache, "PyYAML-6.0.3-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", {
        "yaml/__init__.py": "", "_yaml/__init__.py": "", "PyYAML-6.0.3.dist-info/METADATA": "Name: PyYAML\n"})
    _declare(project, "PyYAML==6.0.3\n")
    _prepend(project, "handwritten/fleet_rules.py", "import yaml\n")
    built = package.build_packages(project, download=no_download, wheel_cache=cache)
    with zipfile.ZipFile(built[0]) as zf:
        assert "yaml/__init__.py" in zf.namelist()


# -- requirements that are not exact, closed pins ----------------------------------------------


def test_requirements_accept_what_pip_compile_prints() -> None:
    diags = Diagnostics()
    reqs = parse_requirements("\n".join([
        "# generated by pip-compile",
        "requests[socks]==2.32.3 \\",
        "    --hash=sha256:" + "a" * 64 + " \\",
        "    --hash=sha256:" + "B" * 64,
        "    # via -r requirements.in",
        "Six == 1.17.0",
        "",
    ]), diags)
    assert not diags.items
    assert [(str(r.pin), r.extras, len(r.hashes), r.location.line) for r in reqs] == [
        ("requests==2.32.3", ("socks",), 2, 2), ("Six==1.17.0", (), 0, 6)]
    assert reqs[0].hashes == ("a" * 64, "b" * 64)


def test_requirements_that_are_not_exact_pins_are_located() -> None:
    diags = Diagnostics()
    parse_requirements("six>=1.16\n-r other.txt\nattrs==23.1.0 ; python_version < '3.13'\n"
                       "git+https://example.com/x.git\nsix==1.17.0\nSIX==1.17.0\n", diags)
    rendered = [d.render().splitlines() for d in diags]
    assert [lines[0] for lines in rendered] == [
        "handwritten/requirements.txt:1:1: error[E-DEPS]: 'six>=1.16' is not a pinned requirement",
        "handwritten/requirements.txt:2:1: error[E-DEPS]: '-r other.txt' is not a pinned requirement",
        "handwritten/requirements.txt:3:1: error[E-DEPS]: 'attrs==23.1.0 ; python_version < '3.13'' is not a "
        "pinned requirement",
        "handwritten/requirements.txt:4:1: error[E-DEPS]: 'git+https://example.com/x.git' is not a pinned "
        "requirement",
        "handwritten/requirements.txt:6:1: error[E-DEPS]: SIX is declared twice (first on line 5)",
    ]
    assert "drop the marker: gen packs for one platform, CPython 3.12 on Linux aarch64" in rendered[2][1]


def test_the_declared_set_must_be_closed_and_match_the_runtime(project: Path, cache: Path) -> None:
    make_wheel(cache, "fancy-1.0-py3-none-any.whl", {
        "fancy/__init__.py": "",
        "fancy-1.0.dist-info/METADATA": "Name: fancy\nVersion: 1.0\nRequires-Dist: attrs>=23\n"
        "Requires-Dist: boto3\nRequires-Dist: six>=2 ; python_version >= '3'\n"
        "Requires-Dist: rich ; extra == 'pretty'\nRequires-Dist: colorama ; sys_platform == 'win32'\n\nbody\n"})
    make_wheel(cache, "six-1.17.0-py2.py3-none-any.whl", {"six.py": ""})
    jmespath = next(p for p in package.runtime_pins() if p.key == "jmespath")
    _declare(project, f"fancy==1.0\nsix==1.17.0\njmespath=={jmespath.version}\n")
    errors = [e.splitlines()[0] for e in _errors(project, cache)]
    assert errors == [
        "handwritten/requirements.txt:1:1: error[E-DEPS]: fancy==1.0 needs attrs>=23, which "
        "handwritten/requirements.txt does not pin",
        "handwritten/requirements.txt:1:1: error[E-DEPS]: fancy==1.0 needs six>=2, but six==1.17.0 is pinned",
    ]
    _declare(project, "jmespath==0.0.1\n")
    assert [e.splitlines()[0] for e in _errors(project, cache)] == [
        f"handwritten/requirements.txt:1:1: error[E-DEPS]: jmespath==0.0.1 conflicts with {jmespath}, which "
        "gen's runtime (msgspec, aws-lambda-powertools) packs"]


def test_a_pin_without_a_wheel_or_with_a_wrong_hash_is_located(project: Path, cache: Path) -> None:
    wheel = make_wheel(cache, "six-1.17.0-py2.py3-none-any.whl", {"six.py": ""})
    _declare(project, "# deps\nsix==1.17.0 --hash=sha256:" + "0" * 64 + "\nnowheel==1.0\n")
    asked: list[list[Pin]] = []
    with pytest.raises(GenError) as info:
        package.build_packages(project, download=lambda pins, dest: asked.append(pins), wheel_cache=cache)
    assert asked == [[Pin("nowheel", "1.0")]]
    errors = [d.render().splitlines() for d in info.value.diagnostics]
    assert [e[0] for e in errors] == [
        f"handwritten/requirements.txt:2:1: error[E-DEPS]: {wheel.name} matches none of the hashes declared "
        "for six==1.17.0",
        f"handwritten/requirements.txt:3:1: error[E-DEPS]: no wheel of nowheel==1.0 for CPython 3.12 on "
        f"manylinux aarch64 in {cache}",
    ]
    assert f"--hash=sha256:{package.wheels.sha256(wheel)}" in errors[0][1]
