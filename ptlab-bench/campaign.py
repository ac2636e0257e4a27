#!/usr/bin/env python3
"""The acceptance campaign of issue 16: mutate the shipped examples and feed them to ptlab, and
kill file-writing commands at random moments; count what must never happen.

  python3 ptlab-bench/campaign.py [--inputs 200] [--kills 100] [--seed 16] [--jar ptlab-cli/target/ptlab.jar]

Counts: Java stack traces on the terminal, OutOfMemoryError, exit statuses outside {0,1,2,3,4},
refusals (status 2) slower than 2 s, runs that hit the per-run timeout, temporary files left after
SIGINT, outputs that are neither the old file nor a complete new one after SIGINT or SIGKILL.
Not run in CI (it takes minutes); the seed makes a campaign repeatable."""
import argparse, gzip, os, random, shutil, signal, subprocess, sys, tempfile, time, hashlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAVA = [shutil.which("java") or "java", "-Xmx2g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]


def examples():
    """(kind, path) of every shipped example a user could hand to ptlab."""
    out = []
    for d, kind in (("scenarios", "run"), ("scenarios/concurrency", "explore"), ("scenarios/cores", "core")):
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if f.endswith(".yaml") and not f.startswith("bench-"):
                out.append((kind, os.path.join(ROOT, d, f)))
    oracle = os.path.join(ROOT, "ptlab-core/src/test/resources/oracle/linux-6.1-qemu")
    for d in sorted(os.listdir(oracle)):
        if os.path.isfile(os.path.join(oracle, d, "iomem")):
            out.append(("iomem", os.path.join(oracle, d, "iomem")))
    tr = os.path.join(ROOT, "ptlab-core/src/test/resources/traces")
    out.append(("ftrace", os.path.join(tr, "arm64-module-bpf-secretmem.trace")))
    out.append(("lackey", os.path.join(tr, "sort1k-head.lackey.gz")))
    out.append(("binary", os.path.join(tr, "sort1k.ptltrc.gz")))
    return out


def content(path):
    with open(path, "rb") as f:
        b = f.read()
    return gzip.decompress(b) if path.endswith(".gz") else b


NUMBERS = [b"1P", b"64P", b"4294967296G", b"0", b"-1", b"0x800000", b"99999999999999999999", b"1E", b"3", b"4096", b"lm+0x800000"]


def mutate(b, rnd):
    """One or two random mutations of the kinds the issue's campaign used."""
    for _ in range(rnd.choice((1, 1, 2))):
        op = rnd.randrange(11)
        lines = b.split(b"\n")
        if op == 0 and b:  # flip a byte
            i = rnd.randrange(len(b)); b = b[:i] + bytes([b[i] ^ (1 << rnd.randrange(8))]) + b[i + 1:]
        elif op == 1:  # invalid UTF-8
            i = rnd.randrange(len(b) + 1); b = b[:i] + rnd.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe2\x82")) + b[i:]
        elif op == 2:  # truncate
            b = b[:rnd.randrange(len(b) + 1)]
        elif op == 3 and len(lines) > 1:  # delete a line
            del lines[rnd.randrange(len(lines))]; b = b"\n".join(lines)
        elif op == 4:  # duplicate a line
            i = rnd.randrange(len(lines)); lines.insert(i, lines[i]); b = b"\n".join(lines)
        elif op == 5:  # a number replaced by a huge or odd one
            import re
            ms = list(re.finditer(rb"(0x[0-9a-fA-F]+|[0-9]+[KMGTP]?)", b))
            if ms:
                m = rnd.choice(ms); b = b[:m.start()] + rnd.choice(NUMBERS) + b[m.end():]
        elif op == 6:  # a huge line
            i = rnd.randrange(len(lines)); lines.insert(i, b"# " + b"x" * rnd.choice((5000, 2 << 20, 8 << 20))); b = b"\n".join(lines)
        elif op == 7:  # swap two lines
            if len(lines) > 1:
                i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines)); lines[i], lines[j] = lines[j], lines[i]; b = b"\n".join(lines)
        elif op == 8:  # tabs and control characters
            i = rnd.randrange(len(b) + 1); b = b[:i] + rnd.choice((b"\t", b"\x00", b"\r", b"\x1b[2J")) + b[i:]
        elif op == 9:  # empty
            b = b""
        else:  # indentation change
            i = rnd.randrange(len(lines)); lines[i] = b"  " + lines[i] if rnd.random() < .5 else lines[i].lstrip(); b = b"\n".join(lines)
    return b


