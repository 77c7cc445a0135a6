"""How much memory the parsers need per byte of document, for crafted and ordinary documents.

Run: python benchmarks/parser_memory.py [SIZE_BYTES]

For each document, the peak of traced allocations (tracemalloc) while parsing
it, divided by its size. The crafted ones are the worst shapes found for each
parser: many empty containers (orjson), and for TOML many tables or dotted keys
of many parts, up to the 128 parts manifestkit's TOML reader accepts. The ratio
times `Limits.max_bytes` (JSON) or `Limits.max_toml_bytes` (TOML) is the most
memory a document within the limits can make the parser take.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import manifestkit as mk

TESTS = Path(__file__).parent.parent / "tests"
sys.path.insert(0, str(TESTS))
from writer_process import version  # noqa: E402 - the crash tests' large manifest

SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def peak(parse: Callable[[bytes], object], data: bytes) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        parse(data)
    finally:
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return top


def repeat(line: Callable[[int], str], size: int) -> bytes:
    out, n, total = [], 0, 0
    while total < size:
        text = line(n)
        out.append(text)
        total += len(text)
        n += 1
    return "".join(out).encode()


def main() -> None:
    json_loads = mk.get_format("json").loads
    toml_loads = mk.get_format("toml").loads
    long_header = "[" + ".".join(["a"] * 127) + "]\n"
    kitchen = TESTS / "data" / "core" / "kitchen.json"
    ordinary = version(0, SIZE // 140)  # a manifest of many small entries, about SIZE as JSON
    cases = [
        ("json", "[{},{},...]", json_loads, b"[" + b"{}," * (SIZE // 3) + b"{}]"),
        ("json", "[[],[],...]", json_loads, b"[" + b"[]," * (SIZE // 3) + b"[]]"),
        (
            "json",
            '{"k0":{},...}',
            json_loads,
            b"{" + repeat(lambda i: f'"k{i}":{{}},', SIZE)[:-1] + b"}",
        ),
        ("json", "[0,0,...]", json_loads, b"[" + b"0," * (SIZE // 2) + b"0]"),
        (
            "json",
            "ordinary (kitchen.json x N)",
            json_loads,
            b"[" + b",".join([kitchen.read_bytes()] * (SIZE // kitchen.stat().st_size)) + b"]",
        ),
        (
            "toml",
            "[xN.a.a...] (100 parts)",
            toml_loads,
            repeat(lambda i: f"[x{i}" + ".a" * 99 + "]\n", SIZE),
        ),
        (
            "toml",
            "xN.a.a... = 1 (128 parts)",
            toml_loads,
            repeat(lambda i: f"x{i}" + ".a" * 127 + "=1\n", SIZE),
        ),
        (
            "toml",
            "long header, then xN.y = 1",
            toml_loads,
            long_header.encode() + repeat(lambda i: f"x{i}.y=1\n", SIZE),
        ),
        ("json", "ordinary (many entries)", json_loads, mk.dumps(ordinary, "json")),
        ("toml", "ordinary (many entries)", toml_loads, mk.dumps(ordinary, "toml")),
        ("toml", "[xN]", toml_loads, repeat(lambda i: f"[x{i}]\n", SIZE)),
        ("toml", "kN = {}", toml_loads, repeat(lambda i: f"k{i}={{}}\n", SIZE)),
        ("toml", "kN = 1", toml_loads, repeat(lambda i: f"k{i}=1\n", SIZE)),
    ]
    print(f"{'format':6} {'document':32} {'bytes':>10} {'peak MB':>9} {'x size':>7}")
    for fmt, name, parse, data in cases:
        top = peak(parse, data)
        print(f"{fmt:6} {name:32} {len(data):10d} {top / 1e6:9.1f} {top / len(data):7.0f}")


if __name__ == "__main__":
    main()
