"""The fixed part of the generated package: marshalling, expressions, table access, the stream
and schedule runners, idempotency and telemetry. Identical for every spec; imports nothing heavy.
"""
