#!/usr/bin/env python3
"""Extracts the openAPIV3Schema of the v1 version of Istio's VirtualService and
DestinationRule CRDs into resources/schema/*.schema.yaml.

Usage: extract.py CRDS.yaml [OUTDIR]

CRDS.yaml is Istio's crd-all.gen.yaml (or an extract of it with the two CRDs). Plain text
slicing on purpose: the schema block is copied byte for byte (only dedented), and the script
needs nothing beyond the Python standard library. It also checks that the v1, v1beta1 and
v1alpha3 schemas are identical, since Mirrorscope validates all three with the v1 schema.
"""
import os
import sys

CRDS = {
    "virtualservices.networking.istio.io": "virtualservice.schema.yaml",
    "destinationrules.networking.istio.io": "destinationrule.schema.yaml",
}
VERSIONS = ("v1", "v1beta1", "v1alpha3")
HEADER = """\
# OpenAPI v3 schema of the {kind} CustomResourceDefinition ({crd}), version v1.
# Source: Istio CRDs (manifests/charts/base/files/crd-all.gen.yaml), Apache-2.0, generated from
# istio/api. The v1, v1beta1 and v1alpha3 schemas are identical. Extracted by extract.py
# (dedented, otherwise unchanged): do not edit by hand, re-run the script instead.
"""


def documents(text):
    doc = []
    for line in text.splitlines(keepends=True):
        if line.rstrip("\r\n") == "---":
            if doc:
                yield doc
            doc = []
        else:
            doc.append(line)
    if doc:
        yield doc


def indent_of(line):
    return len(line) - len(line.lstrip(" "))


def crd_name(doc):
    in_metadata = False
    for line in doc:
        if line.startswith("metadata:"):
            in_metadata = True
        elif in_metadata and line.startswith("  name: "):
            return line[len("  name: "):].strip()
        elif line[:1] not in (" ", "\n", "#") and not line.startswith("metadata:"):
            in_metadata = False
    return None


def kind_of(doc):
    for line in doc:
        if line.startswith("    kind: "):
            return line[len("    kind: "):].strip()
    return "?"


def schemas(doc):
    """Maps version name -> schema text (dedented) for each entry of spec.versions."""
    out = {}
    i = 0
    start = None
    while i < len(doc):
        line = doc[i]
        if line.startswith("  versions:"):
            start = i
            break
        i += 1
    if start is None:
        return out
    # Each version is a list item at indent 2 ("  - ").
    items = []
    for j in range(start + 1, len(doc)):
        line = doc[j]
        if line.strip() and indent_of(line) < 2:
            break
        if line.startswith("  - "):
            items.append(j)
    items.append(len(doc))
    for a, b in zip(items, items[1:]):
        item = doc[a:b]
        name = None
        for line in item:
            if (line.startswith("    name: ") or line.startswith("  - name: ")):
                name = line.split("name:", 1)[1].strip()
        body = None
        for k, line in enumerate(item):
            if line.rstrip() == "      openAPIV3Schema:":
                block = []
                for line2 in item[k + 1:]:
                    if line2.strip() and indent_of(line2) <= 6:
                        break
                    block.append(line2)
                body = "".join(l[8:] if l.strip() else "\n" for l in block)
                break
        if name and body is not None:
            out[name] = body
    return out


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    found = set()
    for doc in documents(text):
        name = crd_name(doc)
        if name not in CRDS:
            continue
        versions = schemas(doc)
        missing = [v for v in VERSIONS if v not in versions]
        if missing:
            sys.exit("%s: no schema for %s" % (name, ", ".join(missing)))
        for v in VERSIONS[1:]:
            if versions[v] != versions["v1"]:
                sys.exit("%s: schema of %s differs from v1" % (name, v))
        path = os.path.join(outdir, CRDS[name])
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEADER.format(kind=kind_of(doc), crd=name))
            f.write(versions["v1"])
        print("%s: %d lines, versions %s identical -> %s"
              % (name, versions["v1"].count("\n"), "/".join(VERSIONS), path))
        found.add(name)
    if found != set(CRDS):
        sys.exit("missing CRDs: %s" % ", ".join(sorted(set(CRDS) - found)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
