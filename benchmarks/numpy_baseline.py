"""The numpy baseline of `npm run bench:host`: replay a compiled tilekit Program's instruction sequence with numpy.

Reads the program dumped by benchmarks/host.ts (JSON on stdin): memory sizes, the kernel inputs' HBM placement and
bytes, and every instruction in program order with its physical access patterns. Memories are byte arrays as in the
simulator; each instruction becomes strided numpy views on them. A replay is timed as tilekit's simulate() is: fresh
memories (filled with 0xFF), inputs placed, every instruction, the output read back as fp32 values.

  dmaCopy     view[...] = view (same dtype)
  ncMatmul    fp32 stationary.T @ moving (BLAS sgemm), written to or added into the fp32 PSUM view
  tensorCopy  fp32 -> bfloat16 by bit operations (round to nearest even, NaN kept quiet), or a same-dtype copy

Prints JSON: {"ok": true, "numpy": version, "ms": [wall ms per replay], "maxUlp": ...} or {"ok": false, "reason":
...}. maxUlp compares the replay's outputs with tilekit's (given as "expect"): BLAS sums in its own order, so a few
units in the last place of the bf16 result are expected, not more. Replays only what the tiled matmul needs (bf16/fp32
DMA, matmul, PSUM -> SBUF copy).
"""

import json
import sys
import time

try:
    import numpy as np
except ImportError as e:  # the benchmark prints the reason and leaves the numpy figure out
    print(json.dumps({"ok": False, "reason": f"numpy is not installed: {e}"}))
    sys.exit(0)

NP_DTYPE = {"bfloat16": np.uint16, "float32": np.float32}


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(x):
    """fp32 -> bfloat16 bits, round to nearest even; NaN -> 0x7fc0 (as tilekit stores it)."""
    b = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)
    nan = (b & 0x7FFFFFFF) > 0x7F800000
    if nan.any():
        r[nan] = 0x7FC0
    return r


class Machine:
    def __init__(self, prog):
        self.pitch = prog["pitch"]
        self.mem = {
            "hbm": np.full(prog["hbmBytes"], 0xFF, np.uint8),
            "sbuf": np.full(prog["sbufBytes"], 0xFF, np.uint8),
            "psum": np.full(prog["psumBytes"], 0xFF, np.uint8),
        }

    def view(self, a):
        """The access pattern as a strided numpy view [partitions, *free dims] of its dtype."""
        dt = np.dtype(NP_DTYPE[a["dtype"]])
        e = dt.itemsize
        mem = self.mem[a["space"]]
        start = a["startPartition"] * self.pitch[a["space"]] + a["byteOffset"]
        base = mem[start:].view(np.uint8)
        shape = [a["partitions"]] + [n for _, n in a["dims"]]
        strides = [self.pitch[a["space"]]] + [s * e for s, _ in a["dims"]]
        raw = np.lib.stride_tricks.as_strided(base, shape=shape + [e], strides=strides + [1])
        return raw.view(dt)[..., 0] if e > 1 else raw[..., 0]

    def run(self, ins):
        op = ins["op"]
        if op == "dmaCopy" or op == "tensorCopy":
            src = self.view(ins["ins"][0])
            dst = self.view(ins["outs"][0])
            s, d = ins["ins"][0]["dtype"], ins["outs"][0]["dtype"]
            if s == d:
                dst[...] = src.reshape(dst.shape)
            elif s == "float32" and d == "bfloat16":
                dst[...] = f32_to_bf16(src).reshape(dst.shape)
            else:
                raise ValueError(f"{op} {s} -> {d} is not replayed")
        elif op == "ncMatmul":
            stat, mov = ins["ins"]
            a = self.view(stat)
            b = self.view(mov)
            K = a.shape[0]
            a = a.reshape(K, -1)
            b = b.reshape(K, -1)
            if stat["dtype"] == "bfloat16":
                a = bf16_to_f32(a)
            if mov["dtype"] == "bfloat16":
                b = bf16_to_f32(b)
            r = a.T @ b
            out = self.view(ins["outs"][0]).reshape(r.shape)
            if ins["attrs"].get("accumulate"):
                out += r
            else:
                out[...] = r
        else:
            raise ValueError(f"{op} is not replayed")


def main():
    prog = json.load(sys.stdin)
    reps = prog.get("reps", 5)
    times = []
    max_ulp = 0
    inputs = [(inp["byteOffset"], np.frombuffer(bytes.fromhex(inp["hex"]), np.uint8)) for inp in prog["inputs"]]
    for _ in range(reps):
        # timed as tilekit's simulate(): fresh memories, inputs placed, every instruction, outputs as fp32 values
        t = time.perf_counter()
        m = Machine(prog)
        for offset, data in inputs:
            m.mem["hbm"][offset : offset + len(data)] = data
        for ins in prog["instrs"]:
            m.run(ins)
        outs = [
            bf16_to_f32(m.mem["hbm"][o["byteOffset"] : o["byteOffset"] + o["bytes"]].view(np.uint16))
            for o in prog["outputs"]
        ]
        times.append((time.perf_counter() - t) * 1000)
        del outs
    for o in prog.get("expect", []):
        want = np.frombuffer(bytes.fromhex(o["hex"]), np.uint16).astype(np.int64)
        got = m.mem["hbm"][o["byteOffset"] : o["byteOffset"] + 2 * len(want)].view(np.uint16).astype(np.int64)
        # bf16 patterns as a monotonic integer line (sign-magnitude -> two's complement order)
        line = lambda v: np.where(v & 0x8000, -(v & 0x7FFF), v)
        max_ulp = max(max_ulp, int(np.abs(line(got) - line(want)).max()))
    print(json.dumps({"ok": True, "numpy": np.__version__, "ms": times, "maxUlp": max_ulp}))


if __name__ == "__main__":
    main()
