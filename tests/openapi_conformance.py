"""Strict validation of JSON responses against BigCommerce's official OpenAPI specs.

The specs (OpenAPI 3.0, BigCommerce's own from github.com/bigcommerce/docs at a
pinned commit, see ``tests/openapi_specs.py``) are read from the first folder
that holds them all with the pinned SHA-256: ``bigcommerce_sandbox/openapi/``
(filled by ``make specs``), then ``$BIGCOMMERCE_OPENAPI_DIR``, then
``../shared/bigcommerce-openapi`` next to the repository.

Usage::

    from tests.openapi_conformance import validate
    errors = validate("GET", "/stores/abc123/v2/orders/101/products", 200, body)
    assert not errors, "\\n".join(errors)

``body`` is the decoded JSON value, ``None`` for an empty body (``b""``/``bytes``
are decoded here). Every error is a human readable string that starts with the JSON
path of the offending value (``$.data[3].variants[0].sku: ...``).

Rules (stricter than a plain JSON-schema validator on purpose):

* ``type`` (integer accepts int but not bool/float; number accepts int/float but not
  bool), ``nullable: true`` (and the Swagger-2 style ``x-nullable: true`` that some
  of these specs still use) allows ``null``;
  a schema whose description says the field "will return as null" allows it too;
* ``enum`` (``null`` also allowed when the schema is nullable);
* ``required`` properties must be present, except ``writeOnly`` ones;
* any property the schema does not declare is an error, unless the schema declares
  ``additionalProperties`` as ``true`` or as a schema (values are then validated
  against it). An object schema that declares no properties at all is free-form;
* ``allOf``: the properties/required of all branches (nested allOf flattened) are
  merged, each branch's own constraints are checked;
* ``oneOf``/``anyOf``: valid if at least one alternative has zero errors, otherwise
  the closest alternative's errors are reported;
* a schema with neither ``type`` nor properties accepts anything;
* ``format`` is not checked;
* arrays: every item is validated;
* when the spec declares no JSON body for the status (e.g. 204), the body must be
  empty.
"""

import datetime
import json
import os
import re
import threading
from urllib.parse import urlsplit

import yaml

try:  # imported as tests.openapi_conformance, or with tests/ on sys.path
    from tests import openapi_specs
except ImportError:  # pragma: no cover
    import openapi_specs

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
JSON_MEDIA_TYPES = ("application/json", "application/problem+json")
ENV_VAR = openapi_specs.ENV_DIR
REPO_ROOT = openapi_specs.ROOT
DEFAULT_SPEC_DIR = openapi_specs.SPEC_DIR
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NO_BODY = object()
# For SpecIndex.override_schema: "this status carries no body".
NO_BODY = _NO_BODY


class SpecNotFoundError(RuntimeError):
    """The directory with the BigCommerce OpenAPI specs is missing or empty."""


def spec_dirs():
    """Where the specs are looked for, in order: the repository's copy, then
    $BIGCOMMERCE_OPENAPI_DIR, then ../shared/bigcommerce-openapi."""
    return [DEFAULT_SPEC_DIR, *openapi_specs.local_sources()]


_VERIFIED = {}  # tuple of candidate folders -> the verified one


def spec_dir():
    """The first folder of :func:`spec_dirs` holding every pinned spec file
    with its pinned SHA-256; raises :class:`SpecNotFoundError` saying what
    each folder lacks (``make specs`` fetches them). Verified once per run."""
    candidates = tuple(spec_dirs())
    if candidates in _VERIFIED:
        return _VERIFIED[candidates]
    found = []
    for directory in candidates:
        problems = openapi_specs.problems(directory)
        if not problems:
            _VERIFIED[candidates] = directory
            return directory
        found.append(
            problems[0] + (f" (+{len(problems) - 1})" if len(problems) > 1 else "")
        )
    raise SpecNotFoundError(
        "BigCommerce OpenAPI spec directory not found with the pinned specs: "
        + "; ".join(found)
        + ". Run `make specs` (the first run needs the network) or set "
        f"{ENV_VAR}; see docs/development.md"
    )


