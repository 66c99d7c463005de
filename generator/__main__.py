"""`python -m generator` is `gen`."""

from generator.cli import main

main()
