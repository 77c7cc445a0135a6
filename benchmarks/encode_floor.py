"""What encoding costs at least when orjson is handed one dict per instance.

Run: python benchmarks/encode_floor.py [--sizes 100,2000] [--repeats 31] [--quick]

Times, on the benchmark document (`documents.py`), interleaved and with the
garbage collector off, the minimum of ``--repeats`` samples of:

- pydantic: mesokit-schema's whole ``model_dump_json()``, the encode target's
  denominator;
- mk.dumps: manifestkit's whole encode (2-space indent, as its files are);
- build: the generated function that makes the wire form (dicts and lists);
- floor, dicts: a function generated from that wire form which builds the
  same dicts and lists with the same keys, every value a constant: no field
  is read, no default tested, nothing checked;
- floor, reads: a function generated from the instance which reads every
  field of every instance (as the writer does, to test it against its
  default or to write it), and builds nothing;
- orjson: orjson writing the prebuilt wire form, indented and compact.

The last rows add the parts up: the two floors plus orjson's writing are the
least an encoder that reads each field and hands orjson a dict per instance
can take, as a ratio of pydantic's time.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesokit_schema
import orjson

import manifestkit as mk
from manifestkit import _io
from manifestkit._model import _UNKNOWN, get_plan, is_manifest_class
from manifestkit.schemas import mesokit as ours_pack

sys.path.insert(0, str(Path(__file__).parent))
from documents import acquisition_json


def floor_function(wire: Any, again: Any) -> Callable[[], Any]:
    """A function that builds ``wire``'s dicts and lists anew, its leaves as constants.

    ``again`` is a second wire form of the same instance: containers present in
    both (free-form values, shared with the instance) are constants too, since
    the real writer does not build them either.
    """
    shared = set()

    def collect(a: Any, b: Any) -> None:
        if a is b and type(a) in (dict, list):
            shared.add(id(a))
        elif type(a) is dict:
            for k in a:
                collect(a[k], b[k])
        elif type(a) is list:
            for x, y in zip(a, b, strict=True):
                collect(x, y)

    collect(wire, again)
    constants: list[Any] = []

    def source(v: Any) -> str:
        if type(v) is dict and id(v) not in shared:
            return "{" + ", ".join(f"{k!r}: {source(x)}" for k, x in v.items()) + "}"
        if type(v) is list and id(v) not in shared:
            return "[" + ", ".join(source(x) for x in v) + "]"
        constants.append(v)
        return f"C[{len(constants) - 1}]"

    body = source(wire)
    namespace: dict[str, Any] = {}
    exec(f"def build(C):\n    return {body}\n", namespace)
    build = namespace["build"]
    values = tuple(constants)
    return lambda: build(values)


def reads_function(obj: Any) -> tuple[Callable[[], Any], int]:
    """A function that reads every field of ``obj`` and of the instances inside it.

    Also returns how many attributes it reads.
    """
    instances: list[Any] = []
    lines = ["def read(C):"]

    def visit(o: Any) -> None:
        name = f"o{len(instances)}"
        lines.append(f"    {name} = C[{len(instances)}]")
        instances.append(o)
        for f in get_plan(type(o)).fields:
            lines.append(f"    {name}.{f.name}")
            value = getattr(o, f.name)
            items = value if type(value) in (list, tuple) else [value]
            for x in items:
                if is_manifest_class(type(x)):
                    visit(x)
        lines.append(f"    {name}.{_UNKNOWN}")  # the writer reads the unknown fields too

    visit(obj)
    namespace: dict[str, Any] = {}
    exec("\n".join(lines) + "\n", namespace)
    read = namespace["read"]
    values = tuple(instances)
    return (lambda: read(values)), sum(". " not in line and "." in line for line in lines)


def best(run: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        run()
    return (time.perf_counter() - start) / number


def measure(n: int, repeats: int) -> dict[str, float]:
    data = acquisition_json(n)
    ours = mk.loads(data, ours_pack.AcquisitionManifest)
    theirs = mesokit_schema.AcquisitionManifest.model_validate_json(data)
    write = _io._DEFAULT._wire[False].function(type(ours))  # the generated wire writer
    wire = write(ours)
    floor = floor_function(wire, write(ours))
    assert floor() == wire
    indent = orjson.OPT_INDENT_2
    rows: dict[str, Callable[[], object]] = {
        "pydantic model_dump_json": theirs.model_dump_json,
        "mk.dumps": lambda: mk.dumps(ours),
        "build the wire form": lambda: write(ours),
        "floor, dicts: the same, constant values": floor,
        "floor, reads: every field, nothing built": reads_function(ours)[0],
        "orjson, indented": lambda: orjson.dumps(wire, option=indent),
        "orjson, compact": lambda: orjson.dumps(wire),
    }
    number = max(1, 20_000 // n)
    samples: dict[str, list[float]] = {name: [] for name in rows}
    gc.disable()
    try:
        for _ in range(repeats):
            for name, run in rows.items():
                samples[name].append(best(run, number))
    finally:
        gc.enable()
    return {name: min(times) for name, times in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,2000", help="producers, e.g. 100,2000")
    parser.add_argument("--repeats", type=int, default=31, help="samples per row (minimum)")
    parser.add_argument("--quick", action="store_true", help="3 and 100 producers, 3 repeats")
    args = parser.parse_args()
    sizes = [3, 100] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeats = 3 if args.quick else args.repeats
    for n in sizes:
        times = measure(n, repeats)
        pydantic = times["pydantic model_dump_json"]
        print(f"\n{n:,} producers (minimum of {repeats} samples, garbage collector off)")
        print(f"{'':42} {'us':>9} {'/ pydantic':>10}")
        for name, t in times.items():
            print(f"{name:42} {t * 1e6:9.1f} {t / pydantic:9.2f}x")
        floors = times["floor, dicts: the same, constant values"]
        floors += times["floor, reads: every field, nothing built"]
        for layout in ("compact", "indented"):
            least = floors + times[f"orjson, {layout}"]
            name = f"the least: floors + orjson, {layout}"
            print(f"{name:42} {least * 1e6:9.1f} {least / pydantic:9.2f}x")


if __name__ == "__main__":
    main()
