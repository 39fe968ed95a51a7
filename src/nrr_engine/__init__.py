"""NRR engine: the Python side of a warehouse-native net revenue retention project."""

__version__ = "0.1.0"
