"""specstack's generator: `gen` turns spec/ into generated/ and runs it locally.

The library API is `generator.pipeline` (validate, generate, build); the CLI is `generator.cli`.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
