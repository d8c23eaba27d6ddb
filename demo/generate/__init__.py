"""The demo mirror's generator (``python -m demo.generate``): a development tool, not shipped in the wheel.

``corpus``/``corpus_news`` hold the documents, ``sites`` the site templates, ``tradchinese`` the
Traditional conversion of mirror copies, ``docmaker`` the PDF and DOCX attachments, and ``__main__``
writes ``demo/mirror/`` from them.
"""
