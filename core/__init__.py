"""The bottom layer every room may read: the record's schema and the project's clock.

Nothing here imports crawler/, pipelines/, storage/ or feeds/; all of them import from here.
"""
