#!/usr/bin/python3
"""The contract test: every recorded HTTP exchange against the OpenAPI document the binary serves.

Each request the server accepted (2xx) is validated against its operation's request-body schema,
and every reply against the schema of its status and content type, with JSON Schema 2020-12
(python3-jsonschema) and formats checked. A reply that drifts from its schema, an undocumented
status, or an accepted request the schema forbids fails the test.

usage: validate.py openapi.json exchanges.jsonl
"""
import datetime
import json
import re
import sys

from jsonschema import Draft202012Validator, FormatChecker, RefResolver

formats = FormatChecker()


@formats.checks("date-time", raises=ValueError)
def is_date_time(value):
    # RFC 3339 with a time zone (Python's parser reads the form the API writes).
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def main():
    doc = json.load(open(sys.argv[1]))
    # Image uploads and downloads carry bytes that are not UTF-8: read them replaced, never judged as JSON.
    exchanges = [json.loads(line) for line in open(sys.argv[2], encoding="utf-8", errors="replace") if line.strip()]
    resolver = RefResolver.from_schema(doc)

    def deref(obj):
        while isinstance(obj, dict) and "$ref" in obj:
            obj = resolver.resolve(obj["$ref"])[1]
        return obj

    routes = []
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        routes.append((template.count("{"), template, re.compile(pattern), item))
    routes.sort(key=lambda r: r[0])  # a static path wins over a parameter, as the router decides

    validators = {}

    def check(schema, instance):
        key = json.dumps(schema, sort_keys=True)
        if key not in validators:
            validators[key] = Draft202012Validator(schema, resolver=resolver, format_checker=formats)
        return [f"{'/'.join(map(str, e.absolute_path)) or '$'}: {e.message}" for e in validators[key].iter_errors(instance)]

    problems, checked, operations = [], 0, set()
    for x in exchanges:
        method, path = x["method"].lower(), x["target"].split("?")[0]
        if method in ("options", "head"):
            continue
        match = next(((t, item) for _, t, rx, item in routes if rx.match(path) and method in item), None)
        where = f"{x['method']} {x['target'][:120]} -> {x['status']}"
        if match is None:
            if x["status"] in (404, 405):
                continue  # no such route: the router's own answer
            problems.append(f"{where}: no operation in the document")
            continue
        template, item = match
        op = item[method]
        operations.add(f"{method.upper()} {template}")
        checked += 1
        body = op.get("requestBody")
        if 200 <= x["status"] < 300 and body and x["request_body"] and "application/json" in body["content"]:
            schema = body["content"]["application/json"]["schema"]
            try:
                errors = check(schema, json.loads(x["request_body"]))
            except ValueError:
                errors = ["the body is not JSON"]
            problems += [f"{where}: accepted a request its schema forbids: {e}" for e in errors]
        responses = op["responses"]
        reply = responses.get(str(x["status"])) or responses.get("default")
        if reply is None:
            problems.append(f"{where}: status {x['status']} is not documented")
            continue
        reply = deref(reply)
        content = reply.get("content")
        if not content:
            if x["response_body"]:
                problems.append(f"{where}: a body where the document has none")
            continue
        ctype = x["response_content_type"].split(";")[0].strip()
        media = next((m for k, m in content.items() if k.split(";")[0].strip() == ctype), None)
        if media is None:
            problems.append(f"{where}: content type {ctype!r} is not documented ({', '.join(content)})")
            continue
        if ctype.endswith("json"):
            try:
                instance = json.loads(x["response_body"])
            except ValueError:
                problems.append(f"{where}: the reply is not JSON")
                continue
            problems += [f"{where}: reply: {e}" for e in check(media["schema"], instance)]

    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    all_ops = {f"{m.upper()} {t}" for t, item in doc["paths"].items() for m in item if m in methods}
    print(f"contract: {len(exchanges)} exchanges recorded, {checked} checked against {len(operations)} of {len(all_ops)} operations")
    missing = sorted(all_ops - operations)
    if missing:
        # An operation without traffic is an operation whose document nothing checks.
        problems += [f"{op}: no test exercised it" for op in missing]
    if problems:
        print(f"contract: {len(problems)} violation(s):")
        for p in problems[:60]:
            print("  " + p)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
