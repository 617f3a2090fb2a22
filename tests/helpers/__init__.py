"""Helpers shared by the tests (fixtures live in tests/conftest.py). Import them by their
module, e.g. `from tests.helpers.sites import SiteDir, alert_doc`:

    sites         SiteDir (an alert directory and its output), alert_doc, photo_bytes, NOW,
                  REPO, ARTIFACTS, copy_of_examples
    waiting       wait_until: poll a condition until it holds, instead of sleeping
    watching      a real Watcher in a thread, light outlets, wait_idle
    treecheck     check_tree: a published tree is whole (references, images, gzip siblings)
    churn         edits of an alert directory that make every publish write and delete
    feeds         reading feeds and CAP back like a client; CAP schema validation
    cap_readers   CAP as IRIS (road signs) reads it; polygon_problems
    cap_screens   CAP as Xibo's CAP connector and Screenly's CAP app read it
    cap_google    Google's CAP validator rules as a list of problems
    signage       a RenderContext for a site without publishing; hard names for text boxes
    gallery       built sites that between them show every page type
    links         every URL a page or stylesheet names, found by parsing
    browser       headless Chromium (Debian's) and a local HTTP server (with answers that
                  replace files, and slow images, for the display player)
    multi         an NTCIP 1203 MULTI parser: pages of lines, only the tags we allow
    http_client   a raw loopback HTTP GET: status, headers, body
"""
