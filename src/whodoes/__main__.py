"""python -m whodoes"""

import sys

from whodoes.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
