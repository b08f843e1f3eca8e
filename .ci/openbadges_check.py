"""Checks an Open Badges 2.0 assertion with the IMS validator (PyPI `openbadges`), offline:
the JSON-LD context it would fetch from w3id.org is the copy the package ships."""
import collections, collections.abc, json, sys
for n in ("Mapping", "MutableMapping", "Iterable", "Sequence", "Callable"):
    setattr(collections, n, getattr(collections.abc, n))
import openbadges
from openbadges.verifier import utils
from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI

fetch = utils.CachableDocumentLoader.__call__
def offline(self, url):
    if url.rstrip("/") == OPENBADGES_CONTEXT_V2_URI:
        return {"contextUrl": None, "documentUrl": url, "document": json.dumps(OPENBADGES_CONTEXT_V2_DICT)}
    return fetch(self, url)
utils.CachableDocumentLoader.__call__ = offline

profile = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
result = openbadges.verify(sys.argv[1], recipient_profile=profile, use_cache=False)
report = result["report"]
print(json.dumps(report, indent=1, default=str))
sys.exit(0 if report["valid"] and report["errorCount"] == 0 else 1)
