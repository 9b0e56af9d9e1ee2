#!/usr/bin/env python3
"""Validates the OpenAPI document a real `carat serve` publishes at /openapi.json.

Usage: validate_openapi.py <path to the carat binary>

The document is fetched over HTTP rather than read from the source tree, so what is checked is
exactly what clients get: the embedded copy, compacted, with the runtime version filled in.
Exit status: 0 valid, 1 invalid or the server misbehaved.
"""
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from docs_support import carat_server, ensure_validator, fetch_json, report  # noqa: E402

ensure_validator()

from openapi_spec_validator import OpenAPIV31SpecValidator  # noqa: E402
from openapi_spec_validator import __version__ as VALIDATOR_VERSION  # noqa: E402

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with carat_server(sys.argv[1]) as base:
        document = fetch_json(base + "/openapi.json")
        root = fetch_json(base + "/")
    status, ctype, body, spec = document
    service_version = root.json["version"]

    problems = []
    if status != 200:
        problems.append(f"GET /openapi.json answered {status}")
    if root.status != 200:
        problems.append(f"GET / answered {root.status}")
    if ctype != "application/json":
        problems.append(f"Content-Type is {ctype!r}, expected 'application/json'")
    if spec.get("openapi") != "3.1.0":
        problems.append(f"openapi is {spec.get('openapi')!r}, expected '3.1.0'")
    version = spec.get("info", {}).get("version")
    if version != service_version:
        problems.append(f"info.version {version!r} differs from the service version "
                        f"{service_version!r}")

    for e in OpenAPIV31SpecValidator(spec).iter_errors():
        where = "/".join(str(p) for p in e.absolute_path) or "(document root)"
        problems.append(f"schema: at {where}: {e.message[:500]}")

    paths = spec.get("paths", {})
    operations = sum(1 for item in paths.values() for m in item if m in METHODS)
    summary = (f"/openapi.json of carat {service_version}: {len(paths)} paths, {operations} "
               f"operations, {len(body)} bytes (openapi-spec-validator {VALIDATOR_VERSION}, "
               "OpenAPI 3.1 schema)")
    return report(summary, problems, passed=" is valid")


if __name__ == "__main__":
    sys.exit(main())
