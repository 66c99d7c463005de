"""The Kinesis side of every stream processor: decode, order, deduplicate, dispatch, report.

`StreamRunner.process` turns one Lambda event into one call of the handwritten function and
answers in the shape of Powertools' BatchProcessor with ReportBatchItemFailures:
`{"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}`. Per record:
- base64 -> JSON -> typed CloudEvent (msgspec, one tagged union on `type`); undecodable or
  invalid records fail and are logged with their sequence number;
- events of the stream this processor does not subscribe to are acknowledged and skipped;
- per-subject order (subject = the Kinesis partition key): once a record of a subject fails,
  every later record of that subject in the batch fails too and is never applied;
- idempotency on the CloudEvents `id` (runtime.idempotency): events applied before are
  acknowledged without being applied again; a second copy inside the batch follows the first.
The handwritten function gets a `Batch` of the remaining events in stream order; it may fail
single events (`Batch.fail`) or raise to fail them all. Every failed record is reported; all
records failing is reported the same way (Lambda then retries the whole batch).
"""

from __future__ import annotations

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


class Outcome:
    """What happened to each record of one invocation (indexes into the event's Records)."""

    __slots__ = ("records", "failed", "applied", "duplicates", "skipped")

    def __init__(self, records: list[dict[str, _t.Any]]) -> None:
        self.records = records
        self.failed: dict[int, str] = {}
        self.applied: list[int] = []
        self.duplicates: list[int] = []
        self.skipped: list[int] = []

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
            ledger = ledger_from_env(self.processor, self.idempotency_seconds)
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
        """Decode, deduplicate and dispatch one Kinesis event; the batchItemFailures answer."""
        records: list[dict[str, _t.Any]] = event.get("Records") or []
        outcome, subjects, decoded = self._decode(records)
        pending, copies = self._claim(decoded, subjects, outcome, ledger, remaining_ms)
        self._dispatch(pending, subjects, outcome, ctx, telemetry)
        self._order(subjects, copies, outcome)
        self._settle(pending, outcome, ledger, telemetry)
        if telemetry is not None:
            self._report(records, subjects, outcome, telemetry)
        return outcome.response()

    def _decode(
        self, records: list[dict[str, _t.Any]]
    ) -> tuple[Outcome, list[str], list[tuple[int, E]]]:
        fast = self._decode_all(records)
        if fast is not None:
            return fast
        envelopes = _envelopes(records)
        subjects = [str(_kinesis(r).get("partitionKey", "")) for r in records]
        outcome = Outcome(records)
        failed = outcome.failed
        decoded: list[tuple[int, E]] = []
        blocked: set[str] = set()
        decode, accepts = self.decoder.decode, self.accepts
        for i, envelope in enumerate(envelopes):
            subject = subjects[i]
            if subject in blocked:
                failed[i] = "an earlier record of the same subject failed"
                continue
            if envelope is None:
                failed[i] = "malformed record: not a Kinesis record with base64 data"
                blocked.add(subject)
                continue
            try:
                value = decode(envelope.kinesis.data)
            except (_msgspec.DecodeError, _msgspec.ValidationError) as exc:
                failed[i] = f"invalid record: {exc}"
                blocked.add(subject)
                continue
            if isinstance(value, accepts):
                decoded.append((i, _t.cast(E, value)))
            elif isinstance(value, Untyped):
                failed[i] = "invalid record: empty type"
                blocked.add(subject)
            else:
                outcome.skipped.append(i)
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
        subjects: list[str],
        outcome: Outcome,
        ledger: Ledger,
        remaining_ms: int | None,
    ) -> tuple[list[tuple[int, E]], list[tuple[int, int]]]:
        """Claims each distinct event id; the claimed events and the in-batch copies."""
        ids = [e.id for _, e in decoded]
        unique, copies = decoded, []
        if len(set(ids)) != len(ids):
            first: dict[str, int] = {}
            unique = []
            for i, event in decoded:
                if event.id in first:
                    copies.append((i, first[event.id]))
                else:
                    first[event.id] = i
                    unique.append((i, event))
            ids = [e.id for _, e in unique]
        claims: list[Claim | Exception] = ledger.claim(ids, remaining_ms)
        if claims.count("new") == len(claims):  # the usual case: everything is new
            return unique, copies
        pending: list[tuple[int, E]] = []
        blocked: set[str] = set()
        for (i, event), claim in zip(unique, claims, strict=True):
            if claim == "new" and not blocked:
                pending.append((i, event))
            elif subjects[i] in blocked:
                outcome.failed[i] = "an earlier record of the same subject failed"
                if claim == "new":
                    pending.append((i, event))  # claimed: released again in _settle
            elif isinstance(claim, Exception):
                outcome.failed[i] = f"idempotency store failed: {claim}"
                blocked.add(subjects[i])
            elif claim == "busy":
                outcome.failed[i] = "the event is being processed by another invocation"
                blocked.add(subjects[i])
            elif claim == "done":
                outcome.duplicates.append(i)
            else:
                pending.append((i, event))
        return pending, copies

    def _dispatch(
        self,
        pending: list[tuple[int, E]],
        subjects: list[str],
        outcome: Outcome,
        ctx: C,
        telemetry: Telemetry | None,
    ) -> None:
        failed = outcome.failed
        runnable = [(i, e) for i, e in pending if i not in failed] if failed else pending
        if not runnable:
            return
        batch = Batch([e for _, e in runnable], [subjects[i] for i, _ in runnable])
        try:
            self.handle(batch, ctx)
        except Exception as exc:
            if telemetry is not None:
                telemetry.logger.exception("processor raised; failing its whole batch")
            for i, _ in runnable:
                outcome.failed[i] = f"processor raised {type(exc).__name__}: {exc}"
            return
        failures = batch.failures
        if not failures:
            outcome.applied.extend([i for i, _ in runnable])
            return
        for position, (i, _) in enumerate(runnable):
            if position in failures:
                outcome.failed[i] = failures[position]
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
        pending: list[tuple[int, E]],
        outcome: Outcome,
        ledger: Ledger,
        telemetry: Telemetry | None,
    ) -> None:
        if len(outcome.applied) == len(pending):
            done, undone = [e.id for _, e in pending], []
        else:
            applied = set(outcome.applied)
            done = [e.id for i, e in pending if i in applied]
            undone = [e.id for i, e in pending if i not in applied]
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


def _remaining_ms(lambda_context: _t.Any) -> int | None:
    remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
    return int(remaining()) if callable(remaining) else None
