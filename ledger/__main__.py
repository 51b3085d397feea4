import sys

from .cli import main

if __name__ == "__main__":   # not when multiprocessing's forkserver re-imports the main module
    sys.exit(main())
