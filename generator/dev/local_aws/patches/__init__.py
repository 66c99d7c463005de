"""moto's speed patches, one module per patch, and `gate`, which decides whether they run.

Each patch module says in its docstring what it speeds up, which of moto's private names it
touches, the moto versions it was checked against and the upstream report; each has
``install()``, ``uninstall()`` and ``installed()``, all idempotent, and answers exactly what
moto answers (tests compare both ways). None is needed for correctness: with
``SPECSTACK_MOTO_PATCHES=off``, or on a moto not in `gate.CHECKED_MOTO_VERSIONS`, the stack runs
on plain moto. The one correctness fix is not a patch: `local_aws.kinesis_serial`.

May import: moto, and each other (`dynamodb_item_size.ITEM_SIZE_LIMIT`). Nothing else of
`generator`.
"""
