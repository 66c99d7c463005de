"""Developer tools of the specstack repository (not shipped in the `gen` wheel)."""