def command(kind, f, jar):
    base = JAVA + ["-jar", jar]
    return {
        "run": base + ["run", f],
        "explore": base + ["explore", f, "--budget", "3s", "--quiet"],
        "core": base + ["tlb-study", "replay", os.path.join(ROOT, "ptlab-core/src/test/resources/traces/sort1k.ptltrc.gz"),
                        "--core-config", f, "--limit", "20000"],
        "iomem": base + ["boot", "--iomem", f, "--kernel", "6.1", "--va-bits", "48"],
        "ftrace": base + ["trace", f, "--mem", "8G", "--check-every", "10"],
        "lackey": base + ["tlb-study", "replay", f, "--limit", "20000"],
        "binary": base + ["tlb-study", "replay", f, "--limit", "20000"],
    }[kind]


def classify(rc, err, secs, timeout):
    bad = []
    if "\tat " in err or "Exception in thread" in err or "\n\tat" in err:
        bad.append("stack trace")
    if "OutOfMemoryError" in err:
        bad.append("OOM")
    if timeout:
        bad.append("timeout")
    elif rc not in (0, 1, 2, 3, 4):
        bad.append("exit %d" % rc)
    if rc == 2 and secs > 2.0:
        bad.append("slow refusal %.1f s" % secs)
    return bad


def baseline(jar):
    """Median wall time of `ptlab --version`: the JVM's own start on this machine now."""
    ts = []
    for _ in range(3):
        t0 = time.monotonic()
        subprocess.run(JAVA + ["-jar", jar, "--version"], capture_output=True)
        ts.append(time.monotonic() - t0)
    return sorted(ts)[1]


def fuzz(args, rnd, work, jar, report):
    ex = examples()
    stats = {"inputs": 0, "exit": {}, "bad": [], "max_refusal": 0.0, "slow_beyond_start": 0, "jvm": baseline(jar)}
    for n in range(args.inputs):
        kind, src = ex[n % len(ex)] if n < len(ex) else rnd.choice(ex)
        data = mutate(content(src), rnd)
        name = os.path.basename(src).replace(".gz", "")
        f = os.path.join(work, "m%03d-%s" % (n, name))
        with open(f, "wb") as o:
            o.write(data)
        cmd = command(kind, f, jar)
        t0 = time.monotonic()
        try:
            p = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=args.timeout, env=dict(os.environ, PTLAB_TIMING="1"))
            rc, err, to = p.returncode, p.stderr.decode("utf-8", "replace"), False
        except subprocess.TimeoutExpired as e:
            rc, err, to = -9, (e.stderr or b"").decode("utf-8", "replace"), True
        secs = time.monotonic() - t0
        own = None
        for l in err.splitlines():
            if l.startswith("ptlab-timing: "):
                own = float(l.split()[1])
        err = "\n".join(l for l in err.splitlines() if not l.startswith("ptlab-timing: "))
        stats["inputs"] += 1
        if rc == 2 and own is not None:
            stats["max_own"] = max(stats.get("max_own", 0.0), own)
            if own > 2.0:
                stats["slow_own"] = stats.get("slow_own", 0) + 1
        stats["exit"][rc] = stats["exit"].get(rc, 0) + 1
        if rc == 2:
            stats["max_refusal"] = max(stats["max_refusal"], secs)
            if secs - stats["jvm"] > 2.0:
                stats["slow_beyond_start"] += 1
        bad = classify(rc, err, secs, to)
        line = "input %3d %-8s %-40s exit %3s %6.2f s (ptlab %s) %s" % (n, kind, os.path.basename(f)[:40], rc, secs,
                                                                       "%.2f s" % own if own is not None else "-", "; ".join(bad))
        report(line + ("  " + err.strip().splitlines()[0][:160] if bad and err.strip() else ""))
        if bad:
            stats["bad"].append((f, bad))
    return stats


