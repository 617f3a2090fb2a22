"""The alert: its model (`model.Alert`) and the loader that turns alert files into alerts,
naming every problem in words an operator understands (`loader`)."""