def json_path(parent, key):
    """``$.a`` / ``$.a[3]`` / ``$['odd key']``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _IDENT.match(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key)}]"


def _short(value, limit=60):
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _type_ok(expected, value):
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "array":
        return isinstance(value, list)
    if expected == "object":
        return isinstance(value, dict)
    if expected == "null":
        return value is None
    return True  # unknown type keyword: do not guess


def _same_value(a, b):
    """Equality that does not confuse True with 1 or 1 with "1"."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


# Descriptions that say, in the spec's own words, that the value can be null
# although the type is not marked nullable (orderTaxes_Base.order_product_id:
# "Otherwise the field will return as null"). The words win over the type;
# bigcommerce_sandbox/CONTRACT.md lists the case.
NULL_IN_DESCRIPTION = ("will return as null",)


def _nullable(schema):
    description = schema.get("description") or ""
    return (
        schema.get("nullable") is True
        or schema.get("x-nullable") is True
        or any(words in description for words in NULL_IN_DESCRIPTION)
    )


def _plain_json(value):
    """YAML example -> JSON value (YAML timestamps become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _dedupe(errors):
    seen = set()
    out = []
    for err in errors:
        if err not in seen:
            seen.add(err)
            out.append(err)
    return out


class Operation:
    """One (method, path template) of one spec file."""

    def __init__(self, spec, method, template, base, op):
        self.spec = spec
        self.method = method.upper()
        self.template = template  # as in the spec: /orders/{order_id}
        self.full_template = base + template  # /stores/{store_hash}/v2/orders/...
        self.segments = [s for s in self.full_template.split("/") if s]
        self.op = op

    def __repr__(self):
        return f"<Operation {self.method} {self.full_template} ({self.spec.name})>"

    @property
    def label(self):
        return f"{self.method} {self.full_template} [{self.spec.name}]"

    def match_score(self, segments):
        """None if the path does not match, else a tuple (literal=1 per segment)."""
        if len(segments) != len(self.segments):
            return None
        score = []
        for tmpl, actual in zip(self.segments, segments, strict=True):
            if tmpl.startswith("{") and tmpl.endswith("}"):
                if not actual:
                    return None
                score.append(0)
            elif tmpl == actual:
                score.append(1)
            else:
                return None
        return tuple(score)


class Spec:
    """One loaded spec file with a local ``$ref`` resolver."""

    def __init__(self, name, doc):
        self.name = name
        self.doc = doc
        servers = doc.get("servers") or [{"url": ""}]
        self.base_path = urlsplit(servers[0]["url"]).path.rstrip("/")

    def resolve_ref(self, ref):
        if not ref.startswith("#/"):
            raise ValueError(f"{self.name}: external $ref not supported: {ref}")
        node = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                node = node[part]
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{self.name}: unresolvable $ref {ref}") from exc
        return node

    def deref(self, node):
        """Follow ``$ref`` chains (siblings of ``$ref`` are ignored, as in OAS 3.0)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ValueError(f"{self.name}: $ref cycle at {ref}")
            seen.add(ref)
            node = self.resolve_ref(ref)
        return node


