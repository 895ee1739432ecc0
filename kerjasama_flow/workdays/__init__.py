"""The working-day calendar: weekends, national holidays, cuti bersama and a government's own
days off, used for due dates."""
