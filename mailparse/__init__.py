"""Pure parsing of official mail: MIME, Vietnamese text, official-document facts, signatures.

Nothing in this package touches the disk, the network, a database or the clock: callers
pass bytes, trust stores and times in, and get typed values back.
"""
