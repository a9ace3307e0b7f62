#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the web demo's browser
# test (tests/test_apis/test_webui_browser.py) when they are missing and
# this runs as root with apt-get; otherwise say why not. Never fails: the
# browser test skips, naming the reason, where there is no browser.
set -uo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "[chromium] not installed, and installing needs root and apt-get:" \
    "the browser test will be skipped" >&2
  exit 0
fi
echo "[chromium] installing chromium and chromium-driver (apt-get, ~1 min)"
start=$(date +%s)
if { apt-get update -qq \
     && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends chromium chromium-driver; } >/dev/null 2>&1
then
  echo "[chromium] installed in $(( $(date +%s) - start )) s"
else
  echo "[chromium] apt-get failed: the browser test will be skipped" >&2
fi
exit 0
