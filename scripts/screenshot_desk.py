"""Screenshots of the desk window in English, Arabic and Sorani (run under Xvfb: see README).

Creates a throw-away station with demo households in a temporary folder; never touches real data.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.shot_station import throwaway_station

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")


def main() -> None:
    app, ctx = throwaway_station()
    from station.services.demo import fill
    from station.services.register_rows import day_register
    from ui.main_window import MainWindow
    from ui.qt_i18n import apply_language
    fill(ctx.db, ctx.actor, 40, days=1, seed=5)
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "ar", "ckb"):
        apply_language(app, lang)
        w = MainWindow(ctx)
        w.resize(1366, 768)
        w.show()
        with ctx.db.reader() as uow:
            rows = day_register(uow, ctx.actor, w.register.selected_day())
        big = max(rows, key=lambda r: r.size)
        w.open_household(big.id)
        w.form.edit_member(1)
        w.form.editor.age.setText("130" if lang != "en" else "")
        if lang != "en":
            w.form.editor.birth.setText("")
            w.form.commit_member()
        for _ in range(20):
            app.processEvents()
        w.grab().save(str(OUT / f"desk-{lang}.png"))
        w.form.dirty = False
        w.close()
    ctx.close()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()
