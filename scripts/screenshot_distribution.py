"""Screenshots of the hand-out dialog in English, Arabic and Sorani (run under Xvfb: see README).

A throw-away station with demo households; round 2 is open and the household already had its food
parcel in that round, so the picture shows an item that cannot be given twice.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.shot_station import throwaway_station

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")


def main() -> None:
    app, ctx = throwaway_station()
    from station import clock
    from station.domain.codes import ReliefItem
    from station.services import distribution
    from station.services.demo import fill
    from station.services.register_rows import day_register
    from station.services.registration import get_household
    from ui.distribution.dialog import DistributionDialog
    from ui.qt_i18n import apply_language

    fill(ctx.db, ctx.actor, 10, days=1, seed=7)
    with ctx.db.uow() as uow:
        rows = day_register(uow, ctx.actor, clock.local_today())
        hid = max(rows, key=lambda r: r.size).id
        distribution.record_handout(uow, ctx.actor, hid, {ReliefItem.WATER: 6, ReliefItem.BLANKET: 3}, in_round=False)
        distribution.open_round(uow, ctx.actor, 1)
        distribution.record_handout(uow, ctx.actor, hid, {ReliefItem.FOOD_PARCEL: 1}, in_round=True)
        distribution.open_round(uow, ctx.actor, 2)
        distribution.record_handout(uow, ctx.actor, hid, {ReliefItem.FOOD_PARCEL: 1}, in_round=True)
        view = get_household(uow, ctx.actor, hid)
    OUT.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "ar", "ckb"):
        apply_language(app, lang)
        d = DistributionDialog(ctx, view)
        d.show()
        d.quantities[ReliefItem.HYGIENE_KIT].setValue(1)
        for _ in range(20):
            app.processEvents()
        d.grab().save(str(OUT / f"distribution-{lang}.png"))
        d.close()
    ctx.close()
    print("screenshots in", OUT)


if __name__ == "__main__":
    main()
