# Sourced by serve.sh and test.sh: make .venv and install the pinned requirements given as $1.
# Re-installs only when the requirement files change (a stamp keyed by their hash).
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
_stamp=".venv/.installed-$(cat requirements.txt "$1" | sha256sum | cut -c1-16)"
if [ ! -f "$_stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$1"
    rm -f .venv/.installed-*
    touch "$_stamp"
fi
