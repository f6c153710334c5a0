#!/usr/bin/env python3
"""Deploy rehearsal: functions/template.yaml deployed to a CloudFormation engine (moto).

What `sam deploy` does, without SAM CLI or an AWS account:
  1. the zips uploaded to an S3 bucket (dist/<fn>.zip when built; otherwise a small
     placeholder zip, and the output says so, since moto never runs the code),
  2. CodeUri / DefinitionUri rewritten to what was uploaded (as `sam package` does),
  3. the SAM transform applied by aws-sam-translator (the library CloudFormation's
     AWS::Serverless-2016-10-31 transform is built from),
  4. the stack created in CloudFormation, waited on until CREATE_COMPLETE,
  5. every resource of the transformed template checked in the stack's resources.

moto's CloudFormation does not implement every resource type. Rather than drop them
silently, the types listed in MOTO_LACKS are reported on every run (and listed in README);
the check still requires every other resource to be CREATE_COMPLETE.

Run against moto: scripts/with-moto.sh python3 scripts/deploy-rehearsal.py
Exit 0 when the stack is CREATE_COMPLETE with every resource present.
"""

import argparse
import io
import json
import os
import re
import sys
import time
import zipfile

import boto3
from cfnlint.decode.cfn_yaml import loads as cfn_yaml_loads
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plain(node):
    """cfn-lint's YAML nodes (with line marks) as plain JSON values."""
    return json.loads(json.dumps(node, default=str))


def placeholder_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", "#!/bin/sh\necho placeholder: moto never runs the code\n")
    return buffer.getvalue()


def upload_artifacts(template, template_dir, s3, bucket, log):
    """Uploads every local CodeUri / DefinitionUri and rewrites it as `sam package` does."""
    for name, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and isinstance(properties.get("CodeUri"), str):
            path = os.path.normpath(os.path.join(template_dir, properties["CodeUri"]))
            key = f"code/{name}/{os.path.basename(path)}"
            if os.path.isfile(path):
                body, origin = open(path, "rb").read(), f"{os.path.relpath(path, ROOT)} (built)"
            else:
                body, origin = placeholder_zip(), f"placeholder ({os.path.relpath(path, ROOT)} not built)"
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            properties["CodeUri"] = {"Bucket": bucket, "Key": key}
            log(f"uploaded {name}: {origin}, {len(body)} bytes -> s3://{bucket}/{key}")
        if resource.get("Type") == "AWS::Serverless::StateMachine" and isinstance(properties.get("DefinitionUri"), str):
            path = os.path.normpath(os.path.join(template_dir, properties["DefinitionUri"]))
            key = f"statemachine/{name}/{os.path.basename(path)}"
            s3.put_object(Bucket=bucket, Key=key, Body=open(path, "rb").read())
            properties["DefinitionUri"] = {"Bucket": bucket, "Key": key}
            log(f"uploaded {name}: {os.path.relpath(path, ROOT)} -> s3://{bucket}/{key}")


