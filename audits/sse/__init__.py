"""Live audit progress over Server-Sent Events: stream tokens, the per-process Redis fan-out
and the async stream view (docs/sse.md)."""
