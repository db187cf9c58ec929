#!/bin/sh
# Installs the Debian packages the test suite needs and are not npm packages: the training stack (model tests) and Chromium (kiosk tests).
# Skips packages already installed, so it is quick on a prepared machine; never downloads a browser from anywhere else.
set -e
PKGS="python3-torch python3-onnx python3-nibabel python3-numpy python3-pil python3-matplotlib python3-scipy python3-sklearn python3-dipy mricron-data chromium fonts-dejavu-core"
MISSING=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || MISSING="$MISSING $p"
done
if [ -z "$MISSING" ]; then echo "setup:test: Debian packages present"; exit 0; fi
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "setup:test: installing$MISSING"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
