"""Stage 2, validate: every problem in the spec as a located diagnostic, all in one pass."""
