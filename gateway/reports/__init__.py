"""Registers in print, exports, the monthly report and the status board (R-MONTHLY)."""
