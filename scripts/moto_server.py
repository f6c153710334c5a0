#!/usr/bin/env python3
"""moto_server, as pinned in requirements-dev.txt, with three costs taken out that grow with
load and have nothing to do with what it emulates; every answer is the same as moto's own.

1. TransactWriteItems costs what the transaction touches instead of what the tables hold.

moto 5.2.1 backs up each table a transaction names with copy.deepcopy before running it, so
that it can put the whole table back if the transaction is cancelled. On the events table of
the end-to-end test (a few thousand items) that is ~340 ms a transaction, and process, which
writes every event in one, slowed down as the table grew. Here tables are taken by
reference and only the items the transaction names are backed up, then restored the same
way on any failure: the same observable result (a cancelled transaction leaves every item as
it was), without a full copy. It also no longer puts back a whole table over writes that
other requests made meanwhile.

   moto runs each request on a thread of its own and applies a transaction's writes one by
   one, so a transaction that fails half-way and puts its items back could undo a write that
   another request made in between (a counter's increment, say): DynamoDB's transactions are
   isolated. So DynamoDB requests run one at a time here. None of them waits on anything (no
   long poll), and moto holds the GIL while it works anyway, so this costs next to nothing.

2. PutEvents: moto renders each rule target's input by compiling its JSONPath expressions
with jsonpath_ng, which builds a new yacc parser (its LR tables) for every expression on
every call: a quarter of moto's CPU time in the end-to-end test. A compiled expression is
immutable and depends only on its text, so it is compiled once.

3. Dispatch: every request matches its Host header against the URL pattern of each of
moto's ~150 services, twice when the host is a loopback address (no pattern matches it and
moto then reads the service off the signature). The answer depends on the host alone.
Request lines are no longer logged for answers below 500; the log nobody reads was 7% of
the CPU.

4. CloudFormation: `!Ref` of an AWS::Events::EventBus is its name in CloudFormation; moto's
EventBus has no physical_resource_id, so the Ref resolved to the model object and a Rule
naming the bus by Ref failed CreateStack with a 500 (scripts/deploy-rehearsal.py). It is
the bus's name here.

5. CloudFormation: AWS::Lambda::Alias, which moto does not model, and the `Version` attribute
of AWS::Lambda::Version, which it does not answer (see the patch below).

6. SQS ReceiveMessage's retention check, which counted the whole queue for each message
received (see the patch below).

Usage: the same arguments as moto_server.
"""
import copy
import functools
import sys
import threading

import jsonpath_ng.ext
import moto.dynamodb.models as dynamodb_models
import werkzeug.serving
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main


class _TablesByReference:
    """The `copy` module as dynamodb_models sees it, except that a Table is not copied."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, dynamodb_models.Table):
            return value
        return copy.deepcopy(value, memo)


def _touched_items(backend, transact_items):
    """(table name, key, a copy of the item now or None) for each item a transaction names."""
    backup = []
    for entry in transact_items:
        try:
            _, operation = next(iter(entry.items()))
            table_name = operation["TableName"]
            table = backend.get_table(table_name)
            if "Key" in operation:
                key = operation["Key"]
            else:
                attributes = operation["Item"]
                key = {name: attributes[name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            backup.append((table_name, key, copy.deepcopy(backend.get_item(table_name, key))))
        except Exception:
            # An operation moto cannot even read the key of fails before it writes anything.
            continue
    return backup


_transact_write_items = DynamoDBBackend.transact_write_items


def transact_write_items(self, transact_items):
    backup = _touched_items(self, transact_items)
    try:
        return _transact_write_items(self, transact_items)
    except Exception:
        # Newest first, so that the state before the transaction is what remains.
        for table_name, key, item in reversed(backup):
            if item is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, item.to_json()["Attributes"])
        raise


dynamodb_models.copy = _TablesByReference()
DynamoDBBackend.transact_write_items = transact_write_items

_dynamodb_call_action = DynamoHandler.call_action
_dynamodb_requests = threading.Lock()


def dynamodb_call_action(self):
    with _dynamodb_requests:
        return _dynamodb_call_action(self)


DynamoHandler.call_action = dynamodb_call_action

# moto.events.utils imports `parse` from jsonpath_ng.ext inside the function, at each call.
jsonpath_ng.ext.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.ext.parse)

_get_backend_for_host = DomainDispatcherApplication.get_backend_for_host


def get_backend_for_host(self, host):
    cache = self.__dict__.setdefault("_backend_for_host", {})
    if host not in cache:
        cache[host] = _get_backend_for_host(self, host)
    return cache[host]


DomainDispatcherApplication.get_backend_for_host = get_backend_for_host

_log_request = werkzeug.serving.WSGIRequestHandler.log_request


def log_request(self, code="-", size="-"):
    if str(code)[:1] == "5":
        _log_request(self, code, size)


werkzeug.serving.WSGIRequestHandler.log_request = log_request

import moto.events.models as events_models  # noqa: E402

events_models.EventBus.physical_resource_id = property(lambda self: self.name)

# 5. CloudFormation: moto has no AWS::Lambda::Alias model, so the alias SAM makes for
# AutoPublishAlias was never created and a Permission naming it failed the whole CreateStack
# with a KeyError (a 500). The alias is created with moto's own Lambda backend; its Ref is
# its ARN, as in CloudFormation.
from moto.awslambda.models import LambdaVersion, lambda_backends  # noqa: E402
from moto.core.common_models import CloudFormationModel  # noqa: E402


# The alias names its version by `!GetAtt <Version>.Version`, which moto's LambdaVersion does
# not answer.
LambdaVersion.get_cfn_attribute = lambda self, name: self.version if name == "Version" else None


class CloudFormationLambdaAlias(CloudFormationModel):
    # moto files every model under the service its module names.
    __module__ = "moto.awslambda.models"

    def __init__(self, alias):
        self.alias = alias

    @property
    def physical_resource_id(self):
        return self.alias.arn

    @staticmethod
    def cloudformation_name_type():
        return "Name"

    @staticmethod
    def cloudformation_type():
        return "AWS::Lambda::Alias"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        backend = lambda_backends[account_id][region_name]
        alias = backend.create_alias(
            name=properties["Name"],
            function_name=properties["FunctionName"],
            function_version=str(properties["FunctionVersion"]),
            description=properties.get("Description", ""),
            routing_config=properties.get("RoutingConfig"),
        )
        return cls(alias)


# 6. SQS ReceiveMessage: for each message it hands out, moto checked the retention period by
# building every attribute of the queue, two of which count its messages one by one: a pass
# over the whole queue per message received, quadratic in the backlog. py-spy dumps under the
# capacity benchmark put this at a third of moto's busy samples. The same check, reading the
# one attribute it needs:
import moto.sqs.models as sqs_models  # noqa: E402
from moto.core.utils import unix_time  # noqa: E402


def is_message_valid_based_on_retention_period(self, queue_name, message):
    retention_period = int(self.get_queue(queue_name).message_retention_period)
    return retention_period + message.sent_timestamp / 1000 > unix_time()


sqs_models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period


if __name__ == "__main__":
    sys.exit(main())
