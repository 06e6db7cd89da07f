#!/usr/bin/python3
"""The spec validates against its own JSON Schema, and the schema rejects each malformed spec of
tests/data/bad-specs.json that is marked "schema": true (the loader's tests check all of them).

Run by ctest with Debian's python3 and python3-jsonschema: spec_schema_test.py SCHEMA SPEC MANIFEST
"""
import copy
import json
import sys

import jsonschema


def pointer_parts(pointer):
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def apply(doc, op, pointer, value=None):
    parts = pointer_parts(pointer)
    parent = doc
    for p in parts[:-1]:
        parent = parent[int(p)] if isinstance(parent, list) else parent[p]
    last = parts[-1]
    if isinstance(parent, list):
        if op == "remove":
            del parent[int(last)]
        else:
            parent[int(last)] = value
    elif op == "remove":
        del parent[last]
    else:
        parent[last] = value


def main():
    schema_path, spec_path, manifest_path = sys.argv[1:4]
    schema = json.load(open(schema_path, encoding="utf-8"))
    spec = json.load(open(spec_path, encoding="utf-8"))
    manifest = json.load(open(manifest_path, encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    passed = failed = 0
    errors = list(validator.iter_errors(spec))
    if errors:
        failed += 1
        for e in errors:
            print("FAIL the spec does not validate: %s: %s" % ("/".join(map(str, e.absolute_path)), e.message))
    else:
        passed += 1

    for case in manifest["cases"]:
        if not case["schema"]:
            continue
        doc = copy.deepcopy(spec)
        apply(doc, case["op"], case["pointer"], case.get("value"))
        if list(validator.iter_errors(doc)):
            passed += 1
        else:
            failed += 1
            print("FAIL the schema accepts malformed spec %s" % case["name"])

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
