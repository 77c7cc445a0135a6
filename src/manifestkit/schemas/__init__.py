"""Schema packs: the manifests of real pipelines, wire-compatible with the files they already write.

Each pack is a public module here (``manifestkit.schemas.mesokit``, ...) that only
declares classes and pack-specific rules; conversion, hashing and IO are the
core's. Packs are registered through the ``manifestkit.schemas`` entry point
group, so `manifestkit.read` can detect their documents without the core
importing them.
"""
