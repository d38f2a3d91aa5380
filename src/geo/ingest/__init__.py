"""Article ingestion: from a new article to reviewed, mapped events with excerpts, offline.

The path of an article::

    reader    bytes -> the file's text as read (HTML -> text, with an offset map)
    layout    paragraphs and sentences; page furniture set aside; title, author, date
    extract   per sentence: dates, places (geo.gazetteer), lexicon terms, actors, counts
              -> Candidate, each tied to its sentence by character offsets
    pipeline  files, uploads or pasted text -> article store + review queue
    review    accept (validated, appended atomically to data/) or reject
    ui        the ingest page's Streamlit pieces (the only module here importing streamlit)

``geo ingest`` (:mod:`geo.cli_ingest`) and the ingest page (``pages/ingest.py``) share the
pipeline; :func:`geo.ingest.bench.run` times it.
"""
