#!/usr/bin/env python
"""Synthetic sample ledgers for 八步区: the entry point of the generator package data/sample/gen/.

    .venv/bin/python data/sample/generate.py      # rewrites data/sample/ledgers/ and expected.json
    .venv/bin/python -m data.sample.gen --out DIR  # the same files into DIR

See data/sample/gen/__init__.py for the parts and data/README.md for what is in the sample.
"""
from gen.main import main

if __name__ == "__main__":
    main()
