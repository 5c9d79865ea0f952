# Sourced by serve.sh and test.sh: what PDF reports need from Debian. WeasyPrint (a pip
# requirement) lays pages out with Pango and embeds fonts found by fontconfig: DejaVu and
# Liberation fonts; gettext compiles the report translations (locale/); poppler-utils gives
# the tests pdftotext/pdftoppm. Installed when missing and we are root, as _chromium.sh does.
ensure_pdf_tools() {
    local missing=()
    command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi dejavu || missing+=(fonts-dejavu-core)
    command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi liberation || missing+=(fonts-liberation2)
    command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
    if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing ${missing[*]} (apt-get) for PDF reports..." >&2
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
            >/dev/null 2>&1 || echo "apt-get install ${missing[*]} failed" >&2
    fi
    # The .mo files are committed; recompile when gettext is there so edits to .po apply.
    if command -v msgfmt >/dev/null 2>&1; then
        .venv/bin/python manage.py compilemessages --locale es -v 0 >/dev/null 2>&1 || true
    fi
    command -v pdftotext >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q libpango-1.0
}
