"""Rendering helpers shared by emitters: jinja environments, canonical JSON, file headers."""
