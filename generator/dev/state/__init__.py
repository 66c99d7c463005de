"""`gen dev --state DIR`: the local stack's AWS state kept on disk across restarts.

What is kept: every DynamoDB item (the spec's tables and the idempotency table), every Kinesis
record still retained (with its sequence number and arrival time, so the pollers' and archivers'
checkpoints, kept too, still point at the right records), the SQS dead-letter queues' messages
and the S3 objects (the data lake). How: a snapshot of moto's state (`capture`) every ~30 s and
at a clean stop, and between snapshots an append-only journal of every AWS write, made in this
process or by another one through moto's port (`local_aws.in_process.PortApplication` sends
those the same way) (`recorder`, `journal`), written before the write is answered and fsynced every ~1 s.
At start, `restore` replays the snapshot and the journal into the fresh moto before any poller
starts; `persistence` ties it together; `store` owns the directory and its lock.
"""
