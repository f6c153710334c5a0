#!/usr/bin/env bash
# Runs a command against an AWS-compatible endpoint.
#
# With AWS_ENDPOINT_URL already set (LocalStack, a real account via a proxy, a moto you
# started), it just runs the command with the caller's credentials. Otherwise it starts
# moto_server on a free loopback port with request authentication on, creates an IAM user
# with an access key and an allow-all policy through the few unauthenticated calls moto
# grants (INITIAL_NO_AUTH_ACTION_COUNT), exports that key, runs the command, and stops moto.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

if [ -n "${AWS_ENDPOINT_URL:-}" ]; then
  exec "$@"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
endpoint="http://127.0.0.1:${port}"
log=$(mktemp -t moto.XXXXXX.log)

# The setup below makes exactly 3 calls (CreateUser, PutUserPolicy, CreateAccessKey); every
# later call, the tests' included, must carry a valid signature of that key.
# scripts/moto_server.py is moto_server with transactions that do not copy whole tables.
INITIAL_NO_AUTH_ACTION_COUNT=3 python3 "$(dirname "$0")/moto_server.py" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null "${endpoint}/moto-api/" 2>/dev/null; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "with-moto: moto_server exited:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
credentials=$(AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=bootstrap AWS_SECRET_ACCESS_KEY=bootstrap \
  python3 - <<'PY'
import json, boto3
iam = boto3.client("iam")
iam.create_user(UserName="swift-lambda-kit-tests")
iam.put_user_policy(
    UserName="swift-lambda-kit-tests", PolicyName="allow-all",
    PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="swift-lambda-kit-tests")["AccessKey"]
print(key["AccessKeyId"], key["SecretAccessKey"])
PY
)
read -r key_id secret <<<"$credentials"

export AWS_ENDPOINT_URL="$endpoint"
# For a benchmark that reports the emulator's CPU beside the kit's.
export MOTO_PID="$moto_pid"
export AWS_ACCESS_KEY_ID="$key_id"
export AWS_SECRET_ACCESS_KEY="$secret"
unset AWS_SESSION_TOKEN AWS_PROFILE
# Tests that must fail without authentication check this (a foreign endpoint may not enforce it).
export AWS_ENDPOINT_ENFORCES_AUTH=1
echo "with-moto: moto_server ${endpoint} (pid ${moto_pid}), authentication on" >&2

status=0
"$@" || status=$?
exit "$status"
