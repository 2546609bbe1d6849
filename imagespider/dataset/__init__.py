"""The dataset on disk: the store (files, manifest, lock), the manifest's shape, the documents
built from it (ATTRIBUTION.md, report.html), near-duplicates and resumed jobs.
"""
