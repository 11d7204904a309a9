#!/usr/bin/env python3
"""Compare Passerelle's OpenAPI document with Chift's accounting reference.

Usage:
    python3 scripts/chift_compare.py [REFERENCE] [--ours PATH] [--summary]

REFERENCE defaults to ../shared/reference/chift-accounting-openapi.json (beside this script's
repository) and --ours to ./openapi/openapi.json (else this script's repository's).

For the operations both documents share (matched by method and path, path parameter names
ignored) it prints:

  (a) Chift's response fields (2xx JSON bodies, walked through $ref/allOf/anyOf/oneOf and
      arrays) present in ours with a compatible type: everything we may answer there
      validates under Chift's schema (same type or narrower, enum a subset, format kept).
  (b) Chift's required response fields that ours guarantees: required in ours and not
      nullable where Chift's is not (fields inside an object ours never answers, being
      undeclared or always null, are left out: the object counts as missing in (a)).
  (c) Chift's request body fields and query/header/path parameters that we accept: present,
      and every value Chift allows is allowed by ours; and nothing we require that Chift
      leaves optional.
  (d) operationId, deprecated, success statuses, parameter default/minimum/maximum/enum/
      required mismatches, request body required-ness, plus document-level servers, security
      scheme names and dangling $refs.

Field paths are named after the nearest Chift schema they sit in, e.g.
`InvoiceItemOutMonoAnalyticPlan.items[].tax_code` (a list's page and a single read share
their item's fields). A field counts once across operations;
it counts as met only where it is met in every shared operation that answers (or takes) it.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
METHODS = ("get", "put", "post", "patch", "delete")


class Doc:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.raw = json.load(f)
        self.schemas = self.raw.get("components", {}).get("schemas", {})

    def deref(self, schema):
        """Follows $ref chains; returns (schema, name of the last schema entered or None)."""
        name = None
        seen = set()
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                break
            seen.add(ref)
            if not ref.startswith("#/components/schemas/"):
                return {}, name
            name = ref.rsplit("/", 1)[1]
            target = self.schemas.get(name)
            if target is None:
                return {"x-dangling": ref}, name
            # sibling keywords of a $ref (3.1 allows them) narrow nothing we check here
            schema = target
        return schema, name

    def ops(self):
        out = {}
        for path, item in self.raw.get("paths", {}).items():
            common = item.get("parameters", [])
            for method in METHODS:
                op = item.get(method)
                if op is None:
                    continue
                out[(method, norm_path(path))] = (path, op, common)
        return out


def norm_path(path):
    return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")


class Shape:
    """A schema flattened for comparison: its types, nullability, enum, format,
    properties (name -> schema), required names, array items and additionalProperties."""

    def __init__(self):
        self.types = set()  # json types other than null; empty with any_type = unconstrained
        self.any_type = False
        self.nullable = False
        self.enum = None  # set of values or None
        self.formats = set()
        self.props = {}  # name -> list of raw schemas
        self.required = None  # set, None = unknown
        self.items = []  # raw schemas of array items
        self.addl = []  # raw schemas of additionalProperties
        self.names = []  # component names entered
        self.enum_open = False  # an alternative allows scalars outside any enum: no enum


def flatten(doc, schema):
    """`schema` as a Shape; of anyOf/oneOf alternatives, what any of them allows."""
    shape = Shape()
    _flatten(doc, schema, shape, set())
    return shape


def _flatten(doc, schema, shape, seen):
    schema, name = doc.deref(schema)
    if name:
        if name in seen:
            return
        seen = seen | {name}
        shape.names.append(name)
    if not isinstance(schema, dict):
        shape.any_type = True
        return
    if "x-dangling" in schema:
        shape.any_type = True
        return
    alts = schema.get("anyOf") or schema.get("oneOf")
    parts = schema.get("allOf")
    typed = False
    t = schema.get("type")
    if t is not None:
        typed = True
        for ty in t if isinstance(t, list) else [t]:
            if ty == "null":
                shape.nullable = True
            else:
                shape.types.add(ty)
    if schema.get("nullable"):
        shape.nullable = True
    if "const" in schema:
        typed = True
        values = {json.dumps(schema["const"])}
        shape.enum = values if shape.enum is None else shape.enum | values
        if schema["const"] is None:
            shape.nullable = True
    if "enum" in schema:
        typed = True
        values = {json.dumps(v) for v in schema["enum"] if v is not None}
        if None in schema["enum"]:
            shape.nullable = True
        shape.enum = values if shape.enum is None else shape.enum | values
    if "format" in schema:
        shape.formats.add(schema["format"])
    if "properties" in schema:
        typed = True
        shape.types.add("object")
        for k, v in schema["properties"].items():
            shape.props.setdefault(k, []).append(v)
        req = set(schema.get("required", []))
        shape.required = req if shape.required is None else shape.required | req
    elif "required" in schema:
        req = set(schema["required"])
        shape.required = req if shape.required is None else shape.required | req
    if "items" in schema:
        typed = True
        shape.types.add("array")
        shape.items.append(schema["items"])
    ap = schema.get("additionalProperties")
    if isinstance(ap, dict) and ap:
        shape.types.add("object")
        shape.addl.append(ap)
    if parts:
        typed = True
        for p in parts:
            _flatten(doc, p, shape, seen)
    if alts:
        typed = True
        # anyOf/oneOf: union of what the alternatives allow; a property is required only
        # when every object alternative requires it
        reqs = []
        for a in alts:
            sub = Shape()
            _flatten(doc, a, sub, seen)
            shape.types |= sub.types
            shape.any_type |= sub.any_type
            shape.nullable |= sub.nullable
            shape.formats |= sub.formats
            shape.names += sub.names
            if sub.enum is not None:
                shape.enum = sub.enum if shape.enum is None else shape.enum | sub.enum
            elif sub.types & {"string", "integer", "number", "boolean"} or sub.any_type:
                shape.enum_open = True
            for k, v in sub.props.items():
                shape.props.setdefault(k, []).extend(v)
            if "object" in sub.types:
                reqs.append(sub.required or set())
            shape.items += sub.items
            shape.addl += sub.addl
        if reqs:
            common = set.intersection(*reqs)
            shape.required = common if shape.required is None else shape.required | common
    if shape.enum_open:
        shape.enum = None
    if not typed and not shape.types and not shape.nullable:
        shape.any_type = True


def type_ok(inner, outer):
    """Every value `inner` allows is allowed by `outer` (types, enum, format); nullability
    is judged separately."""
    if outer.any_type and not outer.types:
        return True, ""
    if null_only(inner):
        return (True, "") if outer.nullable else (False, "always null where the other side is not nullable")
    if inner.any_type and not inner.types:
        return False, "untyped where the other side is %s" % "|".join(sorted(outer.types))
    extra = set()
    for t in inner.types:
        if t in outer.types or (t == "integer" and "number" in outer.types):
            continue
        extra.add(t)
    if extra:
        return False, "%s vs %s" % ("|".join(sorted(inner.types)), "|".join(sorted(outer.types)))
    if outer.enum is not None:
        if inner.enum is None:
            return False, "enum %s not enforced" % short(outer.enum)
        if not inner.enum <= outer.enum:
            return False, "enum values %s outside %s" % (short(inner.enum - outer.enum), short(outer.enum))
    # a format only narrows: ours must keep Chift's where Chift has one
    # (date-time vs date is a real difference; int32/int64/double are not)
    relevant = {"date", "date-time", "uuid", "email", "uri", "binary", "byte", "time"}
    of = outer.formats & relevant
    inf = inner.formats & relevant
    if of and inf and not inf <= of:
        return False, "format %s vs %s" % ("|".join(sorted(inf)), "|".join(sorted(of)))
    return True, ""


def null_only(shape):
    return shape.nullable and not shape.types and not shape.any_type and shape.enum is None


def short(values):
    vals = sorted(values)
    s = ",".join(json.loads(v) if isinstance(json.loads(v), str) else v for v in vals[:6])
    return "{%s%s}" % (s, ",…" if len(vals) > 6 else "")


class Tally:
    """Field label -> list of (met, reason) over the operations where it occurs."""

    def __init__(self):
        self.fields = {}

    def add(self, label, met, reason, where):
        self.fields.setdefault(label, []).append((met, reason, where))

    def result(self):
        met, missed = 0, []
        for label in sorted(self.fields):
            fails = [(r, w) for ok, r, w in self.fields[label] if not ok]
            if fails:
                missed.append((label, fails))
            else:
                met += 1
        return met, len(self.fields), missed


def join(prefix, name):
    return "%s.%s" % (prefix, name) if prefix else name


def walk_response(c_doc, o_doc, c_schema, o_schema, label, where, present, required, depth, stack):
    """Chift's schema drives the walk; ours is looked up field by field. Below an object ours
    never answers (not declared, or always null), Chift's required fields are not counted in
    (b): nothing there can break them; the missing object itself counts in (a)."""
    if depth > 12:
        return
    cs = flatten(c_doc, c_schema)
    os_ = flatten(o_doc, o_schema) if o_schema is not None else None
    if cs.names:
        key = cs.names[0]
        if key in stack:
            return
        stack = stack | {key}
        label = key
    if cs.items:
        sub_c = cs.items[0]
        sub_o = os_.items[0] if os_ is not None and os_.items else None
        walk_response(c_doc, o_doc, sub_c, sub_o, label + "[]", where, present, required, depth + 1, stack)
    for name in sorted(cs.props):
        c_sub = cs.props[name][0]
        lab = join(label, name)
        c_flat = flatten(c_doc, c_sub)
        o_sub = None
        if os_ is not None and name in os_.props:
            o_sub = os_.props[name][0]
        if o_sub is None:
            present.add(lab, False, "missing", where)
            if cs.required and name in cs.required:
                required.add(lab, False, "missing", where)
        else:
            o_flat = flatten(o_doc, o_sub)
            ok, why = type_ok(o_flat, c_flat)
            present.add(lab, ok, why, where)
            if cs.required and name in cs.required:
                reasons = []
                if not (os_.required and name in os_.required):
                    reasons.append("optional in ours")
                if o_flat.nullable and not c_flat.nullable:
                    reasons.append("nullable in ours")
                if not ok:
                    reasons.append(why)
                required.add(lab, not reasons, "; ".join(reasons), where)
        if c_flat.props or c_flat.items:
            absent = o_sub is None or null_only(flatten(o_doc, o_sub))
            walk_response(c_doc, o_doc, c_sub, o_sub, lab, where, present,
                          Tally() if absent else required, depth + 1, stack)
    if cs.addl:
        o_sub = os_.addl[0] if os_ is not None and os_.addl else None
        walk_response(c_doc, o_doc, cs.addl[0], o_sub, label + "{*}", where, present, required, depth + 1, stack)


def walk_request(c_doc, o_doc, c_schema, o_schema, label, where, accepted, depth, stack):
    if depth > 12:
        return
    cs = flatten(c_doc, c_schema)
    os_ = flatten(o_doc, o_schema) if o_schema is not None else None
    if cs.names:
        key = cs.names[0]
        if key in stack:
            return
        stack = stack | {key}
        label = key
    if cs.items:
        sub_o = os_.items[0] if os_ is not None and os_.items else None
        walk_request(c_doc, o_doc, cs.items[0], sub_o, label + "[]", where, accepted, depth + 1, stack)
    for name in sorted(cs.props):
        c_sub = cs.props[name][0]
        lab = join(label, name)
        o_sub = os_.props[name][0] if os_ is not None and name in os_.props else None
        c_flat = flatten(c_doc, c_sub)
        if o_sub is None:
            accepted.add(lab, False, "not accepted", where)
        else:
            o_flat = flatten(o_doc, o_sub)
            ok, why = type_ok(c_flat, o_flat)
            reasons = [] if ok else [why]
            c_req = bool(cs.required and name in cs.required)
            o_req = bool(os_.required and name in os_.required)
            if o_req and not c_req:
                reasons.append("required in ours, optional in Chift")
            if c_flat.nullable and not o_flat.nullable and not o_req:
                reasons.append("null refused by ours")
            accepted.add(lab, not reasons, "; ".join(reasons), where)
        if c_flat.props or c_flat.items:
            walk_request(c_doc, o_doc, c_sub, o_sub, lab, where, accepted, depth + 1, stack)
    if os_ is not None and os_.required:
        for name in sorted(os_.required - set(cs.props)):
            if cs.props:
                accepted.add(join(label, name) + " (ours only)", False, "required in ours, unknown to Chift", where)


def json_schema(content):
    if not content:
        return None
    for mt, body in content.items():
        if "json" in mt:
            return body.get("schema")
    return None


def success_schemas(op):
    for status, resp in sorted(op.get("responses", {}).items()):
        if str(status).startswith("2"):
            yield status, json_schema(resp.get("content"))


def params_of(op, common):
    out = {}
    for p in list(common) + list(op.get("parameters", [])):
        if "$ref" in p:
            continue
        out[(p.get("in"), p.get("name"))] = p
    return out


def compare_params(c_doc, o_doc, c_path, c_op, c_common, o_path, o_op, o_common, where, accepted, mismatches):
    cp = params_of(c_op, c_common)
    op = params_of(o_op, o_common)
    o_paths = [("path", n) for n in re.findall(r"\{([^}]*)\}", o_path)]
    c_paths = [("path", n) for n in re.findall(r"\{([^}]*)\}", c_path)]
    for key, p in sorted(cp.items()):
        loc, name = key
        if loc == "path":
            # path parameters match by position; only the name may differ
            if key not in c_paths:
                continue
            idx = c_paths.index(key)
            other = o_paths[idx] if idx < len(o_paths) else None
            if other is None:
                accepted.add("param %s:%s" % (loc, name), False, "missing", where)
                continue
            if other[1] != name:
                mismatches.append((where, "path parameter named %r, Chift %r" % (other[1], name)))
            accepted.add("param %s:%s @%s" % (loc, name, where), True, "", where)
            continue
        label = "param %s:%s @%s" % (loc, name, where)
        mine = op.get(key)
        if mine is None:
            accepted.add(label, False, "not accepted", where)
            continue
        cf = flatten(c_doc, p.get("schema", {}))
        of = flatten(o_doc, mine.get("schema", {}))
        ok, why = type_ok(cf, of)
        if not ok and wire_bool(cf) and of.types == {"boolean"}:
            # Chift's BoolParam ("true"/"false") and a boolean read the same query text
            ok, why = True, ""
        reasons = [] if ok else [why]
        if mine.get("required") and not p.get("required"):
            reasons.append("required in ours, optional in Chift")
        accepted.add(label, not reasons, "; ".join(reasons), where)
        c_raw, _ = c_doc.deref(p.get("schema", {}))
        o_raw, _ = o_doc.deref(mine.get("schema", {}))
        for kw in ("default", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            cv = p.get("schema", {}).get(kw, c_raw.get(kw))
            ov = mine.get("schema", {}).get(kw, o_raw.get(kw))
            if cv != ov and not (cv is not None and ov is not None and str(cv).lower() == str(ov).lower()):
                mismatches.append((where, "%s %s: %s=%s, Chift %s" % (loc, name, kw, fmt(ov), fmt(cv))))
        if cf.enum != of.enum:
            mismatches.append((where, "%s %s: enum %s, Chift %s" % (
                loc, name, short(of.enum) if of.enum else "none", short(cf.enum) if cf.enum else "none")))
        if bool(mine.get("deprecated")) != bool(p.get("deprecated")):
            mismatches.append((where, "%s %s: deprecated %s, Chift %s" % (
                loc, name, bool(mine.get("deprecated")), bool(p.get("deprecated")))))
    for key in sorted(set(op) - set(cp)):
        if key[0] != "path" and op[key].get("required"):
            mismatches.append((where, "%s %s required in ours, unknown to Chift" % key))


def wire_bool(shape):
    return shape.types == {"string"} and shape.enum is not None and shape.enum <= {'"true"', '"false"'}


def fmt(v):
    return "unset" if v is None else json.dumps(v)


def pct(met, total):
    return 100.0 * met / total if total else 100.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reference", nargs="?", default=os.path.join(REPO, "..", "shared", "reference",
                                                                 "chift-accounting-openapi.json"))
    default_ours = "openapi/openapi.json"
    if not os.path.exists(default_ours):
        default_ours = os.path.join(REPO, "openapi", "openapi.json")
    ap.add_argument("--ours", default=default_ours,
                    help="our document (default: ./openapi/openapi.json, else this repository's)")
    ap.add_argument("--summary", action="store_true", help="figures only, no list of misses")
    args = ap.parse_args()

    c_doc = Doc(args.reference)
    o_doc = Doc(args.ours)
    c_ops = c_doc.ops()
    o_ops = o_doc.ops()
    shared = sorted(set(c_ops) & set(o_ops), key=lambda k: (k[1], k[0]))

    present, required, accepted = Tally(), Tally(), Tally()
    mismatches = []

    for key in shared:
        method, _ = key
        c_path, c_op, c_common = c_ops[key]
        o_path, o_op, o_common = o_ops[key]
        where = "%s %s" % (method.upper(), c_path)
        if c_op.get("operationId") != o_op.get("operationId"):
            mismatches.append((where, "operationId %r, Chift %r" % (o_op.get("operationId"), c_op.get("operationId"))))
        if bool(c_op.get("deprecated")) != bool(o_op.get("deprecated")):
            mismatches.append((where, "deprecated %s, Chift %s" % (bool(o_op.get("deprecated")), bool(c_op.get("deprecated")))))
        c_2xx = sorted(s for s in c_op.get("responses", {}) if str(s).startswith("2"))
        o_2xx = sorted(s for s in o_op.get("responses", {}) if str(s).startswith("2"))
        if c_2xx != o_2xx:
            mismatches.append((where, "success statuses %s, Chift %s" % (o_2xx, c_2xx)))
        # responses
        o_success = dict(success_schemas(o_op))
        for status, c_schema in success_schemas(c_op):
            if c_schema is None:
                continue
            o_schema = o_success.get(status)
            if o_schema is None and o_success:
                o_schema = next((s for s in o_success.values() if s is not None), None)
            if o_schema is None:
                mismatches.append((where, "no JSON %s answer declared (Chift has one)" % status))
            walk_response(c_doc, o_doc, c_schema, o_schema, "", where, present, required, 0, frozenset())
        # request body
        c_body = c_op.get("requestBody")
        o_body = o_op.get("requestBody")
        if c_body:
            c_schema = json_schema(c_body.get("content"))
            o_schema = json_schema(o_body.get("content")) if o_body else None
            if c_schema is not None:
                walk_request(c_doc, o_doc, c_schema, o_schema, "", where, accepted, 0, frozenset())
            if o_body and bool(o_body.get("required")) and not c_body.get("required"):
                mismatches.append((where, "request body required in ours, optional in Chift"))
        elif o_body and o_body.get("required"):
            mismatches.append((where, "request body required in ours, Chift takes none"))
        # parameters
        compare_params(c_doc, o_doc, c_path, c_op, c_common, o_path, o_op, o_common, where, accepted, mismatches)

    # document level
    c_servers = [s.get("url") for s in c_doc.raw.get("servers", [])]
    o_servers = [s.get("url") for s in o_doc.raw.get("servers", [])]
    if c_servers and not o_servers:
        mismatches.append(("document", "no servers entry (Chift: %s)" % ", ".join(c_servers)))
    c_sec = set(c_doc.raw.get("components", {}).get("securitySchemes", {}))
    o_sec = set(o_doc.raw.get("components", {}).get("securitySchemes", {}))
    for name in sorted(c_sec - o_sec):
        mismatches.append(("document", "security scheme %r missing (ours: %s)" % (name, ", ".join(sorted(o_sec)) or "none")))
    dangling = sorted({r for r in json.dumps(o_doc.raw).split('"$ref": "')[1:]
                       for r in [r.split('"', 1)[0]]
                       if r.startswith("#/components/schemas/") and r.rsplit("/", 1)[1] not in o_doc.schemas})
    for r in dangling:
        mismatches.append(("document", "dangling $ref %s" % r))

    only_c = sorted(set(c_ops) - set(o_ops), key=lambda k: (k[1], k[0]))
    only_o = sorted(set(o_ops) - set(c_ops), key=lambda k: (k[1], k[0]))

    a = present.result()
    b = required.result()
    c = accepted.result()
    print("Shared operations: %d (Chift only: %d, ours only: %d)" % (len(shared), len(only_c), len(only_o)))
    print("(a) Chift response fields present and compatible: %d/%d = %.1f %%" % (a[0], a[1], pct(a[0], a[1])))
    print("(b) Chift required response fields guaranteed:     %d/%d = %.1f %%" % (b[0], b[1], pct(b[0], b[1])))
    print("(c) Chift request fields and parameters accepted:  %d/%d = %.1f %%" % (c[0], c[1], pct(c[0], c[1])))
    print("(d) operationId/deprecated/parameter/document mismatches: %d" % len(mismatches))
    if args.summary:
        return 0
    for title, (_, _, missed) in (("(a) response fields missing or incompatible", a),
                                  ("(b) required response fields not guaranteed", b),
                                  ("(c) request fields and parameters not accepted", c)):
        print("\n%s: %d" % (title, len(missed)))
        for label, fails in missed:
            reasons = sorted({r for r, _ in fails})
            wheres = sorted({w for _, w in fails})
            extra = " (+%d more)" % (len(wheres) - 1) if len(wheres) > 1 else ""
            print("  %s: %s  [%s%s]" % (label, "; ".join(reasons), wheres[0], extra))
    print("\n(d) mismatches: %d" % len(mismatches))
    for where, what in mismatches:
        print("  %s: %s" % (where, what))
    if only_c:
        print("\nChift operations we do not serve: %d" % len(only_c))
        for k in only_c:
            print("  %s %s" % (k[0].upper(), c_ops[k][0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
