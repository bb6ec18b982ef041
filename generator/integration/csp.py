"""The Content-Security-Policy of every page and the page's language: the last touches to its HTML.

`overrides/main.html` carries a placeholder the plugin fills with the sha256 hash of every inline
script of the theme, so scripts need no 'unsafe-inline' and nothing can run that the theme did not
put there. Material only knows "en"; the site is in British English.
"""

from __future__ import annotations

import base64
import hashlib
import re

CSP_PLACEHOLDER = "__WRES_CSP__"
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)

#: style-src allows 'unsafe-inline' because Material sets style attributes from JavaScript
#: and each chart's SVG has one (it shrinks to fit the screen); no script can be injected
#: that way. Scripts: only the site's own files and hashed inline scripts. img-src allows
#: data: for Material's icons and for the PNG a reader makes from a chart (wres.js).
POLICY = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
          "object-src 'none'; base-uri 'self'; form-action 'self'")


def csp_for(html: str) -> str:
    """The policy allowing exactly the inline scripts of `html` (data blocks are never executed)."""
    hashes = []
    for m in _INLINE_SCRIPT.finditer(html):
        attrs = m.group("attrs") or ""
        if re.search(r"\ssrc\s*=", attrs, re.I):
            continue
        kind = re.search(r"\stype\s*=\s*[\"']?([^\"'\s>]+)", attrs, re.I)
        if kind and kind.group(1).lower() not in ("text/javascript", "module", "application/javascript"):
            continue
        digest = base64.b64encode(hashlib.sha256(m.group("body").encode("utf-8")).digest()).decode("ascii")
        token = f"'sha256-{digest}'"
        if token not in hashes:
            hashes.append(token)
    return POLICY.format(hashes=" ".join(hashes)).replace("  ", " ")


def finish_html(output: str) -> str:
    """`lang="en-GB"` and the policy filled in. Called before the finished blocks go back in, so only
    the theme's scripts are allowed: a script that reached a block (data escaped wrongly) would be refused."""
    output = output.replace('<html lang="en"', '<html lang="en-GB"', 1)
    if CSP_PLACEHOLDER in output:
        output = output.replace(CSP_PLACEHOLDER, csp_for(output), 1)
    return output
