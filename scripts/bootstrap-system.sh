#!/usr/bin/env bash
# Install the Debian packages that rendering and its checks need, only if missing.
#   fonts-dejavu-core, libpango : WeasyPrint renders the A4 PDF papers
#   poppler-utils               : pdftotext/pdftoppm for the publication check and for looking at pages
#   chromium                    : the real-browser test of the HTML paper (make test only)
#   npm (nodejs)                : axe-core (npm, pinned with its hash in scripts/browser/package-lock.json),
#                                 the accessibility check run in Chromium (make test only)
set -euo pipefail
want=(fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 poppler-utils)
browser=""
if [ "${1:-}" = "--with-browser" ]; then
  want+=(chromium); browser=1
  command -v npm >/dev/null 2>&1 || want+=(npm)  # Debian's npm (and nodejs), unless Node is already there
fi
here="$(cd "$(dirname "$0")" && pwd)"
install_axe() {
  # npm ci installs exactly the locked version and checks its integrity hash
  local dir="$here/browser"
  if [ -n "$browser" ] && [ ! "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    echo "Installing axe-core (npm ci in scripts/browser)"
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error
  fi
}
missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then install_axe; exit 0; fi
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
install_axe
