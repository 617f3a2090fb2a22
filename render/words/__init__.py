"""Words: the languages of the outputs (`i18n`), the wording every outlet shares
(`wording`), and numbers and plates written out for voice (`speech`)."""
