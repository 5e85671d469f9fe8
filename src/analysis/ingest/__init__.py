"""Readers that turn input files into neutral records for :mod:`analysis.corpus`.

One module per concern, in the order data flows through them:

- :mod:`~analysis.ingest.safe_io`: open a file inside the corpus folder, read-only, without
  following symbolic links, within a size limit.
- :mod:`~analysis.ingest.encoding`: decode bytes (UTF-8, UTF-8/16 with BOM, cp1252) or reject binary.
- :mod:`~analysis.ingest.fields`: map column names and front-matter keys to the metadata vocabulary.
- :mod:`~analysis.ingest.markdown`, :mod:`~analysis.ingest.html`: body text from Markdown and HTML.
- :mod:`~analysis.ingest.tables`: stream records out of CSV and JSON Lines files.
- :mod:`~analysis.ingest.dedup`: near-duplicate detection with MinHash and LSH banding.

Nothing here writes to an input file or fetches anything over the network.
"""

from analysis.ingest.encoding import decode_bytes
from analysis.ingest.fields import Record
from analysis.ingest.safe_io import InputRejected

__all__ = ["InputRejected", "Record", "decode_bytes"]
