#!/usr/bin/env bash
# Install the system packages the reports need, when they are missing:
#   chromium (PDF printing and browser tests), fonts-noto-cjk (Chinese, Japanese, Korean text),
#   poppler-utils (pdftotext/pdftoppm, used by the tests to check PDFs).
# As root on Debian/Ubuntu this installs them with apt-get; otherwise it says how.
set -u
missing=()
have_browser=""
for b in "${ANALYSIS_CHROMIUM:-}" chromium chromium-browser google-chrome google-chrome-stable; do
  [ -n "$b" ] && command -v "$b" >/dev/null 2>&1 && have_browser="$b" && break
done
[ -z "$have_browser" ] && missing+=(chromium)
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then missing+=(fonts-noto-cjk); fi
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core >/dev/null \
    || { echo "apt-get could not install: ${missing[*]}" >&2; exit 1; }
  fc-cache -f >/dev/null 2>&1 || true
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  echo "(or on macOS: brew install --cask chromium; brew install poppler; and a Noto Sans CJK font)." >&2
  echo "Without a browser the reports are written as HTML only." >&2
fi
exit 0
