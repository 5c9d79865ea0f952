"""Mobile & HTML checks: lang, viewport, encoding, nesting."""

from __future__ import annotations

from audits.engine.parse_limits import MAX_BLOCK_DEPTH
from tests.engine.checks.helpers import Case, doc, page, run

LATIN1_DOC = doc(body="<h1>Café crème</h1>", charset=False).encode("cp1252")
LATE_CHARSET = doc(extra_head="<!--" + "x" * 1100 + '--><meta charset="utf-8">', charset=False)



def viewport_doc(content: str) -> str:
    return doc(viewport=False, extra_head=f'<meta name="viewport" content="{content}">')


CASES = [
    Case("seo.html.lang_missing",
         fails=[lambda: page(doc(lang=None)), lambda: page(doc(lang=""))],
         passes=[lambda: page(doc()), lambda: page(doc(lang=None), status=404)]),
    Case("seo.html.lang_invalid",
         fails=[lambda: page(doc(lang="en_US")), lambda: page(doc(lang="english language"))],
         passes=[lambda: page(doc(lang="en-GB")), lambda: page(doc(lang="zh-Hant-TW")),
                 lambda: page(doc(lang=None))]),
    Case("seo.mobile.viewport_missing",
         fails=[lambda: page(doc(viewport=False))],
         passes=[lambda: page(doc()), lambda: page(doc(viewport=False), status=500)]),
    Case("seo.mobile.viewport_not_responsive",
         fails=[lambda: page(doc(viewport=False,
                                 extra_head='<meta name="viewport" content="width=1024">'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(viewport=False,
                                  extra_head='<meta name="viewport" content="initial-scale=1">')),
                 lambda: page(doc(viewport=False))]),
    Case("seo.mobile.viewport_zoom_disabled",
         fails=[lambda: page(viewport_doc("width=device-width, initial-scale=1, user-scalable=no")),
                lambda: page(viewport_doc("width=device-width, initial-scale=1, maximum-scale=1")),
                lambda: page(viewport_doc("width=device-width; initial-scale=1.0; maximum-scale=1.0; "
                                          "user-scalable=0"))],
         passes=[lambda: page(doc()),
                 lambda: page(viewport_doc("width=device-width, initial-scale=1, maximum-scale=5")),
                 lambda: page(viewport_doc("width=device-width, initial-scale=1, maximum-scale=2")),
                 lambda: page(viewport_doc("width=device-width, initial-scale=1, user-scalable=yes")),
                 lambda: page(viewport_doc("width=device-width, user-scalable=no"), status=404)]),
    Case("seo.mobile.viewport_fixed_width",
         fails=[lambda: page(viewport_doc("width=1024, initial-scale=1")),
                lambda: page(viewport_doc("width=1200, initial-scale=1.0"))],
         passes=[lambda: page(doc()),
                 lambda: page(viewport_doc("width=device-width, initial-scale=1")),
                 lambda: page(viewport_doc("width=360, initial-scale=1")),  # fits a phone
                 # no initial-scale: seo.mobile.viewport_not_responsive reports it
                 lambda: page(viewport_doc("width=1024"))]),
    Case("seo.html.charset_not_utf8",
         fails=[lambda: page(LATIN1_DOC, content_type="text/html; charset=iso-8859-1"),
                lambda: page(doc(charset=False,
                                 extra_head='<meta charset="windows-1252">').encode("cp1252"),
                             content_type="text/html")],
         passes=[lambda: page(doc()), lambda: page(doc(charset=False), content_type="text/html"),
                 lambda: page(doc(charset=False), content_type="text/html; charset=UTF8")]),
    Case("seo.html.encoding_errors",
         fails=[lambda: page(doc(body="<h1>ok</h1>").encode() + b"\xc3\x28 \xff\xfe")],
         passes=[lambda: page(doc()),
                 lambda: page(LATIN1_DOC, content_type="text/html; charset=windows-1252")]),
    Case("seo.html.charset_missing",
         fails=[lambda: page(doc(charset=False), content_type="text/html"),
                lambda: page(LATIN1_DOC, content_type="text/html")],
         passes=[lambda: page(doc()), lambda: page(doc(charset=False)),
                 lambda: page(doc(), content_type="text/html")]),
    Case("seo.html.charset_late",
         fails=[lambda: page(LATE_CHARSET, content_type="text/html")],
         passes=[lambda: page(doc(), content_type="text/html"),
                 lambda: page(LATE_CHARSET, content_type="text/html; charset=utf-8")]),
    Case("seo.html.too_complex",
         fails=[lambda: page(doc(body="<div>" * (MAX_BLOCK_DEPTH + 10) + "<p>deep</p>"
                                      + "<span>x</span>" * 4000)),
                lambda: page(doc(body="<p " + " ".join(f"a{i}" for i in range(3000)) + ">x</p>"))],
         passes=[lambda: page(doc(body="<div><p>x</p></div>" * 3000)),
                 lambda: page(doc(body="<div>" * 100 + "<span>x</span>" * 4000)),
                 lambda: page(doc(body='<img alt="x" width=1 height=1 src="data:image/png;base64,'
                                       + "QUJD" * 5000 + '">'
                                       + '<svg><path d="' + "M 1 2 L 3 4 " * 3000 + '"/></svg>'))]),
]



def test_charset_not_utf8_reports_declared_and_used_encoding():
    [finding] = run("seo.html.charset_not_utf8",
                    page(LATIN1_DOC, content_type="text/html; charset=ISO-8859-1"))
    assert finding.details == {"declared": "iso-8859-1", "encoding": "cp1252", "source": "http"}


def test_zoom_disabled_reports_the_viewport_values():
    [finding] = run("seo.mobile.viewport_zoom_disabled",
                    page(viewport_doc("width=device-width, maximum-scale=1.0")))
    assert finding.details == {"viewport": "width=device-width, maximum-scale=1.0",
                               "user_scalable": None, "maximum_scale": 1.0}
