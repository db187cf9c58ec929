#!/bin/sh
# Runs the model pipeline's Python (model/brainmri) with an interpreter that has torch, or says what to install.
# Debian's python3-torch is importable only from /usr/bin/python3; set BRAINMRI_PYTHON to use another interpreter
# (for example a venv where you ran: pip install torch onnx nibabel numpy pillow matplotlib scipy scikit-learn).
set -e
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
for cand in "${BRAINMRI_PYTHON:-}" /usr/bin/python3 python3; do
  [ -n "$cand" ] || continue
  command -v "$cand" >/dev/null 2>&1 || continue
  if "$cand" -c "import torch, numpy, scipy, PIL, onnx" >/dev/null 2>&1; then
    PYTHONPATH="$ROOT/model${PYTHONPATH:+:$PYTHONPATH}" exec "$cand" "$@"
  fi
done
cat >&2 <<'MSG'
No Python with torch, numpy, scipy, pillow and onnx was found (tried $BRAINMRI_PYTHON, /usr/bin/python3, python3).
Install them with one of:
  npm run setup:training
      (= sudo apt-get install -y python3-torch python3-onnx python3-nibabel python3-numpy python3-pil \
         python3-matplotlib python3-scipy python3-sklearn mricron-data)
  pip install torch onnx nibabel numpy pillow matplotlib scipy scikit-learn
      then BRAINMRI_PYTHON=/path/to/that/python npm run ...
      (without Debian's mricron-data, pass --template /path/to/a/T1.nii.gz to `npm run data`)
MSG
exit 127
