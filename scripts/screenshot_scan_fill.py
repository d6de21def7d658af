"""Screenshot: a member's row in the real household form, filled from a scanned passport (run under Xvfb).

The document is synthetic (tests/station/scanning/docgen.py), read by the same code as the window
(station.scanning.idscan), and put into the form by ui.desk_actions. Uses a throw-away station.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.shot_station import throwaway_station

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")


def main() -> None:
    app, ctx = throwaway_station()
    from station.scanning.fill import from_mrz
    from station.scanning.idscan import scan_image
    from tests.station.scanning.docgen import make_sample
    from ui.main_window import MainWindow
    from ui.qt_i18n import apply_language
    sample = make_sample(7, "moderate", "TD3")
    result = scan_image(sample.image)
    assert result.mrz is not None, result.reason
    fields = from_mrz(result.mrz)
    for lang in sys.argv[2:] or ["en", "ar"]:
        apply_language(app, lang)
        w = MainWindow(ctx)
        w.resize(1366, 768)
        w.show()
        w.form.editor.ar["given"].setText("فاطمة")
        w.desk_actions.fill_member_from_document(fields)
        w.form.editor.age.setFocus()
        for _ in range(30):
            app.processEvents()
        w.grab().save(str(OUT / f"scan-filled-{lang}.png"))
        w.form.dirty = False
        w.close()
    print("valid MRZ:", result.mrz.valid, "->", OUT)
    ctx.close()


if __name__ == "__main__":
    main()
