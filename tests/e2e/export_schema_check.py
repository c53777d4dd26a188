#!/usr/bin/env python3
"""Export conformance: what `mirrorscope export` writes must be accepted by Istio's own CRDs.

For every file of the shared conformance corpus (istio-corpus/valid), run `mirrorscope export`
(once per apiVersion Istio serves) and validate each exported VirtualService / DestinationRule
against the openAPIV3Schema of the matching CRD version in istio-crds.yaml, as the API server
would (the OpenAPI part; CEL rules are not evaluated). Also checks what a user would notice:

- no VirtualService / DestinationRule is lost or added, and each keeps its content (the
  exported spec is the same data as the input spec);
- the export adds no field the API server's strict field validation would reject that the
  input did not already have (kubectl apply --validate=strict);
- exporting the export again gives identical bytes.

Usage: export_schema_check.py MIRRORSCOPE_BINARY SHARED_DIR
Exit 0 pass, 1 failures, 77 skipped (shared folder or python3-yaml / python3-jsonschema absent).
"""

import copy
import os
import subprocess
import sys

SKIP = 77
API_VERSIONS = ("v1", "v1beta1", "v1alpha3")
KINDS = {"VirtualService": "virtualservices.networking.istio.io",
         "DestinationRule": "destinationrules.networking.istio.io"}


def skip(message):
    print("SKIP: " + message)
    sys.exit(SKIP)


try:
    import yaml
except ImportError:
    skip("python3-yaml is not installed (apt-get install python3-yaml)")
try:
    import jsonschema
