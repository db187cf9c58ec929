#!/bin/sh
# Installs the Debian packages the model pipeline uses (PyTorch, ONNX, NIfTI reader, Colin27 anatomy).
set -e
PKGS="python3-torch python3-onnx python3-nibabel python3-numpy python3-pil python3-matplotlib python3-scipy python3-sklearn python3-dipy mricron-data"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $PKGS
/usr/bin/python3 -c "import torch, onnx, nibabel, scipy, PIL; print('training stack ready: torch', torch.__version__)"
