"""What the dev console's request traces cost: the reference API with and without the observer.

    .venv/bin/python benchmarks/console.py [--requests 1000] [--rounds 5]

Starts the reference stack in this process, then calls the API Gateway emulator (`handle`, no
HTTP: only the gateway's own work is compared) for a GET of one device and for a page of
devices, alternating rounds without and with the console's recorder as the observer (so load on
the machine falls on both sides alike). Prints p50 and mean per side (the page gets 5% of the calls) and the ratio traced /
untraced of the medians over rounds, and the recorder's size after the run (bounded).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.dev.apigw import ApiGateway  # noqa: E402
from generator.dev.apigw.bench import measure  # noqa: E402
from generator.dev.console.recorder import Recorder  # noqa: E402
from generator.dev.stack import API_STAGE, gateway_variables, local_api_keys, start_stack  # noqa: E402

# (label, path, query, share of --requests): a page costs ~30x one item, so it gets fewer calls
CALLS = (
    ("GET one device", "/api/devices/dev-001", {}, 1.0),
    ("GET a page of 25 devices", "/api/devices", {"limit": ["25"]}, 0.05),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=1_000, help="calls per side per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per side")
    args = parser.parse_args()
    stack = start_stack(ROOT, "127.0.0.1", 0)
    try:
        gateway = ApiGateway(
            stack._definition,
            gateway_variables(stack._definition, stack.ir, stack.names, stack.region),
            {**stack.names.stage_variables(stack.ir), stack.ir.names.cors_origin_variable: stack.url},
            stack.aws_endpoint,
            stack.region,
            stage=API_STAGE,
            service_transport=stack._transport,
            api_keys=local_api_keys(stack.ir),
        )
        recorder = Recorder({}, {})
        print(f"| call | side | p50 ms (median of {args.rounds} rounds) | mean ms | traced / untraced (p50) |")
        print("| --- | --- | --- | --- | --- |")
        for label, path, query, share in CALLS:
            count = max(10, int(args.requests * share))
            sides: dict[str, list[tuple[float, float]]] = {"untraced": [], "traced": []}
            for _ in range(args.rounds):
                for side in ("untraced", "traced"):
                    gateway.observer = recorder.record_request if side == "traced" else None
                    latency = measure(gateway, "GET", path, query=query, requests=count, warmup=5)
                    sides[side].append((latency.p50_ms, latency.mean_ms))
            p50 = {side: statistics.median(p for p, _ in runs) for side, runs in sides.items()}
            mean = {side: statistics.median(m for _, m in runs) for side, runs in sides.items()}
            for side in ("untraced", "traced"):
                ratio = f"{p50['traced'] / p50['untraced']:.2f}x" if side == "traced" else ""
                print(f"| {label} | {side} | {p50[side]:.3f} | {mean[side]:.3f} | {ratio} |")
        gateway.close()
        print(f"\nrecorder after the run: {len(recorder.requests())} requests kept "
              f"(of {recorder.last_seq()} recorded)")
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
