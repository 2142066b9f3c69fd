"""whodoes: who is responsible for what in Chongqing's green-development plans."""

__version__ = "0.1.0"
