# SPDX-License-Identifier: MIT
# Sourced by gdb (tests/bench/profile): single-steps one call of each benchmarked operation of
# bench.c under QEMU's gdb stub and writes the address of every guest instruction it ran, one
# file per operation; `python3 tests/bench/profile.py summary FILE KERNEL USERPROG` then counts
# them per function (kernel symbols from KERNEL, user ones from USERPROG).
import bisect
import subprocess
import sys


def trace(fn, skip, out, limit=5000):
    import gdb

    def u64(v):
        return int(v) & 0xFFFFFFFFFFFFFFFF

    bp = gdb.Breakpoint("*0x%x" % u64(gdb.parse_and_eval("&%s" % fn)), type=gdb.BP_HARDWARE_BREAKPOINT)
    bp.ignore_count = skip  # past the warm-up calls
    gdb.execute("continue", to_string=True)
    ret = u64(gdb.parse_and_eval("*(unsigned long *)$rsp"))
    bp.delete()
    pcs = []
    while len(pcs) < limit:
        pc = u64(gdb.parse_and_eval("$pc"))
        if pc == ret:
            break
        pcs.append(pc)
        gdb.execute("stepi", to_string=True)
    with open(out, "w") as f:
        f.writelines("%x\n" % pc for pc in pcs)


def symbols(elf):
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    t = [(int(p[0], 16), p[2]) for p in (l.split() for l in out.splitlines()) if len(p) == 3 and p[1] in "tTwW"]
    return [a for a, _ in t], [n for _, n in t]


def summary(path, kernel, user):
    tables = {True: symbols(kernel), False: symbols(user)}
    counts = {}
    pcs = [int(l, 16) for l in open(path)]
    for pc in pcs:
        addrs, names = tables[pc >= 1 << 63]
        i = bisect.bisect_right(addrs, pc) - 1
        name = (names[i] if i >= 0 else "?") + ("" if pc >= 1 << 63 else " (user)")
        counts[name] = counts.get(name, 0) + 1
    print("%6d  total" % len(pcs))
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        print("%6d  %s" % (n, name))


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "summary":
    summary(sys.argv[2], sys.argv[3], sys.argv[4])
