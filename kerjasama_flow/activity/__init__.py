"""The activity log: who changed what, when, with the values before and after."""
