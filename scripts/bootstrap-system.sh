#!/usr/bin/env bash
# Install the Debian packages that rendering and its checks need, only if missing.
#   fonts-dejavu-core, libpango : WeasyPrint renders the A4 PDF papers
#   poppler-utils               : pdftotext/pdftoppm for the publication check and for looking at pages
#   chromium                    : the real-browser test of the HTML paper (make test only)
set -euo pipefail
want=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 poppler-utils)
if [ "${1:-}" = "--with-browser" ]; then want+=(chromium); fi
missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root (or sudo) to apt-get install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
