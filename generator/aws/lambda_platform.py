"""The Lambda platform gen targets: runtime, architecture, and what that runtime provides.

One owner for these facts: lambda.tf deploys this runtime on this architecture, and
`gen package` fetches wheels for exactly this interpreter and platform and checks handwritten
imports against this runtime's standard library.
"""

from __future__ import annotations

import sys

RUNTIME = "python3.12"
ARCHITECTURE = "arm64"
PYTHON_VERSION = RUNTIME.removeprefix("python")
PYTHON_TAG = "cp" + PYTHON_VERSION.replace(".", "")
MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}[ARCHITECTURE]
# python3.12 runs on Amazon Linux 2023 (glibc 2.34): every manylinux tag up to 2_28 loads there.
WHEEL_PLATFORMS = tuple(f"{tag}_{MACHINE}" for tag in ("manylinux2014", "manylinux_2_17", "manylinux_2_28"))
# Lambda's Python runtimes ship the AWS SDK; packing it again would only grow the zips.
PROVIDED_DISTRIBUTIONS = frozenset({"boto3", "botocore", "s3transfer"})
PROVIDED_MODULES = frozenset({"boto3", "botocore", "s3transfer"})
# The host running gen may be another Python than the target: 3.12 removed these (PEP 594,
# PEP 632) ...
_GONE_IN_TARGET = frozenset({"asynchat", "asyncore", "distutils", "imp", "smtpd"})
# ... and 3.13 removed these, which 3.12 still has.
_STILL_IN_TARGET = frozenset({
    "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap", "msilib", "nis",
    "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
})


def stdlib_modules() -> frozenset[str]:
    """Top-level module names of the target Python's standard library (approximated from the
    host's list, corrected for the modules 3.12 and 3.13 removed)."""
    return (frozenset(sys.stdlib_module_names) - _GONE_IN_TARGET) | _STILL_IN_TARGET | {"__future__"}