def kill_commands(out, lackey):
    sc = os.path.join(ROOT, "scenarios/seed000-double-count.yaml")
    tr = os.path.join(ROOT, "ptlab-core/src/test/resources/traces/arm64-module-bpf-secretmem.trace")
    return [
        ("run --report", ["run", sc, "--report", os.path.join(out, "r.html")], "r.html"),
        ("compare --report", ["compare", sc, "--variants", "account=seed000-v7,account=exact", "--report", os.path.join(out, "c.html")], "c.html"),
        ("trace --report", ["trace", tr, "--mem", "8G", "--report", os.path.join(out, "t.html"), "--to-scenario", os.path.join(out, "t.yaml")], "t.html"),
        ("tlb-study convert", ["tlb-study", "convert", lackey, os.path.join(out, "t.ptltrc")], "t.ptltrc"),
        ("study degradation", ["study", "degradation", "--mem", "1G", "--set", "hours=2", "--set", "samples=6", "--variants", "none,x86",
                               "--out", os.path.join(out, "s"), "--report", os.path.join(out, "s.html")], "s"),
        ("explore --out", ["explore", os.path.join(ROOT, "scenarios/concurrency/seed000-split-race.yaml"), "--mutate", "no-split-lock",
                           "--out", os.path.join(out, "cex.txt"), "--quiet"], "cex.txt"),
    ]


OLD = b"old content\n"


def temporaries(d):
    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if f.endswith(".tmp")]


def complete(path, name):
    """Whether a single output is the old file or a complete new one."""
    b = open(path, "rb").read()
    if b == OLD:
        return True
    if name.endswith(".html"):
        return b.endswith(b"</html>\n")
    if name.endswith(".yaml"):
        return b"steps:" in b and b.endswith(b"\n")
    if name.endswith(".txt"):
        return b.startswith(b"#") or b"schedule:" in b
    if name.endswith(".ptltrc"):
        return b.startswith(b"PTLTRC1\n") and len(b) > 100000
    return True


def set_ok(d):
    m = os.path.join(d, "degradation.manifest")
    if not os.path.exists(m):
        return "incomplete (no manifest)"
    for l in open(m).read().splitlines():
        if l.startswith("#") or not l.strip():
            continue
        size, sha, name = l.split(" ", 2)
        p = os.path.join(d, name)
        if not os.path.exists(p) or os.path.getsize(p) != int(size) or hashlib.sha256(open(p, "rb").read()).hexdigest() != sha:
            return "BROKEN"
    return "complete"


