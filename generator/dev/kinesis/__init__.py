"""Reading Kinesis as a consumer: shard readers, records and pages, checkpoints, stream tips.

Owns: `shard_reader` (`Reader`, `ShardReader` over the Kinesis API, `StreamRecord`, `Page`),
`checkpoints` (where a consumer of a shard has got to) and `tips` (each shard's newest
sequence number, for lag). Works against any Kinesis endpoint; the local stack may hand its
consumers faster readers with the same contract (`local_aws.backend_reads`).

May import: boto3 (types). Nothing else of `generator.dev`.
"""
