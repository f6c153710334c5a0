"""Python's json module on the files EventsBenchmark wrote: the same timing method (rounds of
at least 0.2 s, median of 7). json.loads builds dicts and lists only: no typed model, no
timestamp parsing. The second SQS row also parses every body, as the Swift one does. Prints
one JSON object: {"version": ..., "rows": [{"name", "bytes", "seconds"}]}."""
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

    sqs_value = json.loads(sqs)
    v2_value = json.loads(v2)
    sqs_out = len(json.dumps(sqs_value, separators=(",", ":"), ensure_ascii=False).encode())
    v2_out = len(json.dumps(v2_value, separators=(",", ":"), ensure_ascii=False).encode())
    rows = [
        ("decode SQS file, untyped", len(sqs), measure(lambda: json.loads(sqs))),
        ("decode SQS file + bodies, untyped", len(sqs), measure(sqs_with_bodies)),
        ("decode API GW v2 file, untyped", len(v2), measure(lambda: json.loads(v2))),
        ("encode SQS value", sqs_out, measure(lambda: json.dumps(sqs_value, separators=(",", ":"), ensure_ascii=False))),
        ("encode API GW v2 value", v2_out, measure(lambda: json.dumps(v2_value, separators=(",", ":"), ensure_ascii=False))),
    ]
    print(json.dumps({"version": sys.version.split()[0],
                      "rows": [{"name": n, "bytes": b, "seconds": s} for n, b, s in rows]}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
