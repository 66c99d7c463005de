"""Stages 5-6, plan and write: compare outputs with disk and manifest, then apply atomically."""
