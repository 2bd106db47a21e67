"""England, region and statistical-neighbour comparators from the DfE's published files.

``read`` reads and checks the files as downloaded from Explore Education Statistics into
``data/raw/published/`` (I/O); ``figures`` turns them into one tidy frame of the figures the
sufficiency paper compares with, and computes the neighbours' average and median (pure).
The tables themselves are built in :mod:`pipeline.papers.comparators`.
"""
