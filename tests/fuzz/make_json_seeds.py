#!/usr/bin/env python3
"""Writes the json fuzzer's seed corpus: one well-formed body per route that declares a JSON
request body, made from the binary's own OpenAPI document (every property filled, examples and
bounds respected), plus a few malformed bodies. Each file is "METHOD /pattern\\n<body>".

Usage: shop openapi | tests/fuzz/make_json_seeds.py tests/fuzz/corpus/json
"""
import json
import os
import sys

doc = json.load(sys.stdin)
out_dir = sys.argv[1]
schemas = doc.get("components", {}).get("schemas", {})


def resolve(s):
    while "$ref" in s:
        s = schemas[s["$ref"].rsplit("/", 1)[1]]
    return s


def sample(s, depth=0):
    s = resolve(s)
    if "oneOf" in s:
        return sample(next(x for x in s["oneOf"] if x.get("type") != "null"), depth)
    if "examples" in s:
        return s["examples"][0]
    if "enum" in s:
        return s["enum"][0]
    t = s.get("type")
    if t == "object":
        if "properties" in s:
            return {k: sample(v, depth + 1) for k, v in s["properties"].items()} if depth < 6 else {}
        if "additionalProperties" in s:
            return {"key": sample(s["additionalProperties"], depth + 1)}
        return {}
    if t == "array":
        return [sample(s["items"], depth + 1)] * max(1, s.get("minItems", 1))
    if t == "integer":
        return max(s.get("minimum", 1), min(1, s.get("maximum", 1)))
    if t == "number":
        return 1.5
    if t == "boolean":
        return True
    fmt = s.get("format")
    if fmt == "email":
        return "ann@example.com"
    if fmt == "date-time":
        return "2026-12-24T00:00:00Z"
    if fmt == "password":
        return "a-long-enough-passphrase"
    if s.get("pattern") == "^[A-Z]{3}$":
        return "USD"
    if s.get("pattern") == "^[A-Za-z]{2}$":
        return "US"
    return "x" * max(1, s.get("minLength", 1))


os.makedirs(out_dir, exist_ok=True)
first = None
for path, ops in doc["paths"].items():
    for method, op in ops.items():
        if not isinstance(op, dict) or "application/json" not in op.get("requestBody", {}).get("content", {}):
            continue
        body = sample(op["requestBody"]["content"]["application/json"]["schema"])
        name = f"{method.upper()} {path}"
        first = first or name
        with open(os.path.join(out_dir, op["operationId"]), "w") as f:
            f.write(name + "\n" + json.dumps(body, ensure_ascii=False))

malformed = {
    "malformed_not_json": '{"email": ',
    "malformed_duplicate_key": '{"email": "a@example.com", "email": "b@example.com", "password": "p"}',
    "malformed_unknown_and_null": '{"emial": "a@example.com", "password": null, "name": ["x"]}',
    "malformed_deep": "[" * 40 + "]" * 40,
    "malformed_bidi_and_nul": '{"email": "a\\u202e@example.com", "password": "a\\u0000b", "name": "\\u061c"}',
    "malformed_big_numbers": '{"email": 1e400, "password": 18446744073709551616, "name": -0.0}',
}
for fname, body in malformed.items():
    with open(os.path.join(out_dir, fname), "w") as f:
        f.write("POST /api/v1/auth/register\n" + body)
