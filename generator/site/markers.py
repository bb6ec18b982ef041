"""The markers a generated page carries for the MkDocs integration (the wres plugin, integration/rendering.py).

They are part of the page format, so they live with the pages that write them; the hook reads them.
"""

#: The first line of a generated page's body: the body after it is finished HTML (pages.compose writes it).
FINISHED = "<!--wres:html-->"

#: text.raw_block's markers around a finished block of HTML.
RAW_OPEN, RAW_CLOSE = "<!--wres:raw-->", "<!--/wres:raw-->"
