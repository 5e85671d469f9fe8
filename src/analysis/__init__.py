"""Compare how news sources cover the 2025 US–China tariff war.

The package flows in the order of its modules: ``corpus`` (load and validate) →
``clean`` (remove page furniture) → ``annotate`` (spaCy, cached in Parquet) →
extraction (``actors``, ``quotes``, ``tone``, ``topics``, ``terms``, ``similarity``,
``claims``, ``timeline``, ``conflicts``) → ``tables`` (the CSVs behind every chart) →
``charts`` → ``render`` and ``report`` (papermill, HTML, PDF) → ``cli``.
"""

__version__ = "0.1.0"
