#!/usr/bin/env python3
"""Generate a `cedar run-tests` file for the repository's policies: CASES
cases built from the shipped ones (tests/policies/cedar-run-tests.json),
each with its own path and FILLER extra file entities (so the file weighs
what real suites weigh: about 23 MB for 4,000 cases with the default).

With --entity-files DIR, each case's entities go to DIR/case-N.json
(relative to the test file) instead of inline. Deterministic.
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def dir_chain(path):
    parts = path.split("/")[:-1]
    out = [{"uid": {"type": "Dir", "id": ""}, "attrs": {}, "parents": []}]
    cur = ""
    for p in parts:
        parent = cur
        cur = f"{cur}{p}/"
        out.append({"uid": {"type": "Dir", "id": cur}, "attrs": {}, "parents": [{"type": "Dir", "id": parent}]})
    return out


def file_entity(path, kind="file"):
    name = path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1] if "." in name[1:] else ""
    parent = path[: len(path) - len(name)]
    return {
        "uid": {"type": "File", "id": path},
        "attrs": {"path": path, "name": name, "ext": ext, "kind": kind},
        "parents": [{"type": "Dir", "id": parent}],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--cases", type=int, default=4000)
    ap.add_argument("--filler", type=int, default=8)
    ap.add_argument("--entity-files", default=None)
    a = ap.parse_args()
    with open(os.path.join(ROOT, "tests/policies/cedar-run-tests.json")) as f:
        shipped = json.load(f)
    # The file-changing cases of the shipped suite, as templates.
    templates = [c for c in shipped if c["request"]["resource"].startswith("File::")]
    cases = []
    for i in range(a.cases):
        t = json.loads(json.dumps(templates[i % len(templates)]))
        old = t["request"]["resource"][len('File::"'):-1]
        prefix = ".github/workflows/" if old.startswith(".github/") else f"src/m{i % 97}/"
        name = old.rsplit("/", 1)[-1]
        path = f"{prefix}n{i}/{name}"
        t["name"] = f"case {i}: {t.get('name', '')}"
        t["request"]["resource"] = f'File::"{path}"'
        ents = [e for e in t["entities"] if e["uid"]["type"] not in ("File", "Dir")]
        seen = set()
        for e in dir_chain(path) + [file_entity(path)]:
            key = (e["uid"]["type"], e["uid"]["id"])
            if key not in seen:
                seen.add(key)
                ents.append(e)
        for k in range(a.filler):
            other = f"lib/f{(i * 31 + k) % 5000}/deep/er/file{k}.rs"
            for e in dir_chain(other) + [file_entity(other)]:
                key = (e["uid"]["type"], e["uid"]["id"])
                if key not in seen:
                    seen.add(key)
                    ents.append(e)
        if a.entity_files:
            rel = os.path.join(a.entity_files, f"case-{i}.json")
            full = os.path.join(os.path.dirname(os.path.abspath(a.out)), rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                json.dump(ents, f)
            t["entities"] = rel
        else:
            t["entities"] = ents
        cases.append(t)
    with open(a.out, "w") as f:
        json.dump(cases, f)
    print(f"{a.out}: {a.cases} cases, {os.path.getsize(a.out) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
