"""Write the files Terraform needs to find the stand-in provider, under a cache directory.

`ensure_installed()` returns a `PluginSetup` whose CLI config (for TF_CLI_CONFIG_FILE) points
`hashicorp/aws` at a `terraform-provider-aws` wrapper script through `dev_overrides`.  Files are
rewritten atomically and only when their content changes, so concurrent callers are safe.
The default directory is per user and per interpreter + gen installation (the wrapper names
both), so two virtualenvs never rewrite each other's wrapper: ``$XDG_CACHE_HOME/specstack/``
(``~/.cache/specstack/``), or the system temp directory when that cannot be created.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

IMPORT_ROOT: Final = Path(__file__).resolve().parents[2]  # where `generator` is importable
PROVIDER_SOURCE: Final = "hashicorp/aws"


def default_cache_dir(python: str = sys.executable, import_root: Path = IMPORT_ROOT) -> Path:
    """Where the wrapper and CLI config of this interpreter + gen installation live."""
    key = hashlib.sha256(f"{python}\0{import_root}".encode()).hexdigest()[:12]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "specstack"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        base = Path(tempfile.gettempdir()) / f"specstack-{os.getuid()}"
    return base / f"tfcheck-{key}"


@dataclass(frozen=True, slots=True)
class PluginSetup:
    cli_config: Path  # the file to name in TF_CLI_CONFIG_FILE
    plugin_dir: Path  # holds the terraform-provider-aws wrapper


def _write_if_changed(path: Path, content: str, mode: int = 0o644) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def wrapper_script(python: str = sys.executable, import_root: Path = IMPORT_ROOT) -> str:
    """The `terraform-provider-aws` shell script: run provider.py with gen's own Python."""
    root = shlex.quote(str(import_root))
    return (
        "#!/bin/sh\n"
        "# Written by generator/tfcheck/install.py: Terraform runs this as hashicorp/aws.\n"
        f'PYTHONPATH={root}"${{PYTHONPATH:+:$PYTHONPATH}}" \\\n'
        f'  exec {shlex.quote(python)} -m generator.tfcheck.provider "$@"\n'
    )


def cli_config(plugin_dir: Path) -> str:
    """A Terraform CLI config that sends hashicorp/aws to `plugin_dir` and nothing anywhere else."""
    return (
        "# Written by generator/tfcheck/install.py.\n"
        "provider_installation {\n"
        "  dev_overrides {\n"
        f"    {_hcl_str(PROVIDER_SOURCE)} = {_hcl_str(str(plugin_dir))}\n"
        "  }\n"
        "  direct {}\n"
        "}\n"
    )


def _hcl_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${")
    return f'"{escaped}"'


def ensure_installed(cache_dir: Path | None = None) -> PluginSetup:
    """Create or refresh the wrapper and CLI config under `cache_dir`; returns their paths."""
    cache_dir = cache_dir or default_cache_dir()
    plugin_dir = cache_dir / "plugins"
    _write_if_changed(cache_dir / ".gitignore", "*\n")
    _write_if_changed(plugin_dir / "terraform-provider-aws", wrapper_script(), mode=0o755)
    config = cache_dir / "terraformrc"
    _write_if_changed(config, cli_config(plugin_dir))
    return PluginSetup(cli_config=config, plugin_dir=plugin_dir)