class SpecIndex:
    """All spec files of a directory, indexed by (method, path template)."""

    _cache = {}
    _cache_lock = threading.Lock()

    def __init__(self, directory=None):
        self.directory = os.path.abspath(directory or spec_dir())
        self.overrides = {}
        if not os.path.isdir(self.directory):
            raise SpecNotFoundError(
                f"BigCommerce OpenAPI spec directory not found: {self.directory} "
                f"(set {ENV_VAR} to the folder holding the *.yml specs)"
            )
        names = sorted(
            n for n in os.listdir(self.directory) if n.endswith((".yml", ".yaml"))
        )
        if not names:
            raise SpecNotFoundError(f"no *.yml/*.yaml spec in {self.directory}")
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # both are "safe"
        self.specs = []
        self.operations = []
        for name in names:
            with open(os.path.join(self.directory, name), encoding="utf-8") as fh:
                doc = yaml.load(fh, Loader=loader)  # noqa: S506 - SafeLoader
            spec = Spec(name, doc)
            self.specs.append(spec)
            for template, item in (doc.get("paths") or {}).items():
                item = spec.deref(item)
                for method, op in item.items():
                    if method in HTTP_METHODS and isinstance(op, dict):
                        self.operations.append(
                            Operation(spec, method, template, spec.base_path, op)
                        )

    @classmethod
    def load(cls, directory=None):
        """The cached index of ``directory`` (default: :func:`spec_dir`)."""
        key = os.path.abspath(directory or spec_dir())
        with cls._cache_lock:
            if key not in cls._cache:
                cls._cache[key] = cls(key)
            return cls._cache[key]

    # -- request -> operation -> response schema ---------------------------------

    def match_path(self, path):
        """Operations whose template matches ``path``, best (most literal) first."""
        path = urlsplit(path).path
        segments = [s for s in path.split("/") if s]
        scored = []
        for index, op in enumerate(self.operations):
            score = op.match_score(segments)
            if score is not None:
                scored.append((score, -index, op))
        scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
        return [op for _score, _i, op in scored]

    def find_operation(self, method, path):
        """The operation serving ``method path`` or None.

        The most literal path template wins (``/orders/count`` over
        ``/orders/{order_id}``); the method must be declared on that template.
        """
        method = method.upper()
        candidates = self.match_path(path)
        if not candidates:
            return None
        best = candidates[0].segments
        for op in candidates:
            if op.segments == best and op.method == method:
                return op
        return None

    def response_for(self, op, status):
        """(status key used, response object) or (None, None)."""
        responses = {str(k): v for k, v in (op.op.get("responses") or {}).items()}
        status = str(int(status))
        for key in (status, status[0] + "XX", status[0] + "xx", "default"):
            if key in responses:
                return key, op.spec.deref(responses[key])
        return None, None

    @staticmethod
    def json_content(response):
        """(media type, media object) of the JSON content of a response, or None."""
        content = response.get("content") or {}
        for media in JSON_MEDIA_TYPES:
            if media in content:
                return media, content[media] or {}
        for media, obj in content.items():
            if "json" in media.lower():
                return media, obj or {}
        return None

    def override_schema(self, method, template, status, schema):
        """Replace a response schema the spec gets wrong (refs stay local to its file).

        ``template`` is the spec's path template, e.g. ``/orders/{order_id}/fees``.
        """
        self.overrides[(method.upper(), template, str(status))] = schema

    def response_schema(self, method, path, status):
        """(operation, schema or None, problem or None) for a request.

        ``schema`` is ``_NO_BODY`` when the spec declares no JSON body for the status.
        """
        op = self.find_operation(method, path)
        if op is not None:
            override = self.overrides.get((op.method, op.template, str(int(status))))
            if override is not None:
                return op, override, None
        if op is None:
            templates = sorted({o.full_template for o in self.match_path(path)})
            if templates:
                return (
                    None,
                    None,
                    f"{method.upper()} is not declared for {templates[0]} in the specs",
                )
            return None, None, f"no spec operation matches {method.upper()} {path}"
        key, response = self.response_for(op, status)
        if response is None:
            declared = ", ".join(str(k) for k in op.op.get("responses") or {})
            return (
                op,
                None,
                f"status {status} is not documented for {op.label} "
                f"(documented: {declared})",
            )
        content = self.json_content(response)
        if content is None:
            return op, _NO_BODY, None
        return op, content[1].get("schema") or {}, None

    def example_bodies(self, method, path, status):
        """The spec's own example values for the response (name -> value)."""
        op = self.find_operation(method, path)
        if op is None:
            return {}
        _key, response = self.response_for(op, status)
        if response is None:
            return {}
        content = self.json_content(response)
        if content is None:
            return {}
        media = content[1]
        out = {}
        if "example" in media:
            out["example"] = _plain_json(media["example"])
        for name, ex in (media.get("examples") or {}).items():
            ex = op.spec.deref(ex)
            if isinstance(ex, dict) and "value" in ex:
                out[name] = _plain_json(ex["value"])
        return out

    # -- validation ------------------------------------------------------------------

    def validate(self, method, path, status, body):
        """List of conformance errors (empty: the response conforms)."""
        if isinstance(body, bytes | bytearray):
            text = body.decode("utf-8", "replace")
            if not text.strip():
                body = None
            else:
                try:
                    body = json.loads(text)
                except ValueError:
                    return [f"$: body is not JSON: {_short(text)}"]
        op, schema, problem = self.response_schema(method, path, status)
        if problem:
            return [f"$: {problem}"]
        if schema is _NO_BODY:
            if body is None or body == "":
                return []
            return [
                f"$: {op.label} documents no JSON body for status {status}, "
                f"got {_short(body)}"
            ]
        if body is None:
            return [f"$: expected a JSON body for status {status}, got an empty body"]
        validator = SchemaValidator(op.spec)
        return validator.validate(schema, body)


