"""Python's json module on the files EventsBenchmark wrote: the same timing method (rounds of
at least 0.2 s, median of 7). json.loads builds dicts and lists only: no typed model, no
timestamp parsing. The second SQS row also parses every body, as the Swift one does."""
import json
import sys
import time


def measure(body):
    iterations = 1
    while True:
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        if time.perf_counter() - start >= 0.2:
            break
        iterations *= 2
    rounds = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        rounds.append((time.perf_counter() - start) / iterations)
    return sorted(rounds)[len(rounds) // 2]


def main(sqs_path, v2_path):
    sqs = open(sqs_path, "rb").read()
    v2 = open(v2_path, "rb").read()

    def sqs_with_bodies():
        for record in json.loads(sqs)["Records"]:
            json.loads(record["body"])

    rows = [
        ("json.loads (SQS file)", len(sqs), measure(lambda: json.loads(sqs))),
        ("json.loads + bodies", len(sqs), measure(sqs_with_bodies)),
        ("json.loads (v2 file)", len(v2), measure(lambda: json.loads(v2))),
    ]
    print("Python %s json module" % sys.version.split()[0])
    for name, size, seconds in rows:
        print("  %-34s %9d bytes  %10.1f µs/decode  %8.1f MB/s" % (name, size, seconds * 1e6, size / seconds / 1e6))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