def attribute_targets(value):
    """The logical ids whose attributes a value reads, through Fn::GetAtt or ${Resource.Attribute}."""
    if isinstance(value, dict):
        for key, argument in value.items():
            if key == "Fn::GetAtt":
                yield (argument[0] if isinstance(argument, list) else str(argument).split(".")[0])
            elif key == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) else argument
                for name in re.findall(r"\$\{([^!}][^}]*)\}", text):
                    if "." in name and not name.startswith("AWS::"):
                        yield name.split(".")[0]
                if isinstance(argument, list):
                    yield from attribute_targets(argument[1])
            else:
                yield from attribute_targets(argument)
    elif isinstance(value, list):
        for item in value:
            yield from attribute_targets(item)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", default=os.path.join(ROOT, "functions", "template.yaml"))
    parser.add_argument("--stack-name", default="rehearsal")
    parser.add_argument("--bucket", default="swift-lambda-kit-rehearsal-artifacts")
    parser.add_argument("--parameter", action="append", default=[], metavar="K=V")
    parser.add_argument("--timeout", type=float, default=120)
    arguments = parser.parse_args()
    if not os.environ.get("AWS_ENDPOINT_URL"):
        sys.exit("deploy-rehearsal: AWS_ENDPOINT_URL is not set; run it under scripts/with-moto.sh")

    def log(line):
        print(f"deploy-rehearsal: {line}", flush=True)

    region = os.environ.get("AWS_REGION", "us-east-1")
    s3 = boto3.client("s3", region_name=region)
    cloudformation = boto3.client("cloudformation", region_name=region)
    iam = boto3.client("iam", region_name=region)

    with open(arguments.template) as handle:
        template = plain(cfn_yaml_loads(handle.read(), arguments.template))
    s3.create_bucket(Bucket=arguments.bucket)
    upload_artifacts(template, os.path.dirname(os.path.abspath(arguments.template)), s3, arguments.bucket, log)

    parameters = dict(item.split("=", 1) for item in arguments.parameter)
    # The translator fills in pseudo parameters (AWS::Region, …) it needs for ARNs.
    translator_parameters = {"AWS::Region": region, "AWS::Partition": "aws", "AWS::AccountId": "123456789012"}
    translator_parameters.update(parameters)
    transformed = transform(template, translator_parameters, ManagedPolicyLoader(iam))
    resources = transformed["Resources"]
    types = sorted({resource["Type"] for resource in resources.values()})
    log(f"transformed: {len(resources)} CloudFormation resources of {len(types)} types")

    # An output that reads an attribute of a resource moto does not create makes moto's
    # DescribeStacks fail with a 500 (the stack itself completes): such outputs are left out,
    # and said so.
    for name, output in list(transformed.get("Outputs", {}).items()):
        lacking_targets = sorted(
            target for target in attribute_targets(output.get("Value"))
            if resources.get(target, {}).get("Type") in MOTO_LACKS)
        if lacking_targets:
            del transformed["Outputs"][name]
            log(f"output {name} left out: it reads {', '.join(lacking_targets)}, which moto does not create")

    body = json.dumps(transformed)
    key = f"templates/{arguments.stack_name}.json"
    s3.put_object(Bucket=arguments.bucket, Key=key, Body=body.encode())
    cloudformation.create_stack(
        StackName=arguments.stack_name,
        # The S3 form CloudFormation takes (the body can exceed TemplateBody's 51,200 bytes).
        TemplateURL=f"https://{arguments.bucket}.s3.amazonaws.com/{key}",
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )

    deadline = time.monotonic() + arguments.timeout
    while True:
        stack = cloudformation.describe_stacks(StackName=arguments.stack_name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    status = stack["StackStatus"]
    log(f"stack {arguments.stack_name}: {status}")

    created = {}
    paginator = cloudformation.get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=arguments.stack_name):
        for summary in page["StackResourceSummaries"]:
            created[summary["LogicalResourceId"]] = summary

    lacking, failed = {}, []
    for logical_id, resource in sorted(resources.items()):
        summary = created.get(logical_id)
        if summary is None:
            # moto's CloudFormation skips a type it does not implement: reported by type.
            lacking.setdefault(resource["Type"], []).append(logical_id)
        elif summary["ResourceStatus"] != "CREATE_COMPLETE":
            failed.append(f"{logical_id} ({resource['Type']}): {summary['ResourceStatus']}")
    for resource_type, ids in sorted(lacking.items()):
        log(f"moto lacks {resource_type}: not created: {', '.join(ids)}")
    for line in failed:
        log(f"not complete: {line}")
    created_count = sum(
        1 for logical_id in resources if created.get(logical_id, {}).get("ResourceStatus") == "CREATE_COMPLETE")
    log(f"resources: {len(resources)} in the template, {created_count} CREATE_COMPLETE, "
        f"{sum(len(v) for v in lacking.values())} of types moto lacks")
    print(json.dumps({
        "status": status,
        "resources": len(resources),
        "created": created_count,
        "motoLacks": {k: v for k, v in sorted(lacking.items())},
        "failed": failed,
    }))
    unexpected = sorted(set(lacking) - MOTO_LACKS)
    if unexpected:
        log(f"resources of types not in MOTO_LACKS were not created: {', '.join(unexpected)}")
    return 0 if status == "CREATE_COMPLETE" and not failed and not unexpected else 1


# Resource types moto 5.2.1's CloudFormation does not create (the stack still completes
# without them). Kept explicit so a template change that adds another such type fails
# the rehearsal instead of passing with the resource silently absent.
MOTO_LACKS = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Logs::QueryDefinition",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Subscription",
    "AWS::SQS::QueuePolicy",
}


if __name__ == "__main__":
    sys.exit(main())