class SchemaValidator:
    """Validates a value against a schema of one spec (see module docstring)."""

    def __init__(self, spec):
        self.spec = spec

    def validate(self, schema, value, path="$"):
        errors = []
        self._validate(schema, value, path, errors, frozenset())
        return _dedupe(errors)

    # flattening -------------------------------------------------------------------

    def _leaves(self, schema):
        """The schema and its (recursively flattened) allOf branches, dereferenced."""
        schema = self.spec.deref(schema)
        if not isinstance(schema, dict):
            return [{}]
        if "allOf" not in schema:
            return [schema]
        own = {k: v for k, v in schema.items() if k != "allOf"}
        leaves = [own]
        for branch in schema["allOf"]:
            leaves.extend(self._leaves(branch))
        return leaves

    def declared_properties(self, schema):
        names = set()
        for leaf in self._leaves(schema):
            names.update((leaf.get("properties") or {}).keys())
        return names

    # core -----------------------------------------------------------------------

    def _validate(self, schema, value, path, errors, extra_props):
        leaves = self._leaves(schema)
        if value is None:
            self._validate_null(leaves, path, errors)
            return
        # types and enums first: a value of the wrong type is not inspected further
        type_errors = []
        for leaf in leaves:
            expected = leaf.get("type")
            if isinstance(expected, str) and not _type_ok(expected, value):
                type_errors.append(
                    f"{path}: expected {expected}, got {_json_type(value)} "
                    f"({_short(value)})"
                )
        if type_errors:
            errors.extend(type_errors)
            return
        for leaf in leaves:
            if "enum" in leaf and not any(_same_value(value, e) for e in leaf["enum"]):
                errors.append(
                    f"{path}: {_short(value)} is not one of "
                    f"{_short(leaf['enum'], 200)}"
                )

        own_props = set()
        for leaf in leaves:
            own_props.update((leaf.get("properties") or {}).keys())

        # oneOf / anyOf alternatives (their properties count as declared here)
        accepted_by_alternative = set()
        for leaf in leaves:
            for keyword in ("oneOf", "anyOf"):
                if keyword in leaf:
                    accepted_by_alternative |= self._validate_alternatives(
                        keyword,
                        leaf[keyword],
                        value,
                        path,
                        errors,
                        frozenset(own_props | extra_props),
                    )

        if isinstance(value, list):
            for leaf in leaves:
                if "items" in leaf:
                    for i, item in enumerate(value):
                        self._validate(
                            leaf["items"], item, json_path(path, i), errors, frozenset()
                        )
        elif isinstance(value, dict):
            self._validate_object(
                leaves, value, path, errors, extra_props | accepted_by_alternative
            )

    def _validate_null(self, leaves, path, errors):
        if _nullable(leaves[0]):
            return
        for leaf in leaves:
            if _nullable(leaf):
                continue
            if "oneOf" in leaf or "anyOf" in leaf:
                alternatives = leaf.get("oneOf") or leaf.get("anyOf")
                if any(not self.validate(alt, None, path) for alt in alternatives):
                    continue
                errors.append(f"{path}: null is not allowed (no nullable alternative)")
                return
            if "enum" in leaf and None in leaf["enum"]:
                continue
            if any(k in leaf for k in ("type", "properties", "enum", "items")):
                kind = leaf.get("type") or "value"
                errors.append(f"{path}: null is not allowed ({kind}, not nullable)")
                return

    def _validate_alternatives(self, keyword, alternatives, value, path, errors, extra):
        """Validate oneOf/anyOf; return the property names the chosen one declares."""
        best = None
        for index, alt in enumerate(alternatives):
            alt_errors = []
            self._validate(alt, value, path, alt_errors, extra)
            alt_errors = _dedupe(alt_errors)
            if not alt_errors:
                return self.declared_properties(alt)
            root_type_mismatch = any(
                e.startswith(f"{path}: expected ") for e in alt_errors
            )
            rank = (root_type_mismatch, len(alt_errors))
            if best is None or rank < best[0]:
                best = (rank, index, alt, alt_errors)
        _rank, index, alt, alt_errors = best
        title = self.spec.deref(alt).get("title") or alt.get("$ref", "").split("/")[-1]
        errors.append(
            f"{path}: matches none of the {len(alternatives)} {keyword} alternatives; "
            f"closest is #{index + 1}{f' ({title})' if title else ''}:"
        )
        errors.extend(alt_errors)
        return self.declared_properties(alt)

    def _validate_object(self, leaves, value, path, errors, extra_props):
        properties = {}  # name -> [schemas] (one per declaring allOf branch)
        required = set()
        extra_schemas = []
        additional_allowed = False
        has_properties = False
        explicitly_closed = False
        for leaf in leaves:
            props = leaf.get("properties")
            if props is not None:
                has_properties = True
                for name, sub in props.items():
                    properties.setdefault(name, []).append(sub)
            required.update(leaf.get("required") or [])
            additional = leaf.get("additionalProperties")
            if additional is True or isinstance(additional, dict):
                additional_allowed = True
                if isinstance(additional, dict) and self.spec.deref(additional):
                    extra_schemas.append(additional)
            elif additional is False:
                explicitly_closed = True
        closed = (has_properties or explicitly_closed) and not additional_allowed

        for name in sorted(required):
            if name in value:
                continue
            subs = properties.get(name) or []
            if any(self.spec.deref(s).get("writeOnly") for s in subs):
                continue
            errors.append(f"{json_path(path, name)}: required property is missing")

        for name, item in value.items():
            child = json_path(path, name)
            if name in properties:
                for sub in properties[name]:
                    self._validate(sub, item, child, errors, frozenset())
            elif extra_schemas:
                for sub in extra_schemas:
                    self._validate(sub, item, child, errors, frozenset())
            elif name in extra_props or not closed:
                continue
            else:
                errors.append(
                    f"{child}: property is not declared in the schema "
                    f"(value {_short(item)})"
                )


