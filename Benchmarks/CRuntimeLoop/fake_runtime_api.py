#!/usr/bin/env python3
"""A tiny Lambda Runtime API on loopback that runs runtime binaries against itself.

For each binary it measures what RuntimeBenchmark measures (BENCHMARKS.md), so the C floor
can stand beside the Swift runtime: cold start (process start to its first GET /next), idle
VmHWM, then warm invocations of one event on one process, with the server's round trip per
invocation and the bootstrap's CPU time per invocation from /proc/PID/stat. Every response
must be the event, unchanged, posted to the id it was given; else the exit status is 1.
--faults instead checks that each binary exits 1, with a line on stderr, when the API is
unreachable or answers unexpectedly.

  fake_runtime_api.py [--invocations N] [--event FILE] [--faults] BINARY...

The server is stdlib only. Once its events are used up, /next never answers (as a frozen
sandbox sees it) and the binary is ended by its PID.
"""
import argparse, json, os, socket, statistics, subprocess, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/2018-06-01/runtime/invocation/"


class Run:
    """One process's session: how many events to hand out, and what came back."""

    def __init__(self, event, count, fault=None, cpu_mark_after=None, pid=None):
        self.event, self.remaining, self.fault = event, count, fault
        self.pending, self.latencies, self.errors = {}, [], []
        self.first_next = None
        self.idle = threading.Event()      # a /next is waiting and there is no event for it
        self.release = threading.Event()   # end of the run: blocked /next handlers return
        self.cpu_mark_after, self.pid, self.marks = cpu_mark_after, pid, []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive, as the real Runtime API
    disable_nagle_algorithm = True     # else each small response waits for the delayed ACK

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        run = self.server.run
        if self.path != PREFIX + "next":
            return self.reply(404)
        with run.lock:
            if run.first_next is None:
                run.first_next = time.perf_counter()
            if run.remaining == 0:
                event = None
            else:
                run.remaining -= 1
                event, request_id = run.event, str(uuid.uuid4())
                run.pending[request_id] = time.perf_counter()
        if event is None:
            run.idle.set()
            run.release.wait()
            self.close_connection = True
            return
        if run.fault == "status-500":
            return self.reply(500, b'{"errorType":"ServiceException"}')
        headers = [("Content-Type", "application/json"),
                   ("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 3000)),
                   ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:floor")]
        if run.fault != "no-request-id":
            headers.append(("Lambda-Runtime-Aws-Request-Id", request_id))
        self.reply(200, event, headers)

    def do_POST(self):
        run = self.server.run
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request_id = self.path[len(PREFIX):-len("/response")]
        if not (self.path.startswith(PREFIX) and self.path.endswith("/response")):
            return self.reply(404)
        with run.lock:
            sent = run.pending.pop(request_id, None)
            if sent is None:
                run.errors.append(f"response for unknown id {request_id!r}")
            else:
                run.latencies.append(time.perf_counter() - sent)
            if body != run.event:
                run.errors.append(f"response {len(body)} bytes differs from the event ({len(run.event)} bytes)")
            if len(run.latencies) == run.cpu_mark_after:
                run.marks.append((time.perf_counter(), cpu_seconds(run.pid)))
        if run.fault == "response-413":
            return self.reply(413, b'{"errorType":"RequestEntityTooLarge"}')
        self.reply(202, b'{"status":"OK"}')


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


def start(binary, port, stderr=subprocess.DEVNULL):
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}")
    return subprocess.Popen([binary], env=env, stderr=stderr)


def stop(server, proc):
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    server.run.release.set()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def bench(server, binary, event, invocations, warmup, cold_starts):
    port = server.server_address[1]
    colds, idle_hwm = [], []
    for _ in range(cold_starts):
        server.run = Run(event, 0)
        began = time.perf_counter()
        proc = start(binary, port)
        if not server.run.idle.wait(10):
            sys.exit(f"{binary}: no GET /next within 10 s")
        colds.append(server.run.first_next - began)
        idle_hwm.append(vm_hwm_mb(proc.pid))
        stop(server, proc)

    server.run = run = Run(event, warmup + invocations)
    proc = start(binary, port)
    run.pid, run.cpu_mark_after = proc.pid, warmup
    # The first mark is taken by the handler after the warm-up; the last one here, once the
    # process waits on a /next that never comes.
    if not run.idle.wait(600):
        sys.exit(f"{binary}: did not finish {warmup + invocations} invocations")
    end = (time.perf_counter(), cpu_seconds(proc.pid))
    hwm_after = vm_hwm_mb(proc.pid)
    stop(server, proc)
    if run.errors or len(run.latencies) != warmup + invocations:
        sys.exit(f"{binary}: {len(run.latencies)} responses, errors: {run.errors[:3]}")
    (t0, cpu0), (t1, cpu1) = run.marks[0], end
    warm = run.latencies[warmup:]
    return {
        "binary": os.path.basename(binary), "size": os.path.getsize(binary),
        "rate": invocations / (t1 - t0),
        "p50": statistics.median(warm) * 1e3, "p99": percentile(warm, 99) * 1e3,
        "cpu": (cpu1 - cpu0) / invocations * 1e6,
        "cold50": statistics.median(colds) * 1e3, "cold90": percentile(colds, 90) * 1e3,
        "idle": statistics.median(idle_hwm), "after": hwm_after,
    }


def check_faults(server, binary, event):
    """The binary must exit 1 and say why on stderr, for each way the API can fail it."""
    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    ok = True
    for fault in ("unreachable", "no-request-id", "status-500", "response-413"):
        server.run = Run(event, 1, None if fault == "unreachable" else fault)
        port = closed_port if fault == "unreachable" else server.server_address[1]
        proc = start(binary, port, stderr=subprocess.PIPE)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            stop(server, proc)
            err = b"(still running after 10 s)"
        server.run.release.set()
        line = err.decode().strip()
        passed = proc.returncode == 1 and line.startswith("runtime_loop: ")
        ok &= passed
        print(f"{'ok  ' if passed else 'FAIL'} {os.path.basename(binary)} {fault}: exit {proc.returncode}, stderr {line!r}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--invocations", type=int, default=20000)
    parser.add_argument("--warmup", type=int, default=200, help="at least 1: the CPU count starts after it")
    parser.add_argument("--cold-starts", type=int, default=20)
    parser.add_argument("--event", help="file whose bytes are the event (default: RuntimeBenchmark's ~1 KB JSON)")
    parser.add_argument("--faults", action="store_true", help="check the exits on API failures instead")
    args = parser.parse_args()
    args.warmup = max(1, args.warmup)
    event = open(args.event, "rb").read() if args.event else \
        json.dumps({"id": "evt-1", "pad": "a" * 990}, separators=(",", ":")).encode()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.run = Run(event, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        if args.faults:
            sys.exit(0 if all([check_faults(server, b, event) for b in args.binaries]) else 1)
        print(f"{args.invocations} invocations of a {len(event)}-byte event after {args.warmup} warm-up; "
              f"{args.cold_starts} cold starts")
        print("| binary | size | warm invocations/s | latency p50 | latency p99 | bootstrap CPU per invocation"
              " | cold start p50 | cold start p90 | idle peak RSS | peak RSS after load |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for binary in args.binaries:
            r = bench(server, binary, event, args.invocations, args.warmup, args.cold_starts)
            print(f"| {r['binary']} | {r['size'] / 1e6:.2f} MB | {r['rate']:.0f} | {r['p50']:.3f} ms | {r['p99']:.3f} ms"
                  f" | {r['cpu']:.1f} µs | {r['cold50']:.2f} ms | {r['cold90']:.2f} ms | {r['idle']:.1f} MB | {r['after']:.1f} MB |",
                  flush=True)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
