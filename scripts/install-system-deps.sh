#!/usr/bin/env bash
# Installs, from Debian packages and only when missing, what the test suites drive for real:
# mosquitto (external broker tests), chromium (status page tests), a CJK font (Chinese text in screenshots),
# nftables (half-open link tests).
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk' || need+=(fonts-wqy-zenhei)
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || need+=(nftables)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing system test dependencies: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
  # Debian starts the broker as a service on 1883; the tests start their own brokers on free ports.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
  pkill -x mosquitto >/dev/null 2>&1 || true
fi
