"""The alert: its model (`model.Alert`) and the loader that turns alert files into alerts,
naming every problem in words an operator understands (`loader`). The loader's parts:
`files` (which files, read into a document), `fields` and `parse` (the document checked,
field by field, into an `Alert`), `photos` (the photo it names) and `problems` (`Problem`
and how a value is shown in one)."""
