"""The Kinesis side of every stream processor: decode, order, deduplicate, dispatch, report.

`StreamRunner.process` turns one Lambda event into calls of the handwritten function and
answers in the shape of Powertools' BatchProcessor with ReportBatchItemFailures:
`{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}`. Per record:
- base64 -> JSON -> typed CloudEvent (msgspec, one tagged union on `type`); undecodable or
  invalid records fail and are logged with their sequence number;
- events of the stream this processor does not subscribe to are acknowledged and skipped;
- per-subject order (subject = the Kinesis partition key): once a record of a subject fails,
  every later record of that subject in the batch fails too and is never applied;
- idempotency on the CloudEvents identity, `source` + `id` (runtime.idempotency): events
  applied before are acknowledged without being applied again; a second copy inside the batch
  follows the first.
The handwritten function gets a `Batch` of the remaining events in stream order; it may fail
single events (`Batch.fail`: retried later) or raise. When it raises, the runner isolates the
culprit in process: it runs the two halves of the batch again, in order, down to the single
events that raise (an event the function raises on alone is *poison*), while time allows;
every other event is applied once and recorded as applied, and later events of a poison
event's subject are not run. Records that can never be applied (poison, undecodable, invalid)
then make `process` raise `PoisonRecords` after the ledger is settled: Lambda sees a function
error and, with `BisectBatchOnFunctionError`, splits the batch until each poison record is
retried alone and finally sent to the dead-letter queue by itself; the records around it are
then duplicates that are acknowledged without being applied again. Without poison, every
failed record is reported in `batchItemFailures` (Lambda retries from the lowest).
"""

from __future__ import annotations

import time as _time
import typing as _t

import msgspec as _msgspec

# Only the type checker needs these (and a Protocol costs time to create at import).
if _t.TYPE_CHECKING:
    from .idempotency import Claim, Ledger
    from .observe import Telemetry

    class Envelope(_t.Protocol):
        """What the runner reads from every event envelope."""

        @property
        def id(self) -> str: ...

        @property
        def source(self) -> str: ...

        @property
        def subject(self) -> str: ...


E = _t.TypeVar("E", bound="Envelope")
C = _t.TypeVar("C")


class Untyped(_msgspec.Struct, tag_field="type", tag="", frozen=True):
    """Decodes records whose `type` is empty; always invalid. Being in every decoder's union
    also makes `type` required when a stream carries a single event type."""


class Batch(_t.Generic[E]):
    """The events a processor must apply, in stream order, with per-event failure marks.

    `fail(event, reason)` marks the event and every later event of the same subject as failed:
    they are reported to Lambda and retried, so the processor must not apply them.
    """

    __slots__ = ("_events", "_subjects", "_failed", "_index")

    def __init__(self, events: _t.Sequence[E], subjects: _t.Sequence[str]) -> None:
        self._events = tuple(events)
        self._subjects = tuple(subjects)
        self._failed: dict[int, str] = {}
        self._index: dict[int, int] | None = None

    def __iter__(self) -> _t.Iterator[E]:
        return iter(self._events)

    def __len__(self) -> int:
        return len(self._events)

    @property
    def events(self) -> tuple[E, ...]:
        return self._events

    def subject_of(self, event: E) -> str:
        return self._subjects[self._position(event)]

    def by_subject(self) -> dict[str, list[E]]:
        """Events grouped by subject; subjects in first-seen order, events in stream order."""
        groups: dict[str, list[E]] = {}
        for subject, event in zip(self._subjects, self._events, strict=True):
            groups.setdefault(subject, []).append(event)
        return groups

    def fail(self, event: E, reason: str) -> None:
        """Report `event` (and the later events of its subject) as failed, to be retried."""
        position = self._position(event)
        subject = self._subjects[position]
        self._failed.setdefault(position, reason)
        for later in range(position + 1, len(self._events)):
            if self._subjects[later] == subject:
                self._failed.setdefault(later, f"after failed event {event.id}: {reason}")

    def is_failed(self, event: E) -> bool:
        return self._position(event) in self._failed

    @property
    def failures(self) -> dict[int, str]:
        """Failed positions and their reasons."""
        return dict(self._failed)

    def _position(self, event: E) -> int:
        if self._index is None:
            self._index = {id(e): i for i, e in enumerate(self._events)}
        try:
            return self._index[id(event)]
        except KeyError:
            raise ValueError("the event is not part of this batch") from None


