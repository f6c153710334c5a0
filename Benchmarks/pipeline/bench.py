# Publishes N CloudEvents through the local API with 4 threads, then scans the events table until
# every record is stored; prints throughput and request -> stored latency (processedAt - send time).
# usage: python3 Benchmarks/pipeline/bench.py API_URL EVENTS_TABLE N   (under scripts/with-moto.sh)
import json, sys, time, threading, urllib.request, datetime, boto3
url, table, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sent = {}
def worker(k):
    for i in range(k, n, 4):
        body = json.dumps({"specversion":"1.0","id":f"b-{i}","source":"urn:bench","type":"com.example.order.created","time":"2026-01-01T00:00:00Z","data":{"n":i}}).encode()
        req = urllib.request.Request(url + "/events", data=body, headers={"Content-Type":"application/cloudevents+json"}, method="POST")
        sent[f"b-{i}"] = time.time()
        urllib.request.urlopen(req).read()
start = time.time()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
d = boto3.client("dynamodb")
while True:
    items = []; kw = {"TableName": table}
    while True:
        r = d.scan(**kw); items += r["Items"]
        if "LastEvaluatedKey" not in r: break
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    ev = [i for i in items if i["pk"]["S"].startswith("EVENT#b-")]
    if len(ev) >= n: break
    time.sleep(0.5)
end = max(datetime.datetime.fromisoformat(i["processedAt"]["S"].replace("Z","+00:00")).timestamp() for i in ev)
lat = sorted((datetime.datetime.fromisoformat(i["processedAt"]["S"].replace("Z","+00:00")).timestamp() - sent[i["pk"]["S"][6:]]) * 1000 for i in ev)
print(f"{n} events: last stored {end-start:.1f} s after the first request: {n/(end-start):.1f} events/s; request->stored p50 {lat[len(lat)//2]:.0f} ms, p99 {lat[int(len(lat)*0.99)]:.0f} ms")
