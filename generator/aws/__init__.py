"""Shared knowledge of AWS itself (schedule expressions, naming limits): no project imports.

Both the spec checks and the local stack read these rules, so they live below both.
"""