except ImportError:
    skip("python3-jsonschema is not installed (apt-get install python3-jsonschema)")


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loading that keeps timestamps as the strings Kubernetes sees in JSON."""


# YAML 1.1 timestamps would become datetime objects, which JSON schema cannot type.
for first, resolvers in list(Loader.yaml_implicit_resolvers.items()):
    Loader.yaml_implicit_resolvers[first] = [
        r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]


def to_json_schema(node, strict):
    """Kubernetes structural schema -> JSON Schema Draft 7.

    x-kubernetes-* keys go away (CEL validations are not evaluated), `nullable: true` becomes a
    null type, x-kubernetes-int-or-string becomes integer-or-string. With strict=True an object
    that lists its properties and does not preserve unknown fields rejects other keys, as the API
    server's strict field validation does.
    """
    if isinstance(node, list):
        return [to_json_schema(n, strict) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key in ("nullable", "description", "format"):
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: to_json_schema(v, strict) for k, v in value.items()}
        else:
            out[key] = to_json_schema(value, strict)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if (strict and "properties" in node and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


def load_schemas(crds_path):
    """{(kind, version): (lenient validator, strict validator)} from the CRD file."""
    with open(crds_path, "rb") as f:
        crds = [d for d in yaml.load_all(f, Loader=Loader) if d]
    validators = {}
    for crd in crds:
        name = crd.get("metadata", {}).get("name")
        kind = next((k for k, n in KINDS.items() if n == name), None)
        if not kind:
            continue
        for version in crd["spec"]["versions"]:
            raw = copy.deepcopy(version["schema"]["openAPIV3Schema"])
            # Every object has apiVersion, kind and metadata; the CRD schema leaves them out.
            raw.setdefault("properties", {}).update({
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": {"type": "object"},
            })
            pair = []
            for strict in (False, True):
                schema = to_json_schema(raw, strict)
                jsonschema.Draft7Validator.check_schema(schema)
                pair.append(jsonschema.Draft7Validator(schema))
            validators[(kind, version["name"])] = tuple(pair)
    return validators


def error_text(error):
    path = ".".join(str(p) for p in error.absolute_path) or "(root)"
    return "%s: %s" % (path, error.message)


def errors_of(validator, doc):
    return sorted(error_text(e) for e in validator.iter_errors(doc))


def istio_docs(docs):
    """The VirtualServices / DestinationRules of a list of loaded documents, List expanded."""
    out = []
    for d in docs:
        if not isinstance(d, dict):
            continue
        if d.get("kind") == "List" and isinstance(d.get("items"), list):
            out.extend(istio_docs(d["items"]))
        elif d.get("kind") in KINDS and str(d.get("apiVersion", "")).startswith(
                "networking.istio.io/"):
            out.append(d)
    return out


def run_export(binary, path, api_version):
    return subprocess.run([binary, "export", "--api-version", api_version, path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)


def check_file(binary, path, validators, tmpdir):
    """Returns a list of failure messages for one corpus file."""
    failures = []
    name = os.path.basename(path)
    with open(path, "rb") as f:
        try:
            inputs = istio_docs(list(yaml.load_all(f, Loader=Loader)))
        except yaml.YAMLError as e:
            return ["%s: the corpus file does not load with PyYAML: %s" % (name, e)]

    for api in API_VERSIONS:
        run = run_export(binary, path, api)
        if run.returncode != 0:
            failures.append("%s --api-version %s: exit %d: %s" % (
                name, api, run.returncode, run.stderr.decode(errors="replace").strip()))
            continue
        try:
            exported = istio_docs(list(yaml.load_all(run.stdout, Loader=Loader)))
        except yaml.YAMLError as e:
            failures.append("%s --api-version %s: export is not YAML: %s" % (name, api, e))
            continue
        if len(exported) != len(inputs):
            failures.append("%s --api-version %s: %d VirtualService/DestinationRule in, %d out" % (
                name, api, len(inputs), len(exported)))
            continue
        for index, (before, after) in enumerate(zip(inputs, exported)):
            where = "%s --api-version %s: %s %s (#%d)" % (
                name, api, after.get("kind"), (after.get("metadata") or {}).get("name"), index)
            if after.get("apiVersion") != "networking.istio.io/" + api:
                failures.append("%s: apiVersion %r" % (where, after.get("apiVersion")))
            if after.get("kind") != before.get("kind"):
                failures.append("%s: kind %r became %r" % (where, before.get("kind"),
                                                           after.get("kind")))
                continue
            if after.get("spec") != before.get("spec"):
                failures.append("%s: spec changed:\n    in:  %r\n    out: %r" % (
                    where, before.get("spec"), after.get("spec")))
            if after.get("metadata") != before.get("metadata"):
                failures.append("%s: metadata changed: %r -> %r" % (
                    where, before.get("metadata"), after.get("metadata")))
            lenient, strict = validators[(after["kind"], api)]
            for e in errors_of(lenient, after):
                failures.append("%s: CRD schema: %s" % (where, e))
            # Strict: only what the export introduced (the input is judged by the corpus).
            before_as_api = dict(before, apiVersion=after.get("apiVersion"))
            known = set(errors_of(strict, before_as_api))
            for e in errors_of(strict, after):
                if e not in known:
                    failures.append("%s: strict field validation: %s" % (where, e))

        # Idempotence: the export of the export is the same bytes (once: it is apiVersion-blind).
        if api != API_VERSIONS[0]:
            continue
        again_path = os.path.join(tmpdir, "again.yaml")
        with open(again_path, "wb") as f:
            f.write(run.stdout)
        again = run_export(binary, again_path, api)
        if again.returncode != 0 or again.stdout != run.stdout:
            failures.append("%s --api-version %s: exporting the export changes it (exit %d)" % (
                name, api, again.returncode))
    return failures


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    binary, shared = argv[1], argv[2]
    crds = os.path.join(shared, "conformance", "istio-crds.yaml")
    corpus = os.path.join(shared, "conformance", "istio-corpus", "valid")
    if not os.path.isfile(crds) or not os.path.isdir(corpus):
        skip("no conformance data at %s (istio-crds.yaml, istio-corpus/valid)" % shared)
    if not os.access(binary, os.X_OK):
        print("FAIL: %s is not an executable" % binary)
        return 1

    import tempfile
    validators = load_schemas(crds)
    missing = [(k, v) for k in KINDS for v in API_VERSIONS if (k, v) not in validators]
    if missing:
        print("FAIL: istio-crds.yaml lacks schemas for %s" % missing)
        return 1

    files = sorted(os.path.join(corpus, n) for n in os.listdir(corpus)
                   if n.endswith((".yaml", ".yml")))
    failures = []
    documents = 0
    with tempfile.TemporaryDirectory() as tmpdir:
        for path in files:
            with open(path, "rb") as f:
                try:
                    documents += len(istio_docs(list(yaml.load_all(f, Loader=Loader))))
                except yaml.YAMLError:
                    pass
            failures += check_file(binary, path, validators, tmpdir)
    for failure in failures:
        print("FAIL: " + failure)
    print("%d file(s), %d VirtualService/DestinationRule document(s), %d apiVersion(s): "
          "%d failure(s)" % (len(files), documents, len(API_VERSIONS), len(failures)))
    if not files or not documents:
        print("FAIL: the corpus is empty")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
