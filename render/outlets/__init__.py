"""The outlets: each turns public views into files of the published tree (web pages, API,
feeds, CAP, texts, display slides, share images, posters). `outlet` is their one interface,
`registry` lists them, `artifacts` is what they hand the publisher, `context` what they get."""
