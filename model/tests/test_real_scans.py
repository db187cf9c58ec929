"""Real healthy-slice check: every set loads as 2-D slices, and the shipped model's report counts what the sets hold."""
import json
import unittest
from pathlib import Path

from brainmri import LABELS
from brainmri import real_scans

REPORT = Path(__file__).resolve().parents[1] / "reports" / "edge" / "metrics.json"


class RealScansTest(unittest.TestCase):
    def test_every_installed_set_loads_as_two_dimensional_slices(self):
        for s in real_scans.sets():
            if any(not Path(f).exists() for f in s.files):
                continue
            slices = s.slices()
            self.assertGreater(len(slices), 0, s.name)
            for a in slices:
                self.assertEqual(a.ndim, 2, s.name)
                self.assertGreater(float(a.max()), float(a.min()), s.name)  # not a blank frame
                shown = real_scans._shown(a)
                self.assertEqual((shown.dtype.name, int(shown.min()), int(shown.max())), ("uint8", 0, 255), s.name)

    def test_the_shipped_models_report_counts_every_slice_once(self):
        real = json.loads(REPORT.read_text())["real_healthy_scans"]
        sets = {s.name: s for s in real_scans.sets()}
        done = {n: v for n, v in real.items() if n != "all" and "slices" in v}
        self.assertEqual(set(done), set(sets))  # the committed report covers every set (all installed when it ran)
        for n, v in done.items():
            self.assertEqual(sum(v["predicted"].values()), v["slices"], n)
            self.assertEqual(set(v["predicted"]), set(LABELS), n)
            self.assertEqual(v["called_tumour"], v["slices"] - v["predicted"]["normal"], n)
            self.assertLessEqual(v["called_tumour_above_0.9"], v["called_tumour"], n)
            if all(Path(f).exists() for f in sets[n].files):
                self.assertEqual(len(sets[n].slices()), v["slices"], n)
        self.assertEqual(real["all"]["slices"], sum(v["slices"] for v in done.values()))


if __name__ == "__main__":
    unittest.main()