def _new_variants_without_ids(spec, schema):
    """POST /catalog/products: its ``variants`` items are productVariant_Full,
    whose ``required`` lists ``id`` and ``product_id``; a product being created
    has neither (the endpoint's own description: ``id`` is read-only, "you can
    create multiple product variants using the ``variants`` array"). The
    variants of a new product are checked without those two."""
    import copy  # noqa: PLC0415

    schema = copy.deepcopy(spec.deref(schema))
    variants = schema["properties"]["variants"]
    item = copy.deepcopy(spec.deref(variants["items"]))
    item["required"] = [
        name for name in item.get("required") or [] if name not in ("id", "product_id")
    ]
    variants["items"] = item
    return schema


# Request schemas the spec gets wrong: (method, path template) -> fix.
REQUEST_FIXES = {("POST", "/catalog/products"): _new_variants_without_ids}


def validate_request(method, path, body, index=None, media="application/json"):
    """Conformance errors of a request body against the operation's requestBody.

    What the connector sends is checked like what the sandbox answers: the
    same strict rules (undeclared properties, types, enums, required), with
    the fixes of ``REQUEST_FIXES``.
    """
    index = index or SpecIndex.load()
    op = index.find_operation(method, path)
    if op is None:
        return [f"$: no spec operation matches {method.upper()} {path}"]
    request = op.spec.deref(op.op.get("requestBody") or {})
    content = (request.get("content") or {}).get(media)
    if content is None:
        return [f"$: {op.label} declares no {media} request body"]
    schema = content.get("schema") or {}
    fix = REQUEST_FIXES.get((op.method, op.template))
    if fix:
        schema = fix(op.spec, schema)
    return SchemaValidator(op.spec).validate(schema, body)


def validate(method, path, status, body, index=None):
    """Conformance errors of one response (see module docstring); [] if it conforms."""
    return (index or SpecIndex.load()).validate(method, path, status, body)


def validate_response(response, index=None):
    """Validate a ``requests.Response`` (method/URL taken from its request)."""
    request = response.request
    return validate(
        request.method, request.url, response.status_code, response.content, index
    )
