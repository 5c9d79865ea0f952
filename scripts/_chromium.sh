# Sourced by serve.sh and test.sh: make Debian's Chromium available for the render sample
# (audits/engine/render.py). Installs the `chromium` package when it is missing and we are
# root; returns non-zero when Chromium is still not there (callers decide whether that is fatal).
ensure_chromium() {
    local chromium="${SEOAUDIT_CHROMIUM:-/usr/bin/chromium}"
    if [ -x "$chromium" ]; then
        return 0
    fi
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium (apt-get) for the JavaScript render sample..." >&2
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } \
            >/dev/null 2>&1 || echo "apt-get install chromium failed" >&2
    fi
    [ -x "$chromium" ]
}
