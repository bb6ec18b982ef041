"""A chart's Vega-Lite spec compiled to Vega through its variant's skeleton, compiled once per process.

Compiling Vega-Lite to Vega is about a quarter of what drawing one of the site's charts costs
(benchmarks/README.md, "Drawing charts cheaper"), and the site's ~3,000 charts are copies of a few
variants (charts.py's templates) that differ only in their data, their description and a few values
the template leaves open: the ends of a value axis and the series' names (which Vega-Lite repeats in
the scales' domains, the legends' sort and the expressions that sort the series). So each spec is
split into a *skeleton* (the spec with those values replaced by placeholders and no data) and the
values; each distinct skeleton is compiled once with `vl_convert.vegalite_to_vega`, and every chart of
it is that Vega text with its own values put back in one pass. The national specs give 19 skeletons
for 3,147 charts, and each one's Vega is the same as compiling the chart itself
(tests/test_chart_svg.py checks both ways on every variant).

What is generalised is only what Vega-Lite copies through unchanged: list-valued `domain` and `sort`
anywhere in the spec, the top-level `description` and the named datasets' values. The rest (sizes,
titles, axes, the look) is part of the skeleton, so a chart whose height differs compiles its own.
"""

from __future__ import annotations

import json
import re

#: What json.dumps(value, separators=(",", ":"), ensure_ascii=False) builds on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
#: A placeholder in a compiled skeleton's JSON text: a whole JSON string ("__P3__", "__PDATA_data__",
#: "__PDESC__"), or a string literal inside an expression (\"__P3__\", as Vega-Lite writes a name it
#: compares a field with).
_SLOT = re.compile(r'\\"__P\d+__\\"|"__P(?:\d+|DESC|DATA_[^"\\]*)__"')

_compiled: dict[str, str] = {}


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


def skeleton(spec: dict) -> tuple[dict, dict[str, str]]:
    """The spec without its own values (placeholders instead) and the JSON text of each placeholder's value.

    The same value gets the same placeholder wherever it appears (a series' name in a colour scale's
    domain and in its sort); a value's type is part of it, so 1 and "1" never share one.
    """
    names: dict[tuple[str, str], str] = {}
    values: dict[str, str] = {}

    def slot(value: object) -> str:
        key = (type(value).__name__, _dumps(value))
        if key not in names:
            names[key] = f"__P{len(names)}__"
            values[f'"{names[key]}"'] = key[1]
        return names[key]

    def walk(node: object) -> object:
        if isinstance(node, dict):
            return {k: [slot(v) for v in value] if k in ("domain", "sort") and isinstance(value, list)
                    and all(isinstance(v, (str, int, float)) for v in value) else walk(value)
                    for k, value in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    rest = {k: v for k, v in spec.items() if k not in ("datasets", "description")}
    skel = walk(rest)
    assert isinstance(skel, dict)
    for name, rows in (spec.get("datasets") or {}).items():
        skel.setdefault("datasets", {})[name] = []
        values[f'"__PDATA_{name}__"'] = _dumps(rows)
    if "description" in spec:
        skel["description"] = "__PDESC__"
        values['"__PDESC__"'] = _dumps(spec["description"])
    for slot_text, value_text in list(values.items()):
        if slot_text.startswith('"__P') and slot_text[4:5].isdigit():
            # The same name as a string literal inside an expression, itself inside a JSON string.
            values["\\" + slot_text[:-1] + '\\"'] = _dumps(value_text)[1:-1]
    return skel, values


def _compile(skel: dict) -> str:
    """The skeleton's Vega as JSON text, each dataset's values a placeholder (compiled once a process)."""
    key = json.dumps(skel, sort_keys=True, ensure_ascii=False)
    text = _compiled.get(key)
    if text is None:
        import vl_convert

        vega = vl_convert.vegalite_to_vega(skel)
        for data in vega.get("data", []):
            if data.get("name") in skel.get("datasets", {}) and data.get("values") == []:
                data["values"] = f"__PDATA_{data['name']}__"
        text = _compiled[key] = _dumps(vega)
    return text


def to_vega(spec_json: str) -> str:
    """The Vega (JSON text) that `vl_convert.vegalite_to_vega` gives for this Vega-Lite spec."""
    skel, values = skeleton(json.loads(spec_json))
    return _SLOT.sub(lambda m: values.get(m.group(0), m.group(0)), _compile(skel))
