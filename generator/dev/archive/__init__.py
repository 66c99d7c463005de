"""A Firehose-like archiver: every record of a Kinesis stream, buffered and written to S3.

Owns: `archiver` (the delivery stream: its own consumer of the stream, with checkpoints) and
`firehose_naming` (Firehose's object keys: prefix expressions and file names).

May import: `generator.dev.kinesis` (and, by layering, `lambdas` / `local_aws`, which it does not
need). Nothing above it (workers, stack).
"""
