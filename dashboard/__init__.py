"""Server-rendered pages for people: sign-in, the audit list with a start form, and the live
progress page of one audit (fed by the SSE stream, readable without JavaScript)."""