ISOLATION_RESERVE_MS = 1000
"""Isolating a culprit stops when less than this (plus the slowest call of the processor so
far) is left of the invocation: the ledger must still be settled before Lambda's timeout."""

_identity = _msgspec.json.Encoder().encode


def identity(source: str, id: str) -> str:
    """The idempotency key of an event: its CloudEvents identity as the JSON array
    `[source, id]` (unambiguous whatever characters either holds)."""
    return _identity((source, id)).decode()


class PoisonRecords(Exception):
    """Raised to Lambda when records of the batch can never be applied (the processor raised on
    them alone, or they cannot be decoded): a function error makes Lambda bisect the batch
    (`BisectBatchOnFunctionError`) until each of them fails alone and is dead-lettered alone.

    Raised after every other record was applied and the ledger settled. `outcome` holds what
    happened to each record; `response` is the answer partial-failure reporting would give.
    """

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.response = outcome.response()
        shown = (outcome.poison or outcome.unisolated)[:5]
        listed = "; ".join(f"{outcome.sequence_number(i)}: {outcome.failed[i]}" for i in shown)
        super().__init__(
            f"{len(outcome.poison)} poison record(s) and {len(outcome.unisolated)} not isolated "
            f"in time, of {len(outcome.records)} (e.g. {listed}); every other record is applied "
            "or reported; failing the invocation so that Lambda bisects the batch and retries "
            "(and finally dead-letters) each poison record alone"
        )


class Outcome:
    """What happened to each record of one invocation (indexes into the event's Records).

    `poison`: failed records that can never succeed (undecodable or invalid, or the processor
    raised on the event alone); `unisolated`: records of a batch the processor raised on that
    were not run again for want of time. Either makes `bisect` true.
    """

    __slots__ = ("records", "failed", "applied", "duplicates", "skipped", "poison", "unisolated")

    def __init__(self, records: list[dict[str, _t.Any]]) -> None:
        self.records = records
        self.failed: dict[int, str] = {}
        self.applied: list[int] = []
        self.duplicates: list[int] = []
        self.skipped: list[int] = []
        self.poison: list[int] = []
        self.unisolated: list[int] = []

    @property
    def bisect(self) -> bool:
        """Whether Lambda must split the batch to isolate records (a function error)."""
        return bool(self.poison or self.unisolated)

    def sequence_number(self, i: int) -> str:
        """The record's sequence number (looked up only for the records that are reported)."""
        return str(_kinesis(self.records[i]).get("sequenceNumber", ""))

    def response(self) -> dict[str, list[dict[str, str]]]:
        """The ReportBatchItemFailures answer, failures in stream order."""
        failures = [{"itemIdentifier": self.sequence_number(i)} for i in sorted(self.failed)]
        return {"batchItemFailures": failures}