def kills(args, rnd, work, jar, report):
    lackey = os.path.join(work, "big.lackey")
    with open(lackey, "w") as o:
        r = random.Random(7)
        for i in range(600000):
            o.write(("I  %x,4\n" if i % 3 == 0 else " L %x,8\n") % (0x4000000 + r.randrange(1 << 26)))
    stats = {"kills": 0, "sigint": 0, "sigkill": 0, "ended_first": 0, "temps_after_sigint": 0, "not_old_or_new": 0,
             "stack": 0, "exit": {}, "set": {}}
    for k in range(args.kills):
        out = os.path.join(work, "k%03d" % k)
        os.makedirs(out)
        cmds = kill_commands(out, lackey)
        name, a, target = rnd.choice(cmds)
        sig = signal.SIGINT if k % 2 == 0 else signal.SIGKILL
        if target == "s":
            os.makedirs(os.path.join(out, "s"))
            for n in ("degradation.csv", "degradation.png", "degradation.svg"):
                open(os.path.join(out, "s", n), "wb").write(OLD)
            with open(os.path.join(out, "s", "degradation.manifest"), "w") as m:
                m.write("# old\n")
                for n in ("degradation.csv", "degradation.png", "degradation.svg"):
                    m.write("%d %s %s\n" % (len(OLD), hashlib.sha256(OLD).hexdigest(), n))
        else:
            open(os.path.join(out, target), "wb").write(OLD)
        env = dict(os.environ, PTLAB_PROGRESS="plain")
        p = subprocess.Popen(JAVA + ["-jar", jar] + a, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        delay = rnd.uniform(args.delay_min, args.delay_max)
        try:
            p.wait(timeout=delay)
            ended = True
        except subprocess.TimeoutExpired:
            ended = False
            p.send_signal(sig)
        try:
            _, errb = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill(); _, errb = p.communicate()
        err = errb.decode("utf-8", "replace")
        stats["kills"] += 1
        stats["ended_first"] += ended
        stats["sigint" if sig == signal.SIGINT else "sigkill"] += 0 if ended else 1
        stats["exit"][p.returncode] = stats["exit"].get(p.returncode, 0) + 1
        bad = []
        if "\tat " in err or "Exception in thread" in err:
            stats["stack"] += 1; bad.append("stack trace")
        temps = temporaries(out)
        if temps and (ended or sig == signal.SIGINT):
            stats["temps_after_sigint"] += 1; bad.append("temporaries: " + ", ".join(os.path.basename(t) for t in temps))
        if target == "s":
            st = set_ok(os.path.join(out, "s"))
            stats["set"][st] = stats["set"].get(st, 0) + 1
            if st == "BROKEN":
                stats["not_old_or_new"] += 1; bad.append("set broken")
        else:
            outs = [target] + (["t.yaml"] if target == "t.html" else [])
            for t in outs:
                pth = os.path.join(out, t)
                if os.path.exists(pth) and not complete(pth, t):
                    stats["not_old_or_new"] += 1; bad.append(t + " partial")
        report("kill %3d %-20s %-7s after %.2f s%s -> exit %s %s" % (k, name, "SIGINT" if sig == signal.SIGINT else "SIGKILL", delay,
               " (ended first)" if ended else "", p.returncode, "; ".join(bad)))
    return stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=200)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--jar", default=os.path.join(ROOT, "ptlab-cli/target/ptlab.jar"))
    ap.add_argument("--log", default=None)
    ap.add_argument("--delay-min", type=float, default=0.3, help="earliest kill, seconds after the start")
    ap.add_argument("--delay-max", type=float, default=4.0, help="latest kill (raise it on a loaded machine: the JVM starts slower)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="ptlab-campaign-")
    log = open(args.log, "w") if args.log else None

    def report(s):
        print(s, flush=True)
        if log:
            log.write(s + "\n"); log.flush()
    report("campaign: seed %d, %d inputs, %d kills, work dir %s" % (args.seed, args.inputs, args.kills, work))
    t0 = time.monotonic()
    f = fuzz(args, rnd, work, args.jar, report)
    k = kills(args, rnd, work, args.jar, report)
    bad_kinds = {}
    for _, b in f["bad"]:
        for x in b:
            key = x.split(" ")[0] + (" " + x.split(" ")[1] if x.startswith("slow") else "")
            bad_kinds[key] = bad_kinds.get(key, 0) + 1
    report("")
    report("== inputs: %d mutated from %d shipped examples; exit statuses %s; slowest refusal %.2f s wall, %.2f s in ptlab"
           " (main() to the answer); refusals over 2 s in ptlab: %d" % (
        f["inputs"], len(examples()), dict(sorted(f["exit"].items())), f["max_refusal"], f.get("max_own", 0.0), f.get("slow_own", 0)))
    report("   stack traces %d, OOM %d, exit outside 0-4 %d, refusals over 2 s %d (over 2 s beyond the JVM start of %.2f s: %d),"
           " timeouts %d; load average %s" % (
        bad_kinds.get("stack", 0), bad_kinds.get("OOM", 0), sum(v for kk, v in bad_kinds.items() if kk.startswith("exit")),
        bad_kinds.get("slow refusal", 0), f["jvm"], f["slow_beyond_start"], bad_kinds.get("timeout", 0), os.getloadavg()))
    report("== kills: %d (%d SIGINT, %d SIGKILL, %d ended before the signal); exit statuses %s" % (
        k["kills"], k["sigint"], k["sigkill"], k["ended_first"], dict(sorted(k["exit"].items()))))
    report("   stack traces %d, temporaries after SIGINT or exit %d, outputs neither old nor complete new %d; study sets %s" % (
        k["stack"], k["temps_after_sigint"], k["not_old_or_new"], k["set"]))
    report("   %.0f s in all" % (time.monotonic() - t0))
    bad = bad_kinds or k["stack"] or k["temps_after_sigint"] or k["not_old_or_new"]
    if not bad:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
