"""Drives `lambda-local start-lambda` with boto3's Lambda client, as a user's SDK code would.

Usage: invoke_with_boto3.py ENDPOINT_URL. Prints one JSON object: what each call returned, for
StartLambdaTests to check. Serves echo, faulty and stream.
"""

import base64
import json
import sys
import time

import boto3
from botocore.config import Config

client = boto3.client(
    "lambda",
    endpoint_url=sys.argv[1],
    region_name="us-east-1",
    aws_access_key_id="local",
    aws_secret_access_key="local",
    config=Config(retries={"max_attempts": 1}, read_timeout=60),
)
out = {}


def plain(response):
    payload = response["Payload"].read()
    return {
        "status": response["StatusCode"],
        "version": response.get("ExecutedVersion"),
        "functionError": response.get("FunctionError"),
        "payload": json.loads(payload) if payload else None,
        "log": base64.b64decode(response["LogResult"]).decode() if "LogResult" in response else None,
    }


out["requestResponse"] = plain(client.invoke(FunctionName="echo", Payload=b'{"hello":"world"}'))
out["byARN"] = plain(
    client.invoke(FunctionName="arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST", Payload=b"[1,2]")
)
out["event"] = plain(client.invoke(FunctionName="echo", InvocationType="Event", Payload=b'{"async":true}'))
out["dryRun"] = plain(client.invoke(FunctionName="echo", InvocationType="DryRun"))
out["tail"] = plain(
    client.invoke(FunctionName="faulty", LogType="Tail", Payload=json.dumps({"faulty": {"log": "a line to tail"}}))
)
out["functionError"] = plain(client.invoke(FunctionName="faulty", Payload=json.dumps({"faulty": {"throw": "bad input"}})))
out["context"] = plain(
    client.invoke(
        FunctionName="faulty",
        Payload=json.dumps({"faulty": {"context": True}}),
        ClientContext=base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode(),
        TenantId="tenant-7",
    )
)

errors = {}
for name, call in {
    "unknown": lambda: client.invoke(FunctionName="nope", Payload=b"{}"),
    "otherVersion": lambda: client.invoke(FunctionName="echo", Qualifier="3", Payload=b"{}"),
    "notJSON": lambda: client.invoke(FunctionName="echo", Payload=b"{not json"),
    "tooLarge": lambda: client.invoke(FunctionName="echo", Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"'),
}.items():
    try:
        call()
        errors[name] = None
    except client.exceptions.ClientError as error:
        errors[name] = {
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"].get("Message"),
        }
out["errors"] = errors


def stream(function, payload, **extra):
    started = time.monotonic()
    response = client.invoke_with_response_stream(FunctionName=function, Payload=json.dumps(payload), **extra)
    chunks, arrivals, complete = [], [], None
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            chunks.append(event["PayloadChunk"]["Payload"].decode())
            arrivals.append(round((time.monotonic() - started) * 1000))
        elif "InvokeComplete" in event:
            complete = event["InvokeComplete"]
    if complete and "LogResult" in complete:
        complete["LogResult"] = base64.b64decode(complete["LogResult"]).decode()
    return {
        "status": response["StatusCode"],
        "version": response.get("ExecutedVersion"),
        "chunks": chunks,
        "arrivalsMs": arrivals,
        "complete": complete,
    }


out["stream"] = stream("stream", {"chunks": 4, "chunkBytes": 8, "intervalMs": 300})
out["streamFailure"] = stream("stream", {"chunks": 5, "chunkBytes": 4, "failAfter": 2}, LogType="Tail")
out["streamBuffered"] = stream("echo", {"whole": True})
print(json.dumps(out))
