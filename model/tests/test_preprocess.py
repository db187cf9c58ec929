"""THE preprocessing: resize weights, PIL agreement, bit depth, luma, and the committed fixture tensors."""
import io
import json
import unittest

import numpy as np
from PIL import Image

from brainmri import LABELS
from brainmri.fixtures import shipped_input_size
from brainmri.preprocess import ImageReadError, preprocess_file, read_gray, resize, resize_weights, to_gray
from tests.helpers import ROOT

FIX = ROOT / "test" / "fixtures"


class ResizeTest(unittest.TestCase):
    def test_weights_are_normalised_triangles(self):
        for n_in, n_out in ((512, 256), (200, 256), (300, 256), (256, 256), (7, 3)):
            w = resize_weights(n_in, n_out)
            np.testing.assert_allclose(w.sum(1), 1.0, atol=1e-12)
            self.assertTrue((w >= 0).all())

    def test_identity_when_sizes_match(self):
        a = np.random.default_rng(1).random((256, 256)).astype(np.float32) * 255
        np.testing.assert_array_equal(resize(a, 256, 256), a)

    def test_matches_pillow_bilinear_on_float_images(self):
        rng = np.random.default_rng(2)
        for h, w in ((512, 512), (300, 420), (200, 180)):
            a = (rng.random((h, w)) * 255).astype(np.float32)
            ours = resize(a, 256, 256)
            pil = np.asarray(Image.fromarray(a, "F").resize((256, 256), Image.BILINEAR))
            self.assertLess(float(np.abs(ours - pil).max()), 1e-3, (h, w))

    def test_known_downscale_by_two(self):
        # 4 -> 2 (contract formula by hand): support 2, centres 1 and 3, taps 0..2 and 1..3 with triangle 0.75/0.75/0.25.
        np.testing.assert_allclose(resize_weights(4, 2), [[3 / 7, 3 / 7, 1 / 7, 0], [0, 1 / 7, 3 / 7, 3 / 7]], atol=1e-12)

    def test_upscale_uses_two_taps(self):
        w = resize_weights(2, 4)  # scale 0.5: centre of output 1 is 0.75 -> taps 0 and 1 with 0.75 / 0.25
        np.testing.assert_allclose(w[1], [0.75, 0.25], atol=1e-12)


class DecodeTest(unittest.TestCase):
    def test_sixteen_bit_divides_by_257_without_rounding(self):
        a = np.array([[0, 257, 65535, 1000]], dtype=np.uint16)
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, format="PNG")
        buf.seek(0)
        np.testing.assert_allclose(read_gray(buf), a.astype(np.float32) / 257.0, rtol=0, atol=1e-5)

    def test_luma_of_rgb_and_alpha_ignored(self):
        px = np.array([[[255, 0, 0, 10], [0, 255, 0, 255], [0, 0, 255, 0]]], dtype=np.uint8)
        np.testing.assert_allclose(to_gray(px), [[0.299 * 255, 0.587 * 255, 0.114 * 255]], rtol=1e-6)
        ga = np.array([[[100, 3]]], dtype=np.uint8)
        self.assertEqual(float(to_gray(ga)[0, 0]), 100.0)

    def test_unreadable_file_names_the_file(self):
        with self.assertRaises(ImageReadError) as ctx:
            read_gray(io.BytesIO(b"not an image"))
        self.assertIn("cannot be read", str(ctx.exception))


def _jpeg(width: int, height: int, mode: str = "L") -> io.BytesIO:
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:height, 0:width]
    grey = (127 + 100 * np.sin(xx / 37.0) * np.cos(yy / 23.0) + rng.normal(0, 12, (height, width))).clip(0, 255)
    im = Image.fromarray(grey.astype(np.uint8), "L")
    buf = io.BytesIO()
    (im if mode == "L" else im.convert("RGB")).save(buf, "JPEG", quality=90)
    buf.seek(0)
    return buf


class JpegDraftTest(unittest.TestCase):
    """A large JPEG is decoded at reduced size (PIL's draft rule with twice the model's side), as the runtimes do."""

    def test_large_jpeg_is_decoded_at_half_size_like_pil_draft(self):
        for mode in ("L", "RGB"):
            buf = _jpeg(1600, 1200, mode)
            gray = read_gray(buf, 192)
            self.assertEqual(gray.shape, (600, 800), mode)  # k = min(1600 // 384, 1200 // 384) = 3 -> factor 2
            buf.seek(0)
            with Image.open(buf) as im:
                im.draft(im.mode, (384, 384))
                expected = to_gray(np.asarray(im), 8)
            np.testing.assert_array_equal(gray, expected, err_msg=mode)
            buf.seek(0)
            self.assertEqual(read_gray(buf).shape, (1200, 1600), mode)  # no side given: full size

    def test_training_sized_jpeg_is_never_reduced(self):
        buf = _jpeg(512, 512)
        reduced = read_gray(buf, 192)
        buf.seek(0)
        np.testing.assert_array_equal(reduced, read_gray(buf))
        self.assertEqual(reduced.shape, (512, 512))


class FixtureTensorTest(unittest.TestCase):
    def test_fixture_list_and_tensors_agree_with_preprocessing(self):
        entries = json.loads((FIX / "fixtures.json").read_text())
        self.assertGreaterEqual(len(entries), 10)
        labels = {e["label"] for e in entries}
        self.assertEqual(labels, set(LABELS))
        side = shipped_input_size()  # the shipped model's input, from its manifest
        for e in entries:
            path = FIX / e["file"]
            if path.suffix == ".jpg":
                with Image.open(path) as im:
                    self.assertEqual((im.mode, im.size, im.format), ("L", (512, 512), "JPEG"), e["file"])
            x = preprocess_file(path, side)
            stored = np.fromfile(FIX / e["preprocessed"], dtype="<f4")
            self.assertEqual(stored.size, side * side, e["file"])
            # Not bit-exact: the resize is a matrix product, and BLAS kernels differ in the last bit between CPUs
            # (2.4e-7 seen between two machines here); 1e-6 is far below one grey level (about 0.02 after scaling).
            np.testing.assert_allclose(stored.reshape(1, side, side), x, rtol=0, atol=1e-6, err_msg=e["file"])
        modes = set()
        for e in entries:
            if e["file"].endswith(".png"):
                with Image.open(FIX / e["file"]) as im:
                    modes.add(im.mode)
        self.assertTrue({"L"} <= modes and modes & {"I", "I;16"}, modes)


if __name__ == "__main__":
    unittest.main()
