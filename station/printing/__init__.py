"""Printed documents: layouts in millimetres, fonts, bidi shaping, wristbands, ration cards, sheets, spooling."""
