"""`gen package`: one deterministic Lambda zip per processor, build/lambda/<processor>.zip.

A zip holds the generated package (generated/python/<package>/), handwritten/ and the
dependencies unpacked from wheels for the Lambda platform (generator.aws.lambda_platform:
CPython 3.12, manylinux arm64): gen's runtime closure (msgspec, aws-lambda-powertools, at the
versions installed next to gen, so what runs on Lambda is what the tests ran) plus the
libraries pinned in handwritten/requirements.txt, minus what the Lambda runtime provides
(boto3, botocore, s3transfer). Before anything is downloaded or written, every handwritten
module must compile (E-COMPILE) and the requirements must be exact pins (E-DEPS); after the
wheels are resolved, each declared wheel's own requirements must be pinned too (E-DEPS) and
every handwritten import must resolve inside the zip or the runtime (E-IMPORT). Any error
leaves build/ untouched. generated/python must be up to date with the spec (run `gen build`).

Modules: wheels (pins, cache, pip), requirements (handwritten/requirements.txt), sources
(compile and import checks), zips (entries and the reproducible write).
"""

from __future__ import annotations

from pathlib import Path

from generator.aws.lambda_platform import PROVIDED_DISTRIBUTIONS, PROVIDED_MODULES, stdlib_modules
from generator.diagnostics import Diagnostics, GenError
from generator.ir.names import ProjectNames
from generator.package.requirements import REQUIREMENTS, Requirement, read_requirements
from generator.package.sources import HANDWRITTEN, check_imports, compile_modules, handwritten_files, top_level_modules
from generator.package.wheels import (
    Downloader,
    PackageError,
    Pin,
    dependencies,
    no_wheel_message,
    normalize,
    pip_download,
    resolve_wheels,
    runtime_pins,
    satisfies,
    sha256,
    wheel_entries,
    wheel_requires,
)
from generator.package.zips import digest, merge, tree, write_zip

__all__ = ["PackageError", "Pin", "build_packages", "digest", "pip_download", "runtime_pins"]

WHEEL_CACHE = ".gen-cache/wheels"
OUTPUT_DIR = "build/lambda"


def check_fresh(root: Path, names: ProjectNames) -> None:
    """Refuse to pack generated code that differs from what the spec generates now."""
    from generator.pipeline import generate
    from generator.render.header import with_header

    _, files, _ = generate(root, emitters=("generator.emit.python:emit_python",))
    prefix = f"{names.package_root}/"
    expected = {f.path: (with_header(f.path, f.source, f.content) if f.header else f.content).encode()
                for f in files if f.path.startswith(prefix)}
    on_disk = {p: (root / p).read_bytes() for p in expected if (root / p).is_file()}
    stale = sorted(p for p in expected if on_disk.get(p) != expected[p])
    if stale:
        raise PackageError(f"{len(stale)} generated file(s) are missing or stale (first: {stale[0]}); "
                           "run `gen build` first")


def combined_pins(runtime: list[Pin], declared: list[Requirement], diags: Diagnostics) -> list[Pin]:
    """gen's runtime pins plus the declared ones, sorted; a declared version that differs from
    the runtime's is an E-DEPS error (one zip holds one version of a library)."""
    pins = {p.key: p for p in runtime}
    for req in declared:
        have = pins.get(req.pin.key)
        if have is not None and have.version != req.pin.version:
            diags.error("E-DEPS", f"{req.pin} conflicts with {have}, which gen's runtime (msgspec, "
                        "aws-lambda-powertools) packs", req.location, f"pin {have}, or drop the line")
            continue
        pins[req.pin.key] = req.pin
    return sorted(pins.values(), key=lambda p: p.key)


def check_wheels(found: dict[Pin, Path | None], declared: list[Requirement], cache: Path,
                 diags: Diagnostics) -> None:
    """Missing wheels, hash mismatches and unpinned dependencies of the declared libraries."""
    by_key = {pin.key: pin for pin in found}
    declared_keys = {req.pin.key for req in declared}
    for pin, wheel in found.items():
        if wheel is None and pin.key not in declared_keys:
            raise PackageError(no_wheel_message(pin, cache))
    for req in declared:
        wheel = found.get(req.pin)
        if wheel is None:
            diags.error("E-DEPS", no_wheel_message(req.pin, cache), req.location,
                        "gen packs wheels only (no source builds): pick a version that publishes a manylinux "
                        "or pure-Python wheel, and check the name and version on the index pip uses")
            continue
        if req.hashes and sha256(wheel) not in req.hashes:
            diags.error("E-DEPS", f"{wheel.name} matches none of the hashes declared for {req.pin}", req.location,
                        f"add --hash=sha256:{sha256(wheel)} if this wheel is the one you mean, or delete "
                        f"{wheel} to fetch it again")
        for name, spec in dependencies(wheel_requires(wheel), req.extras):
            key = normalize(name)
            pinned = by_key.get(key)
            if key in PROVIDED_DISTRIBUTIONS or (pinned is not None and satisfies(pinned.version, spec)):
                continue
            needs = f"{req.pin} needs {name}{spec}"
            if pinned is None:
                diags.error("E-DEPS", f"{needs}, which {REQUIREMENTS} does not pin", req.location,
                            f"add a pinned line for {name}: the file lists the whole closure (as pip-compile "
                            "prints it)")
            else:
                diags.error("E-DEPS", f"{needs}, but {pinned} is pinned", req.location,
                            f"pin a version of {name} that meets {spec}")


def build_packages(root: Path, *, download: Downloader = pip_download,
                   wheel_cache: Path | None = None) -> list[Path]:
    """Build build/lambda/<processor>.zip for every processor; the zips written, sorted.

    Raises GenError with every located problem (E-COMPILE, E-DEPS, E-IMPORT), or
    PackageError for a project-wide one (stale generated code, gen's own wheels missing)."""
    from generator.pipeline import validate

    ir, diags = validate(root)
    if ir is None or diags.has_errors():
        raise GenError(diags)
    check_fresh(root, ir.names)
    diags = Diagnostics()
    declared = read_requirements(root, diags)
    files = handwritten_files(root)
    trees = compile_modules(files, diags)
    pins = combined_pins(runtime_pins(), declared, diags)
    if diags.has_errors():
        raise GenError(diags)
    cache = wheel_cache or root / WHEEL_CACHE
    found = resolve_wheels(cache, pins, download)
    check_wheels(found, declared, cache, diags)
    if diags.has_errors():
        raise GenError(diags)
    libraries = merge(wheel_entries(wheel) for wheel in found.values() if wheel is not None)
    importable = stdlib_modules() | PROVIDED_MODULES | {ir.ident, HANDWRITTEN} | top_level_modules(libraries)
    check_imports(trees, frozenset(importable), diags)
    if diags.has_errors():
        raise GenError(diags)
    entries = merge([tree(root / ir.names.package_root, ir.ident), files, libraries])
    out: list[Path] = []
    for zip_file in sorted(p.names.zip_file for p in ir.processors):
        target = root / OUTPUT_DIR / zip_file
        write_zip(target, entries)
        out.append(target)
    return out

