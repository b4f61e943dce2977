"""What the site needs to know about a chart without importing Altair: its MIME type and its element id."""
from __future__ import annotations

import hashlib
import json

# Altair 6 names its MIME type "application/vnd.vegalite.v6.json"; nbformat only lets a "+json" type
# hold a JSON object, so a notebook that stored Altair's name would not validate.
VEGALITE_MIME = "application/vnd.vegalite.v6+json"


def chart_id(spec: dict) -> str:
    """A stable element id for a spec: the same chart always gets the same id."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    return f"chart-{digest[:12]}"