class StreamRunner(_t.Generic[E, C]):
    """Runs one stream processor: `invoke` is the Lambda handler body, `process` its core."""

    def __init__(
        self,
        *,
        project: str,
        processor: str,
        decoder: _msgspec.json.Decoder[_t.Any],
        accepts: tuple[type, ...],
        handle: _t.Callable[[Batch[E], C], None],
        context: _t.Callable[[Telemetry | None], C],
        idempotency_seconds: int,
    ) -> None:
        self.project = project
        self.processor = processor
        self.decoder = decoder
        self.accepts = accepts
        self._accepted = frozenset(accepts)
        self.handle = handle
        self.make_context = context
        self.idempotency_seconds = idempotency_seconds
        self._invoke: _t.Callable[[_t.Any, _t.Any], _t.Any] | None = None

    def invoke(self, event: dict[str, _t.Any], lambda_context: _t.Any) -> dict[str, _t.Any]:
        """The Lambda handler: sets up telemetry, context and ledger once, then processes."""
        if self._invoke is None:
            from .idempotency import ledger_from_env
            from .observe import telemetry

            tel = telemetry(self.project, self.processor)
            # The context's function name, not the environment's: both are the function's own
            # name in Lambda, but gen dev runs every function in one process.
            function = getattr(lambda_context, "function_name", None)
            ledger = ledger_from_env(
                self.processor,
                self.idempotency_seconds,
                function if isinstance(function, str) else None,
            )
            ctx = self.make_context(tel)

            def run(event: dict[str, _t.Any], lambda_context: _t.Any) -> dict[str, _t.Any]:
                if hasattr(ctx, "lambda_context"):
                    ctx.lambda_context = lambda_context
                return self.process(event, ctx, ledger, tel, _remaining_ms(lambda_context))

            self._invoke = tel.wrap(run)
        result: dict[str, _t.Any] = self._invoke(event, lambda_context)
        return result

    def reset(self) -> None:
        """Drop the cached setup (tests that change the environment call this)."""
        self._invoke = None

    def process(
        self,
        event: dict[str, _t.Any],
        ctx: C,
        ledger: Ledger,
        telemetry: Telemetry | None = None,
        remaining_ms: int | None = None,
    ) -> dict[str, _t.Any]:
        """The batchItemFailures answer to one Kinesis event; raises `PoisonRecords` (after
        applying and settling everything else) when Lambda must bisect the batch."""
        outcome = self.run(event, ctx, ledger, telemetry, remaining_ms)
        if outcome.bisect:
            raise PoisonRecords(outcome)
        return outcome.response()

    def run(
        self,
        event: dict[str, _t.Any],
        ctx: C,
        ledger: Ledger,
        telemetry: Telemetry | None = None,
        remaining_ms: int | None = None,
    ) -> Outcome:
        """Decode, deduplicate, dispatch and settle one Kinesis event; what became of each record."""
        deadline = None if remaining_ms is None else _time.monotonic() + remaining_ms / 1000
        records: list[dict[str, _t.Any]] = event.get("Records") or []
        outcome, subjects, decoded = self._decode(records)
        keys = [identity(e.source, e.id) for _, e in decoded]
        pending, copies = self._claim(decoded, keys, subjects, outcome, ledger, remaining_ms)
        self._dispatch(pending, subjects, outcome, ctx, telemetry, deadline)
        self._order(subjects, copies, outcome)
        self._settle(pending, outcome, ledger, telemetry)
        if telemetry is not None:
            self._report(records, subjects, outcome, telemetry)
        return outcome

    def _decode(
        self, records: list[dict[str, _t.Any]]
    ) -> tuple[Outcome, list[str], list[tuple[int, E]]]:
        fast = self._decode_all(records)
        if fast is not None:
            return fast
        envelopes = _envelopes(records)
        subjects = [str(_kinesis(r).get("partitionKey", "")) for r in records]
        outcome = Outcome(records)
        decoded: list[tuple[int, E]] = []
        blocked: set[str] = set()
        decode, accepts = self.decoder.decode, self.accepts
        for i, envelope in enumerate(envelopes):
            subject = subjects[i]
            if subject in blocked:
                outcome.failed[i] = "an earlier record of the same subject failed"
                continue
            reason = None
            if envelope is None:
                reason = "malformed record: not a Kinesis record with base64 data"
            else:
                try:
                    value = decode(envelope.kinesis.data)
                except (_msgspec.DecodeError, _msgspec.ValidationError) as exc:
                    reason = f"invalid record: {exc}"
                else:
                    if isinstance(value, accepts):
                        decoded.append((i, _t.cast(E, value)))
                    elif isinstance(value, Untyped):
                        reason = "invalid record: empty type"
                    else:
                        outcome.skipped.append(i)
            if reason is not None:  # it can never be applied: poison
                outcome.failed[i] = reason
                outcome.poison.append(i)
                blocked.add(subject)
        return outcome, subjects, decoded

    def _decode_all(
        self, records: list[dict[str, _t.Any]]
    ) -> tuple[Outcome, list[str], list[tuple[int, E]]] | None:
        """The usual batch, every record valid and subscribed, decoded in one pass; else None
        (then `_decode` goes record by record to find and report the bad ones)."""
        decode = self.decoder.decode
        try:
            kinesis = [r["kinesis"] for r in records]
            payloads = _msgspec.convert([k["data"] for k in kinesis], list[bytes])  # base64
            values = [decode(p) for p in payloads]
            subjects = [k["partitionKey"] for k in kinesis]
        except (_msgspec.DecodeError, _msgspec.ValidationError, KeyError, TypeError):
            return None
        if not {type(v) for v in values} <= self._accepted:
            return None
        return Outcome(records), subjects, list(enumerate(values))

    def _claim(
        self,
        decoded: list[tuple[int, E]],
        keys: list[str],
        subjects: list[str],
        outcome: Outcome,
        ledger: Ledger,
        remaining_ms: int | None,
    ) -> tuple[list[tuple[int, E, str]], list[tuple[int, int]]]:
        """Claims each distinct event identity; the claimed events (with their keys) and the
        in-batch copies (index, index of the first)."""
        unique = [(i, e, k) for (i, e), k in zip(decoded, keys, strict=True)]
        copies: list[tuple[int, int]] = []
        if len(set(keys)) != len(keys):
            first: dict[str, int] = {}
            unique = []
            for (i, event), key in zip(decoded, keys, strict=True):
                if key in first:
                    copies.append((i, first[key]))
                else:
                    first[key] = i
                    unique.append((i, event, key))
            keys = [k for _, _, k in unique]
        claims: list[Claim | Exception] = ledger.claim(keys, remaining_ms)
        if claims.count("new") == len(claims):  # the usual case: everything is new
            return unique, copies
        pending: list[tuple[int, E, str]] = []
        blocked: set[str] = set()
        for (i, event, key), claim in zip(unique, claims, strict=True):
            if claim == "new" and not blocked:
                pending.append((i, event, key))
            elif subjects[i] in blocked:
                outcome.failed[i] = "an earlier record of the same subject failed"
                if claim == "new":
                    pending.append((i, event, key))  # claimed: released again in _settle
            elif isinstance(claim, Exception):
                outcome.failed[i] = f"idempotency store failed: {claim}"
                blocked.add(subjects[i])
            elif claim == "busy":
                outcome.failed[i] = "the event is being processed by another invocation"
                blocked.add(subjects[i])
            elif claim == "done":
                outcome.duplicates.append(i)
            else:
                pending.append((i, event, key))
        return pending, copies

    def _dispatch(
        self,
        pending: list[tuple[int, E, str]],
        subjects: list[str],
        outcome: Outcome,
        ctx: C,
        telemetry: Telemetry | None,
        deadline: float | None,
    ) -> None:
        """Run the handwritten function on the runnable events; when it raises, run the halves
        again in stream order (later events of a subject that failed are left out) down to
        the single events it raises on, while `deadline` allows."""
        failed = outcome.failed
        runnable = [(i, e) for i, e, _ in pending if i not in failed]
        if not runnable:
            return
        parts = [runnable]  # a stack: the next part to run is the last
        blocked: set[str] = set()
        isolating, slowest = False, 0.0
        while parts:
            part = parts.pop()
            if blocked:
                for i, _ in part:
                    if subjects[i] in blocked:
                        failed[i] = "an earlier record of the same subject failed"
                part = [(i, e) for i, e in part if i not in failed]
                if not part:
                    continue
            if (
                isolating
                and deadline is not None
                and (_time.monotonic() + slowest + ISOLATION_RESERVE_MS / 1000 > deadline)
            ):
                why = "the processor raised on a batch holding this event; no time to isolate it"
                for rest in (part, *parts):
                    for i, _ in rest:
                        failed[i] = why
                        outcome.unisolated.append(i)
                return
            batch = Batch([e for _, e in part], [subjects[i] for i, _ in part])
            started = _time.monotonic()
            error: Exception | None = None
            try:
                self.handle(batch, ctx)
            except Exception as exc:
                error = exc
            slowest = max(slowest, _time.monotonic() - started)
            if error is not None:
                if len(part) > 1:
                    if telemetry is not None and not isolating:
                        telemetry.logger.warning(
                            "processor raised; isolating the event it raises on",
                            extra={"events": len(part), "error": _describe(error)},
                        )
                    isolating = True
                    half = len(part) // 2
                    parts += [part[half:], part[:half]]
                    continue
                isolating = True
                i, event = part[0]
                failed[i] = f"processor raised {_describe(error)}"
                outcome.poison.append(i)
                blocked.add(subjects[i])
                if telemetry is not None:
                    telemetry.logger.error(
                        "processor raised on this event alone: it is poison",
                        exc_info=error,
                        extra={
                            "sequence_number": outcome.sequence_number(i),
                            "partition_key": subjects[i],
                            "event_id": event.id,
                            "event_source": event.source,
                        },
                    )
                continue
            failures = batch.failures
            if not failures:
                outcome.applied.extend([i for i, _ in part])
                continue
            for position, (i, _) in enumerate(part):
                if position in failures:
                    failed[i] = failures[position]
                    blocked.add(subjects[i])
                else:
                    outcome.applied.append(i)

    @staticmethod
    def _order(subjects: list[str], copies: list[tuple[int, int]], outcome: Outcome) -> None:
        """Copies follow their original; nothing after a failure of its subject succeeds."""
        if not copies and not outcome.failed:
            return
        for i, original in copies:
            if original in outcome.failed:
                outcome.failed[i] = "copy of a failed event"
            else:
                outcome.duplicates.append(i)
        first_failure: dict[str, int] = {}
        for i in sorted(outcome.failed):
            first_failure.setdefault(subjects[i], i)
        for i, subject in enumerate(subjects):
            start = first_failure.get(subject)
            if start is not None and i > start and i not in outcome.failed:
                outcome.failed[i] = "an earlier record of the same subject failed"

    def _settle(
        self,
        pending: list[tuple[int, E, str]],
        outcome: Outcome,
        ledger: Ledger,
        telemetry: Telemetry | None,
    ) -> None:
        if len(outcome.applied) == len(pending):
            done, undone = [k for _, _, k in pending], []
        else:
            applied = set(outcome.applied)
            done = [k for i, _, k in pending if i in applied]
            undone = [k for i, _, k in pending if i not in applied]
        errors = ledger.complete(done) + ledger.release(undone)
        if errors and telemetry is not None:
            telemetry.logger.warning(
                "idempotency records not updated", extra={"errors": [str(e) for e in errors]}
            )

    def _report(
        self,
        records: list[dict[str, _t.Any]],
        subjects: list[str],
        outcome: Outcome,
        telemetry: Telemetry,
    ) -> None:
        for i in sorted(outcome.failed):
            telemetry.logger.error(
                "record failed",
                extra={
                    "sequence_number": outcome.sequence_number(i),
                    "partition_key": subjects[i],
                    "reason": outcome.failed[i],
                },
            )
        telemetry.count("RecordsReceived", len(records))
        telemetry.count("EventsApplied", len(outcome.applied))
        telemetry.count("RecordsFailed", len(outcome.failed))
        telemetry.count("RecordsPoison", len(outcome.poison))
        telemetry.count("EventsDuplicate", len(outcome.duplicates))
        telemetry.count("EventsSkipped", len(outcome.skipped))


class _Kinesis(_msgspec.Struct):
    data: bytes  # base64 in the event; msgspec decodes it
    partitionKey: str = ""
    sequenceNumber: str = ""


class _Record(_msgspec.Struct):
    kinesis: _Kinesis


def _kinesis(record: object) -> dict[str, _t.Any]:
    """The `kinesis` part of a record, or {} when the record is not shaped like one."""
    kinesis = record.get("kinesis") if isinstance(record, dict) else None
    return kinesis if isinstance(kinesis, dict) else {}


def _envelopes(records: list[dict[str, _t.Any]]) -> list[_Record | None]:
    """The Kinesis part of every record, None where it is malformed (e.g. not base64)."""
    out: list[_Record | None] = []
    for record in records:
        try:
            out.append(_msgspec.convert(record, _Record))
        except _msgspec.ValidationError:
            out.append(None)
    return out


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _remaining_ms(lambda_context: _t.Any) -> int | None:
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    return int(remaining()) if callable(remaining) else None
