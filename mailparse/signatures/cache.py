"""A bounded cache of certificate paths built across documents (R-SIGN).

One job: skip pyHanko's path building for a signer certificate already seen. Entries are
keyed by (certificate digest, trust-store version); the version is a digest of the roots,
intermediates and the cached revocation data (:attr:`TrustStore.version`), so a new CRL
or root makes every earlier entry unreachable, and :meth:`ChainCache.invalidate` drops
them. Only the *paths* are cached: every validation still checks each certificate's
signature, its validity at the time of receipt and its revocation status, so a cached
path can never make a signature pass that would fail without the cache. When the cached
paths all fail, pyHanko's own path building runs as if there were no cache.

The cache lives in memory, in the process that verifies (a verifier process of the pool,
or the gateway process when verifying in threads); it is thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import AsyncIterator

from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.registry import PathBuilder
from pyhanko_certvalidator.util import CancelableAsyncIterator

Key = tuple[bytes, str]


class ChainCache:
    """At most ``size`` certificates' paths, least recently used dropped first."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._entries: OrderedDict[Key, tuple[ValidationPath, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self._version: str | None = None
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, cert: asn1_x509.Certificate, version: str) -> tuple[ValidationPath, ...]:
        with self._lock:
            if version != self._version:  # roots or revocation data changed
                self._entries.clear()
                self._version = version
            found = self._entries.get((cert.sha256, version), ())
            if found:
                self._entries.move_to_end((cert.sha256, version))
                self.hits += 1
            else:
                self.misses += 1
            return found

    def put(self, cert: asn1_x509.Certificate, version: str, path: ValidationPath) -> None:
        with self._lock:
            if version != self._version:
                return
            key = (cert.sha256, version)
            known = self._entries.get(key, ())
            if any(p is path for p in known):
                return
            self._entries[key] = (*known, path)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None


class CachingPathBuilder(PathBuilder):
    """pyHanko's path builder, answering first from the cache, then building as usual."""

    def __init__(self, original: PathBuilder, cache: ChainCache, version: str) -> None:
        super().__init__(original.trust_manager, original.registry)
        self._cache = cache
        self._version = version

    def async_build_paths_lazy(
        self, end_entity_cert: asn1_x509.Certificate
    ) -> CancelableAsyncIterator[ValidationPath]:
        cached = self._cache.get(end_entity_cert, self._version)
        return _CachedThenBuilt(self, end_entity_cert, cached)


class _CachedThenBuilt(CancelableAsyncIterator[ValidationPath]):
    """The cached paths, then (only if asked for more) the ones pyHanko builds; every
    built path is remembered for the next document."""

    def __init__(
        self,
        builder: CachingPathBuilder,
        cert: asn1_x509.Certificate,
        cached: tuple[ValidationPath, ...],
    ) -> None:
        self._builder = builder
        self._cert = cert
        self._cached = list(cached)
        self._built: CancelableAsyncIterator[ValidationPath] | None = None

    def __aiter__(self) -> AsyncIterator[ValidationPath]:
        return self

    async def __anext__(self) -> ValidationPath:
        if self._cached:
            return self._cached.pop(0)
        if self._built is None:
            self._built = PathBuilder.async_build_paths_lazy(self._builder, self._cert)
        path = await self._built.__anext__()
        self._builder._cache.put(self._cert, self._builder._version, path)
        return path

    async def cancel(self) -> None:
        if self._built is not None:
            await self._built.cancel()  # type: ignore[no-untyped-call]
